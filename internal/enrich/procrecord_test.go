package enrich

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"unsafe"
)

// The process table is most of what a search over raw telemetry holds:
// what a process costs is part of the contract (docs/performance.md). A
// slot is its key; each field read costs its own column, and only then.
func TestProcSlotSizes(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("sizes are those of 64-bit platforms")
	}
	if n := unsafe.Sizeof(procSlot{}); n != 16 {
		t.Errorf("a slot is %d bytes, want 16", n)
	}
	unbounded, bounded := newProcTable(1, 0, 0), newProcTable(1, 10, 0)
	for i := range 3 {
		unbounded.put(procKey{1, uint64(i)}, &procInfo{name: "a.exe", userSid: "S-1-5-18"}, 0)
		bounded.put(procKey{1, uint64(i)}, &procInfo{name: "a.exe"}, 0)
	}
	s := &unbounded.shards[0]
	if s.metas != nil {
		t.Errorf("an unbounded table keeps %d recency pages, want none", len(s.metas))
	}
	c := &s.cols
	for name, pages := range map[string]int{
		"name": len(c.name.pages), "userSid": len(c.userSid.pages),
		"image": len(c.image.pages), "parentName": len(c.parentName.pages), "userName": len(c.userName.pages),
		"authID": len(c.authID.pages), "uid": len(c.uid.pages), "parentPID": len(c.parentPID.pages), "cmdline": len(c.cmdline.pages),
	} {
		want := 0
		if name == "name" || name == "userSid" {
			want = 1
		}
		if pages != want {
			t.Errorf("column %s has %d pages, want %d", name, pages, want)
		}
	}
	if s := &bounded.shards[0]; len(s.metas) != len(s.pages) {
		t.Errorf("a bounded table keeps %d recency pages for %d slot pages", len(s.metas), len(s.pages))
	}
}

