// Package check is the semantic checker: it walks a parsed query and
// reports what LogScale would reject (or tiercel cannot run) before any
// event is read — unknown functions and parameters, wrong literal types,
// aggregates where they are not allowed, and so on.
package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/saved"
)

// Diagnostic codes, stable for scripts.
const (
	CodeUnknownFunction     = "unknown-function"
	CodeUnsupportedFunction = "unsupported-function"
	CodeUnknownParameter    = "unknown-parameter"
	CodeMissingParameter    = "missing-parameter"
	CodeDuplicateParameter  = "duplicate-parameter"
	CodeTooManyPositional   = "too-many-positional"
	CodeBadArgument         = "bad-argument"
	CodeBadRegexFlags       = "bad-regex-flags"
	CodeBadComparison       = "bad-comparison"
	CodeAssignWithoutAs     = "assign-without-as"
	CodeNotAValue           = "not-a-value-function"
	CodeAggregateInCase     = "aggregate-in-case"
	CodeAggregateInSubquery = "aggregate-in-subquery"
	CodeFreeTextAfterAgg    = "free-text-after-aggregate"
	CodeMisplacedPreamble   = "misplaced-preamble"
	CodeMisplacedSource     = "misplaced-source"
	CodeUnknownSavedSearch  = "unknown-saved-search"
	CodeSavedSearchCycle    = "saved-search-cycle"
	CodeSavedSearchDepth    = "saved-search-depth"
	CodeSavedSearchSize     = "saved-search-size"
)

// Options tunes the checker. Strict mode needs nothing here: dialect
// extensions are the parser's to report, and cql.Strict turns those
// warnings into errors.
type Options struct {
	// SavedSearches, when non-nil, are the saved searches $name() may call
	// (see saved.Library for how names compare); others are reported, and
	// each called search's own content is checked where it is called.
	SavedSearches *saved.Library
}

// Check walks the whole query and returns its semantic problems in source order.
func Check(q *cql.Query, opts Options) cql.Diagnostics {
	if q == nil || q.Pipeline == nil {
		return nil
	}
	c := &checker{opts: opts, expanded: &saved.Expansion{}}
	c.pipeline(q.Pipeline, scope{top: true})
	sortDiags(c.diags)
	return c.diags
}

// sortDiags puts diagnostics in source order, keeping the order of those
// at one place (a saved search call's problems all point at the call).
func sortDiags(ds cql.Diagnostics) {
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Span.Start < ds[j].Span.Start })
}

type checker struct {
	opts  Options
	diags cql.Diagnostics
	// expanding lists the saved searches whose content is being checked,
	// outermost first (saved.go)
	expanding []*saved.Search
	expanded  *saved.Expansion // shared by the inner checkers of one query
}

func (c *checker) errorf(sp cql.Span, code, hint, format string, args ...any) {
	c.diags = append(c.diags, &cql.Diagnostic{
		Span: sp, Severity: cql.SeverityError, Code: code,
		Message: fmt.Sprintf(format, args...), Hint: hint,
	})
}

// didYouMean formats a suggestion hint, or "" when there is none.
func didYouMean(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf("did you mean %q?", s)
}

// quoteList renders names as "a", "b", "c" for hints.
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
