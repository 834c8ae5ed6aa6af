// Package source is where tiercel serve's events come from: the LogScale
// and HEC ingest endpoints (HTTP), a local FDR tree, S3 announced by SQS,
// and NDJSON files or standard input. Every source hands the server
// Batches: raw NDJSON lines (one JSON event each) plus a way to learn when
// they are durable, so the source can commit its position (answer 200,
// write its checkpoint, commit a Kafka offset) only then.
//
// A new source (Kafka, say) needs only this package's types: build a Batch
// per poll, Offer it to the Sink, wait for Done, then commit the position
// it carried.
package source

import (
	"context"
	"errors"
	"time"

	"github.com/tiercel/tiercel/internal/event"
)

// Batch is a run of raw events from one source.
type Batch struct {
	Source string     // source name, for metrics and logs ("http:edr", "fdr", ...)
	Kind   event.Kind // telemetry, or an aidmaster/userinfo lookup feed
	Lines  [][]byte   // one JSON object per line, no newline; the sink owns them
	// Position is the source's checkpoint after this batch (opaque to the
	// sink); sources commit it once Done reports success.
	Position string
	// Received is when the batch arrived, for ingest-to-alert latency.
	Received time.Time
	done     chan error
}

// NewBatch makes a batch ready to Offer.
func NewBatch(src string, kind event.Kind, lines [][]byte, pos string) *Batch {
	return &Batch{Source: src, Kind: kind, Lines: lines, Position: pos, Received: time.Now(), done: make(chan error, 1)}
}

// Finish is called by the sink once: nil when the events are in the event
// store and their alerts in the alert store.
func (b *Batch) Finish(err error) { b.done <- err }

// Wait blocks until the sink finished the batch or ctx ends.
func (b *Batch) Wait(ctx context.Context) error {
	select {
	case err := <-b.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Bytes is the batch's size (lines and their newlines).
func (b *Batch) Bytes() int {
	n := 0
	for _, l := range b.Lines {
		n += len(l) + 1
	}
	return n
}

// Errors a Sink's Offer returns.
var (
	// ErrBusy: the sink is over capacity; offer again later (HTTP: 429).
	ErrBusy = errors.New("over capacity")
	// ErrClosed: the sink is shutting down or failed (HTTP: 503).
	ErrClosed = errors.New("not accepting events")
)

// Sink takes batches. Offer never blocks: it queues b or refuses it.
type Sink interface {
	Offer(b *Batch) error
}

// Source runs until ctx ends, offering batches to sink. Run returns nil
// on a clean stop, after committing the positions of finished batches.
type Source interface {
	Name() string
	Run(ctx context.Context, sink Sink) error
}

// OfferWait offers b until the sink takes it, backing off while it is
// busy: for sources that can wait (files, FDR, queues), unlike HTTP.
func OfferWait(ctx context.Context, sink Sink, b *Batch) error {
	delay := 10 * time.Millisecond
	for {
		err := sink.Offer(b)
		if !errors.Is(err, ErrBusy) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(delay*2, time.Second)
	}
}
