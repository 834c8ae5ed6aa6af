package engine

import (
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

func init() {
	registerFunc("if", &funcImpl{params: []string{"condition", "then", "else", "as"}, defaultAs: "_if", value: compileIf})
	registerFunc("coalesce", &funcImpl{params: []string{"expressions", "ignoreEmpty", "as"}, defaultAs: "_coalesce", value: compileCoalesce})
}

// ifExpr evaluates only the branch the condition selects.
type ifExpr struct{ cond, then, els expr }

func (e *ifExpr) eval(x *exec, ev *event.Event) (string, bool) {
	if truthy(e.cond.eval(x, ev)) {
		return e.then.eval(x, ev)
	}
	return e.els.eval(x, ev)
}

func compileIf(c *compiler, a *args) (expr, error) {
	cond, err := a.expr("condition")
	if err != nil {
		return nil, err
	}
	then, err := a.expr("then")
	if err != nil {
		return nil, err
	}
	els, err := a.expr("else")
	if err != nil {
		return nil, err
	}
	return &ifExpr{cond: cond, then: then, els: els}, nil
}

// coalesceExpr is the first non-null (and, with ignoreEmpty, non-empty) value.
type coalesceExpr struct {
	exprs       []expr
	ignoreEmpty bool
}

func (e *coalesceExpr) eval(x *exec, ev *event.Event) (string, bool) {
	for _, ex := range e.exprs {
		v, ok := ex.eval(x, ev)
		if ok && (v != "" || !e.ignoreEmpty) {
			return v, true
		}
	}
	return "", false
}

func compileCoalesce(c *compiler, a *args) (expr, error) {
	raw, ok := a.vals["expressions"]
	if !ok {
		return nil, a.errorf("expressions", "missing required parameter expressions")
	}
	elems := []cql.Expr{raw}
	if arr, isArr := raw.(*cql.ArrayExpr); isArr {
		elems = arr.Elems
	}
	ignore, err := a.boolean("ignoreEmpty", true)
	if err != nil {
		return nil, err
	}
	out := &coalesceExpr{ignoreEmpty: ignore}
	for _, el := range elems {
		e, err := c.compileExpr(el)
		if err != nil {
			return nil, err
		}
		out.exprs = append(out.exprs, e)
	}
	return out, nil
}
