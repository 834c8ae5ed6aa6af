package engine

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

// LogScale groupBy limits (spec §10).
const (
	defaultGroupLimit = 20_000
	maxGroupLimit     = 1_000_000
)

func init() {
	registerFunc("groupBy", &funcImpl{params: []string{"field", "function", "limit"}, agg: compileGroupBy})
	registerFunc("stats", &funcImpl{params: []string{"function"}, agg: func(c *compiler, a *args) (aggSpec, error) {
		fns, err := c.compileFunctionArg(a, "function")
		if err != nil {
			return nil, err
		}
		return &groupSpec{aggs: fns, always: true, counts: plainCounts(fns)}, nil
	}})
}

// groupSpec is groupBy (keys set) and stats (no keys: one group that
// exists even without input).
type groupSpec struct {
	keys     []string
	aggs     []aggSpec
	limit    int
	explicit bool // limit= was given
	always   bool
	// counts: every aggregate is a plain count() (the default), kept as
	// numbers per group instead of collectors.
	counts []string // their output names
}

func compileGroupBy(c *compiler, a *args) (aggSpec, error) {
	keys, err := a.readFields("field")
	if err != nil {
		return nil, err
	}
	limit, err := a.limit("limit", defaultGroupLimit, maxGroupLimit)
	if err != nil {
		return nil, err
	}
	fns, err := c.compileFunctionArg(a, "function")
	if err != nil {
		return nil, err
	}
	_, explicit := a.vals["limit"]
	return &groupSpec{keys: keys, aggs: fns, limit: limit, explicit: explicit, counts: plainCounts(fns)}, nil
}

// plainCounts returns the output names of fns when every one is a plain
// count() (kept as numbers per group), else nil.
func plainCounts(fns []aggSpec) []string {
	var names []string
	for _, f := range fns {
		cs, ok := f.(*countSpec)
		if !ok || cs.field != "" || cs.distinct {
			return nil
		}
		names = append(names, cs.as)
	}
	return names
}

// compileFunctionArg compiles a function= argument: one aggregate call, an
// array of them, or a {sub-query}. Absent means count().
func (c *compiler) compileFunctionArg(a *args, name string) ([]aggSpec, error) {
	e, ok := a.vals[name]
	if !ok {
		return []aggSpec{&countSpec{as: "_count"}}, nil
	}
	var calls []cql.Expr
	switch v := e.(type) {
	case *cql.ArrayExpr:
		calls = v.Elems
	case *cql.SubQuery:
		chain, err := c.compileChain(v.Pipeline, false)
		if err != nil {
			return nil, err
		}
		return c.outputsEvents([]aggSpec{&chainAgg{segs: chain}}), nil
	default:
		calls = []cql.Expr{v}
	}
	out := make([]aggSpec, 0, len(calls))
	for _, el := range calls {
		el = cql.Unparen(el)
		switch v := el.(type) {
		case *cql.CallExpr:
			spec, err := c.compileAggCall(v.Call)
			if err != nil {
				return nil, err
			}
			out = append(out, spec)
		case *cql.SubQuery:
			chain, err := c.compileChain(v.Pipeline, false)
			if err != nil {
				return nil, err
			}
			out = append(out, &chainAgg{segs: chain})
		default:
			return nil, a.errorf(name, "%s must be aggregate function calls", name)
		}
	}
	return c.outputsEvents(out), nil
}

// outputsEvents returns fns, marking that the program reads every field
// when one of them keeps input events whole (function=tail(1), a
// sub-query ending in sort()): its rows are those events.
func (c *compiler) outputsEvents(fns []aggSpec) []aggSpec {
	if slices.ContainsFunc(fns, passesEvents) {
		c.needs.All = true
	}
	return fns
}

// passesEvents reports whether an aggregate's rows are input events as
// they came (head, tail, sort; neighbor() with fields added; those
// selfJoinFilter() keeps; a sub-query whose aggregates all are).
func passesEvents(s aggSpec) bool {
	switch s := s.(type) {
	case *rowsSpec:
		return s.keep == nil
	case *neighborSpec, *selfJoinSpec:
		return true
	case *chainAgg:
		return passesWholeEvents(s.segs)
	}
	return false
}

// compileAggCall compiles a call that must be an aggregate.
func (c *compiler) compileAggCall(call *cql.Call) (aggSpec, error) {
	st, agg, err := c.compileCallStep(call, "")
	if err != nil {
		return nil, err
	}
	if agg == nil {
		_ = st
		return nil, c.errAt(call.NameSp, "invalid-argument", "%s() is not an aggregate function", call.Name)
	}
	return agg, nil
}

func (c *compiler) compileStats(calls []*cql.Call, sp cql.Span) (aggSpec, error) {
	var aggs []aggSpec
	for _, call := range calls {
		spec, err := c.compileAggCall(call)
		if err != nil {
			return nil, err
		}
		aggs = append(aggs, spec)
	}
	return &groupSpec{aggs: c.outputsEvents(aggs), always: true}, nil
}

func (s *groupSpec) newAgg(x *exec) collector {
	return &groupCollector{spec: s, x: x, index: map[string]int32{}}
}

