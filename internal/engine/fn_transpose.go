package engine

import (
	"sort"
	"strconv"

	"github.com/tiercel/tiercel/internal/event"
)

// transpose(pivot, column="column", header, limit=5) turns a table's
// columns into rows (reference page functions-transpose): one output row
// per field name, in name order, holding the name in `column` and the
// values of the first `limit` input rows as row[1], row[2], ... With
// header=f, the values of f name those fields instead and f itself is not
// transposed; pivot=f is header=f with the names held in f.
//
//	groupBy(loglevel) | transpose()           column=_count row[1]=2 ...
//	groupBy(loglevel) | transpose(header=loglevel)   column=_count ERROR=2 WARN=400 ...

const maxTransposeLimit = 1000

func init() {
	registerFunc("transpose", &funcImpl{params: []string{"pivot", "column", "header", "limit"}, agg: compileTranspose})
}

type transposeSpec struct {
	column, header string
	limit          int
}

func compileTranspose(c *compiler, a *args) (aggSpec, error) {
	s := &transposeSpec{}
	pivot, err := a.fieldName("pivot", "")
	if err != nil {
		return nil, err
	}
	if s.column, err = a.str("column", "column"); err != nil {
		return nil, err
	}
	if s.header, err = a.fieldName("header", ""); err != nil {
		return nil, err
	}
	if pivot != "" {
		if a.has("header") || a.has("column") {
			return nil, a.errorf("pivot", "pivot= sets both header and column; give it alone")
		}
		s.header, s.column = pivot, pivot
	}
	if s.limit, err = a.limit("limit", 5, maxTransposeLimit); err != nil {
		return nil, err
	}
	if s.limit < 1 {
		return nil, a.errorf("limit", "limit must be at least 1")
	}
	c.needs.All = true
	return s, nil
}

func (s *transposeSpec) newAgg(x *exec) collector { return &transposeAgg{s: s, x: x} }

type transposeAgg struct {
	s    *transposeSpec
	x    *exec
	rows []*event.Event
	over bool
}

func (t *transposeAgg) add(ev *event.Event) {
	if len(t.rows) >= t.s.limit {
		t.over = true
		return
	}
	t.rows = append(t.rows, ev.Clone())
}

func (t *transposeAgg) finish(emit func(*event.Event)) {
	if t.over {
		t.x.warn.addf("transpose(): more than %d rows; only the first %d are transposed (limit= up to %d)", t.s.limit, t.s.limit, maxTransposeLimit)
	}
	names := map[string]bool{}
	for _, r := range t.rows {
		for _, f := range r.Fields() {
			if f.Name != t.s.header || t.s.header == "" {
				names[f.Name] = true
			}
		}
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	heads := make([]string, len(t.rows))
	for i, r := range t.rows {
		heads[i] = "row[" + strconv.Itoa(i+1) + "]"
		if t.s.header != "" {
			if h, ok := r.Get(t.s.header); ok {
				heads[i] = h
			}
		}
	}
	for _, n := range sorted {
		out := &event.Event{}
		out.Set(t.s.column, n)
		for i, r := range t.rows {
			if v, ok := r.Get(n); ok {
				out.Set(heads[i], v)
			}
		}
		emit(out)
	}
}
