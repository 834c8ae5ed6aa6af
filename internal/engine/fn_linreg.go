package engine

import (
	"math"

	"github.com/tiercel/tiercel/internal/event"
)

// linReg(x, y, prefix=_) fits y = slope*x + intercept by least squares
// (reference page functions-linreg) and writes <prefix>slope,
// <prefix>intercept, <prefix>r2 (R²) and <prefix>n. There is no output when
// all x or all y values are the same. Events without numeric x and y are
// skipped.

func init() {
	registerFunc("linReg", &funcImpl{params: []string{"", "x", "y", "prefix"}, agg: func(c *compiler, a *args) (aggSpec, error) {
		s := &linRegSpec{}
		var err error
		for _, p := range []struct {
			name string
			dst  *string
		}{{"x", &s.x}, {"y", &s.y}} {
			if *p.dst, err = a.fieldName(p.name, ""); err != nil {
				return nil, err
			}
			if *p.dst == "" {
				return nil, c.errAt(a.call.Span(), "invalid-argument", "linReg(): missing required parameter %s", p.name)
			}
		}
		if s.prefix, err = a.str("prefix", "_"); err != nil {
			return nil, err
		}
		return s, nil
	}})
}

type linRegSpec struct{ x, y, prefix string }

func (s *linRegSpec) newAgg(*exec) collector { return &linRegAgg{s: s} }

type linRegAgg struct {
	s                       *linRegSpec
	n                       float64
	sx, sy, sxx, syy, sxy   float64
	x0, y0                  float64
	allSameX, allSameY, any bool
}

func (l *linRegAgg) add(ev *event.Event) {
	x, ok1 := numberField(ev, l.s.x)
	y, ok2 := numberField(ev, l.s.y)
	if !ok1 || !ok2 {
		return
	}
	if !l.any {
		l.x0, l.y0, l.allSameX, l.allSameY, l.any = x, y, true, true, true
	}
	l.allSameX = l.allSameX && x == l.x0
	l.allSameY = l.allSameY && y == l.y0
	l.n++
	l.sx += x
	l.sy += y
	l.sxx += x * x
	l.syy += y * y
	l.sxy += x * y
}

func (l *linRegAgg) finish(emit func(*event.Event)) {
	out := &event.Event{}
	if l.any && !l.allSameX && !l.allSameY {
		sxx := l.sxx - l.sx*l.sx/l.n
		syy := l.syy - l.sy*l.sy/l.n
		sxy := l.sxy - l.sx*l.sy/l.n
		slope := sxy / sxx
		intercept := (l.sy - slope*l.sx) / l.n
		r2 := sxy * sxy / (sxx * syy)
		if !math.IsNaN(slope) {
			out.Set(l.s.prefix+"slope", event.FormatNumber(slope))
			out.Set(l.s.prefix+"intercept", event.FormatNumber(intercept))
			out.Set(l.s.prefix+"r2", event.FormatNumber(r2))
			out.Set(l.s.prefix+"n", event.FormatNumber(l.n))
		}
	}
	emit(out)
}
