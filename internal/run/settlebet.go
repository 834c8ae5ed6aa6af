package run

import (
	"bytes"
	"slices"
	"sync"

	"github.com/tiercel/tiercel/internal/enrich"
)

// betSettler is an enricher a settler can bet with (processBets).
type betSettler interface {
	ContextProcessFallsBack(name, aid, pid []byte) (uint64, bool)
	LearnedProcessName(aid string, pid uint64) string
}

// processBets records the processes of the lines a learning read rejected
// on a bet: their acting process was not known yet, and with the
// ContextProcessName it gets if it never is (its ContextBaseFileName, or
// none without one) the prefilter rejected them. Without the bet such
// lines are kept until learning ends; on input whose process starts are
// elsewhere (or come after their events) they were most of what a search
// kept. The bet is lost when one of these processes was learned after all
// with a name the prefilter's tests of the field may accept on a line of
// the event name bet on; the search then reads the input again, as
// learning first would have.
type processBets struct {
	mu    sync.Mutex
	procs map[betGroup][]uint64 // pids by sensor and event name, repeats possible
}

// betGroup is the sensor and event name ("" when the line's is not plain)
// of bets.
type betGroup struct{ aid, name string }

// maxProcessBets bounds the processes a worker records: past it lines
// whose process is unknown are kept again (and spilled, or the input read
// twice), so memory does not grow with the input.
const maxProcessBets = 1 << 20

// betBook is one worker's record, merged into the search's at the end.
// A process has many events: a small table of the keys recorded last
// keeps most repeats out of the list, which a map per key cost a third
// of the bet's time to keep exact (its growth most of it).
type betBook struct {
	all    *processBets
	aids   betNames
	names  betNames
	keys   []betKey
	recent [1 << 10]betKey
}

type betKey struct {
	aid  uint32 // 1 + index in the aids: 0 is an empty recent entry
	name uint32 // 1 + index in the names: 0 when not plain
	pid  uint64
}

// betNames numbers the sensors or event names of a book's bets, the last
// one remembered: a worker's lines come in runs of one sensor.
type betNames struct {
	ids  map[string]uint32
	list []string
	last []byte
	id   uint32
}

// number returns s's number (1 + its index), 0 for nil.
func (n *betNames) number(s []byte) uint32 {
	if s == nil {
		return 0
	}
	if n.id != 0 && bytes.Equal(s, n.last) {
		return n.id
	}
	id, ok := n.ids[string(s)]
	if !ok {
		if n.ids == nil {
			n.ids = map[string]uint32{}
		}
		n.list = append(n.list, string(s))
		id = uint32(len(n.list))
		n.ids[n.list[id-1]] = id
	}
	n.id, n.last = id, append(n.last[:0], s...)
	return id
}

func (n *betNames) name(id uint32) string {
	if id == 0 {
		return ""
	}
	return n.list[id-1]
}

func (b *processBets) book() *betBook {
	return &betBook{all: b}
}

// add records the process, of a line of event name name (nil when not
// plain); false when the book is full, so the line must be kept.
func (k *betBook) add(aid, name []byte, pid uint64) bool {
	key := betKey{k.aids.number(aid), k.names.number(name), pid}
	h := (pid*0x9E3779B97F4A7C15 ^ uint64(key.aid) ^ uint64(key.name)<<32) >> (64 - 10)
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
		b.procs = map[betGroup][]uint64{}
	}
	for _, key := range k.keys {
		g := betGroup{k.aids.name(key.aid), k.names.name(key.name)}
		b.procs[g] = append(b.procs[g], key.pid)
	}
	k.keys = nil
}

// lost reports, once learning is over and every book closed, whether a
// process bet on was learned with a name may accept on a line of the
// event name bet on.
func (b *processBets) lost(e betSettler, may func(eventName, value string) bool) bool {
	for g, pids := range b.procs {
		slices.Sort(pids)
		for i, pid := range pids {
			if i > 0 && pid == pids[i-1] {
				continue
			}
			if may(g.name, e.LearnedProcessName(g.aid, pid)) {
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
	return bets.lost(l.(betSettler), p.valueMayPassAs(enrich.FieldContextProcessName))
}
