package engine

import (
	"math"
	"strings"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

// expr is a compiled expression of the expression language (:=, eval, test,
// if, ...). Values are strings; ok=false is null. Booleans are "true"/"false",
// numbers are printed with event.FormatNumber.
type expr interface {
	eval(x *exec, ev *event.Event) (string, bool)
}

type constExpr struct{ v string }

func (e constExpr) eval(*exec, *event.Event) (string, bool) { return e.v, true }

type fieldExpr struct{ name string }

func (e fieldExpr) eval(_ *exec, ev *event.Event) (string, bool) { return ev.Get(e.name) }

type arithExpr struct {
	op   byte
	x, y expr
}

func (e *arithExpr) eval(x *exec, ev *event.Event) (string, bool) {
	a, ok := numberOf(e.x, x, ev)
	if !ok {
		return "", false
	}
	b, ok := numberOf(e.y, x, ev)
	if !ok {
		return "", false
	}
	var r float64
	switch e.op {
	case '+':
		r = a + b
	case '-':
		r = a - b
	case '*':
		r = a * b
	case '/':
		if b == 0 {
			return "", false
		}
		r = a / b
	case '%':
		if b == 0 {
			return "", false
		}
		r = math.Mod(a, b)
	}
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "", false
	}
	return event.FormatNumber(r), true
}

// numberField is the numeric value of field in ev; false when the field is
// missing or not a number.
func numberField(ev *event.Event, field string) (float64, bool) {
	v, ok := ev.Get(field)
	if !ok {
		return 0, false
	}
	return event.ParseNumber(v)
}

func numberOf(e expr, x *exec, ev *event.Event) (float64, bool) {
	s, ok := e.eval(x, ev)
	if !ok {
		return 0, false
	}
	return event.ParseNumber(s)
}

// compareExpr implements < <= > >= (numeric only) and == != (typed: two
// numbers compare as numbers, two non-numbers as text, mixed is unequal).
type compareExpr struct {
	op   string
	x, y expr
}

func (e *compareExpr) eval(x *exec, ev *event.Event) (string, bool) {
	a, ok := e.x.eval(x, ev)
	if !ok {
		return "", false
	}
	b, ok := e.y.eval(x, ev)
	if !ok {
		return "", false
	}
	na, aNum := event.ParseNumber(a)
	nb, bNum := event.ParseNumber(b)
	switch e.op {
	case "==", "=", "!=":
		var eq bool
		switch {
		case aNum && bNum:
			eq = na == nb
		case !aNum && !bNum:
			eq = a == b
		}
		return boolString(eq == (e.op != "!=")), true
	}
	if !aNum || !bNum {
		return "", false
	}
	var r bool
	switch e.op {
	case "<":
		r = na < nb
	case "<=":
		r = na <= nb
	case ">":
		r = na > nb
	case ">=":
		r = na >= nb
	}
	return boolString(r), true
}

type negExpr struct{ x expr }

func (e negExpr) eval(x *exec, ev *event.Event) (string, bool) {
	n, ok := numberOf(e.x, x, ev)
	if !ok {
		return "", false
	}
	return event.FormatNumber(-n), true
}

// notExpr negates a boolean, or tests a number for zero (spec §4.3).
type notExpr struct{ x expr }

func (e notExpr) eval(x *exec, ev *event.Event) (string, bool) {
	s, ok := e.x.eval(x, ev)
	if !ok {
		return "", false
	}
	if b, isBool := parseBool(s); isBool {
		return boolString(!b), true
	}
	if n, isNum := event.ParseNumber(s); isNum {
		return boolString(n == 0), true
	}
	return "", false
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func parseBool(s string) (value, ok bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// truthy is how conditions (test, if) read a value: only "true" is true.
func truthy(s string, ok bool) bool {
	b, isBool := parseBool(s)
	return ok && isBool && b
}

// compileExpr turns an AST expression into an evaluator.
func (c *compiler) compileExpr(e cql.Expr) (expr, error) {
	switch e := e.(type) {
	case *cql.FieldName:
		if e.Backtick {
			return nil, c.errAt(e.Span(), "unsupported", "back-ticked field references are not supported")
		}
		c.read(e.Name)
		return fieldExpr{e.Name}, nil
	case *cql.StringLit:
		return constExpr{e.Value}, nil
	case *cql.NumberLit:
		return constExpr{e.Text}, nil
	case *cql.BoolLit:
		return constExpr{boolString(e.Value)}, nil
	case *cql.ParenExpr:
		return c.compileExpr(e.X)
	case *cql.ParamExpr:
		v, err := c.param(e.Param)
		if err != nil {
			return nil, err
		}
		return constExpr{v}, nil
	case *cql.UnaryExpr:
		x, err := c.compileExpr(e.X)
		if err != nil {
			return nil, err
		}
		if e.Op == "-" {
			return negExpr{x}, nil
		}
		return notExpr{x}, nil
	case *cql.BinaryExpr:
		x, err := c.compileExpr(e.X)
		if err != nil {
			return nil, err
		}
		y, err := c.compileExpr(e.Y)
		if err != nil {
			return nil, err
		}
		switch e.Op {
		case "+", "-", "*", "/", "%":
			return &arithExpr{op: e.Op[0], x: x, y: y}, nil
		case "==", "=", "!=", "<", "<=", ">", ">=":
			return &compareExpr{op: e.Op, x: x, y: y}, nil
		}
		return nil, c.errAt(e.Span(), "syntax", "unknown operator %q in expression", e.Op)
	case *cql.CallExpr:
		return c.compileValueCall(e.Call, "")
	case *cql.RegexExpr:
		return nil, c.errAt(e.Span(), "invalid-argument", "a regex literal is not a value in an expression")
	}
	return nil, c.errAt(e.Span(), "invalid-argument", "%s cannot be used as a value here", describeExpr(e))
}

func describeExpr(e cql.Expr) string {
	switch e.(type) {
	case *cql.ArrayExpr:
		return "an array"
	case *cql.SubQuery:
		return "a sub-query"
	case *cql.CorrelateNode:
		return "a correlate node"
	}
	return "this expression"
}
