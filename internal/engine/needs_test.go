package engine

import "testing"

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
