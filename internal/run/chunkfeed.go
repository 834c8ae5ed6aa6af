package run

import (
	"context"
	"errors"
	"io"
	"runtime"
	"sync"

	"github.com/tiercel/tiercel/internal/event"
)

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
	jobs := make(chan event.Chunk, workers*2)
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
