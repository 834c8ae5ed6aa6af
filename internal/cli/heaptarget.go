package cli

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// smallHeap is the heap a search or hunt is held under while its live data
// is small. The collector lets the heap grow to twice what is live, so a
// run holding 85 MB (a hunt that keeps command lines for every process of
// a 1 GB file) peaked at 180 MB; held at this size it collects a little
// more often instead. Paced by the limit, a search's heap reaches it, and
// beside it are the runtime's own memory and 18-34 MB of the binary's
// pages (as many as the kernel maps around each it touches): at 120 MiB
// free text over two high-cardinality files peaked at 149-164 MB, at 112
// 146-158; 104, with the least room below, keeps every filter measured
// at 141 MB or under, in the same time. (A hunt of many rules is released
// from the hold.)
const smallHeap = 104 << 20

// heapTarget is the memory limit for a live heap. Up to eight tenths of
// small it is small; past that the collector's room grows twice as fast as
// the live heap (three times live less 1.4 small), up to the collector's
// own default of twice the live heap: a live heap of 80 MiB gets 104 MiB,
// one of 113 MiB and growing (a hunt's rows) 193 MiB, and is not collected
// over and over. Past four times small it is the large limit (a big
// groupBy), kept until the live heap is back under five eighths of small
// (no flapping). The limit counts the runtime's own memory (overhead) too,
// so it is never under live plus overhead plus an eighth of live: a hunt
// whose rows and rules held 100 MB live with 30 MB beside them was
// collected back to back, 300 times over 3.8 GB. (A quarter took free text
// over two high-cardinality files, 81 MiB live, to 109 MiB and 150 MB of
// RSS; an eighth leaves it at 104, in the same time.)
func heapTarget(live, overhead, current, small, large int64) int64 {
	want := max(small, min(2*live, 3*live-small*14/10))
	switch {
	case large <= small:
		want = large
	case live > small*4, current == large && live >= small*5/8:
		want = large
	}
	return min(large, max(want, live+overhead+live/8))
}

// heapTuner sets the memory limit from heapTarget after every collection;
// one per process.
var heapTuner struct {
	mu                    sync.Mutex
	small, large, current int64
	runs                  int64 // collections seen (tests)
	armed                 bool
	sample                []metrics.Sample
	// finite: the input ends, so the limit may pace the collector
	// (limitPaces); paced: it does, unpaced is the pace before
	finite, paced bool
	unpaced       int
	// short: held, with the live heap past seven tenths of small
	// (heapShort); set after every collection, cleared when the hold
	// starts or is released
	short atomic.Bool
}

