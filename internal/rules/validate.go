package rules

import (
	"strings"

	"github.com/tiercel/tiercel/internal/cql"
)

// checkQuery parses (and semantically checks) a query file's text. Errors
// fail the load; warnings (dialect extensions) are kept on the rule.
func checkQuery(file, src string) (q *cql.Query, errs, warns Errors) {
	q, diags := cql.Parse(src)
	diags = append(diags, semanticCheck(q, diags)...)
	for _, dg := range diags {
		line, col := cql.LineCol(src, dg.Span.Start)
		e := &Error{File: file, Line: line, Col: col,
			Msg:    dg.Message + " [" + dg.Code + "]",
			Hint:   dg.Hint,
			Detail: strings.TrimRight(dg.Render(file, src), "\n")}
		if dg.Severity == cql.SeverityError {
			errs = append(errs, e)
		} else {
			warns = append(warns, e)
		}
	}
	if errs != nil {
		q = nil
	}
	return q, errs, warns
}
