package engine

import (
	"strings"

	"github.com/tiercel/tiercel/internal/event"
)

// array:reduceRow(array, function, var, as=_reduceRow) aggregates the
// elements of each event's array into one value; array:reduceColumn(array,
// function, var, as=_reduceColumn) aggregates, across events, the elements
// with the same index into an output array (reference pages
// functions-array-reducerow, -reducecolumn). The function sees each
// element as the field var and must give one value.

func init() {
	registerFunc("array:reduceRow", &funcImpl{params: []string{"array", "as", "function", "var"}, step: func(c *compiler, a *args) (any, error) {
		s, err := compileReduce(c, a, "_reduceRow")
		return (*reduceRowStep)(s), err
	}})
	registerFunc("array:reduceColumn", &funcImpl{params: []string{"array", "as", "function", "var"}, agg: func(c *compiler, a *args) (aggSpec, error) {
		s, err := compileReduce(c, a, "_reduceColumn")
		return (*reduceColumnSpec)(s), err
	}})
}

type reduceSpec struct {
	array, varName, out string
	fns                 *groupSpec
}

func compileReduce(c *compiler, a *args, def string) (*reduceSpec, error) {
	name, err := arrayArg(c, a, "array")
	if err != nil {
		return nil, err
	}
	s := &reduceSpec{array: name, out: strings.TrimSuffix(a.asOr(def), "[]")}
	if s.varName, err = a.required("var"); err != nil {
		return nil, err
	}
	if !a.has("function") {
		return nil, c.errAt(a.call.Span(), "invalid-argument", "%s(): missing required parameter function", a.call.Name)
	}
	fns, err := c.compileFunctionArg(a, "function")
	if err != nil {
		return nil, err
	}
	s.fns = &groupSpec{aggs: fns, always: true}
	return s, nil
}

// reduceValue runs the functions over the values and returns the single
// value they give.
func (s *reduceSpec) reduceValue(x *exec, vals []string) (string, bool) {
	rows := make([]*event.Event, len(vals))
	for i, v := range vals {
		rows[i] = &event.Event{}
		rows[i].Set(s.varName, v)
	}
	res := runAggs(s.fns, x, rows)
	if res == nil || res.Len() == 0 {
		return "", false
	}
	return res.Fields()[0].Value, true
}

type reduceRowStep reduceSpec

func (s *reduceRowStep) apply(x *exec, ev *event.Event) bool {
	var vals []string
	eachElem(ev, s.array, func(_ int, v string) bool { vals = append(vals, v); return true })
	if len(vals) == 0 {
		return true
	}
	if v, ok := (*reduceSpec)(s).reduceValue(x, vals); ok {
		ev.Set(s.out, v)
	}
	return true
}

type reduceColumnSpec reduceSpec

func (s *reduceColumnSpec) newAgg(x *exec) collector {
	return &reduceColumnAgg{s: (*reduceSpec)(s), x: x}
}

type reduceColumnAgg struct {
	s    *reduceSpec
	x    *exec
	cols [][]string
}

func (r *reduceColumnAgg) add(ev *event.Event) {
	eachElem(ev, r.s.array, func(i int, v string) bool {
		for len(r.cols) <= i {
			r.cols = append(r.cols, nil)
		}
		r.cols[i] = append(r.cols[i], strings.Clone(v))
		return true
	})
}

func (r *reduceColumnAgg) finish(emit func(*event.Event)) {
	out := &event.Event{}
	var vals []string
	for _, col := range r.cols {
		v, _ := r.s.reduceValue(r.x, col)
		vals = append(vals, v)
	}
	setArray(out, r.s.out, vals)
	emit(out)
}
