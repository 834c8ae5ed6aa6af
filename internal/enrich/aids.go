package enrich

import (
	"strings"
	"sync"
	"sync/atomic"
)

// aidTable numbers sensor ids so process keys hold a uint32 instead of a
// string. There are as many aids as hosts, so it is small; it is bounded
// all the same against garbage input, and a full table stops numbering
// (events of unnumbered aids get no process context).
//
// Every process start and settled candidate looks its aid up, from every
// worker: a read lock there is a write to one shared cache line. Lookups
// read a published map without locking; aids numbered since are in dirty,
// under mu, and are published once looking them up there has cost about
// as much as copying the table (as sync.Map promotes its dirty map).
type aidTable struct {
	read   atomic.Pointer[map[string]uint32]
	mu     sync.Mutex
	dirty  map[string]uint32
	misses int
	n      int
	limit  int
	// pending is len(dirty): with none, an aid the published map lacks
	// is not numbered at all, and looking it up takes no lock (on input
	// whose processes never start, every settled candidate's aid missed,
	// under the lock both workers took)
	pending atomic.Int32
}

const maxAids = 1 << 22

func newAidTable() *aidTable {
	t := &aidTable{dirty: map[string]uint32{}, limit: maxAids}
	t.read.Store(&map[string]uint32{})
	return t
}

// lookup returns aid's number without adding it.
func (t *aidTable) lookup(aid string) (uint32, bool) {
	if id, ok := (*t.read.Load())[aid]; ok || t.pending.Load() == 0 {
		return id, ok
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lookupDirty(aid)
}

// published is lookup without the lock: an aid numbered since the table
// last published may be missed.
func (t *aidTable) published(aid string) (uint32, bool) {
	id, ok := (*t.read.Load())[aid]
	return id, ok
}

// lookupBytes is lookup for a raw JSON value, without copying it.
func (t *aidTable) lookupBytes(aid []byte) (uint32, bool) {
	if id, ok := (*t.read.Load())[string(aid)]; ok || t.pending.Load() == 0 {
		return id, ok
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lookupDirty(string(aid))
}

// lookupDirty looks aid up past the published map; t.mu is held.
func (t *aidTable) lookupDirty(aid string) (uint32, bool) {
	read := *t.read.Load()
	if id, ok := read[aid]; ok { // published meanwhile
		return id, true
	}
	id, ok := t.dirty[aid]
	if len(t.dirty) > 0 {
		if t.misses++; t.misses >= len(read)+len(t.dirty) {
			t.publish(read)
		}
	}
	return id, ok
}

// publish makes every numbered aid readable without the lock.
func (t *aidTable) publish(read map[string]uint32) {
	m := union(read, t.dirty)
	t.read.Store(&m)
	t.dirty, t.misses = map[string]uint32{}, 0
	t.pending.Store(0)
}

// number returns aid's number, adding it if there is room.
func (t *aidTable) number(aid string) (uint32, bool) {
	if id, ok := (*t.read.Load())[aid]; ok {
		return id, true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if id, ok := t.lookupDirty(aid); ok {
		return id, true
	}
	if t.n >= t.limit {
		return 0, false
	}
	id := uint32(t.n)
	t.n++
	t.dirty[strings.Clone(aid)] = id
	t.pending.Store(int32(len(t.dirty)))
	return id, true
}