// group is one group's state: its key (the index's key string: each
// field's length as a uvarint, then its value) and its aggregates, or with
// spec.counts only the count, in groupCollector.n.
type group struct {
	key  string
	aggs []collector
}

type groupCollector struct {
	spec   *groupSpec
	x      *exec
	index  map[string]int32
	groups []group
	n      []int64 // per group, with spec.counts
	over   int     // events of groups past the limit, not counted
	buf    []byte
	held   int64 // bytes charged for keys
}

func (g *groupCollector) newGroup(key string) group {
	gr := group{key: key}
	if g.spec.counts != nil {
		g.n = append(g.n, 0)
		return gr
	}
	gr.aggs = make([]collector, len(g.spec.aggs))
	for i, a := range g.spec.aggs {
		gr.aggs[i] = a.newAgg(g.x)
	}
	return gr
}

func (g *groupCollector) add(ev *event.Event) {
	var key []byte
	if len(g.spec.keys) > 0 {
		var ok bool
		if key, ok = groupKey(g.spec, ev, g.buf[:0]); !ok {
			return // events lacking a key are not grouped
		}
		g.buf = key
	}
	i, ok := g.group(key, 1)
	if !ok {
		return
	}
	if g.spec.counts != nil {
		g.n[i]++
		return
	}
	for _, a := range g.groups[i].aggs {
		a.add(ev)
	}
}

// group returns the group of key (index key; nil without keys: the one
// group), made when new. Past the limit it is not made: the n events of
// that key are counted as over, and ok is false.
func (g *groupCollector) group(key []byte, n int) (i int32, ok bool) {
	if len(g.spec.keys) == 0 {
		if len(g.groups) == 0 {
			g.groups = append(g.groups, g.newGroup(""))
		}
		return 0, true
	}
	if i, ok := g.index[string(key)]; ok {
		return i, true
	}
	if len(g.groups) >= g.spec.limit {
		g.over += n
		return 0, false
	}
	// Charge what the group holds: the key (once, shared by the index and
	// the group), the map entry and the aggregates.
	c := int64(3*len(key) + 160 + 64*len(g.spec.aggs))
	g.x.charge("groupBy", c)
	g.held += c
	k := string(key) // one copy, shared by the index and the group
	i = int32(len(g.groups))
	g.index[k] = i
	g.groups = append(g.groups, g.newGroup(k))
	return i, true
}

func (g *groupCollector) finish(emit func(*event.Event)) {
	if g.over > 0 {
		var hint string
		switch {
		case !g.spec.explicit:
			hint = fmt.Sprintf("use limit=max for up to %d", maxGroupLimit)
		case g.spec.limit < maxGroupLimit:
			hint = fmt.Sprintf("limit=%d; limit= allows up to %d", g.spec.limit, maxGroupLimit)
		default:
			hint = "the most groupBy() keeps; narrow the query or group by fewer distinct values"
		}
		g.x.warn.addf("groupBy(): more than %d groups; results are partial: %d event(s) of further groups were not counted (%s)", g.spec.limit, g.over, hint)
	}
	g.x.release(g.held)
	g.held = 0
	if len(g.groups) == 0 && g.spec.always {
		g.groups = append(g.groups, g.newGroup(""))
	}
	for i, gr := range g.groups {
		emitRow := func(row *event.Event) {
			out := &event.Event{}
			key := gr.key
			for _, k := range g.spec.keys {
				n, w := binary.Uvarint([]byte(key[:min(len(key), binary.MaxVarintLen64)]))
				out.Set(k, key[w:w+int(n)])
				key = key[w+int(n):]
			}
			for _, f := range row.Fields() {
				out.Set(f.Name, f.Value)
			}
			emit(out)
		}
		if g.spec.counts != nil {
			row := &event.Event{}
			for _, as := range g.spec.counts {
				row.Set(as, event.FormatNumber(float64(g.n[i])))
			}
			emitRow(row)
			continue
		}
		combineRows(gr.aggs, emitRow)
	}
	g.groups, g.n = nil, nil
}

// combineRows merges the rows of several aggregates by stats() rules: each
// yielding at most one row gives one merged row; otherwise the Cartesian
// product, an aggregate without rows counting as one empty row.
func combineRows(aggs []collector, emit func(*event.Event)) {
	if len(aggs) == 0 {
		emit(&event.Event{})
		return
	}
	results := make([][]*event.Event, len(aggs))
	for i, a := range aggs {
		a.finish(func(e *event.Event) { results[i] = append(results[i], e) })
		if len(results[i]) == 0 {
			results[i] = []*event.Event{{}}
		}
	}
	var rec func(i int, acc []event.Field)
	rec = func(i int, acc []event.Field) {
		if i == len(results) {
			out := &event.Event{}
			for _, f := range acc {
				out.Set(f.Name, f.Value)
			}
			emit(out)
			return
		}
		for _, row := range results[i] {
			rec(i+1, append(acc[:len(acc):len(acc)], row.Fields()...))
		}
	}
	rec(0, nil)
}
