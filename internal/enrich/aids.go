package enrich

import (
	"strings"
	"sync"
)

// aidTable numbers sensor ids so process keys hold a uint32 instead of a
// string. There are as many aids as hosts, so it is small; it is bounded
// all the same against garbage input, and a full table stops numbering
// (events of unnumbered aids get no process context).
type aidTable struct {
	mu    sync.RWMutex
	ids   map[string]uint32
	limit int
}

const maxAids = 1 << 22

func newAidTable() *aidTable { return &aidTable{ids: make(map[string]uint32), limit: maxAids} }

// lookup returns aid's number without adding it.
func (t *aidTable) lookup(aid string) (uint32, bool) {
	t.mu.RLock()
	id, ok := t.ids[aid]
	t.mu.RUnlock()
	return id, ok
}

// lookupBytes is lookup for a raw JSON value, without copying it.
func (t *aidTable) lookupBytes(aid []byte) (uint32, bool) {
	t.mu.RLock()
	id, ok := t.ids[string(aid)]
	t.mu.RUnlock()
	return id, ok
}

// number returns aid's number, adding it if there is room.
func (t *aidTable) number(aid string) (uint32, bool) {
	if id, ok := t.lookup(aid); ok {
		return id, true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if id, ok := t.ids[aid]; ok {
		return id, true
	}
	if len(t.ids) >= t.limit {
		return 0, false
	}
	id := uint32(len(t.ids))
	t.ids[strings.Clone(aid)] = id
	return id, true
}
