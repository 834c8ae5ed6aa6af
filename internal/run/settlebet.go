package run

import (
	"sync"

	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/jsonenc"
)

// betSettler is an enricher a settler can bet with (processBets).
type betSettler interface {
	ContextProcessFallsBack(name, aid, pid, base []byte) bool
	LearnedProcessName(aid string, pid uint64) string
}

// processBets records the processes of the lines a learning read rejected
// on a bet: their acting process was not known yet, and with the
// ContextProcessName it gets if it never is (its ContextBaseFileName) the
// prefilter rejected them. Without the bet such lines are kept until
// learning ends; on input whose process starts are elsewhere (or come
// after their events) they were most of what a search kept. The bet is
// lost when one of these processes was learned after all with a name the
// prefilter's tests of the field may accept; the search then reads the
// input again, as learning first would have.
type processBets struct {
	mu    sync.Mutex
	procs map[string]map[uint64]struct{} // by sensor
	n     int
}

// maxProcessBets bounds the processes recorded: past it lines whose
// process is unknown are kept again (and spilled, or the input read
// twice), so memory does not grow with the input.
const maxProcessBets = 1 << 20

// betBook is one worker's record, merged into the search's at the end:
// workers do not share a map for every line they reject.
type betBook struct {
	all   *processBets
	procs map[string]map[uint64]struct{}
	n     int
}

func (b *processBets) book() *betBook {
	return &betBook{all: b, procs: map[string]map[uint64]struct{}{}}
}

// add records the process; false when the book is full, so the line must
// be kept.
func (k *betBook) add(aid []byte, pid uint64) bool {
	pids, ok := k.procs[string(aid)]
	if !ok {
		pids = map[uint64]struct{}{}
		k.procs[string(aid)] = pids
	}
	if _, ok := pids[pid]; ok {
		return true
	}
	if k.n >= maxProcessBets {
		return false
	}
	pids[pid] = struct{}{}
	k.n++
	return true
}

// close merges k into the search's record.
func (k *betBook) close() {
	b := k.all
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.procs == nil {
		b.procs = map[string]map[uint64]struct{}{}
	}
	for aid, pids := range k.procs {
		into, ok := b.procs[aid]
		if !ok {
			b.procs[aid] = pids
			b.n += len(pids)
			continue
		}
		for pid := range pids {
			if _, ok := into[pid]; !ok {
				into[pid] = struct{}{}
				b.n++
			}
		}
	}
	k.procs = nil
}

// lost reports, once learning is over and every book closed, whether a
// process bet on was learned with a name may accept.
func (b *processBets) lost(e betSettler, may func(value []byte) bool) bool {
	var buf []byte
	for aid, pids := range b.procs {
		for pid := range pids {
			n := e.LearnedProcessName(aid, pid)
			if n == "" {
				continue
			}
			buf = jsonenc.AppendString(buf[:0], n) // quoted: the contents are matched
			if may(buf[1 : len(buf)-1]) {
				return true
			}
		}
	}
	return false
}

// betLost reports whether the bets of a learning search were lost: some
// process they were on was learned with a name p's prefilter may accept.
func betLost(bets *processBets, l Learner, p *plan) bool {
	if bets == nil || len(bets.procs) == 0 {
		return false
	}
	slot := p.any.KeySlot(enrich.FieldContextProcessName)
	return bets.lost(l.(betSettler), func(v []byte) bool { return p.any.ValueMayPass(slot, v) })
}
