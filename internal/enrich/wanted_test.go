package enrich

import (
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

// ApplyWanted skips the lookups that give none of the wanted fields, and
// adds what a wanted field's lookup gives exactly as Apply does.
func TestApplyWantedSkipsUnwantedLookups(t *testing.T) {
	events := scenario()
	e := learnedFrom(events)
	reads := func(fields ...string) Wanted {
		var n event.Needs
		for _, f := range fields {
			n.Add(f)
		}
		return WantedBy(n)
	}
	tests := []struct {
		name string
		idx  int // in scenario()
		want Wanted
		has  []string // fields added, with Apply's values
		none []string // fields not added
	}{
		{"network event, everything", 6, AllWanted,
			[]string{"ContextProcessName", "ContextCommandLine", "ContextParentBaseFileName", "UserName", "ComputerName"}, nil},
		{"network event, nothing from its process", 6, reads("RemotePort", "ComputerName"),
			[]string{"ComputerName"}, []string{"ContextProcessName", "ContextCommandLine", "UserName"}},
		{"network event, the process's name", 6, reads("ContextProcessName"),
			[]string{"ContextProcessName", "ComputerName"}, []string{"UserName"}},
		{"network event, its user alone", 6, reads("UserName"),
			[]string{"UserName"}, nil},
		{"DNS event, parent name from the table", 7, reads("ContextParentBaseFileName"),
			[]string{"ContextParentBaseFileName"}, []string{"UserName"}},
		{"DNS event, not the parent", 7, reads("ContextProcessName"),
			[]string{"ContextProcessName"}, []string{"ContextParentBaseFileName", "UserName"}},
		{"process start, file name only", 4, reads("FileName"),
			[]string{"FileName", "FilePath"}, []string{"UserName"}},
		{"process start, its user", 5, reads("UserName"),
			[]string{"UserName", "FileName"}, nil},
		{"no acting process id: the base file name needs no lookup", 8, 0,
			nil, []string{"UserName"}},
		{"unknown process: the base file name when the name is read", 8, reads("ContextProcessName"),
			[]string{"ContextProcessName"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			all := events[tc.idx].Clone()
			e.Apply(all)
			got := events[tc.idx].Clone()
			e.ApplyWanted(got, tc.want)
			for _, f := range tc.has {
				want, ok := all.Get(f)
				if !ok {
					t.Fatalf("Apply adds no %s: the row is wrong", f)
				}
				if v, _ := got.Get(f); v != want {
					t.Errorf("%s = %q, want %q", f, v, want)
				}
			}
			for _, f := range tc.none {
				if v, ok := got.Get(f); ok {
					t.Errorf("%s = %q added, though not read", f, v)
				}
			}
		})
	}
}

func TestWantedBy(t *testing.T) {
	tests := []struct {
		name  string
		needs event.Needs
		want  []string // the added fields read
	}{
		{"none", event.Needs{Fields: []string{"RemotePort"}}, nil},
		{"some", event.Needs{Fields: []string{"ComputerName", "UserName"}}, []string{"ComputerName", "UserName"}},
		{"a prefix", event.Needs{Prefixes: []string{"Context"}},
			[]string{"ContextProcessName", "ContextCommandLine", "ContextParentBaseFileName", "ContextImageFileName"}},
		{"every field", event.Needs{All: true}, addedNames[:]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var want Wanted
			for _, f := range tc.want {
				for slot, name := range addedNames {
					if name == f {
						want |= 1 << slot
					}
				}
			}
			if got := WantedBy(tc.needs); got != want {
				t.Errorf("WantedBy = %b, want %b", got, want)
			}
		})
	}
}
