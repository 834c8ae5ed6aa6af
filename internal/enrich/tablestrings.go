package enrich

import (
	"hash/maphash"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
)

// tableStrings numbers the strings of all shards of an unbounded
// (file-mode) process table. A process's name or user SID repeats across
// shards: with a table per shard, 64 copies of 5,000 SIDs filled most of
// the 32 MiB process budget and spilled processes to disk that would have
// fit. Strings are never dropped: an unbounded table evicts nothing.
//
// Numbering a new string takes one of a few stripe locks; numbering one
// seen before usually takes none (each stripe publishes its strings in a
// map never written again), and reading a number's string takes none: a
// reader got the number from a shard's columns under that shard's lock,
// which the writer released after the string was stored.
type tableStrings struct {
	seed    maphash.Seed
	parts   int // shards sharing the table: each is charged its share
	bytes   atomic.Int64
	stripes [stringStripes]stringStripe
}

const (
	stripeBits    = 3
	stringStripes = 1 << stripeBits
	pageBits      = 12
	pageSize      = 1 << pageBits
)

type stringStripe struct {
	// seen is published whole and never written again: a string numbered
	// before it was published is found without the lock, which workers
	// looking up the same few names would otherwise take in turn.
	seen   atomic.Pointer[map[string]strID]
	mu     sync.Mutex
	recent map[string]strID                    // numbered since seen was published
	n      uint32                              // strings numbered, 1 to n
	pages  atomic.Pointer[[]*[pageSize]string] // replaced whole when it grows
	_      [64]byte                            // stripes locked by different workers share no cache line
}

func newTableStrings(parts int) *tableStrings {
	return &tableStrings{seed: maphash.MakeSeed(), parts: max(parts, 1)}
}

// id returns s's number, adding a copy of s (it may point into an input
// buffer) when it is new. Safe for concurrent use.
func (t *tableStrings) id(s string) strID {
	if s == "" {
		return 0
	}
	stripe := maphash.String(t.seed, s) & (stringStripes - 1)
	st := &t.stripes[stripe]
	if id, ok := st.published(s); ok {
		return id
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if id, ok := st.recent[s]; ok {
		return id
	}
	if id, ok := st.published(s); ok {
		return id // published since the look above
	}
	st.n++
	local := st.n
	var pages []*[pageSize]string
	if p := st.pages.Load(); p != nil {
		pages = *p
	}
	if page := int(local >> pageBits); page >= len(pages) {
		grown := append(pages[:len(pages):len(pages)], new([pageSize]string))
		st.pages.Store(&grown)
		pages = grown
	}
	s = strings.Clone(s)
	pages[local>>pageBits][local&(pageSize-1)] = s
	id := strID(local<<stripeBits | uint32(stripe))
	if st.recent == nil {
		st.recent = map[string]strID{}
	}
	st.recent[s] = id
	t.bytes.Add(int64(len(s) + stringCost))
	st.publish()
	return id
}

// published looks s up in what the stripe published.
func (st *stringStripe) published(s string) (strID, bool) {
	m := st.seen.Load()
	if m == nil {
		return 0, false
	}
	id, ok := (*m)[s]
	return id, ok
}

// publish makes the recent strings readable without the lock once they
// are half as many as those published: the published map grows by half
// each time, so a string is copied about three times in all. The caller
// holds the lock.
func (st *stringStripe) publish() {
	var old map[string]strID
	if p := st.seen.Load(); p != nil {
		old = *p
	}
	if 2*len(st.recent) < len(old) {
		return
	}
	all := union(old, st.recent)
	st.seen.Store(&all)
	clear(st.recent)
}

// str returns the string numbered id.
func (t *tableStrings) str(id strID) string {
	if id == 0 {
		return ""
	}
	local := uint32(id) >> stripeBits
	pages := *t.stripes[id&(stringStripes-1)].pages.Load()
	return pages[local>>pageBits][local&(pageSize-1)]
}

// union is a new map holding a's entries and b's, b's winning: what a
// table publishes to be read without its lock.
func union[K comparable, V any](a, b map[K]V) map[K]V {
	m := make(map[K]V, len(a)+len(b))
	maps.Copy(m, a)
	maps.Copy(m, b)
	return m
}

// share is what one shard is charged for the table's strings.
func (t *tableStrings) share() int {
	return int(t.bytes.Load()) / t.parts
}
