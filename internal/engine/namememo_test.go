package engine

import (
	"fmt"
	"testing"
)

// TestNameMemo: each name gets its own value, whether it comes from the
// recent table, the map, or (past maxMemoNames) is computed again; names
// sharing a recent slot do not get each other's values.
func TestNameMemo(t *testing.T) {
	var m NameMemo[string]
	computed := map[string]int{}
	get := func(n string) string {
		return m.Get([]byte(n), func() string { computed[n]++; return "v:" + n })
	}
	names := []string{"", "x", "ab", "ba", "ProcessRollup2", "DnsRequest", "NetworkConnectIP4"}
	for i := range maxMemoNames + 50 {
		names = append(names, fmt.Sprintf("Event%d", i))
	}
	for round := range 3 {
		for _, n := range names {
			if got := get(n); got != "v:"+n {
				t.Fatalf("round %d: Get(%q) = %q", round, n, got)
			}
		}
	}
	if computed["ProcessRollup2"] != 1 || computed[""] != 1 {
		t.Errorf("remembered names computed %d and %d times, want once", computed["ProcessRollup2"], computed[""])
	}
	if last := names[len(names)-1]; computed[last] != 3 {
		t.Errorf("a name past the limit computed %d times, want every time (3)", computed[last])
	}
}
