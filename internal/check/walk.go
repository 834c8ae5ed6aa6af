package check

import (
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/funcs"
)

// pipeline checks each step in order; sc carries what earlier steps did.
func (c *checker) pipeline(p *cql.Pipeline, sc scope) {
	if p == nil {
		return
	}
	for _, st := range p.Steps {
		c.step(st, &sc)
	}
}

func (c *checker) step(st cql.Step, sc *scope) {
	switch s := st.(type) {
	case *cql.FilterStep:
		c.filter(s.Filter, sc)
		sc.started = true
	case *cql.CallStep:
		c.stepCall(s.Call, sc, implicit{})
	case *cql.AssignStep:
		c.assign(s, sc)
		sc.started = true
	case *cql.FieldOpStep:
		c.stepCall(s.Call, sc, implicit{field: s.Field})
	case *cql.CaseStep:
		for _, cl := range s.Clauses {
			if cl != nil {
				c.pipeline(cl.Pipeline, sc.nested("case"))
			}
		}
		sc.started = true
	case *cql.MatchStep:
		for _, cl := range s.Clauses {
			if cl == nil {
				continue
			}
			c.guard(cl.Guard, s.Field, sc)
			c.pipeline(cl.Body, sc.nested("match"))
		}
		sc.started = true
	case *cql.StatsStep:
		if s.Items != nil {
			for _, it := range s.Items {
				c.functions(statsSpec, statsFunction, it, *sc)
			}
		} else {
			for _, call := range s.Calls {
				c.aggregateCall(call, *sc)
			}
		}
		c.aggregateStep(s.Span(), "[...]", sc)
	case *cql.SavedQueryStep:
		c.savedQuery(s, sc)
		sc.started = true
	}
}

// statsSpec and statsFunction describe the [f(), g()] shorthand for messages.
var (
	statsSpec, _  = funcs.Lookup("stats")
	statsFunction = &funcs.Param{Name: "function", Type: funcs.Functions}
)

// stepCall checks a function used as a pipeline step and updates the scope
// with what the function does to the stream.
func (c *checker) stepCall(call *cql.Call, sc *scope, imp implicit) {
	spec := c.call(call, *sc, imp)
	if spec == nil {
		sc.started = true
		return
	}
	c.placement(call, spec, sc)
}

// placement applies the rules about where a kind of function may stand.
func (c *checker) placement(call *cql.Call, spec *funcs.Spec, sc *scope) {
	switch spec.Kind {
	case funcs.Preamble:
		if !sc.top || sc.started {
			c.errorf(call.NameSp, CodeMisplacedPreamble, "move it to the start of the query",
				"%s() must come before the main query, at the top level", spec.Name)
		}
		return // a preamble does not start the main query
	case funcs.Source:
		if sc.started {
			c.errorf(call.NameSp, CodeMisplacedSource, "",
				"%s() produces events and must be the first step of a query", spec.Name)
		}
	case funcs.Aggregate:
		c.aggregateStep(call.NameSp, spec.Name+"()", sc)
	}
	sc.started = true
}

// aggregateStep records that an aggregate ran, reporting it where none may.
func (c *checker) aggregateStep(sp cql.Span, what string, sc *scope) {
	switch {
	case sc.inCorrelate:
		c.errorf(sp, CodeAggregateInSubquery, "", "aggregate %s is not allowed in a correlate() query", what)
	case sc.clause != "":
		c.errorf(sp, CodeAggregateInCase, "aggregate before or after the "+sc.clause,
			"aggregate %s is not allowed inside a %s clause", what, sc.clause)
	}
	sc.aggregated = true
	sc.started = true
}

// assign checks `field := expr`. A call on the right of a function that is
// not a value function means fn(..., as=field).
func (c *checker) assign(s *cql.AssignStep, sc *scope) {
	ce, ok := s.Value.(*cql.CallExpr)
	if !ok || ce.Call == nil {
		c.expr(s.Value, *sc)
		return
	}
	spec, known := funcs.Lookup(ce.Call.Name)
	if !known || spec.Value && !spec.HasParam("as") {
		c.expr(s.Value, *sc)
		return
	}
	if !spec.HasParam("as") {
		c.call(ce.Call, *sc, implicit{})
		c.errorf(ce.Call.NameSp, CodeAssignWithoutAs, "call it as a step instead",
			"%s() has no as parameter, so its result cannot be assigned with :=", spec.Name)
		c.placement(ce.Call, spec, sc)
		return
	}
	c.call(ce.Call, *sc, implicit{as: s.Field})
	c.placement(ce.Call, spec, sc)
}

