package corpustest

import (
	"slices"
	"testing"
)

func TestNotAQuery(t *testing.T) {
	tests := []struct {
		flags []string
		want  bool
	}{
		{nil, false},
		{[]string{"multiline"}, false},
		{[]string{"multiline", "ellipsis_placeholder"}, true},
		{[]string{"parser"}, true},
	}
	for _, tt := range tests {
		if got := (Record{Flags: tt.flags}).NotAQuery(); got != tt.want {
			t.Errorf("NotAQuery(%v) = %v, want %v", tt.flags, got, tt.want)
		}
	}
}

func TestByCount(t *testing.T) {
	got := ByCount(map[string]int{"b": 2, "a": 2, "c": 5, "d": 1})
	if want := []string{"c", "a", "b", "d"}; !slices.Equal(got, want) {
		t.Errorf("ByCount = %v, want %v", got, want)
	}
}

func TestLoad(t *testing.T) {
	recs := Load(t)
	if len(recs) == 0 {
		t.Fatal("corpus is empty")
	}
	for _, r := range recs[:min(len(recs), 50)] {
		if r.Query == "" {
			t.Errorf("record %s has no query", r.ID)
		}
	}
}
