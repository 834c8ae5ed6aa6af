package engine

import (
	"testing"

	"github.com/tiercel/tiercel/internal/cql"
)

// A prefilter must never reject a line the query accepts. Field-scoped
// literals with the same text on different fields are different conditions:
// `a=foo or b=foo` must not collapse to `b:"foo"` (found by the lead through
// `tiercel search 'a=foo or b=foo'`, which dropped an event with a=foo).
func TestPrefilterFieldScopedLiteralsStayDistinct(t *testing.T) {
	line := []byte(`{"@timestamp":"2025-01-01T00:00:01Z","a":"foo","b":"bar","n":"5"}`)
	queries := []string{
		`a=foo or b=foo`,
		`b=foo or a=foo`,
		`a=foo or n=foo`,
		`a=/foo/ or b=/foo/`,
		`a=foo or b=foo or c=foo`,
		`case { a=foo | k := "1"; b=foo | k := "2" }`,
		`case { b=foo | k := "1"; a=foo | k := "2" }`,
	}
	derivedNone := func(string) bool { return false }
	for _, src := range queries {
		q, diags := cql.Parse(src)
		if diags.HasErrors() {
			t.Fatalf("parse %q: %v", src, diags[0].Message)
		}
		p, diags := Compile(q, Options{})
		if diags.HasErrors() {
			t.Fatalf("compile %q: %v", src, diags[0].Message)
		}
		for _, derived := range []func(string) bool{nil, derivedNone} {
			pf := p.Prefilter(derived)
			if !pf.Match(line) {
				t.Errorf("%s: prefilter %s rejects a line the query accepts", src, pf)
			}
		}
	}
}

// withoutFields gives back the very tree when no literal in it reads a
// field enrichment adds (a thousand rules' ORs are not compared pairwise
// again), and a new one when some literal does.
func TestWithoutFieldsKeepsAnUntouchedTree(t *testing.T) {
	derived := func(f string) bool { return f == "ContextProcessName" }
	tests := []struct {
		query string
		same  bool
	}{
		{`#event_simpleName=ProcessRollup2 (CommandLine=/nmap/i or ImageFileName=/masscan/i)`, true},
		{`DomainName=/shodan\.io/i or DomainName=/censys\.io/i`, true},
		{`#event_simpleName=NetworkConnectIP4 ContextProcessName=/curl/i`, false},
		{`CommandLine=/nmap/i or ContextProcessName=/nmap/i`, false},
	}
	for _, tc := range tests {
		p := compileQuery(t, tc.query, Options{})
		if got := p.lits.withoutFields(derived) == p.lits; got != tc.same {
			t.Errorf("%s: same tree %v, want %v", tc.query, got, tc.same)
		}
	}
}
