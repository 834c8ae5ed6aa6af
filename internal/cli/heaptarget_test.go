package cli

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestHeapTarget(t *testing.T) {
	const small, large = 128 << 20, 900 << 20
	tests := []struct {
		name                          string
		live, overhead, current, want int64
	}{
		{"small live heap: held small", 40 << 20, 20 << 20, small, small},
		{"seven tenths and a little: still small", 100 << 20, 0, small, small},
		{"past it the room grows twice as fast as live", 120 << 20, 0, small, 3*(120<<20) - small*14/10},
		{"never more than the collector's twice live", 200 << 20, 0, small, 400 << 20},
		{"over four times small: the large limit", 600 << 20, 0, 750 << 20, large},
		{"coming down from large: stays large", 90 << 20, 0, large, large},
		{"back under five eighths", 70 << 20, 0, large, small},
		{"a large limit no larger than small", 10 << 20, 0, small, 64 << 20},
		{"room for the runtime's memory and an eighth of live", 100 << 20, 30 << 20, small, 130<<20 + 100<<20/8},
		{"that room never passes the large limit", 800 << 20, 300 << 20, large, large},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := int64(large)
			if tt.name == "a large limit no larger than small" {
				l = 64 << 20
			}
			if got := heapTarget(tt.live, tt.overhead, tt.current, small, l); got != tt.want {
				t.Errorf("heapTarget(%d MiB) = %d MiB, want %d MiB", tt.live>>20, got>>20, tt.want>>20)
			}
		})
	}
}

