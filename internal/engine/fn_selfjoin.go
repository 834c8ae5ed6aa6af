package engine

import (
	"strings"

	"github.com/tiercel/tiercel/internal/event"
)

// selfJoin(field, where=[{...}, ...], collect, select, prefilter=false,
// postfilter=false, limit=20000) collates the events of each key (the
// field values) for which every where-clause is met by some event of the
// key (reference page functions-selfjoin; examples-selfjoin:
// selfJoin(email_id, where=[{from=*peter*}, {to=*anders*}],
// collect=[from, to])). One row per such key: the key fields, each collect
// field's distinct values joined by newlines (as collect()), and each
// select field's last value. prefilter=true collates only events matching
// some clause; postfilter=true keeps a row only when every clause also
// passes on the row itself. At most limit keys are tracked.

func init() {
	registerFunc("selfJoin", &funcImpl{params: []string{"field", "where", "collect", "select", "prefilter", "postfilter", "limit"}, agg: compileSelfJoin})
}

type selfJoinAggSpec struct {
	fields, collect, sel  []string
	clauses               []*pipeline
	prefilter, postfilter bool
	limit                 int
}

func compileSelfJoin(c *compiler, a *args) (aggSpec, error) {
	s := &selfJoinAggSpec{}
	var err error
	if s.fields, err = a.readFields("field"); err != nil {
		return nil, err
	}
	if s.collect, err = a.fieldList("collect"); err != nil {
		return nil, err
	}
	if s.sel, err = a.fieldList("select"); err != nil {
		return nil, err
	}
	for _, f := range append(append([]string(nil), s.collect...), s.sel...) {
		c.read(f)
	}
	if s.prefilter, err = a.boolean("prefilter", false); err != nil {
		return nil, err
	}
	if s.postfilter, err = a.boolean("postfilter", false); err != nil {
		return nil, err
	}
	if s.limit, err = a.limit("limit", 20_000, maxGroupLimit); err != nil {
		return nil, err
	}
	if s.clauses, err = c.whereClauses(a, "selfJoin"); err != nil {
		return nil, err
	}
	c.needs.All = true // the clauses may read any field
	return s, nil
}

func (s *selfJoinAggSpec) newAgg(x *exec) collector {
	return &selfJoinAgg{s: s, x: x, index: map[string]*selfJoinKey{}}
}

type selfJoinKey struct {
	keys    []string
	mask    uint64
	collect [][]string
	seen    []map[string]bool
	sel     []string
	hasSel  []bool
}

type selfJoinAgg struct {
	s     *selfJoinAggSpec
	x     *exec
	index map[string]*selfJoinKey
	order []*selfJoinKey
	over  bool
	buf   []byte
	saved []event.Field
}

func (r *selfJoinAgg) add(ev *event.Event) {
	key, ok := appendJoinKey(r.buf[:0], ev, r.s.fields)
	r.buf = key
	if !ok {
		return
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
	k := r.index[string(key)]
	if k == nil {
		if len(r.order) >= r.s.limit {
			r.over = true
			return
		}
		k = &selfJoinKey{keys: make([]string, len(r.s.fields)), collect: make([][]string, len(r.s.collect)),
			seen: make([]map[string]bool, len(r.s.collect)), sel: make([]string, len(r.s.sel)), hasSel: make([]bool, len(r.s.sel))}
		for i, f := range r.s.fields {
			v, _ := ev.Get(f)
			k.keys[i] = strings.Clone(v)
		}
		for i := range k.seen {
			k.seen[i] = map[string]bool{}
		}
		r.index[string(key)] = k
		r.order = append(r.order, k)
	}
	k.mask |= mask
	for i, f := range r.s.collect {
		if v, ok := ev.Get(f); ok && !k.seen[i][v] {
			v = strings.Clone(v)
			k.seen[i][v] = true
			k.collect[i] = append(k.collect[i], v)
		}
	}
	for i, f := range r.s.sel {
		if v, ok := ev.Get(f); ok {
			k.sel[i], k.hasSel[i] = strings.Clone(v), true
		}
	}
}

func (r *selfJoinAgg) finish(emit func(*event.Event)) {
	if r.over {
		r.x.warn.addf("selfJoin(): more than %d keys; later keys are left out (raise limit=)", r.s.limit)
	}
	all := uint64(1)<<len(r.s.clauses) - 1
	if len(r.s.clauses) == maxSelfJoinClauses {
		all = ^uint64(0)
	}
	for _, k := range r.order {
		if k.mask&all != all {
			continue
		}
		out := &event.Event{}
		for i, f := range r.s.fields {
			out.Set(f, k.keys[i])
		}
		for i, f := range r.s.collect {
			if len(k.collect[i]) > 0 {
				out.Set(f, strings.Join(k.collect[i], "\n"))
			}
		}
		for i, f := range r.s.sel {
			if k.hasSel[i] {
				out.Set(f, k.sel[i])
			}
		}
		if r.s.postfilter && !r.rowPasses(out) {
			continue
		}
		emit(out)
	}
}

// rowPasses re-runs every where-clause on the collated row.
func (r *selfJoinAgg) rowPasses(row *event.Event) bool {
	saved := row.AppendFields(nil)
	for _, p := range r.s.clauses {
		row.RestoreFields(saved)
		if !clausePasses(r.x, p, row) {
			row.RestoreFields(saved)
			return false
		}
	}
	row.RestoreFields(saved)
	return true
}