// guard checks the left side of a match clause.
func (c *checker) guard(g cql.Guard, field *cql.FieldName, sc *scope) {
	switch g := g.(type) {
	case *cql.Call:
		c.call(g, *sc, implicit{field: field})
	case cql.Pattern:
		c.pattern(g)
	}
}

// filter walks the boolean filter language.
func (c *checker) filter(f cql.Filter, sc *scope) {
	switch f := f.(type) {
	case *cql.AndFilter:
		c.filter(f.X, sc)
		c.filter(f.Y, sc)
	case *cql.OrFilter:
		c.filter(f.X, sc)
		c.filter(f.Y, sc)
	case *cql.NotFilter:
		c.filter(f.X, sc)
	case *cql.ParenFilter:
		c.filter(f.X, sc)
	case *cql.CompareFilter:
		c.compare(f)
	case *cql.FreeTextFilter:
		if sc.aggregated && !isMatchAll(f.Value) {
			c.errorf(f.Span(), CodeFreeTextAfterAgg, "filter on a field instead, e.g. field=value",
				"free-text search is only possible before the first aggregate")
		}
		c.pattern(f.Value)
	case *cql.CallFilter:
		spec := c.call(f.Call, *sc, implicit{})
		if spec != nil && spec.Kind == funcs.Aggregate {
			c.aggregateStep(f.Call.NameSp, spec.Name+"()", sc)
		}
	case *cql.LinkFilter:
		// correlate()'s `a <=> Other.b`; the parser only accepts it there.
	case *cql.InFilter:
		for _, v := range f.Values {
			c.expr(v, *sc)
		}
	}
}

// isMatchAll reports whether a free-text pattern is the bare `*`.
func isMatchAll(p cql.Pattern) bool {
	w, ok := p.(*cql.Word)
	return ok && w.Text == "*"
}

func (c *checker) compare(f *cql.CompareFilter) {
	c.pattern(f.Value)
	switch f.Op {
	case "<", "<=", ">", ">=":
	default:
		return
	}
	switch v := f.Value.(type) {
	case *cql.Param:
		return
	case *cql.Word:
		if isNumber(v.Text) {
			return
		}
	case *cql.String:
		if isNumber(v.Value) {
			return
		}
	}
	c.errorf(f.Value.Span(), CodeBadComparison, "compare two fields with test(a "+f.Op+" b)",
		"%s needs a number on its right", f.Op)
}

// pattern checks a value in filter position. The parser already rejects
// bad /regex/ flags; nothing else can be wrong with a pattern on its own.
func (c *checker) pattern(cql.Pattern) {}

// expr walks an expression; calls inside must yield values.
func (c *checker) expr(e cql.Expr, sc scope) {
	switch e := e.(type) {
	case *cql.CallExpr:
		spec := c.call(e.Call, sc, implicit{})
		if spec != nil && !spec.Value && spec.Kind != funcs.Filter {
			c.errorf(e.Call.NameSp, CodeNotAValue, "",
				"%s() is a %s, not a function that yields a value in an expression", spec.Name, spec.Kind)
		}
	case *cql.BinaryExpr:
		c.expr(e.X, sc)
		c.expr(e.Y, sc)
	case *cql.UnaryExpr:
		c.expr(e.X, sc)
	case *cql.ParenExpr:
		c.expr(e.X, sc)
	case *cql.ArrayExpr:
		for _, el := range e.Elems {
			c.expr(el, sc)
		}
	case *cql.SubQuery:
		c.pipeline(e.Pipeline, scope{inCorrelate: sc.inCorrelate})
	case *cql.CorrelateNode:
		c.correlateNode(e)
	}
}

func (c *checker) correlateNode(n *cql.CorrelateNode) {
	if n.Query != nil {
		c.pipeline(n.Query.Pipeline, scope{inCorrelate: true})
	}
	if n.Include != nil {
		c.expr(n.Include, scope{})
	}
}
