package enrich

import (
	"math/bits"
	"sync/atomic"
	"unsafe"
)

// The process index of a shard maps a process key to its slot. It is read
// on every context event and written on every process start, so it is an
// open-addressing table of its own (linear probing) rather than a Go map:
// one probe run, usually one cache line, finds a key or the place to put
// it. An entry holds 32 bits of a mix of the key beside the slot, 8 bytes
// in all; the slot's own key confirms a hit, so keys whose tags collide
// simply share a probe run.

func mixKey(k procKey) uint64 {
	// for one sensor a bijection of the pid: two keys collide only across
	// sensors
	return k.pid*0x9E3779B97F4A7C15 ^ uint64(k.aid)*0xC2B2AE3D27D4EB4F
}

// procIndex is the table: a power-of-two number of entries, at most three
// quarters used.
type procIndex struct {
	ents  []indexEntry
	n     int
	shift uint // 64 - log2(len(ents))
	// where ents lies and its shift, read without the shard's lock to
	// prefetch a key's home (procTable.prefetch): a stale pair only
	// prefetches a line of no use
	hintAt    atomic.Uintptr
	hintShift atomic.Uint32
}

type indexEntry struct {
	tag  uint32 // tagOf the key
	slot int32  // 1 + the slot; 0: empty
}

// tagOf is the bits of a key's mix an entry keeps: the low ones, which for
// one sensor are a bijection of the pid's low 32 bits (Falcon's pids differ
// there), and are not the ones the shard was chosen by.
func tagOf(k procKey) uint32 { return uint32(mixKey(k)) }

const minIndexEntries = 16

// home is where a tag's probe run starts. The shard was chosen from the
// top bits of another hash of the key: the tag is mixed again, so keys of
// one shard still spread.
func (x *procIndex) home(tag uint32) int { return homeOf(tag, x.shift) }

func homeOf(tag uint32, shift uint) int { return int((uint64(tag) * 0xBF58476D1CE4E5B9) >> shift) }

// prefetch brings in the index entry where k's probe starts, ahead of the
// put or lookup that takes the shard's lock: over 645 k process starts
// that first probe was a cache miss nearly every time, half of what a put
// cost.
func (t *procTable) prefetch(k procKey) {
	if at := t.homeAddr(k); at != 0 {
		prefetch(at)
	}
}

// homeAddr is the address of k's home entry as the hints tell it (0
// before the shard's index has any).
func (t *procTable) homeAddr(k procKey) uintptr {
	x := &t.shards[t.shardIndex(k)].index
	at := x.hintAt.Load()
	if at == 0 {
		return 0
	}
	return at + uintptr(homeOf(tagOf(k), uint(x.hintShift.Load())))*unsafe.Sizeof(indexEntry{})
}

// find returns k's slot.
func (s *procShard) find(k procKey) (int32, bool) {
	x := &s.index
	if x.n == 0 {
		return 0, false
	}
	h, mask := tagOf(k), len(x.ents)-1
	for j := x.home(h); ; j = (j + 1) & mask {
		e := &x.ents[j]
		if e.slot == 0 {
			return 0, false
		}
		if e.tag == h && s.slot(e.slot-1).key == k {
			return e.slot - 1, true
		}
	}
}

// bind records that k, not indexed yet, lives in slot i.
func (s *procShard) bind(k procKey, i int32) {
	x := &s.index
	if (x.n+1)*4 > len(x.ents)*3 {
		x.grow()
	}
	x.insert(indexEntry{tagOf(k), i + 1})
	x.n++
}

func (x *procIndex) insert(e indexEntry) {
	mask := len(x.ents) - 1
	j := x.home(e.tag)
	for x.ents[j].slot != 0 {
		j = (j + 1) & mask
	}
	x.ents[j] = e
}

// grow doubles the table.
func (x *procIndex) grow() {
	old := x.ents
	n := max(minIndexEntries, 2*len(old))
	x.ents = make([]indexEntry, n)
	writeEachPage(x.ents)
	x.shift = uint(64 - bits.TrailingZeros(uint(n)))
	x.hintAt.Store(uintptr(unsafe.Pointer(unsafe.SliceData(x.ents))))
	x.hintShift.Store(uint32(x.shift))
	for _, e := range old {
		if e.slot != 0 {
			x.insert(e)
		}
	}
}

// writeEachPage writes to every page of a table fresh from the heap before
// the probes of its inserts read it: a page the kernel first maps for a
// read is the shared zero page, and the write after it faults again and
// stops the other cores to flush it from their TLBs (most of the process
// table's page faults, each an interrupt of every core in a VM).
func writeEachPage(ents []indexEntry) {
	const perPage = 4096 / int(unsafe.Sizeof(indexEntry{}))
	for i := 0; i < len(ents); i += perPage {
		ents[i] = indexEntry{}
	}
}

// unbind forgets k, whose slot still holds it. The entries after it in
// its probe run move back into the hole (no tombstones: lookups of absent
// keys stay short however many processes come and go).
func (s *procShard) unbind(k procKey) {
	i, ok := s.find(k)
	if !ok {
		return
	}
	x := &s.index
	h, mask := tagOf(k), len(x.ents)-1
	j := x.home(h)
	for x.ents[j].slot != i+1 {
		j = (j + 1) & mask
	}
	for m := (j + 1) & mask; x.ents[m].slot != 0; m = (m + 1) & mask {
		// the entry at m may fill the hole at j if its run starts at or
		// before j (cyclically)
		if (m-x.home(x.ents[m].tag))&mask >= (m-j)&mask {
			x.ents[j] = x.ents[m]
			j = m
		}
	}
	x.ents[j] = indexEntry{}
	x.n--
}

// entries is the number of processes indexed.
func (s *procShard) entries() int { return s.index.n }

// each calls fn with every indexed process and its slot.
func (s *procShard) each(fn func(k procKey, i int32)) {
	for _, e := range s.index.ents {
		if e.slot != 0 {
			fn(s.slot(e.slot-1).key, e.slot-1)
		}
	}
}
