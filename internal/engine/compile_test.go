package engine

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/funcs"
)

// TestCompileErrors: bad queries fail at compile time with a code and a
// span pointing into the query.
func TestCompileErrors(t *testing.T) {
	tests := []struct {
		query string
		code  string
		at    string // text the span starts with
		msg   string
	}{
		{`status > abc`, "invalid-argument", "abc", "needs a number"},
		{`x = /a*+/`, "invalid-regex", "/a*+/", "possessive"},
		{`x = /\p{L}/`, "invalid-regex", `/\p{L}`, `\p{...}`},
		{`x = /(?<=a)b/`, "invalid-regex", "/(?<=a)b/", "lookbehind"},
		{`x = /(?P<n>a)/`, "invalid-regex", "/(?P<n>a)/", "(?<name>"},
		{`regex("a", flags="q")`, "invalid-regex", `"a"`, "unknown regex flag"},
		{`head(limit=-3)`, "invalid-argument", "limit=-3", "non-negative"},
		{`table([a], limit=300000)`, "invalid-argument", "limit=300000", "exceeds the maximum 200000"},
		{`groupBy(a, bogus=1)`, "invalid-argument", "bogus", `no parameter "bogus"`},
		{`in(a)`, "invalid-argument", "in(a)", "values"},
		{`x := ?missing`, "missing-parameter", "?missing", "no value"},
		{`case { groupBy(x) }`, "invalid-argument", "groupBy(x)", "not allowed inside case"},
		{`format("%q", field=a)`, "invalid-argument", `"%q"`, "unsupported format"},
		{`formatTime("%Y", field=t, timezone="Mars/Olympus")`, "invalid-argument", `timezone=`, "unknown time zone"},
		{`sort(a, order=sideways)`, "invalid-argument", "order=sideways", "asc or desc"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, ds := cql.Parse(tt.query)
			if ds.HasErrors() {
				t.Fatalf("parse: %s", renderDiags(tt.query, ds))
			}
			_, ds = Compile(q, Options{})
			if !ds.HasErrors() {
				t.Fatal("compiled without error")
			}
			d := ds[0]
			if d.Code != tt.code || !strings.Contains(d.Message, tt.msg) {
				t.Errorf("got [%s] %q, want [%s] containing %q", d.Code, d.Message, tt.code, tt.msg)
			}
			if got := tt.query[min(int(d.Span.Start), len(tt.query)):]; !strings.HasPrefix(got, tt.at) {
				t.Errorf("span starts at %q, want %q", got, tt.at)
			}
		})
	}
}

// TestUnimplementedFunctionsAreErrors: every catalog function the engine
// does not run fails compilation as unsupported-function, never silently.
func TestUnimplementedFunctionsAreErrors(t *testing.T) {
	checked := 0
	for _, s := range funcs.All() {
		if Implemented(s.Name) {
			continue
		}
		src := s.Name + "()"
		q, ds := cql.Parse(src)
		if ds.HasErrors() {
			continue
		}
		_, ds = Compile(q, Options{})
		if len(ds) == 0 || ds[0].Code != "unsupported-function" {
			t.Errorf("%s: got %v, want unsupported-function", src, ds)
		}
		checked++
	}
	if checked == 0 {
		t.Skip("the catalog lists no unimplemented function")
	}
}

func TestParams(t *testing.T) {
	q, _ := cql.Parse(`host=?host | x := ?{tag=none}`)
	p, ds := Compile(q, Options{Params: map[string]string{"host": "web*"}})
	if ds.HasErrors() {
		t.Fatal(renderDiags("", ds))
	}
	rows, _ := p.Run([]*event.Event{ev("host", "web1"), ev("host", "db1")})
	if len(rows) != 1 || row(rows[0]) != "host=web1 x=none" {
		t.Errorf("rows %v", rows)
	}
}

// TestNeeds: a program asks the decoder only for what it reads.
func TestNeeds(t *testing.T) {
	tests := []struct {
		query  string
		fields []string
		all    bool
		raw    bool
	}{
		{`#event_simpleName=DnsRequest | groupBy(DomainName)`, []string{"#event_simpleName", "DomainName"}, false, false},
		{`a=1 | table([b, c])`, []string{"@timestamp", "a", "b", "c"}, false, false},
		{`a=1`, []string{"a"}, true, false}, // the output is the whole event
		{`a=1 | select([b])`, []string{"a", "b"}, false, false},
		{`a=1 | table([*])`, nil, true, false},
		{`mimikatz | count()`, nil, true, true}, // free text reads every field and @rawstring
		{`regex("x=(?<x>\\d+)") | count()`, nil, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			n := compileQuery(t, tt.query, Options{}).Needs()
			if n.All != tt.all || n.Raw != tt.raw {
				t.Errorf("All=%v Raw=%v, want %v %v", n.All, n.Raw, tt.all, tt.raw)
			}
			if !tt.all && !slices.Equal(n.Fields, tt.fields) {
				t.Errorf("fields %v", cmp.Diff(tt.fields, n.Fields))
			}
		})
	}
}
