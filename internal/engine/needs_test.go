package engine

import (
	"slices"
	"testing"
)

// A query whose output is the input events themselves must decode every
// field; one that projects or aggregates needs only what it reads.
func TestNeedsWholeEvents(t *testing.T) {
	tests := []struct {
		query string
		all   bool
	}{
		{`a=1`, true},
		{`a=1 | head(3)`, true},
		{`tail(2)`, true},
		{`sort(a, limit=5)`, true},
		{`a=1 | sort(a) | head(1)`, true},
		{`table([a, b])`, false},
		{`table([a]) | sort(a)`, false},
		{`select([a]) | head(2)`, false},
		{`groupBy(a)`, false},
		{`head(5) | groupBy(a)`, false},
		{`count()`, false},
		{`table(*)`, true},
	}
	for _, tt := range tests {
		p := compileQuery(t, tt.query, Options{})
		if got := p.Needs().All; got != tt.all {
			t.Errorf("%s: Needs().All = %v, want %v", tt.query, got, tt.all)
		}
	}
}

// FilterNeeds: what a query reads before its first aggregate, when that
// part only tests events; anything writing a field, free text or no
// aggregate makes it unknown.
func TestFilterNeeds(t *testing.T) {
	tests := []struct {
		query  string
		fields []string
		ok     bool
	}{
		{`#event_simpleName=NetworkConnectIP4 RemotePort=443 | table([aid, UserName])`, []string{"#event_simpleName", "RemotePort"}, true},
		{`ContextProcessName=/curl/i UserName=bob | count()`, []string{"ContextProcessName", "UserName"}, true},
		{`a=1 | b!=2 | groupBy(c, function=count())`, []string{"a", "b"}, true},
		{`table([a, b])`, nil, true},
		{`a=1 | table([a]) | b=2`, []string{"a"}, true}, // after the aggregate: the tail's
		{`a=1`, nil, false},                             // no aggregate: the output is the event
		{`a=1 | select([a, b])`, nil, false},
		{`x := 1 | table([x, UserName])`, nil, false}, // writes a field
		{`case { a=1 | b := 2; * } | count()`, nil, false},
		{`curl | count()`, nil, false}, // free text reads every field
	}
	for _, tt := range tests {
		p := compileQuery(t, tt.query, Options{})
		got, ok := p.FilterNeeds()
		if ok != tt.ok || ok && !slices.Equal(got.Fields, tt.fields) {
			t.Errorf("%s: FilterNeeds() = %v, %v; want %v, %v", tt.query, got.Fields, ok, tt.fields, tt.ok)
		}
	}
}
