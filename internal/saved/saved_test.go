package saved

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/cql"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoad(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"findhost.cql": "ComputerName=?host",
		"crowdstrike/fltr-core/zComputerName.cql": "x=1",
		"notes.txt": "not a search",
	})
	lib, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"crowdstrike/fltr-core/zComputerName", "findhost"}, lib.Names()); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	cases := []struct {
		call string
		want string // name found, "" for none
	}{
		{"findhost", "findhost"},
		{"FINDHOST", "findhost"},
		{"crowdstrike/fltr-core:zComputerName", "crowdstrike/fltr-core/zComputerName"},
		{"crowdstrike/fltr-core/zcomputername", "crowdstrike/fltr-core/zComputerName"},
		{"crowdstrike:fltr-core:zComputerName", "crowdstrike/fltr-core/zComputerName"},
		{"notes", ""},
		{"zComputerName", ""},
	}
	for _, tc := range cases {
		s, ok := lib.Lookup(tc.call)
		got := ""
		if ok {
			got = s.Name
		}
		if got != tc.want {
			t.Errorf("Lookup(%q) = %q, want %q", tc.call, got, tc.want)
		}
	}
	s, _ := lib.Lookup("findhost")
	if s.File != filepath.Join(dir, "findhost.cql") || s.Source != "ComputerName=?host" {
		t.Errorf("findhost = %+v", s)
	}
}

func TestLoadErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f.cql")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		dir  string
		want string
	}{
		{"missing directory", filepath.Join(t.TempDir(), "nope"), "no such file"},
		{"a file, not a directory", file, "is not a directory"},
		{"two files, one name", writeFiles(t, map[string]string{"a/b.cql": "x=1", "A/B.cql": "y=1"}), "defined twice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestClosest(t *testing.T) {
	lib, err := New(Search{Name: "crowdstrike/fltr-core/zComputerName"}, Search{Name: "findhost"})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"findhots":                           "findhost",
		"crowdstrike/fltr-core:zComputerNme": "crowdstrike/fltr-core/zComputerName",
		"somethingelse":                      "",
	}
	for in, want := range cases {
		if got := lib.Closest(in); got != want {
			t.Errorf("Closest(%q) = %q, want %q", in, got, want)
		}
	}
	var none *Library
	if _, ok := none.Lookup("x"); ok || none.Closest("x") != "" || none.Len() != 0 {
		t.Error("a nil library should be empty")
	}
}

func TestRelocateAndCycle(t *testing.T) {
	s := &Search{Name: "pkg:s", File: "dir/pkg/s.cql", Source: "x=1\n| bad()"}
	d := s.Relocate(&cql.Diagnostic{Span: cql.Span{Start: 6, End: 9}, Code: "c", Message: "m", Hint: "h"}, cql.Span{Start: 2, End: 5})
	want := &cql.Diagnostic{Span: cql.Span{Start: 2, End: 5}, Code: "c", Hint: "h",
		Message: `in saved search "pkg:s" (dir/pkg/s.cql:2:3): m`}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("Relocate (-want +got):\n%s", diff)
	}
	a, b := &Search{Name: "a"}, &Search{Name: "b"}
	if got := Cycle([]*Search{a, b}, a); got != "a -> b -> a" {
		t.Errorf("Cycle = %q", got)
	}
	if got := Cycle([]*Search{a}, b); got != "" {
		t.Errorf("Cycle without recursion = %q", got)
	}
}
