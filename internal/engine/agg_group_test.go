package engine

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

// Plain counts are kept as numbers per group, other aggregates as
// collectors: both give the same rows, and keys survive any bytes.
func TestGroupByCountsAndKeys(t *testing.T) {
	var events []*event.Event
	for i := range 50 {
		events = append(events, ev("a", fmt.Sprint(i%3), "b", []string{"x\x00y", "", "x", "\u00e9"}[i%4], "n", fmt.Sprint(i)))
	}
	plain, _ := run(t, `groupBy([a, b])`, events)
	general, _ := run(t, `groupBy([a, b], function=[count(), max(n)])`, events)
	if len(plain) != 12 || len(general) != 12 {
		t.Fatalf("groups: %d and %d, want 12", len(plain), len(general))
	}
	for i := range plain {
		// the general rows hold the same keys and count, plus _max
		if !strings.HasPrefix(general[i], strings.TrimSuffix(plain[i], " ")) {
			t.Errorf("row %d: count-only %q, general %q", i, plain[i], general[i])
		}
	}
	if !slices.ContainsFunc(plain, func(r string) bool { return strings.Contains(r, "x\x00y") }) {
		t.Errorf("a key holding a NUL byte was not kept whole: %q", plain)
	}
	two, _ := run(t, `groupBy(a, function=[count(as=c1), count(as=c2)])`, events)
	if want := []string{"a=0 c1=17 c2=17", "a=1 c1=17 c2=17", "a=2 c1=16 c2=16"}; !slices.Equal(trim(two), want) {
		t.Errorf("two counts: %q, want %q", two, want)
	}
}

func trim(rows []string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = strings.TrimSpace(r)
	}
	return out
}

// The warning about too many groups advises limit=max only when it helps.
func TestGroupByLimitWarning(t *testing.T) {
	var events []*event.Event
	for i := range 30 {
		events = append(events, ev("k", fmt.Sprint(i)))
	}
	tests := []struct {
		query, want, not string
	}{
		{`groupBy(k, limit=10)`, "more than 10 groups; results are partial: 20 event(s) of further groups were not counted (limit=10; limit= allows up to 1000000)", "limit=max"},
		{`groupBy(k, limit=30)`, "", ""},
	}
	for _, tt := range tests {
		_, warns := run(t, tt.query, events)
		got := strings.Join(warns, "\n")
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) || tt.not != "" && strings.Contains(got, tt.not) {
			t.Errorf("%s: warnings %q, want %q", tt.query, got, tt.want)
		}
	}
	// default and maximum limits, on a collector given more groups than they keep
	for _, tt := range []struct {
		spec *groupSpec
		want string
	}{
		{&groupSpec{keys: []string{"k"}, limit: 5, counts: []string{"_count"}}, "use limit=max for up to 1000000"},
		{&groupSpec{keys: []string{"k"}, limit: maxGroupLimit, explicit: true, counts: []string{"_count"}}, "the most groupBy() keeps"},
	} {
		x := &exec{warn: &warnings{}}
		g := tt.spec.newAgg(x).(*groupCollector)
		g.over = 1
		g.finish(func(*event.Event) {})
		w := strings.Join(x.warn.list, "\n")
		if !strings.Contains(w, tt.want) || tt.spec.explicit && strings.Contains(w, "use limit=max") {
			t.Errorf("limit %d: warning %q, want %q", tt.spec.limit, w, tt.want)
		}
	}
}
