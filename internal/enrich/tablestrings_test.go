package enrich

import (
	"fmt"
	"hash/maphash"
	"sync"
	"testing"
)

// Workers numbering overlapping strings at once give each string one
// number, never 0, that reads back as the string, past several pages of
// every stripe.
func TestTableStringsNumberOncePerString(t *testing.T) {
	const workers, distinct = 4, 5 * pageSize * stringStripes
	tab := newTableStrings(64)
	ids := make([][]strID, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[w] = make([]strID, distinct)
			for i := range distinct {
				j := (i*7 + w*distinct/workers) % distinct // each worker in its own order
				ids[w][j] = tab.id(fmt.Sprintf("S-1-5-21-%d", j))
			}
		}()
	}
	wg.Wait()
	seen := map[strID]int{}
	for j := range distinct {
		id := ids[0][j]
		for w := 1; w < workers; w++ {
			if ids[w][j] != id {
				t.Fatalf("string %d numbered %d by worker 0, %d by worker %d", j, id, ids[w][j], w)
			}
		}
		if id == 0 {
			t.Fatalf("string %d numbered 0, the number of \"\"", j)
		}
		if other, dup := seen[id]; dup {
			t.Fatalf("strings %d and %d both numbered %d", other, j, id)
		}
		seen[id] = j
		if got, want := tab.str(id), fmt.Sprintf("S-1-5-21-%d", j); got != want {
			t.Fatalf("str(%d) = %q, want %q", id, got, want)
		}
	}
	// Most strings are found without a lock: a stripe publishes its
	// recent strings once they are half as many as those published.
	published := 0
	for j := range distinct {
		s := fmt.Sprintf("S-1-5-21-%d", j)
		if _, ok := tab.stripes[maphash.String(tab.seed, s)&(stringStripes-1)].published(s); ok {
			published++
		}
	}
	if published < distinct/2 {
		t.Errorf("%d of %d strings published", published, distinct)
	}
	if tab.id("") != 0 || tab.str(0) != "" {
		t.Error(`"" is not number 0`)
	}
	if got, want := tab.share(), distinct*(len("S-1-5-21-")+4+stringCost)/64; got < want {
		t.Errorf("each of 64 shards charged %d bytes, want at least %d", got, want)
	}
}

// An unbounded table keeps one copy of a string however many shards use
// it: processes sharing a few thousand SIDs and names, spread over 64
// shards, fit a budget that holds their slots and the strings once. With a
// string table per shard the same processes spilled.
func TestUnboundedTableChargesSharedStringsOnce(t *testing.T) {
	const processes, sids = 40_000, 4_000
	tab := newProcTable(64, 0, 4<<20)
	defer tab.close()
	for i := range processes {
		tab.put(procKey{uint32(i % 300), uint64(i)}, &procInfo{
			name:    fmt.Sprintf("tool%d.exe", i%50),
			userSid: fmt.Sprintf("S-1-5-21-1004-%d", i%sids),
		}, 0)
	}
	if z := tab.size(); z.spilled != 0 {
		t.Fatalf("%d of %d processes spilled under 4 MiB", z.spilled, processes)
	}
	for i := range processes {
		got, ok := tab.get(procKey{uint32(i % 300), uint64(i)}, false, 0)
		if !ok || got.name != fmt.Sprintf("tool%d.exe", i%50) || got.userSid != fmt.Sprintf("S-1-5-21-1004-%d", i%sids) {
			t.Fatalf("process %d: %+v, %v", i, got, ok)
		}
	}
}

// Numbering strings seen before from two goroutines: the lock-free path.
func BenchmarkTableStringsSeen(b *testing.B) {
	tab := newTableStrings(64)
	names := make([]string, 5000)
	for i := range names {
		names[i] = fmt.Sprintf("S-1-5-21-1004-%d", i)
		tab.id(names[i])
	}
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			tab.id(names[i%len(names)])
			i++
		}
	})
}

// Strings all different (a random image name per process) do not pile up
// in the shared table: past a quarter of the budget of strings left behind
// by spilled processes, it is numbered again with only those of the
// processes in memory. Without that every shard was charged more than its
// budget in strings and spilled at every put. Every process still reads
// back as learned, from memory or disk, with workers putting at once.
func TestSharedStringsCompactAsProcessesSpill(t *testing.T) {
	const processes, budget = 120_000, 2 << 20
	tab := newProcTable(64, 0, budget)
	defer tab.close()
	key := func(i int) procKey { return procKey{uint32(i % 300), uint64(i)} }
	name := func(i int) string { return fmt.Sprintf("tool-%d.exe", i) }
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < processes; i += 2 {
				tab.put(key(i), &procInfo{name: name(i), userSid: "S-1-5-21-1"}, 0)
			}
		}()
	}
	wg.Wait()
	z := tab.size()
	if shared := tab.strs.Load().bytes.Load(); shared > budget {
		t.Errorf("the shared table holds %d bytes of strings under a %d-byte budget", shared, budget)
	}
	// Without compaction every put spills its shard (120 k spills); with
	// it 0.8–2 k, as shards fill. How many stay in memory at the end
	// depends on when the last compaction fell (0.4–18 k in 10 runs).
	if n := tab.left.Load(); n > processes/20 {
		t.Errorf("%d spills for %d processes (%d held in memory): the strings crowd them out", n, processes, z.held)
	}
	for i := 0; i < processes; i += 97 {
		if got, ok := tab.name(key(i)); !ok || got != name(i) {
			t.Fatalf("name(%v) = %q, %v; want %q", key(i), got, ok, name(i))
		}
	}
}

// Without a spill every string in the shared table is a held process's:
// growing past a quarter of the budget does not number them again.
func TestSharedStringsKeptWithoutSpills(t *testing.T) {
	tab := newProcTable(64, 0, 8<<20)
	defer tab.close()
	first := tab.strs.Load()
	for i := range 30_000 {
		tab.put(procKey{uint32(i % 300), uint64(i)}, &procInfo{name: fmt.Sprintf("a-rather-long-tool-name-%d.exe", i)}, 0)
	}
	if z := tab.size(); z.spilled != 0 {
		t.Fatalf("%d processes spilled: the test wants none", z.spilled)
	}
	if b := first.bytes.Load(); b <= 8<<20/4 {
		t.Fatalf("%d bytes of strings: the test wants more than a quarter of the budget", b)
	}
	if tab.strs.Load() != first {
		t.Error("the shared table was numbered again though no process had spilled")
	}
}
