package ingest

import (
	"bytes"
	"sync/atomic"
)

// numbering hands a stream's chunks to its chunkEmitter with the number
// of each one's first line, counting a chunk's lines before the consumer
// may recycle it. A decompressed stream is counted on a goroutine of its
// own (staged) when there are other cores: the goroutine decoding zstd or
// single-member gzip is the slowest stage of such a read, and counting
// took 5% of it. On one core the stage would only add a hand-off and a
// chunk in flight (the seed `--no-enrich` over `mix1g.zst`, one core:
// 1.057 -> 1.003 s by minimums).
type numbering struct {
	emit chunkEmitter
	next int  // the next line's number: the stage's while staged
	gone bool // the consumer went away (unstaged)

	items   chan numberItem // staged: to the stage, in stream order
	lines   chan int        // staged: answers to sync items
	stopped atomic.Bool     // staged: the consumer went away
	done    chan struct{}   // staged: the stage has returned
}

type numberItem struct {
	data []byte
	skip int  // lines passed over without a chunk (a skipped over-long line)
	sync bool // answer with the next line's number
}

func newNumbering(emit chunkEmitter, staged bool) *numbering {
	n := &numbering{emit: emit, next: 1}
	if staged {
		// one chunk queued: each more is a MiB beside the chunks read
		// ahead (four queued took the seed's peak RSS over randfalcon's
		// gzip from 132-140 MB to 140-149)
		n.items, n.lines, n.done = make(chan numberItem, 1), make(chan int), make(chan struct{})
		go n.stage()
	}
	return n
}

func (n *numbering) stage() {
	defer close(n.done)
	for it := range n.items {
		switch {
		case it.sync:
			n.lines <- n.next
		case it.data != nil:
			n.number(it.data)
			n.stopped.Store(n.gone)
		default:
			n.next += it.skip
		}
	}
}

// number counts data's lines and emits it, unless the consumer has gone.
func (n *numbering) number(data []byte) {
	if n.gone {
		return
	}
	lines := bytes.Count(data, []byte{'\n'})
	if !n.emit(data, n.next) {
		n.gone = true
	}
	n.next += lines
}

// put hands data on (not empty); false once the consumer has gone (when
// staged, it may learn so a chunk late).
func (n *numbering) put(data []byte) bool {
	if n.items == nil {
		n.number(data)
		return !n.gone
	}
	if n.stopped.Load() {
		return false
	}
	n.items <- numberItem{data: data}
	return true
}

// skip counts lines passed over.
func (n *numbering) skip(lines int) {
	if n.items == nil {
		n.next += lines
		return
	}
	n.items <- numberItem{skip: lines}
}

// line returns the next line's number, every chunk put counted.
func (n *numbering) line() int {
	if n.items == nil {
		return n.next
	}
	n.items <- numberItem{sync: true}
	return <-n.lines
}

// close returns once every chunk put has been emitted (or dropped, the
// consumer gone): the caller may close what the emitter sends to. Closing
// again does nothing.
func (n *numbering) close() {
	if n.items != nil {
		close(n.items)
		<-n.done
		n.items = nil
	}
}
