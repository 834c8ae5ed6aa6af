package run

import (
	"bytes"
	"slices"
	"sync"

	"github.com/tiercel/tiercel/internal/enrich"
)

// betSettler is an enricher a settler can bet with (processBets).
type betSettler interface {
	ContextProcessFallsBack(name, aid, pid, base []byte) (uint64, bool)
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
	procs map[string][]uint64 // pids by sensor, repeats possible
}

// maxProcessBets bounds the processes a worker records: past it lines
// whose process is unknown are kept again (and spilled, or the input read
// twice), so memory does not grow with the input.
const maxProcessBets = 1 << 20

// betBook is one worker's record, merged into the search's at the end.
// A process has many events: a small table of the keys recorded last
// keeps most repeats out of the list, which a map per key cost a third
// of the bet's time to keep exact (its growth most of it).
type betBook struct {
	all     *processBets
	aids    map[string]uint32 // sensor → index in names
	names   []string
	lastAid []byte // the sensor of the last bet, and its index
	last    uint32
	keys    []betKey
	recent  [1 << 10]betKey
}

type betKey struct {
	aid uint32 // 1 + index in names: 0 is an empty recent entry
	pid uint64
}

func (b *processBets) book() *betBook {
	return &betBook{all: b, aids: map[string]uint32{}}
}

// add records the process; false when the book is full, so the line must
// be kept.
func (k *betBook) add(aid []byte, pid uint64) bool {
	if k.last == 0 || !bytes.Equal(aid, k.lastAid) {
		id, ok := k.aids[string(aid)]
		if !ok {
			k.names = append(k.names, string(aid))
			id = uint32(len(k.names))
			k.aids[k.names[id-1]] = id
		}
		k.last, k.lastAid = id, append(k.lastAid[:0], aid...)
	}
	key := betKey{k.last, pid}
	h := (pid*0x9E3779B97F4A7C15 ^ uint64(key.aid)) >> (64 - 10)
	if k.recent[h] == key {
		return true
	}
	if len(k.keys) >= maxProcessBets {
		return false
	}
	k.recent[h] = key
	k.keys = append(k.keys, key)
	return true
}

// close merges k into the search's record.
func (k *betBook) close() {
	b := k.all
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.procs == nil {
		b.procs = map[string][]uint64{}
	}
	for _, key := range k.keys {
		aid := k.names[key.aid-1]
		b.procs[aid] = append(b.procs[aid], key.pid)
	}
	k.keys = nil
}

// lost reports, once learning is over and every book closed, whether a
// process bet on was learned with a name may accept.
func (b *processBets) lost(e betSettler, may func(value string) bool) bool {
	for aid, pids := range b.procs {
		slices.Sort(pids)
		for i, pid := range pids {
			if i > 0 && pid == pids[i-1] {
				continue
			}
			if may(e.LearnedProcessName(aid, pid)) {
				return true
			}
		}
	}
	return false
}

// betLost reports whether the bets of a learning search were lost: some
// process they were on was learned with a name a prefilter of p may
// accept.
func betLost(bets *processBets, l Learner, p *plan) bool {
	if bets == nil || len(bets.procs) == 0 {
		return false
	}
	return bets.lost(l.(betSettler), p.valueMayPass(enrich.FieldContextProcessName))
}
