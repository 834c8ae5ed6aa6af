package enrich

import (
	"math/bits"
	"sync"
)

// procKey identifies a process: Falcon process ids are unique per sensor.
type procKey struct {
	aid string
	pid uint64
}

// procInfo is all that is kept per process: what context events borrow from
// their acting process. Strings are interned per shard.
type procInfo struct {
	name       string // base file name of the image
	cmdline    string
	parentName string // ParentBaseFileName as reported
	parentPID  uint64 // to find the parent's name when ParentBaseFileName is absent
	userSid    string
	userName   string
	authID     string
}

// fill copies into p the fields it lacks from q, so duplicates and a
// SyntheticProcessRollup2 next to a ProcessRollup2 merge whatever order they
// arrive in.
func (p *procInfo) fill(q *procInfo) {
	fillStr(&p.name, q.name)
	fillStr(&p.cmdline, q.cmdline)
	fillStr(&p.parentName, q.parentName)
	fillStr(&p.userSid, q.userSid)
	fillStr(&p.userName, q.userName)
	fillStr(&p.authID, q.authID)
	if p.parentPID == 0 {
		p.parentPID = q.parentPID
	}
}

func fillStr(dst *string, src string) {
	if *dst == "" {
		*dst = src
	}
}

// procTable is a sharded map of processes. With a limit each shard evicts its
// least recently used entry, so memory follows live processes, not events.
type procTable struct {
	shards []procShard
	shift  uint
}

type procShard struct {
	mu      sync.RWMutex
	index   map[procKey]int32
	slots   []procSlot
	head    int32 // most recently used, -1 when empty
	tail    int32 // least recently used
	limit   int   // 0: unbounded
	evicted int64
	strs    interner
}

type procSlot struct {
	key        procKey
	info       procInfo
	prev, next int32
}

// newProcTable builds a table of about shards shards (a power of two) holding
// at most max entries in total (0: unbounded).
func newProcTable(shards, max int) *procTable {
	if shards <= 0 {
		shards = 64
	}
	if max > 0 && shards > max {
		shards = max
	}
	n := 1 << (bits.Len(uint(shards)) - 1) // round down to a power of two
	t := &procTable{shards: make([]procShard, n), shift: uint(64 - bits.Len(uint(n-1)))}
	per := 0
	if max > 0 {
		per = max / n
	}
	for i := range t.shards {
		s := &t.shards[i]
		s.index = make(map[procKey]int32)
		s.head, s.tail = -1, -1
		s.limit = per
	}
	return t
}

func (t *procTable) shard(k procKey) *procShard {
	if len(t.shards) == 1 {
		return &t.shards[0]
	}
	// Falcon process ids are not uniformly distributed in their low bits;
	// Fibonacci hashing spreads them.
	return &t.shards[(k.pid*0x9E3779B97F4A7C15)>>t.shift]
}

// put records or merges a process and reports whether it was new.
func (t *procTable) put(k procKey, info *procInfo) bool {
	s := t.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.index[k]; ok {
		slot := &s.slots[i]
		slot.info.fill(s.internInfo(info))
		s.moveToFront(i)
		return false
	}
	k.aid = s.strs.get(k.aid)
	in := s.internInfo(info)
	var i int32
	if s.limit > 0 && len(s.index) >= s.limit {
		i = s.tail
		s.unlink(i)
		delete(s.index, s.slots[i].key)
		s.evicted++
		s.slots[i] = procSlot{key: k, info: *in}
	} else {
		i = int32(len(s.slots))
		s.slots = append(s.slots, procSlot{key: k, info: *in})
	}
	s.index[k] = i
	s.pushFront(i)
	return true
}

func (s *procShard) internInfo(p *procInfo) *procInfo {
	p.name = s.strs.get(p.name)
	p.cmdline = s.strs.get(p.cmdline)
	p.parentName = s.strs.get(p.parentName)
	p.userSid = s.strs.get(p.userSid)
	p.userName = s.strs.get(p.userName)
	p.authID = s.strs.get(p.authID)
	return p
}

// get returns a copy of a process's info. touch marks it recently used
// (stream mode); file mode reads under a shared lock.
func (t *procTable) get(k procKey, touch bool) (procInfo, bool) {
	s := t.shard(k)
	if touch {
		s.mu.Lock()
		defer s.mu.Unlock()
		i, ok := s.index[k]
		if !ok {
			return procInfo{}, false
		}
		s.moveToFront(i)
		return s.slots[i].info, true
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	i, ok := s.index[k]
	if !ok {
		return procInfo{}, false
	}
	return s.slots[i].info, true
}

// size reports the number of processes held and how many were evicted.
func (t *procTable) size() (n int, evicted int64) {
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.RLock()
		n += len(s.index)
		evicted += s.evicted
		s.mu.RUnlock()
	}
	return n, evicted
}

func (s *procShard) pushFront(i int32) {
	s.slots[i].prev = -1
	s.slots[i].next = s.head
	if s.head >= 0 {
		s.slots[s.head].prev = i
	}
	s.head = i
	if s.tail < 0 {
		s.tail = i
	}
}

func (s *procShard) unlink(i int32) {
	p, n := s.slots[i].prev, s.slots[i].next
	if p >= 0 {
		s.slots[p].next = n
	} else {
		s.head = n
	}
	if n >= 0 {
		s.slots[n].prev = p
	} else {
		s.tail = p
	}
}

func (s *procShard) moveToFront(i int32) {
	if s.head == i {
		return
	}
	s.unlink(i)
	s.pushFront(i)
}
