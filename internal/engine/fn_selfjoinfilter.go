package engine

import (
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

// selfJoinFilter() (spec §7.3) keeps the events whose key (field, or the
// tuple of fields) belongs to a key for which every where-clause is
// satisfied by some event with that key; different events may satisfy
// different clauses. With prefilter=true only the events matching at least
// one clause are kept.
//
// LogScale answers with a probabilistic filter (rare false positives);
// tiercel's is exact. Both phases need the whole stream, so it runs as a
// stateful stage that buffers the events carrying a key (with prefilter,
// only those matching a clause) and emits the kept ones, in input order, at
// the end.
func init() {
	registerFunc("selfJoinFilter", &funcImpl{
		params: []string{"field", "where", "prefilter"},
		agg:    compileSelfJoinFilter,
	})
}

const (
	maxSelfJoinClauses = 64        // one bit per clause
	maxSelfJoinEvents  = 2_000_000 // buffered events per query
)

type selfJoinSpec struct {
	fields    []string
	clauses   []*pipeline
	prefilter bool
}

func compileSelfJoinFilter(c *compiler, a *args) (aggSpec, error) {
	s := &selfJoinSpec{}
	var err error
	if s.fields, err = a.fieldList("field"); err != nil {
		return nil, err
	}
	if len(s.fields) == 0 {
		return nil, c.errAt(a.call.Span(), "invalid-argument", "selfJoinFilter(): missing required parameter field")
	}
	for _, f := range s.fields {
		c.read(f)
	}
	if s.prefilter, err = a.boolean("prefilter", false); err != nil {
		return nil, err
	}
	if s.clauses, err = c.whereClauses(a, "selfJoinFilter"); err != nil {
		return nil, err
	}
	return s, nil
}

// whereClauses compiles the where= filters of selfJoin() and
// selfJoinFilter(): one sub-query, or an array of them in braces, at most
// maxSelfJoinClauses.
func (c *compiler) whereClauses(a *args, fn string) ([]*pipeline, error) {
	var subs []*cql.SubQuery
	switch w := a.vals["where"].(type) {
	case nil:
		return nil, c.errAt(a.call.Span(), "invalid-argument", "%s(): missing required parameter where", fn)
	case *cql.SubQuery:
		subs = append(subs, w)
	case *cql.ArrayExpr:
		for _, el := range w.Elems {
			sq, ok := cql.Unparen(el).(*cql.SubQuery)
			if !ok {
				return nil, c.errAt(el.Span(), "invalid-argument", "%s(): where lists filters in braces: where=[{...}, {...}]", fn)
			}
			subs = append(subs, sq)
		}
	default:
		return nil, a.errorf("where", "where lists filters in braces: where=[{...}, {...}]")
	}
	if len(subs) == 0 {
		return nil, a.errorf("where", "where needs at least one clause")
	}
	if len(subs) > maxSelfJoinClauses {
		return nil, a.errorf("where", "at most %d where clauses are supported", maxSelfJoinClauses)
	}
	var out []*pipeline
	for _, sq := range subs {
		p, err := c.compilePipeline(sq.Pipeline, fn+"() where clauses")
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (s *selfJoinSpec) newAgg(x *exec) collector {
	return &selfJoinRun{s: s, x: x, masks: map[string]uint64{}}
}

type selfJoinRun struct {
	s      *selfJoinSpec
	x      *exec
	saved  []event.Field
	key    []byte
	masks  map[string]uint64 // key → clauses satisfied so far
	events []keyedEvent
	held   int64 // bytes charged for events
}

type keyedEvent struct {
	key string
	ev  *event.Event
}

func (r *selfJoinRun) add(ev *event.Event) {
	key, ok := appendJoinKey(r.key[:0], ev, r.s.fields)
	r.key = key
	if !ok {
		return // an event without the key can never pass
	}
	var mask uint64
	r.saved = ev.AppendFields(r.saved[:0])
	for i, p := range r.s.clauses {
		ev.RestoreFields(r.saved)
		if clausePasses(r.x, p, ev) {
			mask |= 1 << i
		}
	}
	ev.RestoreFields(r.saved)
	if mask == 0 && r.s.prefilter {
		return
	}
	k := string(key)
	r.masks[k] |= mask
	if len(r.events) == maxSelfJoinEvents {
		r.x.warn.addf("selfJoinFilter(): more than %d events buffered; later ones are dropped", maxSelfJoinEvents)
		return
	}
	n := eventSize(ev) + int64(2*len(k)+32)
	r.x.charge("selfJoinFilter", n)
	r.held += n
	r.events = append(r.events, keyedEvent{key: k, ev: ev.Clone()})
}

// clausePasses reports whether ev gets through a where-clause.
func clausePasses(x *exec, p *pipeline, ev *event.Event) bool {
	if p.simple() {
		return p.pass(x, ev)
	}
	passed := false
	p.run(x, ev, 0, func(*event.Event) { passed = true })
	return passed
}

func (r *selfJoinRun) finish(emit func(*event.Event)) {
	r.x.release(r.held)
	r.held = 0
	all := uint64(1)<<len(r.s.clauses) - 1
	if len(r.s.clauses) == maxSelfJoinClauses {
		all = ^uint64(0)
	}
	for _, ke := range r.events {
		if r.masks[ke.key] == all {
			emit(ke.ev)
		}
	}
}
