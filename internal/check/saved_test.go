package check

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/saved"
)

func mustLibrary(kv ...string) *saved.Library {
	var ss []saved.Search
	for i := 0; i+1 < len(kv); i += 2 {
		ss = append(ss, saved.Search{Name: kv[i], Source: kv[i+1]})
	}
	lib, err := saved.New(ss...)
	if err != nil {
		panic(err)
	}
	return lib
}

// robustLibrary gives the fuzz and robustness tests searches that recurse
// and nest, so expansion is exercised on arbitrary input.
var robustLibrary = mustLibrary("self", "$self()", "a", "$b()", "b", "x=1 | $a()", "ok", "count()")

var savedLibrary = mustLibrary(
	"crowdstrike/fltr-core/zComputerName", `ComputerName := lower(ComputerName)`,
	"findhost", `ComputerName=?host`,
	"badfn", "x=1\n| gropBy(x)",
	"badsyntax", "x=1 |\n| y=2",
	"agg", `groupBy(ComputerName)`,
	"loop", `$loop2()`,
	"loop2", `$loop()`,
	"callsBad", "\n $badfn()",
)

func TestSavedSearches(t *testing.T) {
	runCases(t, Options{SavedSearches: savedLibrary}, []checkCase{
		{name: "known, ':' for '/'", query: `$"crowdstrike/fltr-core:zComputerName"()`},
		{name: "known, case-insensitive", query: `$FindHost(host=x)`},
		{name: "unknown with hint", query: `$findhots()`,
			want: []want{{CodeUnknownSavedSearch, "$findhots()"}}, hint: `did you mean "findhost"?`},
		{name: "unknown without hint", query: `x=1 | $other()`, want: []want{{CodeUnknownSavedSearch, "$other()"}}},
		{name: "content checked at the call", query: `x=1 | $badfn()`,
			want: []want{{CodeUnknownFunction, "$badfn()"}}, hint: `did you mean "groupBy"?`},
		{name: "syntax error in content", query: `$badsyntax()`,
			want: []want{{"syntax-missing-step", "$badsyntax()"}}},
		{name: "aggregate inside counts for what follows", query: `$agg() | foo`,
			want: []want{{CodeFreeTextAfterAgg, "foo"}}},
		{name: "aggregate inside a case clause", query: `case { $agg() ; * }`,
			want: []want{{CodeAggregateInCase, "$agg()"}}},
		{name: "cycle", query: `$loop()`, want: []want{{CodeSavedSearchCycle, "$loop()"}}},
		{name: "nested problem reaches the top call", query: `$callsBad()`,
			want: []want{{CodeUnknownFunction, "$callsBad()"}}},
		{name: "argument expressions checked", query: `$findhost(host=lowr(x))`,
			want: []want{{CodeUnknownFunction, "lowr"}}},
	})
}

func TestSavedSearchesWithoutLibrary(t *testing.T) {
	runCases(t, Options{}, []checkCase{
		{name: "any name passes", query: `$anything(x=1) | $"pkg:name"()`},
	})
}

func TestSavedSearchMessages(t *testing.T) {
	cases := []struct{ query, msg string }{
		{`$badfn()`, `in saved search "badfn" (badfn.cql:2:3): unknown function "gropBy"`},
		{`$callsBad()`, `in saved search "callsBad" (callsBad.cql:2:2): in saved search "badfn" (badfn.cql:2:3): unknown function "gropBy"`},
		{`$loop()`, `in saved search "loop" (loop.cql:1:1): in saved search "loop2" (loop2.cql:1:1): saved search "loop" calls itself: loop -> loop2 -> loop`},
	}
	for _, tc := range cases {
		q, _ := cql.Parse(tc.query)
		ds := Check(q, Options{SavedSearches: savedLibrary})
		if len(ds) != 1 || !strings.HasPrefix(ds[0].Message, tc.msg) {
			t.Errorf("%s: got %s, want one diagnostic starting %q", tc.query, render(ds, tc.query), tc.msg)
		}
	}
}

// check bounds saved-search expansion by total size too: 10^10 copies end
// in a diagnostic, quickly.
func TestSavedSearchExpansionBounded(t *testing.T) {
	kv := []string{"s0", "x=1"}
	for i := 1; i <= 10; i++ {
		kv = append(kv, "s"+strconv.Itoa(i), strings.TrimSuffix(strings.Repeat("$s"+strconv.Itoa(i-1)+"() | ", 10), " | "))
	}
	lib := mustLibrary(kv...)
	start := time.Now()
	q, _ := cql.Parse(`$s10()`)
	ds := Check(q, Options{SavedSearches: lib})
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("check took %v", d)
	}
	found := false
	for _, d := range ds {
		found = found || d.Code == CodeSavedSearchSize
	}
	if !found {
		t.Errorf("no %s diagnostic among %d", CodeSavedSearchSize, len(ds))
	}
}
