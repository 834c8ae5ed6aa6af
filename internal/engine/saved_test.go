package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/saved"
)

// library builds a saved search library from name, source pairs.
func library(t *testing.T, kv ...string) *saved.Library {
	t.Helper()
	var ss []saved.Search
	for i := 0; i+1 < len(kv); i += 2 {
		ss = append(ss, saved.Search{Name: kv[i], Source: kv[i+1]})
	}
	lib, err := saved.New(ss...)
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

func savedEvents() []*event.Event {
	return []*event.Event{
		ev("ComputerName", "gendarme", "UserName", "alice", "n", "1"),
		ev("ComputerName", "kiosk", "UserName", "bob", "n", "2"),
		ev("ComputerName", "gendarme", "UserName", "carol", "n", "3"),
	}
}

func TestSavedSearchRuns(t *testing.T) {
	lib := library(t,
		"findhost", `ComputerName=?host`,
		"hostOr", `ComputerName=?{host=kiosk}`,
		"tag", `tagged := ?{label=none}`,
		"outer", `$findhost(host=?h) | $tag(label=outer)`,
		"perHost", "groupBy(ComputerName, function=count(as=c))\n| sort(ComputerName, order=asc)",
		"crowdstrike/fltr-core/zUser", `user := lower(UserName)`,
		"neg", `n > ?min`,
	)
	cases := []struct {
		name   string
		query  string
		params map[string]string
		want   []string
	}{
		{"argument binds ?param", `$findhost(host="gendarme") | table(UserName)`, nil,
			[]string{"UserName=alice", "UserName=carol"}},
		{"bare word argument", `$findhost(host=kiosk) | table(UserName)`, nil, []string{"UserName=bob"}},
		{"default when no argument", `$hostOr() | table(UserName)`, nil, []string{"UserName=bob"}},
		{"argument beats default", `$hostOr(host=gendarme) | table(UserName)`, nil,
			[]string{"UserName=alice", "UserName=carol"}},
		{"--param beats default", `$hostOr() | table(UserName)`, map[string]string{"host": "gendarme"},
			[]string{"UserName=alice", "UserName=carol"}},
		{"quoted name, case-insensitive", `$"FindHost"(host=kiosk) | table(UserName)`, nil, []string{"UserName=bob"}},
		{"':' finds the package directory", `$"crowdstrike/fltr-core:zUser"() | ComputerName=kiosk | table(user)`, nil,
			[]string{"user=bob"}},
		{"nested, caller ?param passed on", `$outer() | table([UserName, tagged])`, map[string]string{"h": "kiosk"},
			[]string{"UserName=bob tagged=outer"}},
		{"aggregate inside, query continues after", `$perHost() | c > 1`, nil,
			[]string{"ComputerName=gendarme c=2"}},
		{"inside a case clause", `case { $findhost(host=kiosk) | k := "yes"; * | k := "no" } | table([UserName, k])`, nil,
			[]string{"UserName=alice k=no", "UserName=bob k=yes", "UserName=carol k=no"}},
		{"negative number argument", `$neg(min=-1) | ComputerName=kiosk | table(n)`, nil, []string{"n=2"}},
		{"called twice with different arguments", `$tag(label=a) | $findhost(host=kiosk) | $tag(label=b) | table(tagged)`, nil,
			[]string{"tagged=b"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := compileQuery(t, tc.query, Options{SavedSearches: lib, Params: tc.params})
			rows, _ := p.Run(savedEvents())
			got := make([]string, len(rows))
			for i, r := range rows {
				got[i] = row(r)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("rows differ (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSavedSearchErrors(t *testing.T) {
	deep := []string{}
	for i := 0; i <= saved.MaxDepth; i++ {
		deep = append(deep, fmt.Sprintf("d%d", i), fmt.Sprintf("$d%d()", i+1))
	}
	deep = append(deep, fmt.Sprintf("d%d", saved.MaxDepth+1), "x=1")
	lib := library(t,
		"findhost", `ComputerName=?host`,
		"a", `x=1 | $b()`,
		"b", "y=2\n| $a()",
		"self", `$self()`,
		"broken", "x=1\n| groupBy(",
		"unsup", "x=1\n| noSuchFunction()",
		"agg", `count()`,
		"nested", "x=1\n| $findhost()",
	)
	cases := []struct {
		name  string
		lib   *saved.Library
		query string
		code  string
		msg   string // the diagnostic's message
		at    string // the query text the diagnostic points at
		hint  string // substring of the hint
	}{
		{"no library", nil, `x=1 | $findhost(host=a)`, "unsupported",
			`saved search $findhost is not available: no saved searches were given`, `$findhost(host=a)`, "--saved DIR"},
		{"unknown name", lib, `$findhots(host=a)`, "unknown-saved-search",
			`unknown saved search "findhots"`, `$findhots(host=a)`, `did you mean "findhost"?`},
		{"missing parameter", lib, `$findhost()`, "missing-parameter",
			`in saved search "findhost" (findhost.cql:1:14): query parameter ?host has no value`, `$findhost()`,
			"$findhost(host=VALUE)"},
		{"missing parameter two levels down", lib, `$nested()`, "missing-parameter",
			`in saved search "nested" (nested.cql:2:3): in saved search "findhost" (findhost.cql:1:14): query parameter ?host has no value`,
			`$nested()`, "--param host=VALUE"},
		{"unknown argument", lib, `$findhost(hots=a)`, "unknown-parameter",
			`saved search "findhost" has no parameter ?hots`, `hots`, `did you mean "host"?`},
		{"unknown argument beside a known one", library(t, "two", `a=?p | b=?{q=1}`), `$two(p=1, r=2)`, "unknown-parameter",
			`saved search "two" has no parameter ?r`, `r`, "its parameters: ?p, ?q"},
		{"positional argument", lib, `$findhost(a)`, "invalid-argument",
			`arguments of $findhost must be named`, `a`, "param=value"},
		{"duplicate argument", lib, `$findhost(host=a, host=b)`, "duplicate-parameter",
			`argument host is given twice`, `host`, ""},
		{"non-literal argument", lib, `$findhost(host=lower(x))`, "invalid-argument",
			`argument host must be a plain value (a word, string, number or ?param)`, `lower(x)`, ""},
		{"cycle", lib, `$a()`, "saved-search-cycle",
			`in saved search "a" (a.cql:1:7): in saved search "b" (b.cql:2:3): saved search "a" calls itself: a -> b -> a`, `$a()`, ""},
		{"self call", lib, `$self()`, "saved-search-cycle",
			`in saved search "self" (self.cql:1:1): saved search "self" calls itself: self -> self`, `$self()`, ""},
		{"too deep", library(t, deep...), `$d0()`, "saved-search-depth",
			`(d15.cql:1:1): saved searches nest more than 16 deep at "d16"`, `$d0()`, ""},
		{"syntax error inside", lib, `$broken()`, "syntax-missing-expression",
			`in saved search "broken" (broken.cql:2:11): `, `$broken()`, ""},
		{"unsupported function inside", lib, `$unsup()`, "unsupported-function",
			`in saved search "unsup" (unsup.cql:2:3): `, `$unsup()`, ""},
		{"aggregate inside a case clause", lib, `case { $agg(); * }`, "invalid-argument",
			`in saved search "agg" (agg.cql:1:1): aggregate functions are not allowed inside case`, `$agg()`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, ds := cql.Parse(tc.query)
			if ds.HasErrors() {
				t.Fatalf("parse: %s", renderDiags(tc.query, ds))
			}
			_, ds = Compile(q, Options{SavedSearches: tc.lib, Now: testNow})
			if len(ds) != 1 {
				t.Fatalf("want one diagnostic, got %d: %s", len(ds), renderDiags(tc.query, ds))
			}
			d := ds[0]
			if d.Code != tc.code {
				t.Errorf("code = %q, want %q", d.Code, tc.code)
			}
			if !strings.Contains(d.Message, tc.msg) {
				t.Errorf("message = %q, want it to contain %q", d.Message, tc.msg)
			}
			if at := tc.query[d.Span.Start:d.Span.End]; at != tc.at {
				t.Errorf("points at %q, want %q", at, tc.at)
			}
			if !strings.Contains(d.Hint, tc.hint) {
				t.Errorf("hint = %q, want it to contain %q", d.Hint, tc.hint)
			}
		})
	}
}

// fanOut is a library whose searches call the one below ten times each,
// ten levels deep: 10^10 copies if expanded in full.
func fanOut() []string {
	kv := []string{"s0", "x=1"}
	for i := 1; i <= 10; i++ {
		calls := make([]string, 10)
		for j := range calls {
			calls[j] = fmt.Sprintf("$s%d()", i-1)
		}
		kv = append(kv, fmt.Sprintf("s%d", i), strings.Join(calls, " | "))
	}
	return kv
}

// Saved searches that call each other many times are bounded by the total
// text they expand to, not only by depth: compiling stops fast, naming the
// limit.
func TestSavedSearchExpansionBounded(t *testing.T) {
	lib := library(t, fanOut()...)
	q, _ := cql.Parse(`$s10()`)
	start := time.Now()
	_, diags := Compile(q, Options{Now: testNow, SavedSearches: lib})
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("compile took %v", d)
	}
	got := renderDiags("q", diags)
	if !strings.Contains(got, "saved-search-size") || !strings.Contains(got, "1 MiB of query text") {
		t.Errorf("diagnostics %q, want saved-search-size", got)
	}
	// a modest fan-out still compiles
	q, _ = cql.Parse(`$s2()`)
	if _, diags := Compile(q, Options{Now: testNow, SavedSearches: lib}); diags.HasErrors() {
		t.Errorf("100 copies refused: %s", renderDiags("q", diags))
	}
}
