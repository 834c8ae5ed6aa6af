package engine

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFreeTextReads(t *testing.T) {
	tests := []struct {
		query string
		ok    bool
		lits  []string // sorted
		// besides: whether the program reads these apart from free text
		reads, readsNot []string
		all             bool // besides says All
	}{
		{query: `shodan | count()`, ok: true, lits: []string{"shodan"}, readsNot: []string{"ContextCommandLine"}},
		{query: `shodan`, ok: true, lits: []string{"shodan"}, all: true}, // whole events are output
		{query: `not censys 443 | count()`, ok: true, lits: []string{"443", "censys"}},
		{query: `/shod[a]n|censys/i | count()`, ok: true, lits: []string{"censys", "shodan"}},
		{query: `wildcard("*Foo*bar*", ignoreCase=true) | count()`, ok: true, lits: []string{"foo"}}, // one conjunct is enough, lower-cased
		{query: `shodan ContextCommandLine=*x* | count()`, ok: true, lits: []string{"shodan"}, reads: []string{"ContextCommandLine"}},
		{query: `shodan | table([ContextImageFileName])`, ok: true, lits: []string{"shodan"}, reads: []string{"ContextImageFileName"}, readsNot: []string{"ContextCommandLine"}},
		{query: `/\d+/ | count()`, ok: false},
		{query: `shodan or /x*/ | count()`, ok: false},
		{query: `aid=x | count()`, ok: true, readsNot: []string{"ContextCommandLine"}}, // no free text: Needs
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			p := compileQuery(t, tc.query, Options{})
			besides, lits, ok := p.FreeTextReads()
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			slices.Sort(lits)
			if diff := cmp.Diff(tc.lits, lits); diff != "" {
				t.Errorf("literals (-want +got):\n%s", diff)
			}
			if besides.All != tc.all {
				t.Errorf("besides.All = %v, want %v", besides.All, tc.all)
			}
			for _, f := range tc.reads {
				if !besides.Wants(f) {
					t.Errorf("besides does not read %s", f)
				}
			}
			for _, f := range tc.readsNot {
				if besides.Wants(f) {
					t.Errorf("besides reads %s", f)
				}
			}
			if n := p.Needs(); p.freeText && !n.All {
				t.Errorf("Needs is not All with free text")
			}
		})
	}
}
