package emulate

import (
	"bytes"
	"crypto/sha256"
	"io"
	"runtime"
	"strconv"
	"testing"
	"time"
)

func TestSameSeedSameBytes(t *testing.T) {
	run := func(o Options) [32]byte {
		g, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		var mbuf bytes.Buffer
		m, err := g.Run(h)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.WriteJSON(&mbuf); err != nil {
			t.Fatal(err)
		}
		h.Write(mbuf.Bytes())
		return [32]byte(h.Sum(nil))
	}
	base := Options{Seed: 42, Events: 30000}
	a, b := run(base), run(base)
	if a != b {
		t.Fatal("same seed and options gave different output")
	}
	for name, o := range map[string]Options{
		"seed":  {Seed: 43, Events: 30000},
		"view":  {Seed: 42, Events: 30000, View: ViewLogScale},
		"start": {Seed: 42, Events: 30000, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		if run(o) == a {
			t.Errorf("changing %s did not change the output", name)
		}
	}
}

// The shuffle window reorders lines but never changes their content.
func TestShuffleOnlyReorders(t *testing.T) {
	ordered, _ := generate(t, Options{Seed: 5, Events: 20000, ShuffleWindow: 1})
	shuffled, _ := generate(t, Options{Seed: 5, Events: 20000})
	count := map[string]int{}
	for _, l := range ordered {
		count[string(l)]++
	}
	moved := 0
	for i, l := range shuffled {
		count[string(l)]--
		if !bytes.Equal(l, ordered[i]) {
			moved++
		}
	}
	for l, n := range count {
		if n != 0 {
			t.Fatalf("line appears %d more times in order than shuffled: %s", n, l)
		}
	}
	if moved < len(ordered)/2 {
		t.Errorf("only %d of %d lines moved; want FDR-like disorder", moved, len(ordered))
	}
}

func TestTimesStayInWindow(t *testing.T) {
	start := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	lines, _ := generate(t, Options{Seed: 9, Events: 20000, Start: start, Duration: 30 * time.Minute})
	lo, hi := start.Add(-time.Minute).UnixMilli(), start.Add(45*time.Minute).UnixMilli()
	for i, l := range lines {
		e := decode(t, i+1, l)
		ts, err := strconv.ParseInt(e["timestamp"], 10, 64)
		if err != nil {
			t.Fatalf("line %d: timestamp %q: %v", i+1, e["timestamp"], err)
		}
		if ts < lo || ts > hi {
			t.Fatalf("line %d: timestamp %d outside [%d, %d]", i+1, ts, lo, hi)
		}
	}
}

// lineSampler measures live heap while the generator streams.
type lineSampler struct {
	lines   int64
	maxHeap uint64
}

func (s *lineSampler) Write(p []byte) (int, error) {
	s.lines++
	if s.lines%250000 == 0 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		s.maxHeap = max(s.maxHeap, ms.HeapInuse)
	}
	return len(p), nil
}

func TestConstantMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 2M events")
	}
	g, err := New(Options{Seed: 1, Events: 2_000_000})
	if err != nil {
		t.Fatal(err)
	}
	s := &lineSampler{}
	m, err := g.Run(s)
	if err != nil {
		t.Fatal(err)
	}
	if s.lines != 2_000_000 || m.Events != 2_000_000 {
		t.Fatalf("wrote %d lines, manifest %d; want 2000000", s.lines, m.Events)
	}
	t.Logf("max heap in use while streaming: %d MB", s.maxHeap>>20)
	// 2M events are ~1.5 GB of NDJSON; the generator must hold a window,
	// the estate and a bounded manifest, not the stream.
	const bound = 48 << 20
	if s.maxHeap > bound {
		t.Fatalf("heap in use reached %d MB while streaming, bound %d MB", s.maxHeap>>20, bound>>20)
	}
}

// BenchmarkRun reports generation speed; b.N counts events.
func BenchmarkRun(b *testing.B) {
	g, err := New(Options{Seed: 1, Events: int64(max(b.N, 1000))})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := g.Run(io.Discard); err != nil {
		b.Fatal(err)
	}
}
