package check

import (
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/saved"
)

// savedQuery checks a $name() call: its arguments, that the search exists
// (when the saved searches are known), and the search's own content in the
// caller's scope, so an aggregate in it counts for what follows the call.
// Problems inside the search are reported at the call, naming the search's
// file and line:col.
func (c *checker) savedQuery(s *cql.SavedQueryStep, sc *scope) {
	for _, a := range s.Args {
		if a != nil && a.Value != nil {
			c.expr(a.Value, scope{})
		}
	}
	lib := c.opts.SavedSearches
	if lib == nil {
		return
	}
	search, ok := lib.Lookup(s.Name)
	if !ok {
		c.errorf(s.Sp, CodeUnknownSavedSearch, didYouMean(lib.Closest(s.Name)), "unknown saved search %q", s.Name)
		return
	}
	if chain := saved.Cycle(c.expanding, search); chain != "" {
		c.errorf(s.Sp, CodeSavedSearchCycle, "", "saved search %q calls itself: %s", search.Name, chain)
		return
	}
	if len(c.expanding) >= saved.MaxDepth {
		c.errorf(s.Sp, CodeSavedSearchDepth, "", "saved searches nest more than %d deep at %q", saved.MaxDepth, search.Name)
		return
	}
	if !c.expanded.Spend(search) {
		c.errorf(s.Sp, CodeSavedSearchSize, "", "saved searches expand to more than %d MiB of query text at %q (they call each other too many times)", saved.MaxExpansion>>20, search.Name)
		return
	}
	q, pds := cql.Parse(search.Source)
	inner := &checker{opts: c.opts, expanding: append(append([]*saved.Search(nil), c.expanding...), search), expanded: c.expanded}
	inner.diags = append(inner.diags, pds...)
	if !pds.HasErrors() && q != nil && q.Pipeline != nil {
		for _, st := range q.Pipeline.Steps {
			inner.step(st, sc)
		}
	}
	sortDiags(inner.diags)
	for _, d := range inner.diags {
		c.diags = append(c.diags, search.Relocate(d, s.Sp))
	}
}
