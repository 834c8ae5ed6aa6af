package engine

import (
	"math"

	"github.com/tiercel/tiercel/internal/event"
)

// round() and the math:* functions: numeric functions of one field. A
// missing or non-numeric value, or a result that is not a finite number
// (sqrt(-1)), gives no value: the output field is left untouched.

// unaryMath is the number each function computes.
var unaryMath = map[string]func(float64) float64{
	"math:abs": math.Abs, "math:ceil": math.Ceil, "math:floor": math.Floor,
	"math:sqrt": math.Sqrt, "math:exp": math.Exp, "math:log": math.Log,
	"math:log10": math.Log10, "math:log2": math.Log2,
	"math:sin": math.Sin, "math:cos": math.Cos, "math:tan": math.Tan,
}

func init() {
	for name, fn := range unaryMath {
		fn := fn
		registerFunc(name, &funcImpl{params: []string{"field", "as"}, defaultAs: "_" + name[len("math:"):],
			value: func(c *compiler, a *args) (expr, error) { return compileNumFunc(a, fn) }})
	}
	registerFunc("math:pow", &funcImpl{params: []string{"field", "exponent", "as"}, defaultAs: "_pow",
		value: func(c *compiler, a *args) (expr, error) {
			s, err := a.required("exponent")
			if err != nil {
				return nil, err
			}
			exp, ok := event.ParseNumber(s)
			if !ok {
				return nil, a.errorf("exponent", "exponent must be a number, not %q", s)
			}
			return compileNumFunc(a, func(f float64) float64 { return math.Pow(f, exp) })
		}})
	// round writes back to its field unless as= is given, so it is a step;
	// inside expressions (x := round(y)) it is a value.
	registerFunc("round", &funcImpl{params: []string{"field", "how", "as"},
		step: func(c *compiler, a *args) (any, error) {
			e, err := compileRound(a)
			if err != nil {
				return nil, err
			}
			field, _ := a.str("field", "")
			return &assignStep{field: a.asOr(field), e: e}, nil
		},
		value: func(c *compiler, a *args) (expr, error) { return compileRound(a) }})
}

// numFuncExpr applies fn to the numeric value of a field.
type numFuncExpr struct {
	field string
	fn    func(float64) float64
}

func (e *numFuncExpr) eval(_ *exec, ev *event.Event) (string, bool) {
	f, ok := numberField(ev, e.field)
	if !ok {
		return "", false
	}
	r := e.fn(f)
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "", false
	}
	return event.FormatNumber(r), true
}

func compileNumFunc(a *args, fn func(float64) float64) (expr, error) {
	field, err := a.fieldName("field", "")
	if err != nil {
		return nil, err
	}
	if field == "" {
		return nil, a.errorf("field", "missing required parameter field")
	}
	return &numFuncExpr{field: field, fn: fn}, nil
}

func compileRound(a *args) (expr, error) {
	how, err := a.str("how", "round")
	if err != nil {
		return nil, err
	}
	var fn func(float64) float64
	switch how {
	case "round":
		// Java's Math.round: halves go up (-2.5 -> -2)
		fn = func(f float64) float64 { return math.Floor(f + 0.5) }
	case "ceil":
		fn = math.Ceil
	case "floor":
		fn = math.Floor
	default:
		return nil, a.errorf("how", "how must be round, ceil or floor, not %q", how)
	}
	return compileNumFunc(a, fn)
}
