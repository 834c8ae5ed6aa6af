package engine

import (
	"testing"

	"github.com/tiercel/tiercel/internal/cql"
)

// expectCompileError checks that src parses but does not compile.
func expectCompileError(t *testing.T, src string) {
	t.Helper()
	q, diags := cql.Parse(src)
	if diags.HasErrors() {
		t.Fatalf("parse %q: %s", src, renderDiags(src, diags))
	}
	if _, diags := Compile(q, Options{Now: testNow}); !diags.HasErrors() {
		t.Errorf("%s: compiled, want an error", src)
	}
}