// The tuner runs after every collection and sets the limit the live heap
// calls for.
func TestHeapTunerFollowsCollections(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	const large = 160 << 20 // under what the live heap below calls for
	startHeapTuner(smallHeap, large, true)
	before := tunerRuns()
	keep := make([]byte, smallHeap) // live: all of small, calling for 166 MiB
	runtime.GC()
	deadline := time.Now().Add(5 * time.Second)
	for tunerRuns() == before && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if tunerRuns() == before {
		t.Fatal("the tuner did not run after a collection")
	}
	if got := debug.SetMemoryLimit(-1); got != large {
		t.Errorf("with %d MiB live the limit is %d MiB, want the large one", len(keep)>>20, got>>20)
	}
	runtime.KeepAlive(keep)
	keep = nil
	for deadline := time.Now().Add(5 * time.Second); debug.SetMemoryLimit(-1) != smallHeap && time.Now().Before(deadline); {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if got := debug.SetMemoryLimit(-1); got != smallHeap {
		t.Errorf("once the live data is gone the limit is %d MiB, want %d", got>>20, smallHeap>>20)
	}
}

func tunerRuns() int64 {
	heapTuner.mu.Lock()
	defer heapTuner.mu.Unlock()
	return heapTuner.runs
}

// A hunt of many rules lets go of the small-heap hold: the limit is the
// large one at once, and stays so after collections with little live.
func TestReleaseHeapHold(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	const large = 700 << 20
	startHeapTuner(smallHeap, large, true)
	if got := debug.SetMemoryLimit(-1); got != smallHeap {
		t.Fatalf("held: the limit is %d MiB, want %d", got>>20, smallHeap>>20)
	}
	releaseHeapHold()
	before := tunerRuns()
	for deadline := time.Now().Add(5 * time.Second); tunerRuns() == before && time.Now().Before(deadline); {
		runtime.GC() // the tuner runs after each: it must not hold the heap again
		time.Sleep(time.Millisecond)
	}
	if got := debug.SetMemoryLimit(-1); got != large {
		t.Errorf("released: the limit is %d MiB, want the large %d", got>>20, large>>20)
	}
}

// Held (a search, a one-rule hunt over files), the memory limit alone
// paces the collector, unless GOGC sets the pace; over standard input,
// which may never end, the runtime's pace stands. A released hunt is
// collected at three times its live heap, unless GOGC sets the pace.
func TestHeapPace(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	for _, tc := range []struct {
		gogc           string
		finite         bool
		held, released int
	}{
		{"", true, -1, huntGCPercent},
		{"", false, 100, huntGCPercent},
		// with GOGC set, the pace is what the runtime made of it (the
		// test's 100: the runtime reads GOGC once, at start)
		{"100", true, 100, 100},
		{"300", true, 100, 100},
	} {
		t.Setenv("GOGC", tc.gogc)
		debug.SetGCPercent(100)
		startHeapTuner(smallHeap, 700<<20, tc.finite)
		if got := debug.SetGCPercent(-1); got != tc.held {
			t.Errorf("GOGC=%q, finite %v, held: pace %d, want %d", tc.gogc, tc.finite, got, tc.held)
		}
		debug.SetGCPercent(tc.held)
		releaseHeapHold()
		if got := debug.SetGCPercent(100); got != tc.released {
			t.Errorf("GOGC=%q, finite %v, released: pace %d, want %d", tc.gogc, tc.finite, got, tc.released)
		}
	}
}

// Once the live heap calls for the large limit, the pace from before the
// hold comes back (the limit, far above what is live, would let the heap
// grow to it); when the live data is gone the limit paces again.
func TestHeapPaceUnderTheLargeLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOGC", "")
	debug.SetGCPercent(100)
	const large = 160 << 20 // under what the live heap below calls for
	startHeapTuner(smallHeap, large, true)
	pace := func() int { p := debug.SetGCPercent(-1); debug.SetGCPercent(p); return p }
	if got := pace(); got != -1 {
		t.Fatalf("held: pace %d, want -1 (the limit paces)", got)
	}
	keep := make([]byte, smallHeap) // live: all of small, calling for the large limit
	for deadline := time.Now().Add(5 * time.Second); debug.SetMemoryLimit(-1) != large && time.Now().Before(deadline); {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if got := pace(); got != 100 {
		t.Errorf("under the large limit: pace %d, want the 100 from before", got)
	}
	runtime.KeepAlive(keep)
	keep = nil
	for deadline := time.Now().Add(5 * time.Second); debug.SetMemoryLimit(-1) != smallHeap && time.Now().Before(deadline); {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if got := pace(); got != -1 {
		t.Errorf("held again: pace %d, want -1", got)
	}
}

// While a hunt loads its rules the collector runs at loadGCPercent, and
// the pace it had comes back once, whatever was set in between; with
// GOGC set the pace is left alone.
func TestPaceLoading(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	for _, tc := range []struct {
		gogc        string
		during, end int
	}{
		{"", loadGCPercent, 100},
		{"100", 100, 100},
	} {
		t.Setenv("GOGC", tc.gogc)
		debug.SetGCPercent(100)
		restore := paceLoading()
		if got := debug.SetGCPercent(-1); got != tc.during {
			t.Errorf("GOGC=%q, loading: pace %d, want %d", tc.gogc, got, tc.during)
		}
		debug.SetGCPercent(tc.during)
		restore()
		if got := debug.SetGCPercent(-1); got != tc.end {
			t.Errorf("GOGC=%q, restored: pace %d, want %d", tc.gogc, got, tc.end)
		}
		debug.SetGCPercent(huntGCPercent) // the hunt's own, set after
		restore()
		if got := debug.SetGCPercent(-1); got != huntGCPercent && tc.gogc == "" {
			t.Errorf("GOGC=%q, restored again: pace %d, want %d kept", tc.gogc, got, huntGCPercent)
		}
	}
}

// Held, the heap is short of room once its live data passes seven tenths
// of the hold (readers then queue less of a compressed file), and no
// longer once it is gone; released to the large limit it is not, at once.
func TestHeapShortPastSevenTenths(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	const small, large = 64 << 20, 900 << 20
	collect := func() {
		before := tunerRuns()
		for deadline := time.Now().Add(5 * time.Second); tunerRuns() == before && time.Now().Before(deadline); {
			runtime.GC()
			time.Sleep(time.Millisecond)
		}
	}
	startHeapTuner(small, large, true)
	collect()
	if heapShort() {
		t.Fatal("short with little live")
	}
	keep := make([]byte, small*8/10) // live: eight tenths of the hold
	collect()
	if !heapShort() {
		t.Errorf("with %d MiB live under a %d MiB hold: not short", len(keep)>>20, small>>20)
	}
	runtime.KeepAlive(keep)
	keep = nil
	collect()
	if heapShort() {
		t.Error("short once the live data is gone")
	}
	keep = make([]byte, small*8/10)
	collect()
	if !heapShort() {
		t.Error("not short with the live data back")
	}
	releaseHeapHold() // a hunt: the large limit from now on
	if heapShort() {
		t.Error("still short once the hold is released")
	}
	collect()
	if heapShort() {
		t.Error("short under the large limit")
	}
	runtime.KeepAlive(keep)
}
