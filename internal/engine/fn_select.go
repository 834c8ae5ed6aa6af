package engine

import (
	"strings"

	"github.com/tiercel/tiercel/internal/event"
)

// selectLast(), selectFromMax(), selectFromMin(): aggregates that keep field
// values of one chosen event (usually inside groupBy's function=).

func init() {
	registerFunc("selectLast", &funcImpl{params: []string{"fields"}, agg: compileSelectLast})
	registerFunc("selectFromMax", &funcImpl{params: []string{"field", "include"}, agg: func(c *compiler, a *args) (aggSpec, error) {
		return compileSelectFrom(c, a, true)
	}})
	registerFunc("selectFromMin", &funcImpl{params: []string{"field", "include"}, agg: func(c *compiler, a *args) (aggSpec, error) {
		return compileSelectFrom(c, a, false)
	}})
}

// selectLast keeps, for each field, the value of the most recent event that
// has it: the largest @timestamp, or the later event among equal or missing
// timestamps (after an aggregate rows have no time, so input order decides).
type selectLastSpec struct{ fields []string }

func compileSelectLast(c *compiler, a *args) (aggSpec, error) {
	fields, err := a.readFields("fields")
	if err != nil {
		return nil, err
	}
	c.read(event.Timestamp)
	return &selectLastSpec{fields: fields}, nil
}

func (s *selectLastSpec) newAgg(*exec) collector {
	return &selectLastCollector{spec: s, vals: make([]string, len(s.fields)), times: make([]float64, len(s.fields)), have: make([]bool, len(s.fields))}
}

type selectLastCollector struct {
	spec  *selectLastSpec
	vals  []string
	times []float64
	have  []bool
}

func (c *selectLastCollector) add(ev *event.Event) {
	ts := -1.0 // events without a time count as oldest-possible but still later in input order
	if v, ok := ev.Get(event.Timestamp); ok {
		if f, ok := event.ParseNumber(v); ok {
			ts = f
		}
	}
	for i, f := range c.spec.fields {
		v, ok := ev.Get(f)
		if !ok {
			continue
		}
		if c.have[i] && ts < c.times[i] {
			continue
		}
		c.vals[i], c.times[i], c.have[i] = strings.Clone(v), ts, true
	}
}

func (c *selectLastCollector) finish(emit func(*event.Event)) {
	out := &event.Event{}
	for i, f := range c.spec.fields {
		if c.have[i] {
			out.Set(f, c.vals[i])
		}
	}
	if out.Len() > 0 {
		emit(out)
	}
}

// selectFromMax/Min keep the included fields of the event with the largest
// (smallest) numeric value of field; on ties the first such event wins.
type selectFromSpec struct {
	field   string
	include []string
	max     bool
}

func compileSelectFrom(c *compiler, a *args, max bool) (aggSpec, error) {
	field, err := a.fieldName("field", "")
	if err != nil {
		return nil, err
	}
	if field == "" {
		return nil, a.errorf("field", "missing required parameter field")
	}
	include, err := a.readFields("include")
	if err != nil {
		return nil, err
	}
	return &selectFromSpec{field: field, include: include, max: max}, nil
}

func (s *selectFromSpec) newAgg(*exec) collector { return &selectFromCollector{spec: s} }

type selectFromCollector struct {
	spec *selectFromSpec
	best float64
	row  *event.Event
}

func (c *selectFromCollector) add(ev *event.Event) {
	n, ok := numberField(ev, c.spec.field)
	if !ok {
		return
	}
	if c.row != nil && (c.spec.max && n <= c.best || !c.spec.max && n >= c.best) {
		return
	}
	c.best = n
	c.row = &event.Event{}
	for _, f := range c.spec.include {
		if v, ok := ev.Get(f); ok {
			c.row.Set(f, strings.Clone(v))
		}
	}
}

func (c *selectFromCollector) finish(emit func(*event.Event)) {
	if c.row != nil {
		emit(c.row)
	}
}
