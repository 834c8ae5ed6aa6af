package run

import (
	"context"
	"errors"
	"io"
	"runtime"
	"sync"

	"github.com/tiercel/tiercel/internal/event"
)

// queuedPerWorker is how many chunks wait for each worker. The input is
// read faster than it is searched, so chunks queued further ahead only
// wait in memory: two a worker held 2-3 MiB more at a search's peak (free
// text over 2.95 GB of three files: 146-155 MB of RSS against 155-165),
// and the 999-rule hunt ran no slower with one (1.975 against 2.039 s,
// 5 runs).
const queuedPerWorker = 1

// feedChunks sends the chunks of src that keep accepts to jobs until src
// ends or ctx is done. keep may also adjust a chunk (Search numbers them).
// It returns the read error, io.EOF aside; the caller closes jobs, after
// storing that error, so workers that see jobs closed also see the error.
func feedChunks(ctx context.Context, src Source, jobs chan<- event.Chunk, keep func(*event.Chunk) bool) error {
	for {
		c, err := src.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return err
			}
			return nil
		}
		if !keep(&c) {
			continue
		}
		select {
		case jobs <- c:
		case <-ctx.Done():
			return nil
		}
	}
}

// eachChunk runs work on workers goroutines (0: GOMAXPROCS), each draining
// the chunks of src that keep accepts, and returns once all are done with
// the read error. Callers check ctx themselves: a cancelled pass is cut short.
func eachChunk(ctx context.Context, src Source, workers int, keep func(*event.Chunk) bool, work func(jobs <-chan event.Chunk)) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan event.Chunk, workers*queuedPerWorker)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work(jobs)
		}()
	}
	readErr := feedChunks(ctx, src, jobs, keep)
	close(jobs)
	wg.Wait()
	return readErr
}
