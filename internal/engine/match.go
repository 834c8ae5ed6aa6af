package engine

import (
	"strings"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

// matchStep is `field match { guard => pipeline; ... }`: the first guard
// that holds selects its pipeline; no guard holds → the event is dropped.
type matchStep struct {
	field   string
	clauses []matchClause
}

type matchClause struct {
	guard tester
	body  *pipeline // nil: pass through
}

func (s *matchStep) apply(x *exec, ev *event.Event) bool {
	for _, cl := range s.clauses {
		if !cl.guard.test(x, ev) {
			continue
		}
		if cl.body == nil {
			return true
		}
		return cl.body.pass(x, ev)
	}
	return false
}

// multiMatchStep is a match whose chosen body may emit several events.
type multiMatchStep struct{ matchStep }

func (s *multiMatchStep) each(x *exec, ev *event.Event, emit func(*event.Event)) {
	for _, cl := range s.clauses {
		if !cl.guard.test(x, ev) {
			continue
		}
		if cl.body == nil {
			emit(ev)
			return
		}
		cl.body.run(x, ev, 0, emit)
		return
	}
}

func (c *compiler) compileMatch(s *cql.MatchStep) (any, error) {
	field := s.Field.Name
	c.read(field)
	st := &matchStep{field: field}
	c.caseDepth++
	defer func() { c.caseDepth-- }()
	for _, cl := range s.Clauses {
		g, err := c.compileGuard(field, cl.Guard)
		if err != nil {
			return nil, err
		}
		mc := matchClause{guard: g}
		if cl.Body != nil {
			p, err := c.compilePipeline(cl.Body, "match")
			if err != nil {
				return nil, err
			}
			mc.body = p
		}
		st.clauses = append(st.clauses, mc)
	}
	for _, cl := range st.clauses {
		if cl.body != nil && !cl.body.simple() {
			return &multiMatchStep{*st}, nil
		}
	}
	return st, nil
}

// compileGuard compiles a match guard against field (spec §5.2).
func (c *compiler) compileGuard(field string, g cql.Guard) (tester, error) {
	switch g := g.(type) {
	case *cql.Word:
		switch g.Text {
		case "*":
			return constTester(true), nil
		case "**":
			return existsTester{field}, nil
		}
		return &fieldTester{field: field, m: newGlobMatcher(g.Text, true, false)}, nil
	case *cql.String:
		if g.Value != "" && strings.Trim(g.Value, "*") == "" {
			return existsTester{field}, nil
		}
		return &fieldTester{field: field, m: newGlobMatcher(g.Value, true, false)}, nil
	case *cql.Param:
		v, err := c.param(g)
		if err != nil {
			return nil, err
		}
		return &fieldTester{field: field, m: newGlobMatcher(v, true, false)}, nil
	case *cql.Regex:
		r, err := c.regex(g.Pattern, g.Flags)
		if err != nil {
			return nil, c.errAt(g.Span(), "invalid-regex", "%v", err)
		}
		return &fieldTester{field: field, m: regexMatcher{r}}, nil
	case *cql.BoolFilter:
		return constTester(g.Value), nil
	case *cql.BoolLit:
		return constTester(g.Value), nil
	case *cql.Call:
		call := withArg(g, "field", &cql.FieldName{Name: field, Sp: g.NameSp})
		return c.compileTestCall(call)
	case *cql.CallExpr:
		call := withArg(g.Call, "field", &cql.FieldName{Name: field, Sp: g.Call.NameSp})
		return c.compileTestCall(call)
	}
	return nil, c.errAt(g.Span(), "invalid-argument", "unsupported match guard")
}
