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

// Two frequent names that pick the same recent entry share its pair: once
// both were seen, alternating them never goes back to the map.
func TestNameMemoCollidingNames(t *testing.T) {
	a := "NetworkConnectIP4"
	b := sharingSlot(a, 1, recentNames)[0]
	var m NameMemo[string]
	computed := 0
	get := func(n string) string { return m.Get([]byte(n), func() string { computed++; return n }) }
	get(a)
	get(b)
	m.byName = map[string]*memoEntry[string]{} // what recent misses is computed again
	for range 10 {
		if get(a) != a || get(b) != b {
			t.Fatal("wrong value")
		}
	}
	if computed != 2 {
		t.Errorf("computed %d times, want 2: the pair should hold both names", computed)
	}
}

// The event names Falcon telemetry holds most each find their entry
// among the recent ones: no three pick one pair (on sparse data, three
// sharing a pair of 64 sent a sixth of the lines to the map).
func TestNameMemoFrequentNamesFitRecent(t *testing.T) {
	names := []string{"ProcessRollup2", "SyntheticProcessRollup2", "DnsRequest", "NetworkConnectIP4",
		"NetworkReceiveAcceptIP4", "NetworkListenIP4", "SensorHeartbeat", "EndOfProcess", "ImageHash",
		"FileWritten", "FileOpenInfo", "NewExecutableWritten", "DirectoryCreate", "RegSystemConfigValueUpdate",
		"RegGenericValueUpdate", "UserLogon", "UserIdentity", "UserLogoff", "ProcessBlocked",
		"ScriptControlScanTelemetry", "ClassifiedModuleLoad", "AsepValueUpdate", "DriverLoad", "OsVersionInfo"}
	pairs := map[int][]string{}
	for _, n := range names {
		p := recentSlot([]byte(n)) >> 1
		if pairs[p] = append(pairs[p], n); len(pairs[p]) > 2 {
			t.Errorf("%v share one pair of recent entries", pairs[p])
		}
	}
}
