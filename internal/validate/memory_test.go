package validate

import (
	"bufio"
	"context"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tiercel/tiercel/internal/emulate"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/rules"
	"github.com/tiercel/tiercel/internal/run"
)

// Hunting a stream must keep memory flat: nothing may grow with the number
// of events except what the enricher's bounded tables hold.
func TestStreamHuntMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 1M events")
	}
	const events = 1_000_000
	rule, err := loadRule(nil)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := rules.Compile(rule, nil, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	gen, err := emulate.New(emulate.Options{Seed: 7, Events: events, Hosts: 200})
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriterSize(pw, 1<<20)
		_, err := gen.Run(bw)
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err)
	}()

	// Sample the heap while the hunt runs; keep the peak of each half.
	var read atomic.Int64
	var peak [2]uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				runtime.ReadMemStats(&ms)
				half := 0
				if read.Load() > events/2 {
					half = 1
				}
				peak[half] = max(peak[half], ms.HeapInuse)
			}
		}
	}()

	en, _, err := run.PrepareEnricher(context.Background(), run.EnrichInput{Stdin: pr})
	if err != nil {
		t.Fatal(err)
	}
	reader, err := ingest.Open(nil, ingest.Options{Stdin: pr})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	alerts := 0
	stats, err := run.Search(context.Background(), []*engine.Program{prog.Engine}, countingSource{reader, &read}, run.Options{
		Workers: 2, Enricher: en,
		Emit: func(int, *event.Event) { alerts++ },
	})
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if stats.Lines < events {
		t.Fatalf("read %d lines, want at least %d", stats.Lines, events)
	}
	if alerts == 0 {
		t.Error("no alerts: the attack tests should fire")
	}
	const limit = 256 << 20
	t.Logf("%d lines, %d alerts, heap peak %d MiB then %d MiB", stats.Lines, alerts, peak[0]>>20, peak[1]>>20)
	if peak[1] > limit {
		t.Errorf("heap in use peaked at %d MiB, limit %d MiB", peak[1]>>20, limit>>20)
	}
	if peak[1] > peak[0]*2+(32<<20) {
		t.Errorf("heap grew from %d MiB (first half) to %d MiB (second half): not flat", peak[0]>>20, peak[1]>>20)
	}
}

// countingSource counts the lines handed to the search.
type countingSource struct {
	src  run.Source
	read *atomic.Int64
}

func (c countingSource) Next() (event.Chunk, error) {
	ch, err := c.src.Next()
	if err == nil {
		n := int64(0)
		for _, b := range ch.Data {
			if b == '\n' {
				n++
			}
		}
		c.read.Add(n)
	}
	return ch, err
}
