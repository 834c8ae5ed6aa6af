package engine

import (
	"slices"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/funcs"
)

// compileDiags parses src, failing the test on a parse error, and returns
// what compiling it reports.
func compileDiags(t *testing.T, src string) cql.Diagnostics {
	t.Helper()
	q, diags := cql.Parse(src)
	if diags.HasErrors() {
		t.Fatalf("parse %q: %s", src, renderDiags(src, diags))
	}
	_, diags = Compile(q, Options{Now: testNow})
	return diags
}

// expectCompileError checks that src parses but does not compile.
func expectCompileError(t *testing.T, src string) {
	t.Helper()
	if !compileDiags(t, src).HasErrors() {
		t.Errorf("%s: compiled, want an error", src)
	}
}

// expectCompileErrorMsg checks that src parses but does not compile, and
// that the first diagnostic's message contains want.
func expectCompileErrorMsg(t *testing.T, src, want string) {
	t.Helper()
	if diags := compileDiags(t, src); !diags.HasErrors() || !strings.Contains(diags[0].Message, want) {
		t.Fatalf("want error containing %q, got %v", want, diags)
	}
}

// TestEngineAcceptsCatalogParams keeps each function's parameter list in
// step with the catalog the checker validates against: a query the checker
// passes must not fail to compile over a parameter name, and the unnamed
// argument must bind to the same parameter. Functions binding their own
// arguments (no params list) are skipped.
func TestEngineAcceptsCatalogParams(t *testing.T) {
	for _, s := range funcs.All() {
		impl, ok := lookupFunc(s.Name)
		if !ok || impl.evalLike || len(impl.params) == 0 {
			continue
		}
		for _, p := range s.Params {
			if !slices.ContainsFunc(impl.params, func(q string) bool { return strings.EqualFold(p.Name, q) }) {
				t.Errorf("%s(): catalog parameter %s is not accepted by the engine", s.Name, p.Name)
			}
		}
		if !strings.EqualFold(impl.params[0], s.DefaultParam) {
			t.Errorf("%s(): unnamed argument binds to %q in the engine, %q in the catalog", s.Name, impl.params[0], s.DefaultParam)
		}
	}
}
