package rules

import (
	"github.com/tiercel/tiercel/internal/check"
	"github.com/tiercel/tiercel/internal/cql"
)

// semanticCheck runs the semantic pass when the parse succeeded.
func semanticCheck(q *cql.Query, parse cql.Diagnostics) cql.Diagnostics {
	if q == nil || parse.HasErrors() {
		return nil
	}
	return check.Check(q, check.Options{})
}
