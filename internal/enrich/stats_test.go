package enrich

import (
	"fmt"
	"sync"
	"testing"
)

// Changes moves once a record is learned after it was read, however many
// readers watch and however many records came before: only the first
// record after a read writes the number, so every read must re-arm it.
func TestChangesMovesAfterEveryRead(t *testing.T) {
	tests := []struct {
		name    string
		steps   string // r: a reader takes Changes; l: a process start is learned
		moves   []bool // for each r but the last: whether Changes moved before the next r
		readers int
	}{
		{name: "nothing learned", steps: "rr", moves: []bool{false}},
		{name: "one start", steps: "rlr", moves: []bool{true}},
		{name: "many starts", steps: "rlllr", moves: []bool{true}},
		{name: "learned before the first read only", steps: "llrr", moves: []bool{false}},
		{name: "a read between starts", steps: "rlrlr", moves: []bool{true, true}},
		{name: "reads in a row", steps: "rrlr", moves: []bool{false, true}},
		{name: "a read after the change", steps: "rlrr", moves: []bool{true, false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := New(Options{})
			var reads []int64
			pid := 100
			for _, s := range tc.steps {
				switch s {
				case 'r':
					reads = append(reads, e.Changes())
				case 'l':
					pid++
					e.Learn(ev("event_simpleName", "ProcessRollup2", "aid", "0123456789abcdef0123456789abcdef",
						"TargetProcessId", fmt.Sprint(pid), "ImageFileName", `\Windows\nmap.exe`))
				}
			}
			for i, want := range tc.moves {
				if got := reads[i+1] != reads[i]; got != want {
					t.Errorf("read %d to %d: moved %v, want %v (%v)", i, i+1, got, want, reads)
				}
			}
		})
	}
}

// A reader that takes Changes while workers learn sees it move whenever
// a start is learned after its read, whichever worker learns it.
func TestChangesSeesConcurrentLearning(t *testing.T) {
	e := New(Options{})
	const workers, starts = 2, 2000
	before := e.Changes()
	var wg sync.WaitGroup
	var mid int64
	var midOnce sync.Once
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range starts {
				e.Learn(ev("event_simpleName", "ProcessRollup2", "aid", fmt.Sprintf("%032x", w),
					"TargetProcessId", fmt.Sprint(1000+i), "ImageFileName", `\Windows\curl.exe`))
				if w == 0 && i == starts/2 {
					midOnce.Do(func() { mid = e.Changes() })
				}
			}
		}()
	}
	wg.Wait()
	if e.Changes() == before {
		t.Errorf("Changes did not move over %d starts", workers*starts)
	}
	// worker 0 learned starts/2-1 more after its read
	if e.Changes() == mid {
		t.Errorf("Changes did not move after the read in the middle (%d)", mid)
	}
	// and a read after all is done stands
	last := e.Changes()
	if again := e.Changes(); again != last {
		t.Errorf("Changes moved from %d to %d with nothing learned", last, again)
	}
}
