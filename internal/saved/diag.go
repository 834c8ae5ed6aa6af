package saved

import (
	"fmt"

	"github.com/tiercel/tiercel/internal/cql"
)

// MaxDepth bounds how deeply saved searches may call saved searches; past
// it the call is reported (runaway nesting is almost surely a mistake).
const MaxDepth = 16

// MaxExpansion bounds the total source text one query may expand from saved
// searches: depth alone allows searches that call each other several times
// to fan out to millions of copies (2 calls a level, 16 levels: 65,536).
const MaxExpansion = 1 << 20

// Expansion counts the saved-search text a query has expanded so far.
type Expansion struct{ bytes int }

// Spend adds s to the count and reports whether the query is still within
// MaxExpansion.
func (e *Expansion) Spend(s *Search) bool {
	e.bytes += len(s.Source) + 1 // +1: an empty search still costs a call
	return e.bytes <= MaxExpansion
}

// Relocate turns a diagnostic found inside s (its span is an offset into
// s.Source) into one at the call site `at` in the caller's source. The
// message names the saved search's file and line:col, so both ends of the
// problem are visible; code, severity and hint are kept.
func (s *Search) Relocate(d *cql.Diagnostic, at cql.Span) *cql.Diagnostic {
	line, col := cql.LineCol(s.Source, d.Span.Start)
	return &cql.Diagnostic{
		Span: at, Severity: d.Severity, Code: d.Code, Hint: d.Hint,
		Message: fmt.Sprintf("in saved search %q (%s:%d:%d): %s", s.Name, s.File, line, col, d.Message),
	}
}

// Parse parses the saved search's source. Errors come back relocated to
// the call site at; dialect warnings are dropped (the search runs as is).
func (s *Search) Parse(at cql.Span) (*cql.Query, *cql.Diagnostic) {
	q, ds := cql.Parse(s.Source)
	for _, d := range ds {
		if d.Severity == cql.SeverityError {
			return nil, s.Relocate(d, at)
		}
	}
	return q, nil
}

// Cycle returns the call chain "a -> b -> a" when calling next from the
// stack of searches being expanded (outermost first) would recurse, or "".
func Cycle(stack []*Search, next *Search) string {
	for i, s := range stack {
		if s == next {
			chain := ""
			for _, t := range stack[i:] {
				chain += t.Name + " -> "
			}
			return chain + next.Name
		}
	}
	return ""
}
