package run

import (
	"slices"
	"sync"
	"testing"
)

// Rejected process ids past the keeper's memory go to a temporary file as
// their blocks fill; every id recorded comes back, from memory and file,
// whichever worker recorded it.
func TestPidLogSpillsAndReadsBack(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	k := &carrierKeeper{memory: 2 * pidBlock * 8} // two blocks in memory
	const workers, each = 3, 5*pidBlock + 123
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			log := pidLog{keeper: k}
			for i := range each {
				log.add(uint64(w*each + i + 1))
			}
			k.done(&log)
		}()
	}
	wg.Wait()
	defer k.close()
	if k.spilled == 0 {
		t.Fatalf("%d ids, %d in memory: none spilled", workers*each, len(k.lists)*pidBlock)
	}
	if held := len(k.lists); held > 2+workers {
		t.Errorf("%d blocks in memory, want at most two and each worker's last", held)
	}
	got := slices.Sorted(k.rejected)
	if len(got) != workers*each {
		t.Fatalf("%d ids back, want %d", len(got), workers*each)
	}
	for i, id := range got {
		if id != uint64(i+1) {
			t.Fatalf("id %d: %d, want %d", i, id, i+1)
		}
	}
	if k.readErr != nil {
		t.Fatal(k.readErr)
	}
}

// A spill file that does not read back makes the keeper say a carrier may
// have been missed: the search reads its input again instead of guessing.
func TestPidLogUnreadableSpillCountsAsMissed(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	k := &carrierKeeper{memory: pidBlock * 8}
	log := pidLog{keeper: k}
	for i := range 3 * pidBlock {
		log.add(uint64(i + 1))
	}
	k.done(&log)
	if k.spilled == 0 {
		t.Fatal("nothing spilled")
	}
	k.spill.File.Close() // reads now fail
	n := 0
	for range k.rejected {
		n++
	}
	if k.readErr == nil || n >= 3*pidBlock {
		t.Fatalf("read %d ids of %d, error %v: want the read to fail", n, 3*pidBlock, k.readErr)
	}
}
