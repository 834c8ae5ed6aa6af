package check

import (
	"fmt"
	"strings"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/funcs"
	"github.com/tiercel/tiercel/internal/suggest"
)

// implicit holds arguments a call receives from its surroundings rather
// than its argument list: `f =~ fn()` and match guards supply field=f,
// `x := fn()` supplies as=x.
type implicit struct {
	field *cql.FieldName
	as    *cql.FieldName
}

// call checks one function call: the name, then every argument against the
// catalog. It returns the spec, or nil for an unknown function.
func (c *checker) call(call *cql.Call, sc scope, imp implicit) *funcs.Spec {
	if call == nil { // the parser dropped a call it could not read
		return nil
	}
	spec, ok := funcs.Lookup(call.Name)
	if !ok {
		c.errorf(call.NameSp, CodeUnknownFunction, didYouMean(funcs.Suggest(call.Name)),
			"unknown function %q", call.Name)
		// Still look inside the arguments: sub-queries have their own problems.
		for _, a := range call.Args {
			if a != nil && a.Value != nil {
				c.expr(a.Value, scope{inCorrelate: sc.inCorrelate})
			}
		}
		return nil
	}
	if !spec.Implemented {
		c.errorf(call.NameSp, CodeUnsupportedFunction, spec.NotRun,
			"%s() is a LogScale function the tiercel engine does not run", spec.Name)
	}
	c.bind(call, spec, sc, imp)
	return spec
}

// bind matches arguments to parameters and checks each value.
func (c *checker) bind(call *cql.Call, spec *funcs.Spec, sc scope, imp implicit) {
	given := map[string]bool{}
	if imp.field != nil {
		if !spec.HasParam("field") {
			c.errorf(call.NameSp, CodeUnknownParameter, "call it as a step with its own arguments",
				"%s() has no field parameter, so it cannot be applied to a field with =~ or match", spec.Name)
		}
		given["field"] = true
	}
	if imp.as != nil {
		given["as"] = true
	}
	positional := 0
	for _, a := range call.Args {
		if a == nil || a.Value == nil {
			continue
		}
		if a.Name == "" {
			if n, ok := a.Value.(*cql.CorrelateNode); ok && strings.EqualFold(spec.Name, "correlate") {
				c.correlateNode(n)
				continue
			}
			if spec.OpenParams {
				c.expr(a.Value, sc) // eval(a = b) written as one expression
				continue
			}
			positional++
			if !c.positional(call, spec, a, positional) {
				c.expr(a.Value, sc)
				continue
			}
			c.param(call, spec, spec.DefaultParam, a.Span(), a.Value, given, sc)
			continue
		}
		if spec.OpenParams {
			c.expr(a.Value, sc)
			continue
		}
		c.param(call, spec, a.Name, a.NameSp, a.Value, given, sc)
	}
	c.missing(call, spec, given)
}

// positional reports whether an unnamed argument can bind to the default
// parameter, reporting it when not.
func (c *checker) positional(call *cql.Call, spec *funcs.Spec, a *cql.Arg, n int) bool {
	switch {
	case spec.DefaultParam == "" && len(spec.Params) == 0:
		c.errorf(a.Span(), CodeTooManyPositional, "", "%s() takes no arguments", spec.Name)
	case spec.DefaultParam == "":
		c.errorf(a.Span(), CodeTooManyPositional, "name it: one of "+quoteList(spec.ParamNames()),
			"%s() has no unnamed parameter; every argument needs a name", spec.Name)
	case n > 1:
		c.errorf(a.Span(), CodeTooManyPositional,
			fmt.Sprintf("only %s may be given without a name", spec.DefaultParam),
			"%s() takes at most one unnamed argument", spec.Name)
	default:
		return true
	}
	return false
}

// param binds one argument to the parameter called name and checks its value.
func (c *checker) param(call *cql.Call, spec *funcs.Spec, name string, nameSp cql.Span, v cql.Expr, given map[string]bool, sc scope) {
	p, ok := spec.Param(name)
	if !ok {
		hint := didYouMean(suggest.Closest(name, spec.ParamNames()))
		if hint == "" {
			if len(spec.Params) == 0 {
				hint = spec.Name + "() takes no parameters"
			} else {
				hint = "valid parameters: " + strings.Join(spec.ParamNames(), ", ")
			}
		}
		c.errorf(nameSp, CodeUnknownParameter, hint, "%s() has no parameter %q", spec.Name, name)
		c.expr(v, sc)
		return
	}
	if given[p.Name] {
		c.errorf(nameSp, CodeDuplicateParameter, "", "%s() gets %s more than once", spec.Name, p.Name)
	}
	given[p.Name] = true
	c.value(spec, p, v, sc)
}

// missing reports required parameters no argument supplied.
func (c *checker) missing(call *cql.Call, spec *funcs.Spec, given map[string]bool) {
	if dialectForm(spec, call) {
		return
	}
	for _, p := range spec.Params {
		if p.Required && !given[p.Name] {
			hint := ""
			if p.Name == spec.DefaultParam {
				hint = fmt.Sprintf("give it unnamed, %s(value), or as %s=value", spec.Name, p.Name)
			}
			c.errorf(call.NameSp, CodeMissingParameter, hint,
				"%s() needs its %s parameter", spec.Name, p.Name)
		}
	}
}
