package engine

import (
	"fmt"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

// join() (spec §7.8) runs its sub-query as a separate search over the whole
// input (in a pass before the main one), then filters the main query's
// events by key: mode=inner keeps the events whose field values equal some
// sub-query row's key values, mode=left keeps every event. include= fields
// are copied from the row ("" when the row lacks one); with max=N an event
// is emitted once per matching row, up to N rows (the latest first).
func init() {
	registerFunc("join", &funcImpl{
		params: []string{"query", "field", "key", "include", "mode", "max", "limit", "repo", "view", "start", "end", "live"},
		step:   func(c *compiler, a *args) (any, error) { return compileJoin(c, a) },
		test: func(c *compiler, a *args) (tester, error) {
			st, err := compileJoin(c, a)
			if err != nil {
				return nil, err
			}
			return joinTest{st.(joinStage).spec()}, nil
		},
	})
}

const (
	defaultJoinLimit = 100_000
	maxJoinLimit     = 200_000 // MAX_JOIN_LIMIT
)

type joinSpec struct {
	fields  []string
	keys    []string
	include []string
	left    bool
	max     int
	limit   int
	rows    []*event.Event     // sub-query result, first `limit` rows
	index   map[string][]int32 // key values → rows, in result order
}

func compileJoin(c *compiler, a *args) (joinStage, error) {
	for _, p := range []string{"repo", "view", "start", "end", "live"} {
		if a.has(p) {
			return nil, a.errorf(p, "%s= is not supported: tiercel runs sub-queries over the same input as the main query", p)
		}
	}
	j := &joinSpec{}
	var err error
	if j.fields, err = a.fieldList("field"); err != nil {
		return nil, err
	}
	if len(j.fields) == 0 {
		return nil, c.errAt(a.call.Span(), "invalid-argument", "join(): missing required parameter field")
	}
	for _, f := range j.fields {
		c.read(f)
	}
	if j.keys, err = a.fieldList("key"); err != nil {
		return nil, err
	}
	if j.keys == nil {
		j.keys = j.fields
	}
	if len(j.keys) != len(j.fields) {
		return nil, a.errorf("key", "key lists %d names but field lists %d; they pair up one to one", len(j.keys), len(j.fields))
	}
	if j.include, err = a.fieldList("include"); err != nil {
		return nil, err
	}
	mode, err := a.str("mode", "inner")
	if err != nil {
		return nil, err
	}
	switch mode {
	case "inner":
	case "left":
		j.left = true
	default:
		return nil, a.errorf("mode", "mode must be inner or left, not %q", mode)
	}
	if j.max, err = a.limit("max", 1, maxJoinLimit); err != nil {
		return nil, err
	}
	if j.max == 0 {
		return nil, a.errorf("max", "max must be at least 1")
	}
	if j.limit, err = a.limit("limit", defaultJoinLimit, maxJoinLimit); err != nil {
		return nil, err
	}
	q, ok := a.vals["query"].(*cql.SubQuery)
	if !ok {
		if !a.has("query") {
			return nil, c.errAt(a.call.Span(), "invalid-argument", "join(): missing required parameter query")
		}
		return nil, a.errorf("query", "query must be a sub-query in braces: query={ ... }")
	}
	s, err := c.compileSubQuery(q, j.fill)
	if err != nil {
		return nil, err
	}
	s.fn, s.limit = "join", j.limit
	s.what = fmt.Sprintf("limit=%d; at most %d", j.limit, maxJoinLimit)
	if !a.has("limit") {
		s.what = fmt.Sprintf("the default limit=%d; limit= takes up to %d", j.limit, maxJoinLimit)
	}
	c.subReads(s, append(append([]string(nil), j.keys...), j.include...), false)
	if j.max == 1 {
		return joinOne{j}, nil
	}
	return joinMany{j}, nil
}

// fill indexes the sub-query's rows by key; rows lacking a key field can
// never match and are left out.
func (j *joinSpec) fill(rows []*event.Event) {
	if len(rows) > j.limit {
		rows = rows[:j.limit]
	}
	j.rows = rows
	j.index = make(map[string][]int32, len(rows))
	var key []byte
	for i, r := range rows {
		var ok bool
		if key, ok = appendJoinKey(key[:0], r, j.keys); ok {
			j.index[string(key)] = append(j.index[string(key)], int32(i))
		}
	}
}

// appendJoinKey appends the values of fields, NUL-separated; false when the
// event lacks one.
func appendJoinKey(dst []byte, ev *event.Event, fields []string) ([]byte, bool) {
	for i, f := range fields {
		v, ok := ev.Get(f)
		if !ok {
			return dst, false
		}
		if i > 0 {
			dst = append(dst, 0)
		}
		dst = append(dst, v...)
	}
	return dst, true
}

func (j *joinSpec) hits(x *exec, ev *event.Event) []int32 {
	key, ok := appendJoinKey(x.buf[:0], ev, j.fields)
	x.buf = key
	if !ok {
		return nil
	}
	return j.index[string(key)]
}

func (j *joinSpec) add(ev *event.Event, row *event.Event) {
	for _, f := range j.include {
		v, _ := row.Get(f)
		ev.Set(f, v)
	}
}

// joinStage is the compiled join(): joinOne or joinMany.
type joinStage interface{ spec() *joinSpec }

func (s joinOne) spec() *joinSpec  { return s.j }
func (s joinMany) spec() *joinSpec { return s.j }

// joinTest is join() in boolean context (`!join(...)`): true when some row
// matches; it adds no fields.
type joinTest struct{ j *joinSpec }

func (t joinTest) test(x *exec, ev *event.Event) bool { return len(t.j.hits(x, ev)) > 0 }

// joinOne is join() with max=1: a step that adds the latest matching row.
type joinOne struct{ j *joinSpec }

func (s joinOne) apply(x *exec, ev *event.Event) bool {
	hits := s.j.hits(x, ev)
	if len(hits) == 0 {
		return s.j.left
	}
	s.j.add(ev, s.j.rows[hits[len(hits)-1]])
	return true
}

// joinMany is join() with max>1: one event per matching row.
type joinMany struct{ j *joinSpec }

func (s joinMany) each(x *exec, ev *event.Event, emit func(*event.Event)) {
	hits := s.j.hits(x, ev)
	if len(hits) == 0 {
		if s.j.left {
			emit(ev)
		}
		return
	}
	saved := ev.AppendFields(nil)
	for i, n := len(hits)-1, 0; i >= 0 && n < s.j.max; i, n = i-1, n+1 {
		ev.RestoreFields(saved)
		s.j.add(ev, s.j.rows[hits[i]])
		emit(ev)
	}
	ev.RestoreFields(saved)
}
