package engine

import "github.com/tiercel/tiercel/internal/event"

// freeTextReads separates what free text makes a program read from the
// rest. Free text searches every field, so Needs says All; but a field
// only free text reads matters only where its value holds what a
// free-text filter looks for. An enricher can then keep, say, command
// lines only for the processes whose command line holds such a literal.
type freeTextReads struct {
	besides event.Needs // Needs as it would be without free text
	lits    []string    // one of them is in every value a free-text filter matches
	covered bool        // false: some free-text filter matches values without any
}

// freeTextTester compiles a free-text filter and records what it needs.
func (c *compiler) freeTextTester(m valueMatcher) tester {
	c.freeText = true
	c.textLits = append(c.textLits, matcherLits(m, ""))
	return &freeTextTester{m: m}
}

func newFreeTextReads(besides event.Needs, filters []*litExpr) freeTextReads {
	r := freeTextReads{besides: besides, covered: true}
	r.besides.Fields = append([]string(nil), besides.Fields...)
	r.besides.Prefixes = append([]string(nil), besides.Prefixes...)
	for _, l := range filters {
		lits, ok := requiredOneOf(l)
		if !ok {
			return freeTextReads{besides: r.besides}
		}
		r.lits = append(r.lits, lits...)
	}
	return r
}

// requiredOneOf returns literals one of which a value must hold for l to
// hold, or false when l can hold for a value holding none.
func requiredOneOf(l *litExpr) ([]string, bool) {
	switch l.op {
	case litFalse:
		return nil, true
	case litText:
		return []string{l.plain}, true
	case litAnd:
		// any conjunct that requires literals is enough; the shortest list
		// watches least
		var best []string
		found := false
		for _, k := range l.kids {
			if lits, ok := requiredOneOf(k); ok && (!found || len(lits) < len(best)) {
				best, found = lits, true
			}
		}
		return best, found
	case litOr:
		var all []string
		for _, k := range l.kids {
			lits, ok := requiredOneOf(k)
			if !ok {
				return nil, false
			}
			all = append(all, lits...)
		}
		return all, true
	}
	return nil, false
}

// FreeTextReads tells what p reads apart from free text (besides: Needs
// as it would be without it) and literals one of which every value a
// free-text filter of p matches holds (case-insensitively: a filter that
// ignores case gives its literal lower-cased). A field only free text reads
// can go without its values that hold none of them: no filter's result
// changes. ok is false when a filter can match a value without any
// literal (/\d+/). Without free text, besides is Needs. Free text in a
// sub-query makes besides All: its reads are merged into p's.
func (p *Program) FreeTextReads() (besides event.Needs, lits []string, ok bool) {
	if !p.freeText {
		return p.Needs(), nil, true
	}
	if !p.text.covered {
		return event.Needs{}, nil, false
	}
	b := p.text.besides
	b.Fields = append([]string(nil), b.Fields...)
	b.Prefixes = append([]string(nil), b.Prefixes...)
	return b, append([]string(nil), p.text.lits...), true
}
