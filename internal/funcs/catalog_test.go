package funcs

import (
	"strings"
	"testing"
)

func TestEverySpecIsWellFormed(t *testing.T) {
	for _, s := range All() {
		t.Run(s.Name, func(t *testing.T) {
			if s.Name == "" {
				t.Fatal("empty name")
			}
			if s.Kind < Filter || s.Kind > Preamble {
				t.Errorf("kind %v out of range", s.Kind)
			}
			if s.Description == "" {
				t.Error("no description")
			}
			if want := DocURL(s.Name); s.Doc != want || !strings.HasPrefix(s.Doc, "https://library.humio.com/data-analysis/functions-") {
				t.Errorf("doc %q, want %q", s.Doc, want)
			}
			seen := map[string]bool{}
			for _, p := range s.Params {
				for _, n := range append([]string{p.Name}, p.Aliases...) {
					if n == "" || seen[n] {
						t.Errorf("parameter name %q empty or duplicated", n)
					}
					seen[n] = true
				}
				if p.Type == Enum && len(p.Enum) == 0 {
					t.Errorf("enum parameter %s lists no values", p.Name)
				}
				if p.Type != Enum && len(p.Enum) > 0 {
					t.Errorf("parameter %s lists enum values but has type %v", p.Name, p.Type)
				}
				if p.Max && p.Type != Number {
					t.Errorf("parameter %s allows max but is not a number", p.Name)
				}
				if p.Required && p.Default != "" {
					t.Errorf("required parameter %s has default %q", p.Name, p.Default)
				}
			}
			if s.DefaultParam != "" && !s.HasParam(s.DefaultParam) {
				t.Errorf("default parameter %q is not among %v", s.DefaultParam, s.ParamNames())
			}
			if s.OpenParams && len(s.Params) > 0 {
				t.Error("open-parameter function also declares parameters")
			}
		})
	}
}

func TestImplementedNamesAreInTheCatalog(t *testing.T) {
	for name := range implemented {
		s, ok := Lookup(name)
		if !ok {
			t.Errorf("implemented %q is not in the catalog", name)
			continue
		}
		if !s.Implemented {
			t.Errorf("%s: Implemented flag not set", s.Name)
		}
	}
	n := 0
	for _, s := range All() {
		if s.Implemented {
			n++
		}
	}
	if n != len(implemented) {
		t.Errorf("%d specs implemented, list has %d", n, len(implemented))
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when absent
	}{
		{"groupBy", "groupBy"},
		{"groupby", "groupBy"},
		{"GROUPBY", "groupBy"},
		{"timechart", "timeChart"},
		{"Text:Contains", "text:contains"},
		{"ioc:lookup", "ioc:lookup"},
		{"dedup", ""},  // does not exist in LogScale (spec §7.13)
		{"lookup", ""}, // removed in 1.30
		{"", ""},
	}
	for _, tt := range tests {
		s, ok := Lookup(tt.in)
		got := ""
		if ok {
			got = s.Name
		}
		if got != tt.want {
			t.Errorf("Lookup(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSpecParam(t *testing.T) {
	s, _ := Lookup("replace")
	if p, ok := s.Param("replacement"); !ok || p.Name != "with" {
		t.Errorf("replace: alias replacement should resolve to with, got %v %v", p, ok)
	}
	if _, ok := s.Param("With"); ok {
		t.Error("parameter names are case-sensitive")
	}
	g, _ := Lookup("groupBy")
	if p, _ := g.Param("limit"); !p.Max || p.Default != "20000" {
		t.Errorf("groupBy limit = %+v", p)
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct{ in, want string }{
		{"gropBy", "groupBy"},
		{"groupyb", "groupBy"},
		{"formatTme", "formatTime"},
		{"tabel", "table"},
		{"splitstrng", "splitString"},
		{"xyzzy", ""},
		{"dedup", ""},
	}
	for _, tt := range tests {
		if got := Suggest(tt.in); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestUnimplementedSayWhy keeps every function the engine does not run
// explained: `tiercel check` shows the reason, so none may be missing, and
// none may linger for a function that runs.
func TestUnimplementedSayWhy(t *testing.T) {
	for _, s := range All() {
		key := strings.ToLower(s.Name)
		_, listed := notRun[key]
		switch {
		case !s.Implemented && !listed:
			t.Errorf("%s() is not implemented and notrun.go does not say why", s.Name)
		case s.Implemented && listed:
			t.Errorf("%s() runs but notrun.go still gives a reason it does not", s.Name)
		}
	}
}
