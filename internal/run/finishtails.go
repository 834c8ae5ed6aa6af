package run

import (
	"sync"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
)

// Once the input is read, each tail merges the rows it kept (a hunt's
// thousand rules each their alerts, read back from temporary files) and
// the rows go to Emit. On one goroutine the merges and Emit took turns,
// the other cores idle: the last 0.6–0.8 s of a hunt with a quarter of a
// million alerts. The tails now finish on goroutines of their own, up to
// a window of them at once, each handing copies of its rows over in
// batches through a small channel while Emit works on the ones before;
// Emit still sees every program's rows in order on the caller's
// goroutine. A tail ahead of the emitter waits once its channel is full,
// so what is held beyond the tails' own rows is a few batches per tail.
// A batch emitted goes back to the tails to be filled again: copying a
// hunt's 130,000 alerts a row at a time, three allocations each, spent half
// of the finish in the allocator and in faulting in the fresh pages it took.

const (
	tailBatchRows = 256
	tailBatches   = 4 // batches a tail may finish ahead of the emitter
)

// finishTails finishes tails, tail i emitting through outs[i], and passes
// their rows to emit in program order. With window > 1 up to window tails
// finish at once, and emit gets copies of their rows (a row a tail emits
// is only valid during the call).
func finishTails(tails []*engine.Tail, outs []func(*event.Event), emit func(int, *event.Event), window int) {
	if window <= 1 {
		for _, t := range tails {
			t.Finish()
		}
		return
	}
	batches := make([]chan *event.Copies, len(tails))
	for i := range batches {
		batches[i] = make(chan *event.Copies, tailBatches)
	}
	var free sync.Pool                   // of *event.Copies emitted
	ahead := make(chan struct{}, window) // a slot per tail not yet emitted whole
	go func() {
		for i, t := range tails {
			ahead <- struct{}{}
			go finishInto(t, &outs[i], batches[i], &free)
		}
	}()
	for i := range tails {
		for batch := range batches[i] {
			for _, row := range batch.Rows() {
				emit(i, row)
			}
			batch.Reset()
			free.Put(batch)
		}
		<-ahead
	}
}

// finishInto finishes t, sending copies of the rows it emits through *out
// to ch in batches taken from free (or new), and closes ch.
func finishInto(t *engine.Tail, out *func(*event.Event), ch chan<- *event.Copies, free *sync.Pool) {
	defer close(ch)
	var batch *event.Copies
	*out = func(row *event.Event) {
		if batch == nil {
			batch, _ = free.Get().(*event.Copies)
			if batch == nil {
				batch = &event.Copies{}
			}
		}
		batch.Add(row)
		if batch.Len() == tailBatchRows {
			ch <- batch
			batch = nil
		}
	}
	t.Finish()
	if batch != nil {
		ch <- batch
	}
}
