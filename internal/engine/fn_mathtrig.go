package engine

import (
	"math"

	"github.com/tiercel/tiercel/internal/event"
)

// The inverse, hyperbolic and conversion math:* functions of LogScale's
// Math Query Functions page, with the same shape as math:sin: one field,
// as=_<name>, no value when the result is not a finite number.
var trigMath = map[string]func(float64) float64{
	"math:arccos": math.Acos, "math:arcsin": math.Asin, "math:arctan": math.Atan,
	"math:cosh": math.Cosh, "math:sinh": math.Sinh, "math:tanh": math.Tanh,
	"math:deg2rad": func(d float64) float64 { return d * math.Pi / 180 },
	"math:rad2deg": func(r float64) float64 { return r * 180 / math.Pi },
	"math:expm1":   math.Expm1, "math:log1p": math.Log1p,
}

func init() {
	for name, fn := range trigMath {
		fn := fn
		registerFunc(name, &funcImpl{params: []string{"field", "as"}, defaultAs: "_" + name[len("math:"):],
			value: func(c *compiler, a *args) (expr, error) { return compileNumFunc(a, fn) }})
	}
	// math:arctan2(x, y, as=_arctan2): the angle of the point (x, y), as
	// Java's Math.atan2(y, x).
	registerFunc("math:arctan2", &funcImpl{params: []string{"", "x", "y", "as"}, defaultAs: "_arctan2",
		value: func(c *compiler, a *args) (expr, error) {
			x, err := a.fieldName("x", "")
			if err != nil {
				return nil, err
			}
			y, err := a.fieldName("y", "")
			if err != nil {
				return nil, err
			}
			if x == "" || y == "" {
				return nil, c.errAt(a.call.Span(), "invalid-argument", "math:arctan2(): give both x and y")
			}
			return &atan2Expr{x: x, y: y}, nil
		}})
}

type atan2Expr struct{ x, y string }

func (e *atan2Expr) eval(_ *exec, ev *event.Event) (string, bool) {
	x, ok1 := numberField(ev, e.x)
	y, ok2 := numberField(ev, e.y)
	if !ok1 || !ok2 {
		return "", false
	}
	r := math.Atan2(y, x)
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "", false
	}
	return event.FormatNumber(r), true
}
