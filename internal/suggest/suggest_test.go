package suggest

import "testing"

func TestClosest(t *testing.T) {
	names := []string{"field", "function", "limit"}
	tests := []struct{ in, want string }{
		{"feild", "field"}, // transposition
		{"fields", "field"},
		{"limt", "limit"},
		{"functoin", "function"},
		{"LIMIT", "limit"}, // case-insensitive
		{"as", ""},
	}
	for _, tt := range tests {
		if got := Closest(tt.in, names); got != tt.want {
			t.Errorf("Closest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := Closest("dsc", []string{"asc", "desc"}); got != "desc" {
		t.Errorf("Closest(dsc) = %q, want the candidate sharing the first letter", got)
	}
}

func TestWithin(t *testing.T) {
	keys := []string{"severity", "tunings", "lookups"}
	tests := []struct {
		in    string
		limit int
		want  string
	}{
		{"severty", 1, "severity"},
		{"tunngs", 1, "tunings"},
		{"tngs", 2, ""},
		{"tngs", 3, "tunings"},
		{"zzz", 2, ""},
	}
	for _, tt := range tests {
		if got := Within(tt.in, keys, tt.limit); got != tt.want {
			t.Errorf("Within(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
		}
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"kitten", "sitting", 3},
		{"ab", "ba", 1},
		{"groupby", "gropby", 1},
		{"héllo", "hello", 1}, // runes, not bytes
	}
	for _, tt := range tests {
		if got := distance([]rune(tt.a), []rune(tt.b)); got != tt.want {
			t.Errorf("distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
