package enrich

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/event"
)

// spillPuts is a learning history with what spilling must keep exact: the
// same process learned again after its first record went to disk (a
// SyntheticProcessRollup2 filling in the name, a duplicate with other
// values, which must not win), parents, users and long command lines.
func spillPuts(n int) []struct {
	k    procKey
	info procInfo
} {
	r := rand.New(rand.NewPCG(7, 9))
	var puts []struct {
		k    procKey
		info procInfo
	}
	for i := range n {
		k := procKey{aid: uint32(r.IntN(3)), pid: uint64(r.IntN(n/2) + 1)}
		info := procInfo{parentPID: uint64(r.IntN(n / 2)), userSid: fmt.Sprintf("S-1-5-%d", r.IntN(5))}
		if r.IntN(4) > 0 { // some starts are nameless until a later record
			info.name = fmt.Sprintf("p%d-%d.exe", i%7, r.IntN(3))
			info.image = `C:\Windows\` + info.name
		}
		if r.IntN(2) == 0 {
			info.cmdline = fmt.Sprintf("%s --run %d %x", info.name, i, r.Uint64())
			info.userName = fmt.Sprintf("user%d", r.IntN(4))
		}
		puts = append(puts, struct {
			k    procKey
			info procInfo
		}{k, info})
	}
	return puts
}

// A table spilling to disk answers every lookup as the same table held in
// memory does, whatever its budget and shards: each field keeps the first
// value it was learned with, in memory or on disk.
func TestSpilledTableAnswersAsInMemory(t *testing.T) {
	puts := spillPuts(3000)
	ref := newProcTable(1, 0, 0)
	for _, p := range puts {
		ref.put(p.k, &p.info, 0)
	}
	for _, tc := range []struct{ shards, memory int }{{1, 1}, {1, 4 << 10}, {4, 16 << 10}, {64, 64 << 10}} {
		t.Run(fmt.Sprintf("%d shards, %d bytes", tc.shards, tc.memory), func(t *testing.T) {
			tab := newProcTable(tc.shards, 0, tc.memory)
			defer tab.close()
			for _, p := range puts {
				tab.put(p.k, &p.info, 0)
			}
			z := tab.size()
			if z.spilled == 0 || tab.spill.failed() != nil {
				t.Fatalf("spilled %d processes (error %v): the budget should have been passed", z.spilled, tab.spill.failed())
			}
			for aid := range uint32(4) {
				for pid := range uint64(len(puts)/2 + 2) {
					k := procKey{aid, pid}
					want, wantOK := ref.get(k, false, 0)
					got, ok := tab.get(k, false, 0)
					if ok != wantOK || got != want {
						t.Fatalf("get(%v) = %+v, %v; in memory %+v, %v", k, got, ok, want, wantOK)
					}
					name, ok := tab.name(k)
					if ok != wantOK || name != want.name {
						t.Fatalf("name(%v) = %q, %v; want %q, %v", k, name, ok, want.name, wantOK)
					}
				}
			}
			if z.held >= ref.size().held {
				t.Errorf("%d processes held in memory, all %d without a budget", z.held, ref.size().held)
			}
		})
	}
}

// The older half of a shard goes to disk; the newer stays in memory, where
// the next lookups are likely to be.
func TestSpillKeepsTheNewerHalf(t *testing.T) {
	tab := newProcTable(1, 0, 1<<20)
	defer tab.close()
	s := &tab.shards[0]
	for pid := range uint64(100) {
		tab.put(procKey{1, pid + 1}, &procInfo{name: fmt.Sprint(pid + 1)}, 0)
	}
	if err := s.spill(&tab.spill); err != nil {
		t.Fatal(err)
	}
	if s.entries() != 50 || s.spilled != 50 || len(s.runs) != 1 {
		t.Fatalf("%d held, %d spilled in %d runs; want 50, 50, 1", s.entries(), s.spilled, len(s.runs))
	}
	for pid := range uint64(100) {
		if _, inMemory := s.find(procKey{1, pid + 1}); inMemory != (pid >= 50) {
			t.Errorf("process %d in memory: %v", pid+1, inMemory)
		}
	}
	for pid := range uint64(100) {
		k := procKey{1, pid + 1}
		if name, ok := tab.name(k); !ok || name != fmt.Sprint(pid+1) {
			t.Errorf("name(%v) = %q, %v", k, name, ok)
		}
	}
}

// Spills write through one buffer kept for the next: a fresh one each time
// (hundreds of KB on a table of random processes) cost page faults.
func TestSpillsReuseTheirBuffer(t *testing.T) {
	tab := newProcTable(1, 0, 1<<20)
	defer tab.close()
	s := &tab.shards[0]
	var kept *byte
	for round := range 3 {
		n := uint64(100) // each spill after the first writes as many
		if round == 0 {
			n = 200
		}
		for pid := range n {
			tab.put(procKey{1, uint64(round)*1000 + pid + 1}, &procInfo{name: fmt.Sprint(pid), image: strings.Repeat("x", 40)}, 0)
		}
		if err := s.spill(&tab.spill); err != nil {
			t.Fatal(err)
		}
		if len(tab.spill.bufs) != 1 {
			t.Fatalf("round %d: %d buffers kept after a spill, want 1", round, len(tab.spill.bufs))
		}
		b := <-tab.spill.bufs
		if round > 0 && unsafe.SliceData(b) != kept {
			t.Errorf("round %d: the spill wrote through a new buffer", round)
		}
		kept = unsafe.SliceData(b)
		tab.spill.release(b)
	}
	for _, pid := range []uint64{1, 1001, 2001} {
		if name, ok := tab.name(procKey{1, pid}); !ok || name != "0" {
			t.Errorf("name of process %d = %q, %v after the spills", pid, name, ok)
		}
	}
}

// Lookups that walk a spilled run (a second read of the input asks for
// every process in input order) read each block about once: a block found
// again soon is kept in memory whole. Lookups here and there read one
// block each and keep only what they found.
func TestSpillKeepsBlocksReadAgainSoon(t *testing.T) {
	const n = 64 * runBlock
	tests := []struct {
		name      string
		order     func(i int) uint64
		maxReads  int64
		minMemory int
	}{
		{"in order", func(i int) uint64 { return uint64(i + 1) }, 2 * n / runBlock, n},
		{"one per block", func(i int) uint64 { return uint64(i*runBlock%n + 1) }, n, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := newProcTable(1, 0, 1<<30)
			defer tab.close()
			s := &tab.shards[0]
			for pid := range uint64(2 * n) {
				tab.put(procKey{1, pid + 1}, &procInfo{name: fmt.Sprint(pid + 1)}, 0)
			}
			if err := s.spill(&tab.spill); err != nil { // the first n go
				t.Fatal(err)
			}
			looked := 0
			for i := range n {
				pid := tt.order(i)
				if i > 0 && tt.order(i) == tt.order(0) {
					break
				}
				looked++
				if name, ok := tab.name(procKey{1, pid}); !ok || name != fmt.Sprint(pid) {
					t.Fatalf("name(%d) = %q, %v", pid, name, ok)
				}
			}
			if r := tab.spill.reads.Load(); r > tt.maxReads {
				t.Errorf("%d lookups read %d blocks back, want at most %d", looked, r, tt.maxReads)
			}
			if held := s.entries() - n; held < tt.minMemory || tt.minMemory == 0 && held != looked {
				t.Errorf("%d spilled processes back in memory after %d lookups", held, looked)
			}
		})
	}
}

// A spilled process looked up once is kept in memory, whole: looking it
// up again reads nothing back, and gives the same details. So is one
// learned again with a name: the runs may hold the name it has.
func TestSpilledLookupStaysInMemory(t *testing.T) {
	tab := newProcTable(1, 0, 1<<20)
	defer tab.close()
	k := procKey{1, 7}
	tab.put(k, &procInfo{name: "curl.exe"}, 0)
	tab.put(procKey{1, 8}, &procInfo{name: "sh"}, 0)
	if err := tab.shards[0].spill(&tab.spill); err != nil {
		t.Fatal(err)
	}
	tab.put(k, &procInfo{name: "later.exe", cmdline: "curl ipinfo.io"}, 0) // learned again: merged in
	if n := tab.spill.reads.Load(); n != 1 {
		t.Errorf("learning the process again read %d blocks back, want 1", n)
	}
	want := procInfo{name: "curl.exe", cmdline: "curl ipinfo.io"}
	for i, reads := range []int64{0, 0, 0} {
		before := tab.spill.reads.Load()
		got, ok := tab.get(k, false, 0)
		if !ok || got != want {
			t.Fatalf("lookup %d: %+v, %v; want %+v", i, got, ok, want)
		}
		if n := tab.spill.reads.Load() - before; n != reads {
			t.Errorf("lookup %d read %d blocks back, want %d", i, n, reads)
		}
	}
	if name, _ := tab.name(k); name != "curl.exe" || tab.spill.reads.Load() != 1 {
		t.Errorf("name %q after %d reads", name, tab.spill.reads.Load())
	}
}

// A process looked up and kept in memory goes back to disk at the next
// spill when memory held something of it the runs lack, and is dropped
// when it is only a copy of the runs.
func TestSpillKeepsWhatOnlyMemoryHad(t *testing.T) {
	k := procKey{1, 7}
	first := procInfo{name: "curl.exe"}
	later := procInfo{cmdline: "curl ipinfo.io"}
	want := procInfo{name: "curl.exe", cmdline: "curl ipinfo.io"}
	tests := []struct {
		name  string
		steps string // p: put later, g: get, s: spill
		runs  int    // runs after the steps
	}{
		{"learned again, looked up, spilled", "pgs", 2},
		{"looked up, learned again, spilled", "gps", 2},
		{"looked up, spilled: only a copy, not written", "gs", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := newProcTable(1, 0, 1<<20)
			defer tab.close()
			s := &tab.shards[0]
			tab.put(k, &first, 0)
			if err := s.spill(&tab.spill); err != nil {
				t.Fatal(err)
			}
			for _, step := range tt.steps {
				switch step {
				case 'p':
					tab.put(k, &later, 0)
				case 'g':
					tab.get(k, false, 0)
				case 's':
					if err := s.spill(&tab.spill); err != nil {
						t.Fatal(err)
					}
				}
			}
			if s.entries() != 0 || len(s.runs) != tt.runs {
				t.Errorf("%d in memory, %d runs; want 0 and %d", s.entries(), len(s.runs), tt.runs)
			}
			w := want
			if !strings.Contains(tt.steps, "p") {
				w = first
			}
			if got, ok := tab.get(k, false, 0); !ok || got != w {
				t.Errorf("get = %+v, %v; want %+v", got, ok, w)
			}
		})
	}
}

// Where no temporary file can be made, the table keeps everything in
// memory, as without a budget, and says why.
func TestSpillFailureKeepsAllInMemory(t *testing.T) {
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	tab := newProcTable(1, 0, 1)
	defer tab.close()
	puts := spillPuts(200)
	for _, p := range puts {
		tab.put(p.k, &p.info, 0)
	}
	if tab.spill.failed() == nil || tab.size().spilled != 0 {
		t.Fatalf("error %v, %d spilled: want an error and nothing spilled", tab.spill.failed(), tab.size().spilled)
	}
	ref := newProcTable(1, 0, 0)
	for _, p := range puts {
		ref.put(p.k, &p.info, 0)
	}
	for _, p := range puts {
		want, _ := ref.get(p.k, false, 0)
		if got, ok := tab.get(p.k, false, 0); !ok || got != want {
			t.Fatalf("get(%v) = %+v, %v; want %+v", p.k, got, ok, want)
		}
	}
}

// Records decode to what was encoded; damaged ones are an error, never a
// panic or a wrong process.
func TestSpillRecords(t *testing.T) {
	k := procKey{3, 1 << 40}
	info := procInfo{name: "curl.exe", image: `C:\curl.exe`, cmdline: "curl -s ipinfo.io", parentName: "cmd.exe",
		userName: "alice", userSid: "S-1-5-21-1", authID: "999", uid: "1000", parentPID: 77}
	b := appendRecord(nil, k, &info)
	gotK, got, rest, err := readRecord(b)
	if err != nil || gotK != k || len(rest) != 0 {
		t.Fatalf("readRecord = %v, %d left, %v", gotK, len(rest), err)
	}
	if diff := cmp.Diff(info, got, cmp.AllowUnexported(procInfo{})); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	for cut := range len(b) {
		if _, _, _, err := readRecord(b[:cut]); !errors.Is(err, errBadRecord) {
			t.Errorf("cut at %d: readRecord error %v", cut, err)
		}
		// an empty block is no record, a cut one a damaged one
		if err := eachRecord(b[:cut], func(procKey, *procInfo) bool { return true }); cut > 0 && !errors.Is(err, errBadRecord) {
			t.Errorf("cut at %d: eachRecord error %v", cut, err)
		}
	}
}

func FuzzSpillRecord(f *testing.F) {
	f.Add(appendRecord(nil, procKey{1, 2}, &procInfo{name: "a", cmdline: "b c", parentPID: 9}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		k, info, rest, err := readRecord(b)
		first := true
		werr := eachRecord(b, func(wk procKey, wp *procInfo) bool {
			if first && (wk != k || *wp != info) {
				t.Fatalf("eachRecord's first record %v %+v, readRecord's %v %+v", wk, *wp, k, info)
			}
			first = false
			return true
		})
		if err != nil && len(b) > 0 && werr == nil {
			t.Fatalf("readRecord: %v; eachRecord: no error", err)
		}
		if err == nil {
			// varints may be padded in the input, never in an encoding
			if again := appendRecord(nil, k, &info); len(again) > len(b)-len(rest) {
				t.Fatalf("re-encoded %d bytes from a record of %d", len(again), len(b)-len(rest))
			}
		}
	})
}

// A hunt's default budget is 32 MiB for each kind of process detail its
// rules read; other reads, and none, keep one share.
func TestScaledProcessMemory(t *testing.T) {
	tests := []struct {
		reads []string
		want  int
	}{
		{nil, 4 * DefaultProcessMemory}, // nil: everything is read
		{[]string{}, DefaultProcessMemory},
		{[]string{FieldUserName, "ComputerName"}, DefaultProcessMemory},
		{[]string{FieldContextProcessName, FieldUserName}, DefaultProcessMemory},
		{[]string{FieldContextProcessName, FieldContextCommandLine}, 2 * DefaultProcessMemory},
		{[]string{FieldParentCommandLine}, 2 * DefaultProcessMemory}, // the parent's line, looked up through it
		{[]string{FieldContextProcessName, FieldContextCommandLine, FieldContextImageFileName, FieldContextParentBaseFileName}, 4 * DefaultProcessMemory},
	}
	for _, tc := range tests {
		var reads *event.Needs
		if tc.reads != nil {
			reads = &event.Needs{}
			for _, f := range tc.reads {
				reads.Add(f)
			}
		}
		if got := ScaledProcessMemory(reads); got != tc.want {
			t.Errorf("ScaledProcessMemory(%v) = %d MiB, want %d", tc.reads, got>>20, tc.want>>20)
		}
	}
}

// A record of a process the table spilled brings it back, with the rest of
// its block, before it merges: the shard must spill again past its budget
// then too, or a second record of every process (a rollup after its
// start) grows it without bound.
func TestBudgetHoldsWhenRecordsMergeIntoSpilledProcesses(t *testing.T) {
	const memory, processes = 64 << 10, 20_000
	tab := newProcTable(1, 0, memory)
	defer tab.close()
	for pid := range uint64(processes) {
		tab.put(procKey{1, pid}, &procInfo{name: "a.exe", cmdline: fmt.Sprintf("a.exe --run %d", pid)}, 0)
	}
	most := 0
	for pid := range uint64(processes) {
		tab.put(procKey{1, pid}, &procInfo{image: `\Device\HarddiskVolume2\a.exe`, parentPID: pid + 1}, 0)
		most = max(most, tab.shards[0].footprint())
	}
	// a put may pass the budget by a block brought back before it spills
	if most > 2*memory {
		t.Errorf("the shard reached %d bytes on a budget of %d", most, memory)
	}
	for _, pid := range []uint64{0, processes / 2, processes - 1} {
		got, ok := tab.get(procKey{1, pid}, false, 0)
		want := procInfo{name: "a.exe", image: `\Device\HarddiskVolume2\a.exe`, cmdline: fmt.Sprintf("a.exe --run %d", pid), parentPID: pid + 1}
		if !ok || got != want {
			t.Errorf("process %d: %+v, %v; want %+v", pid, got, ok, want)
		}
	}
}
