package run

import (
	"context"
	"slices"
	"sync"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/enrich"
)

// carrierKeeper keeps, during a free-text search's learning read, the
// lines the strict prefilter rejects whose acting process TextWatch has
// marked: enrichment may give them a value holding a literal. The ids of
// the processes of the other rejected lines are recorded, so that once
// learning is done TextCarriers.Missed tells whether the input must be
// read again for lines rejected before their process was known.
type carrierKeeper struct {
	watch    *enrich.TextWatch
	rejected enrich.PidSet
	order    *seqOrder
}

// heldLine is a line of a chunk learned from, waiting to be filtered.
type heldLine struct {
	line   []byte
	lineNo int
	name   engine.EventName
}

// seqOrder lets a worker wait until every chunk before its own has been
// learned from. Chunks go to workers in order, so the ones it waits for
// are all being learned already: none waits on it.
type seqOrder struct {
	mu      sync.Mutex
	cond    *sync.Cond
	done    map[int64]bool // learned, beyond next
	next    int64          // every chunk before next is learned
	stopped bool
}

func newSeqOrder() *seqOrder {
	o := &seqOrder{done: map[int64]bool{}}
	o.cond = sync.NewCond(&o.mu)
	return o
}

// learned records that chunk seq is learned and waits until all chunks
// before it are; false when ctx ended first.
func (o *seqOrder) learned(ctx context.Context, seq int64) bool {
	stop := context.AfterFunc(ctx, func() {
		o.mu.Lock()
		o.stopped = true
		o.mu.Unlock()
		o.cond.Broadcast()
	})
	defer stop()
	o.mu.Lock()
	defer o.mu.Unlock()
	o.done[seq] = true
	for o.done[o.next] {
		delete(o.done, o.next)
		o.next++
	}
	o.cond.Broadcast()
	for o.next < seq && !o.stopped {
		o.cond.Wait()
	}
	return !o.stopped
}

// keeps reports whether a line the strict prefilter rejected must be kept.
func (k *carrierKeeper) keeps(line []byte) bool {
	pid, has, sure := actingPid(line)
	switch {
	case !sure:
		return true
	case !has:
		return false
	case k.watch.Marked(pid):
		return true
	}
	k.rejected.AddAtomic(pid)
	return false
}

// actingPid reads a raw line's ContextProcessId as TextCarriers does: has
// is false when the line names no acting process; sure is false when that
// cannot be told from the raw text (a value that is not a plain string of
// digits, or keys that may be written with \u escapes).
func actingPid(line []byte) (pid uint64, has, sure bool) {
	raw, found, plain := rawField(line, ctxProcessKey)
	switch {
	case !found:
		return 0, false, !engine.HasUnicodeEscape(line)
	case !plain:
		return 0, false, false
	}
	pid, ok := enrich.ParsePlainPID(raw)
	return pid, true, ok
}

var remoteIPKey = newRawKey("RemoteAddressIP4")

// resolvesToCarrier reports whether the event on line may get, as its
// DestinationHostname, a learned DNS answer holding a literal, or whether
// that cannot be told from the raw text (a value with escapes).
func resolvesToCarrier(line []byte, c *enrich.TextCarriers) bool {
	ip, found, plain := rawField(line, remoteIPKey)
	if !plain {
		return found
	}
	aid, found, plain := rawField(line, aidKey)
	if !plain {
		return found
	}
	return c.ResolvesTo(aid, ip)
}

// inlineSources is enrich.InlineSources for the engine's raw prefilters.
func inlineSources(field string) []engine.InlineSource {
	var out []engine.InlineSource
	for _, s := range enrich.InlineSources(field) {
		out = append(out, engine.InlineSource{Field: s.Field, Whole: s.Whole})
	}
	return out
}

var parentPIDKey = newRawKey("ParentProcessId")

// processCarries reports whether the process the line names under key
// (ContextProcessId: its acting process; ParentProcessId: a process
// start's parent, whose details are its Parent* fields), or its host,
// carries a learned value holding a literal; true when the raw text cannot
// tell. The process id alone rules most lines out before the aid is read.
func processCarries(line []byte, key rawKey, c *enrich.TextCarriers) bool {
	pid, found, plain := rawField(line, key)
	if found && !plain {
		return true
	}
	if !c.MayHold(pid) {
		return false
	}
	aid, found, plain := rawField(line, aidKey)
	if found && !plain {
		return true
	}
	return c.Has(aid, pid)
}

// secondReadGate gives each worker of a second read the test a line must
// pass: the strict prefilter accepted it (the first read kept it: known
// by chunk and line number, not tested again), or its raw fields hold a
// literal (any; with several programs dispatch, which asks only the
// programs the line's event name concerns instead of each in turn), or an
// enriched value learned elsewhere may hold one (carried).
func secondReadGate(kept []*candChunk, any *engine.Prefilter, dispatch *engine.Dispatch, c *enrich.TextCarriers) func() func(int64, string, int, []byte) bool {
	return func() func(int64, string, int, []byte) bool {
		match := any.Match
		if dispatch != nil {
			ds, hits := dispatch.NewState(), []int32(nil)
			match = func(line []byte) bool {
				hits = ds.Match(line, hits[:0])
				return len(hits) > 0
			}
		}
		return func(seq int64, source string, lineNo int, line []byte) bool {
			if seq < int64(len(kept)) && kept[seq] != nil && kept[seq].source == source {
				if _, found := slices.BinarySearch(kept[seq].lineNos, lineNo); found {
					return true
				}
			} else if match(line) {
				return true
			}
			return carried(line, c)
		}
	}
}

// carried reports whether the event on line may get, from a value
// enrichment learned elsewhere, a literal its raw text lacks: through the
// address it connects to (a DNS answer), its parent, its acting process or
// its host; true when the raw text cannot tell.
func carried(line []byte, c *enrich.TextCarriers) bool {
	return c.ByAddress() && resolvesToCarrier(line, c) ||
		c.ByProcess() && processCarries(line, parentPIDKey, c) ||
		processCarries(line, ctxProcessKey, c)
}