// startHeapTuner holds the heap under small while its live data is small,
// under large otherwise; finite says the input ends (files, not a stream
// on standard input).
func startHeapTuner(small, large int64, finite bool) {
	t := &heapTuner
	t.mu.Lock()
	defer t.mu.Unlock()
	t.small, t.large, t.current, t.finite = small, large, min(small, large), finite
	t.short.Store(false)
	debug.SetMemoryLimit(t.current)
	limitPaces()
	if !t.armed {
		t.armed = true
		t.sample = []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/total:bytes"},
			{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
		armHeapTuner()
	}
}

// gcSentinel is garbage whose finalizer runs after the collection that
// finds it: a hook on every cycle. Big enough not to share a tiny block.
type gcSentinel struct{ _ [32]byte }

func armHeapTuner() {
	runtime.SetFinalizer(&gcSentinel{}, func(*gcSentinel) {
		tuneHeap()
		armHeapTuner()
	})
}

func tuneHeap() {
	t := &heapTuner
	t.mu.Lock()
	defer t.mu.Unlock()
	t.runs++
	metrics.Read(t.sample)
	var v [4]int64
	for i, m := range t.sample {
		if m.Value.Kind() != metrics.KindUint64 {
			return
		}
		v[i] = int64(m.Value.Uint64())
	}
	// what the limit counts beside the heap's objects: stacks, metadata,
	// free spans not yet returned
	overhead := max(0, v[1]-v[3]-v[2])
	if want := heapTarget(v[0], overhead, t.current, t.small, t.large); want != t.current {
		t.current = want
		debug.SetMemoryLimit(want)
		limitPaces()
	}
	t.short.Store(t.current < t.large && v[0] > t.small*7/10)
}

// heapShort reports whether the held heap is short of room: its live data
// has passed seven tenths of the hold, a tenth before the limit starts
// growing three MB for each MB more (heapTarget), so that what readers
// queue is given up before the limit grows for it. They then queue no
// more of a compressed file than of a plain one (ingest.Options.MemoryShort):
// over four zstd files of 3.7 GB in one search, chunks read ahead were 37
// MB of the 97 MB live at the peak.
func heapShort() bool { return heapTuner.short.Load() }

// limitPaces lets the memory limit alone start collections while it
// follows the live heap (under large) of an input that ends, unless GOGC
// says otherwise; under the large limit the pace from before comes back
// (a big groupBy would otherwise grow to the limit, far above what is
// live), and a stream keeps it (held at the hold for hours, it would sit
// at the limit). At the runtime's pace a search whose live heap is a few
// MB collected at every doubling of it on the way to the hold: six
// collections in the first 0.16 s of the seed over 963 MB, which ran 6%
// slower for them (3% without enrichment; a 65 k-group groupBy 10%); the
// limit keeps the heap under small all the same. The caller holds
// heapTuner.mu.
func limitPaces() {
	t := &heapTuner
	switch held := t.finite && t.current < t.large; {
	case held && !t.paced:
		if old, set := setPace(-1); set {
			t.paced, t.unpaced = true, old
		}
	case !held && t.paced:
		debug.SetGCPercent(t.unpaced)
		t.paced = false
	}
}

// releaseHeapHold lets the heap grow as the collector paces it, to three
// times what is live unless GOGC says otherwise, up to the large limit,
// from now on. A hunt of many rules holds their programs and alerts, 90
// to 170 MB live over a 1 GB file, where the hold collected every 30 MB
// allocated (28 collections against 22): 3 to 8% of the hunt's time, to
// keep 20 to 25 MB off a peak of 300 to 350 MB. Collecting at three times
// live instead of twice took the 999 SigmaHQ-repository rules 3 to 9% less
// time over fdrgen's 1.1 GB and 3% over randfalcon's 734 MB, for 16 MB
// more at the peak (311 against 295 MB, 367 against 350); at four and
// five times the fresh pages cost more than the collections saved.
func releaseHeapHold() {
	t := &heapTuner
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.armed || t.small >= t.large {
		return
	}
	t.small, t.current = t.large, t.large
	t.short.Store(false)
	debug.SetMemoryLimit(t.large)
	limitPaces() // under the large limit: the limit paces no more
	setPace(huntGCPercent)
}

// setPace sets the collector's pace unless GOGC did (the runtime read it
// at start), returning the pace before and whether it set one.
func setPace(percent int) (old int, set bool) {
	if os.Getenv("GOGC") != "" {
		return 0, false
	}
	return debug.SetGCPercent(percent), true
}

// huntGCPercent is the collector's pace once a hunt's heap is released.
const huntGCPercent = 200

// paceLoading lets the collector run less often while a hunt loads and
// compiles its rules, unless GOGC says otherwise, and returns what puts
// the pace back. Loading makes garbage at a steady rate (YAML trees,
// conversions, parsed regexes) and keeps a little of it: at the default
// pace the 999 SigmaHQ-repository rules were collected about twice as
// often, a seventh of their 0.65 s of CPU. The heap stays held under
// smallHeap meanwhile.
func paceLoading() (restore func()) {
	old, set := setPace(loadGCPercent)
	if !set {
		return func() {}
	}
	var once sync.Once
	return func() { once.Do(func() { debug.SetGCPercent(old) }) }
}

// loadGCPercent is the collector's pace while rules load.
const loadGCPercent = 400
