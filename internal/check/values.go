package check

import (
	"strconv"
	"strings"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/funcs"
	"github.com/tiercel/tiercel/internal/suggest"
)

// value checks one argument against its parameter's type. Query parameters
// (?name) stand for any value and are never wrong.
func (c *checker) value(spec *funcs.Spec, p *funcs.Param, v cql.Expr, sc scope) {
	if _, ok := v.(*cql.ParamExpr); ok {
		return
	}
	switch p.Type {
	case funcs.Number:
		c.number(spec, p, v)
	case funcs.Bool:
		if t, ok := cql.LiteralText(v); !ok || !isBool(t) {
			c.badArg(v, spec, p, "true or false", "")
		}
	case funcs.Enum:
		c.enum(spec, p, v)
	case funcs.RegexFlags:
		if t, ok := cql.LiteralText(v); ok {
			c.argFlags(v.Span(), t, spec.Name+"() flags")
		} else {
			c.badArg(v, spec, p, "a string of regex flags", "")
		}
	case funcs.Query:
		c.subQuery(spec, p, v)
	case funcs.Queries:
		if arr, ok := v.(*cql.ArrayExpr); ok {
			for _, el := range arr.Elems {
				c.subQuery(spec, p, el)
			}
			return
		}
		c.subQuery(spec, p, v)
	case funcs.Functions:
		c.functions(spec, p, v, sc)
	case funcs.ExpressionArg, funcs.Any:
		c.expr(v, sc)
	case funcs.Field:
		if _, ok := v.(*cql.ArrayExpr); ok {
			c.badArg(v, spec, p, "a single field name", "")
			return
		}
		c.plain(spec, p, v, sc)
	default:
		c.plain(spec, p, v, sc)
	}
}

// plain checks values that are names or strings: anything but a sub-query.
func (c *checker) plain(spec *funcs.Spec, p *funcs.Param, v cql.Expr, sc scope) {
	if _, ok := v.(*cql.SubQuery); ok {
		c.badArg(v, spec, p, "a "+p.Type.String()+", not a sub-query", "")
		return
	}
	c.expr(v, sc)
}

func (c *checker) number(spec *funcs.Spec, p *funcs.Param, v cql.Expr) {
	if u, ok := v.(*cql.UnaryExpr); ok && u.Op == "-" {
		v = u.X
	}
	if t, ok := cql.LiteralText(v); ok {
		if isNumber(t) || p.Max && strings.EqualFold(t, "max") {
			return
		}
	}
	want := "a number"
	if p.Max {
		want = `a number or "max"`
	}
	c.badArg(v, spec, p, want, "")
}

func (c *checker) enum(spec *funcs.Spec, p *funcs.Param, v cql.Expr) {
	if arr, ok := v.(*cql.ArrayExpr); ok && p.Multi {
		for _, el := range arr.Elems {
			c.enum(spec, p, el)
		}
		return
	}
	if _, ok := v.(*cql.ParamExpr); ok {
		return
	}
	if t, ok := cql.LiteralText(v); ok {
		for _, e := range p.Enum {
			if strings.EqualFold(t, e) {
				return
			}
		}
	}
	c.badArg(v, spec, p, "one of "+strings.Join(p.Enum, ", "),
		didYouMean(closestText(v, p.Enum)))
}

func closestText(v cql.Expr, options []string) string {
	t, ok := cql.LiteralText(v)
	if !ok {
		return ""
	}
	return suggest.Closest(t, options)
}

// subQuery checks a pipeline argument: { ... }, or a single function call
// standing for a one-step pipeline (condition=in(...)).
func (c *checker) subQuery(spec *funcs.Spec, p *funcs.Param, v cql.Expr) {
	sq, ok := v.(*cql.SubQuery)
	if !ok {
		switch v := v.(type) {
		case *cql.ParamExpr:
			return
		case *cql.CallExpr:
			sc := scope{}
			c.stepCall(v.Call, &sc, implicit{})
			return
		}
		c.badArg(v, spec, p, "a sub-query in braces { ... }", "")
		return
	}
	c.pipeline(sq.Pipeline, scope{})
}

// functions checks function=: one aggregate call, an array of them, or
// sub-queries ending in one.
func (c *checker) functions(spec *funcs.Spec, p *funcs.Param, v cql.Expr, sc scope) {
	switch v := v.(type) {
	case *cql.ParenExpr:
		c.functions(spec, p, v.X, sc)
	case *cql.ArrayExpr:
		for _, el := range v.Elems {
			c.functions(spec, p, el, sc)
		}
	case *cql.CallExpr:
		c.aggregateCall(v.Call, sc)
	case *cql.SubQuery:
		c.pipeline(v.Pipeline, scope{})
	default:
		c.badArg(v, spec, p, "aggregate functions, e.g. count() or [count(), max(x)]", "")
	}
}

// aggregateCall checks a call given where aggregate functions are expected.
func (c *checker) aggregateCall(call *cql.Call, sc scope) {
	spec := c.call(call, sc, implicit{})
	if spec != nil && spec.Kind != funcs.Aggregate {
		c.errorf(call.NameSp, CodeBadArgument, "",
			"%s() is a %s; only aggregate functions can go here", spec.Name, spec.Kind)
	}
}

func (c *checker) badArg(v cql.Expr, spec *funcs.Spec, p *funcs.Param, want, hint string) {
	c.errorf(v.Span(), CodeBadArgument, hint, "%s() parameter %s expects %s", spec.Name, p.Name, want)
}

func isNumber(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil && !strings.ContainsAny(s, "xXpP_") && !strings.EqualFold(s, "nan") &&
		!strings.Contains(strings.ToLower(s), "inf")
}

func isBool(s string) bool { return strings.EqualFold(s, "true") || strings.EqualFold(s, "false") }

// argFlagLetters are the flags regex()/replace() accept: i (ignore case),
// m (multi-line), d (dot-all), F (engine v2). g is only valid on /literals/.
const argFlagLetters = "imdF"

func (c *checker) argFlags(sp cql.Span, flags, what string) {
	for _, r := range flags {
		if strings.ContainsRune(argFlagLetters, r) {
			continue
		}
		hint := "valid flags: i, m, d, F"
		if r == 'g' {
			hint = "g is only valid on /regex/g literals; use repeat=true"
		}
		c.errorf(sp, CodeBadRegexFlags, hint, "%s: %q is not a regex flag", what, string(r))
		return
	}
}
