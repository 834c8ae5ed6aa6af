package engine

import (
	"maps"
	"strings"

	"github.com/tiercel/tiercel/internal/event"
)

// writer is implemented by steps that set or remove fields; a step that is
// neither a writer nor known to leave fields alone is assumed to touch any
// field, which stops field literals from being used after it.
type writer interface {
	writes() []string
}

// litScope tracks, while walking a pipeline, which fields earlier steps may
// have changed: literals about those fields no longer describe the raw line.
type litScope struct {
	written map[string]bool
	any     bool
	// built: written fields whose values are pieces of raw ones
	// (prefilter_built.go)
	built map[string]*builtField
}

func (s *litScope) clone() *litScope {
	c := &litScope{written: make(map[string]bool, len(s.written)), any: s.any, built: maps.Clone(s.built)}
	for k := range s.written {
		c.written[k] = true
	}
	return c
}

func (s *litScope) raw(field string) bool {
	if field == "" || field == event.RawString {
		return true
	}
	if s.any || s.written[field] {
		return false
	}
	// other metadata (@timestamp, @id) is computed by the decoder, not copied
	return !strings.HasPrefix(field, "@")
}

// fieldLits is what a test of field, requiring lits of its value, requires
// of the raw line: lits while the field is raw, their runs in the fields
// it was built from when built (prefilter_built.go), nothing once written
// otherwise.
func (s *litScope) fieldLits(field string, lits func() *litExpr) *litExpr {
	if s.raw(field) {
		return lits()
	}
	if b := s.built[field]; b != nil && !s.any {
		return b.lits(lits(), fieldTag(field))
	}
	return litAlways
}

// deriveLits computes the prefilter condition of a stateless pipeline.
func deriveLits(p *pipeline) *litExpr {
	return pipelineLits(p, &litScope{written: map[string]bool{}})
}

func pipelineLits(p *pipeline, sc *litScope) *litExpr {
	var all []*litExpr
	for _, st := range p.stages {
		all = append(all, stageLits(st, sc))
		recordWrites(st, sc)
	}
	return litAnd2(all...)
}

func recordWrites(st any, sc *litScope) {
	switch s := st.(type) {
	case *multiCaseStep:
		recordWrites(&s.caseStep, sc)
	case *multiMatchStep:
		recordWrites(&s.matchStep, sc)
	case testStep, *caseStep, *matchStep:
		// case/match clauses may assign: be conservative for later steps
		if cs, ok := s.(*caseStep); ok {
			for _, cl := range cs.clauses {
				for _, inner := range cl.stages {
					recordWrites(inner, sc)
				}
			}
		}
		if ms, ok := s.(*matchStep); ok {
			for _, cl := range ms.clauses {
				if cl.body != nil {
					for _, inner := range cl.body.stages {
						recordWrites(inner, sc)
					}
				}
			}
		}
	case writer:
		field, b := builtFrom(st, sc)
		for _, f := range s.writes() {
			sc.written[f] = true
			delete(sc.built, f)
		}
		if b != nil && !sc.any {
			if sc.built == nil {
				sc.built = map[string]*builtField{}
			}
			sc.built[field] = b
		}
	default:
		sc.any = true
	}
}

func stageLits(st any, sc *litScope) *litExpr {
	switch s := st.(type) {
	case testStep:
		return testerLits(s.t, sc)
	case *extractStep:
		if !s.strict || len(s.fields) != 1 || !sc.raw(s.fields[0]) {
			return litAlways
		}
		return regexLits(s.re, fieldTag(s.fields[0]))
	case *repeatExtractStep:
		if !s.strict || len(s.fields) != 1 || !sc.raw(s.fields[0]) {
			return litAlways
		}
		return regexLits(s.re, fieldTag(s.fields[0]))
	case *multiCaseStep:
		return stageLits(&s.caseStep, sc)
	case *multiMatchStep:
		return stageLits(&s.matchStep, sc)
	case *caseStep:
		kids := make([]*litExpr, len(s.clauses))
		for i, cl := range s.clauses {
			kids[i] = pipelineLits(cl, sc.clone())
		}
		return litOr2(kids...)
	case *matchStep:
		kids := make([]*litExpr, len(s.clauses))
		for i, cl := range s.clauses {
			inner := sc.clone()
			g := testerLits(cl.guard, inner)
			if cl.body != nil {
				g = litAnd2(g, pipelineLits(cl.body, inner))
			}
			kids[i] = g
		}
		return litOr2(kids...)
	}
	return litAlways
}

// fieldTag is the field a literal is attributed to. @rawstring keeps its
// name: unlike free text ("") it is the raw line itself, which enrichment
// never changes.
func fieldTag(field string) string { return field }

func testerLits(t tester, sc *litScope) *litExpr {
	switch t := t.(type) {
	case andTester:
		return litAnd2(testerLits(t.x, sc), testerLits(t.y, sc))
	case orTester:
		// a chain a or b or c... nests two at a time: one OR of every
		// alternative keeps litOr2 from sifting lists of 2..n literals
		var kids []*litExpr
		for _, alt := range orAlternatives(t, nil) {
			kids = append(kids, testerLits(alt, sc))
		}
		return litOr2(kids...)
	case constTester:
		if t {
			return litAlways
		}
		return litNever
	case *fieldTester:
		return sc.fieldLits(t.field, func() *litExpr { return matcherLits(t.m, fieldTag(t.field)) })
	case *anyOfTester:
		return sc.fieldLits(t.field, func() *litExpr {
			kids := make([]*litExpr, len(t.ms))
			for i, m := range t.ms {
				kids[i] = matcherLits(m, fieldTag(t.field))
			}
			return litOr2(kids...)
		})
	case *freeTextTester:
		// free text reads the original event, whatever earlier steps did
		return matcherLits(t.m, "")
	}
	return litAlways
}

// orAlternatives appends the alternatives of an OR chain to out, in order.
func orAlternatives(t tester, out []tester) []tester {
	if or, ok := t.(orTester); ok {
		return orAlternatives(or.y, orAlternatives(or.x, out))
	}
	return append(out, t)
}

func matcherLits(m valueMatcher, field string) *litExpr {
	switch m := m.(type) {
	case regexMatcher:
		return regexLits(m.re, field)
	case *globMatcher:
		if m.numeric {
			// "400" also matches 400.0: no literal, but the value decides
			lit, _ := m.g.literal()
			return valueLit(m.num, lit, field)
		}
		kids := make([]*litExpr, len(m.g.parts))
		for i, p := range m.g.parts {
			kids[i] = litOf(p, field, m.g.fold)
		}
		return litAnd2(kids...)
	}
	return litAlways
}
