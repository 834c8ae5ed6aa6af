package engine

import (
	"math"
	"slices"
	"strconv"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

// stdDev(), range() and percentile(): numeric aggregates over a field.
// Non-numeric and missing values are ignored; with no number seen there is
// no row, like sum() and avg().

func init() {
	registerFunc("stdDev", &funcImpl{params: []string{"field", "as"}, agg: func(c *compiler, a *args) (aggSpec, error) {
		return compileMoments(a, "_stddev", true)
	}})
	registerFunc("range", &funcImpl{params: []string{"field", "as"}, agg: func(c *compiler, a *args) (aggSpec, error) {
		return compileMoments(a, "_range", false)
	}})
	registerFunc("percentile", &funcImpl{params: []string{"field", "percentiles", "accuracy", "as"}, agg: compilePercentile})
}

// momentsSpec computes the population standard deviation (Welford's
// method, stable for large values) or the range.
type momentsSpec struct {
	field  string
	as     string
	stddev bool
}

func compileMoments(a *args, def string, stddev bool) (aggSpec, error) {
	field, err := a.fieldName("field", "")
	if err != nil {
		return nil, err
	}
	if field == "" {
		return nil, a.errorf("field", "missing required parameter field")
	}
	return &momentsSpec{field: field, as: a.asOr(def), stddev: stddev}, nil
}

func (s *momentsSpec) newAgg(*exec) collector { return &momentsCollector{spec: s} }

type momentsCollector struct {
	spec     *momentsSpec
	n        int
	mean, m2 float64
	lo, hi   float64
}

func (c *momentsCollector) add(ev *event.Event) {
	f, ok := numberField(ev, c.spec.field)
	if !ok {
		return
	}
	c.n++
	if c.n == 1 {
		c.lo, c.hi = f, f
	}
	c.lo, c.hi = math.Min(c.lo, f), math.Max(c.hi, f)
	d := f - c.mean
	c.mean += d / float64(c.n)
	c.m2 += d * (f - c.mean)
}

func (c *momentsCollector) finish(emit func(*event.Event)) {
	if c.n == 0 {
		return
	}
	r := c.hi - c.lo
	if c.spec.stddev {
		r = math.Sqrt(c.m2 / float64(c.n))
	}
	emit(event.New(event.Field{Name: c.spec.as, Value: event.FormatNumber(r)}))
}

// percentileSpec keeps the values and reports, for each percentile p, the
// value of rank ceil(p/100 * n) (exact, where LogScale estimates). Output
// fields are _<p> (with as=x: x_<p>).
type percentileSpec struct {
	field string
	pcts  []float64
	names []string
}

func compilePercentile(c *compiler, a *args) (aggSpec, error) {
	field, err := a.fieldName("field", "")
	if err != nil {
		return nil, err
	}
	if field == "" {
		return nil, a.errorf("field", "missing required parameter field")
	}
	prefix, err := a.str("as", "")
	if err != nil {
		return nil, err
	}
	texts := []string{"50", "75", "99"}
	if e, ok := a.vals["percentiles"]; ok {
		texts = texts[:0]
		elems := []cql.Expr{e}
		if arr, isArr := e.(*cql.ArrayExpr); isArr {
			elems = arr.Elems
		}
		for _, el := range elems {
			t, ok := a.text(cql.Unparen(el))
			if !ok {
				return nil, a.errorf("percentiles", "percentiles must be numbers")
			}
			texts = append(texts, t)
		}
	}
	s := &percentileSpec{field: field}
	for _, t := range texts {
		p, err := strconv.ParseFloat(t, 64)
		if err != nil || p < 0 || p > 100 {
			return nil, a.errorf("percentiles", "percentile %q must be a number from 0 to 100", t)
		}
		s.pcts = append(s.pcts, p)
		s.names = append(s.names, prefix+"_"+t)
	}
	return s, nil
}

func (s *percentileSpec) newAgg(x *exec) collector { return &percentileCollector{spec: s, x: x} }

type percentileCollector struct {
	spec *percentileSpec
	x    *exec
	vals []float64
	held int64 // bytes charged for vals
}

func (c *percentileCollector) add(ev *event.Event) {
	if v, ok := ev.Get(c.spec.field); ok {
		if f, ok := event.ParseNumber(v); ok {
			if len(c.vals) == cap(c.vals) { // charged as the slice grows
				n := int64(8 * max(cap(c.vals), 16))
				c.x.charge("percentile", n)
				c.held += n
			}
			c.vals = append(c.vals, f)
		}
	}
}

func (c *percentileCollector) finish(emit func(*event.Event)) {
	c.x.release(c.held)
	c.held = 0
	if len(c.vals) == 0 {
		return
	}
	slices.Sort(c.vals)
	out := &event.Event{}
	for i, p := range c.spec.pcts {
		rank := int(math.Ceil(p / 100 * float64(len(c.vals))))
		rank = min(max(rank, 1), len(c.vals))
		out.Set(c.spec.names[i], event.FormatNumber(c.vals[rank-1]))
	}
	emit(out)
}
