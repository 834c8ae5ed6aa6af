package enrich

import (
	"fmt"
	"testing"
)

// A bounded table's string table stays bounded however many distinct
// names go through it, and what it keeps reads back unchanged.
func TestProcTableStringsStayBounded(t *testing.T) {
	const limit = 100
	tab := newProcTable(1, limit)
	for i := range 50_000 {
		tab.put(procKey{1, uint64(i)}, &procInfo{name: fmt.Sprintf("p%d.exe", i), userSid: fmt.Sprintf("S-1-5-21-%d", i),
			cmdline: fmt.Sprintf("p%d.exe --run", i), parentPID: uint64(i) + 7}, int64(i))
	}
	if n := len(tab.shards[0].strs.strs); n > 2*minCompactStrings {
		t.Errorf("%d strings held for %d processes", n, limit)
	}
	for i := 50_000 - limit; i < 50_000; i++ {
		got, ok := tab.get(procKey{1, uint64(i)}, false, 0)
		want := procInfo{name: fmt.Sprintf("p%d.exe", i), userSid: fmt.Sprintf("S-1-5-21-%d", i),
			cmdline: fmt.Sprintf("p%d.exe --run", i), parentPID: uint64(i) + 7}
		if !ok || got != want {
			t.Fatalf("process %d: %+v, %v; want %+v", i, got, ok, want)
		}
	}
}

// A second start of a process fills in only what the first left empty.
func TestProcRecordFill(t *testing.T) {
	tab := newProcTable(1, 0)
	k := procKey{1, 42}
	tab.put(k, &procInfo{name: "a.exe", parentPID: 3}, 0)
	tab.put(k, &procInfo{name: "b.exe", image: `C:\x\b.exe`, cmdline: "b", userSid: "S-1", parentPID: 9}, 1)
	got, _ := tab.get(k, false, 0)
	want := procInfo{name: "a.exe", image: `C:\x\b.exe`, cmdline: "b", userSid: "S-1", parentPID: 3}
	if got != want {
		t.Errorf("merged %+v, want %+v", got, want)
	}
}