// A bounded table's string table stays bounded however many distinct
// names go through it, and what it keeps reads back unchanged.
func TestProcTableStringsStayBounded(t *testing.T) {
	const limit = 100
	tab := newProcTable(1, limit, 0)
	for i := range 50_000 {
		tab.put(procKey{1, uint64(i)}, &procInfo{name: fmt.Sprintf("p%d.exe", i), userSid: fmt.Sprintf("S-1-5-21-%d", i),
			cmdline: fmt.Sprintf("p%d.exe --run", i), parentPID: uint64(i) + 7}, int64(i))
	}
	if b := tab.strs.Load().bytes.Load(); b > 2*minCompactBytes {
		t.Errorf("%d bytes of strings held for %d processes", b, limit)
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

// Records of one process merge field by field: a field keeps the value
// that is set, and of two that disagree the smaller, so the details do not
// depend on the order the records are learned in (several workers learn in
// no fixed order), in memory or spilled to disk at every record. Replacing
// a name, image path or command line is reported (renamed): a value read
// before may not be the last.
func TestProcRecordsMergeInAnyOrder(t *testing.T) {
	k := procKey{1, 42}
	records := []procInfo{
		{name: "b.exe", parentPID: 9},
		{name: "a.exe", image: `C:\x\a.exe`, cmdline: "zz", parentPID: 3},
		{cmdline: "b", userSid: "S-1"},
		{userSid: "S-0", userName: "alice"},
	}
	want := procInfo{name: "a.exe", image: `C:\x\a.exe`, cmdline: "b", userSid: "S-0", userName: "alice", parentPID: 3}
	var permute func(done, rest []procInfo)
	orders := 0
	permute = func(done, rest []procInfo) {
		if len(rest) == 0 {
			orders++
			for _, memory := range []int{0, 1} {
				tab := newProcTable(1, 0, memory)
				for i := range done {
					tab.put(k, &done[i], 0)
				}
				got, _ := tab.get(k, false, 0)
				if got != want {
					t.Errorf("memory %d, order %+v: merged %+v, want %+v", memory, done, got, want)
				}
				// b.exe is replaced only when it came first, the command
				// line zz only when it came before b
				nameAt := func(n string) int { return slices.IndexFunc(done, func(p procInfo) bool { return p.name == n }) }
				cmdAt := func(c string) int { return slices.IndexFunc(done, func(p procInfo) bool { return p.cmdline == c }) }
				wantRenamed := nameAt("b.exe") < nameAt("a.exe") || cmdAt("zz") < cmdAt("b")
				if renamed := tab.renamed(); renamed != wantRenamed {
					t.Errorf("memory %d, order %+v: renamed %v, want %v", memory, done, renamed, wantRenamed)
				}
				tab.close()
			}
			return
		}
		for i := range rest {
			next := append(slices.Clone(rest[:i]), rest[i+1:]...)
			permute(append(slices.Clone(done), rest[i]), next)
		}
	}
	permute(nil, records)
	if orders != 24 {
		t.Fatalf("%d orders tried, want 24", orders)
	}
}

// A command line belongs to its process, not to the slot: a slot reused
// after an eviction or an expiry starts without one, and a second start
// fills in only a missing one.
func TestProcCmdlineFollowsTheProcess(t *testing.T) {
	tests := []struct {
		name  string
		limit int
		puts  []procInfo // to keys 1, 2, ... in turn
		key   uint64
		want  string
	}{
		{"evicted slot reused without one", 1, []procInfo{{name: "a", cmdline: "a --x"}, {name: "b"}}, 2, ""},
		{"evicted slot reused with its own", 1, []procInfo{{name: "a", cmdline: "a --x"}, {name: "b", cmdline: "b --y"}}, 2, "b --y"},
		{"unbounded: each keeps its own", 0, []procInfo{{name: "a", cmdline: "a --x"}, {name: "b"}}, 1, "a --x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := newProcTable(1, tt.limit, 0)
			for i, p := range tt.puts {
				tab.put(procKey{1, uint64(i + 1)}, &p, int64(i))
			}
			got, ok := tab.get(procKey{1, tt.key}, false, 0)
			if !ok || got.cmdline != tt.want {
				t.Errorf("process %d: command line %q (held %v), want %q", tt.key, got.cmdline, ok, tt.want)
			}
		})
	}
	tab := newProcTable(1, 0, 0)
	k := procKey{1, 9}
	tab.put(k, &procInfo{name: "a"}, 0)
	tab.put(k, &procInfo{name: "a", cmdline: "a --late"}, 1)
	tab.put(k, &procInfo{name: "a", cmdline: "a --later"}, 2)
	if got, _ := tab.get(k, false, 0); got.cmdline != "a --late" {
		t.Errorf("merged command line %q, want the first one given", got.cmdline)
	}
}

// Shards of a bounded table share their strings, renumbered while other
// goroutines put and read: every name read back is its process's own.
func TestBoundedTableCompactsWhileRead(t *testing.T) {
	const limit, workers, each = 1024, 4, 20_000
	tab := newProcTable(64, limit, 0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				pid := uint64(w*each + i)
				tab.put(procKey{uint32(w), pid}, &procInfo{name: fmt.Sprintf("p%d.exe", pid), userSid: fmt.Sprintf("S-1-5-21-%d", pid%97)}, int64(i))
				back := pid - uint64(i%50)
				if got, ok := tab.get(procKey{uint32(w), back}, true, int64(i)); ok && got.name != fmt.Sprintf("p%d.exe", back) {
					t.Errorf("process %d reads back as %q", back, got.name)
					return
				}
			}
		})
	}
	wg.Wait()
	if tab.compacted.Load() == 0 {
		t.Fatal("never compacted")
	}
	if b := tab.strs.Load().bytes.Load(); b > 2*minCompactBytes {
		t.Errorf("%d bytes of strings held for %d processes", b, limit)
	}
}
