package enrich

import (
	"math/bits"
	"unsafe"
)

// pidTable maps process ids to the groups of literals their details hold
// (TextCarriers.pids), for the lookup a hunt's second read makes on every
// line: one array of key and value side by side, probed linearly, so a
// lookup reads one cache line where a Go map read two (its control word,
// then the slot). Over 645 k processes a map's lookups were 4% of a hunt
// of the SigmaHQ-repository rules. Groups are never 0: 0 marks a free
// slot.
type pidTable struct{ groupTable[uint64] }

// groupTable is the layout pidTable and procGroups share: keys and their
// groups side by side, probed linearly from a key's home slot.
type groupTable[K comparable] struct {
	slots []groupSlot[K]
	shift uint // 64 - log2(len(slots))
	n     int
}

// lookup returns key's groups, probing from home; 0 when it has none.
func (t *groupTable[K]) lookup(key K, home int) uint64 {
	if t.n == 0 {
		return 0
	}
	mask := len(t.slots) - 1
	for i := home; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.key == key || s.groups == 0 {
			return s.groups
		}
	}
}

// groupSlot is a key and its groups, in a table or in a list a table is
// made of.
type groupSlot[K comparable] struct {
	key    K
	groups uint64
}

// newPidTable makes the table of the entries of lists, the groups of an
// id listed more than once ORed (groups 0 are left out).
func newPidTable(lists ...[]groupSlot[uint64]) pidTable {
	t := pidTable{newGroupTable[uint64](listed(lists))}
	t.add(pidHome, lists...)
	return t
}

func pidHome(pid uint64, shift uint) int { return int((pid * 0x9E3779B97F4A7C15) >> shift) }

// get returns pid's groups, 0 when it has none.
func (t *pidTable) get(pid uint64) uint64 { return t.lookup(pid, pidHome(pid, t.shift)) }

// slotAddr is the address of pid's home slot, to prefetch.
func (t *pidTable) slotAddr(pid uint64) uintptr {
	return uintptr(unsafe.Pointer(&t.slots[pidHome(pid, t.shift)]))
}

// procGroups maps processes (sensor and id) to groups as pidTable does
// ids: processCarriers looks every process's parent up in it. A Go map
// keyed by the struct hashed it with the generic hash and grew as it
// filled: over 645 k processes, two thirds of a hunt's time between its
// reads.
type procGroups struct{ groupTable[procKey] }

func newProcGroups(lists ...[]groupSlot[procKey]) procGroups {
	t := procGroups{newGroupTable[procKey](listed(lists))}
	t.add(procHome, lists...)
	return t
}

func procHome(k procKey, shift uint) int {
	return int(((k.pid ^ uint64(k.aid)<<40 ^ uint64(k.aid)>>24) * 0x9E3779B97F4A7C15) >> shift)
}

// get returns k's groups, 0 when it has none.
func (t *procGroups) get(k procKey) uint64 { return t.lookup(k, procHome(k, t.shift)) }

// newGroupTable is an empty table for about n keys.
func newGroupTable[K comparable](n int) groupTable[K] {
	size := 8
	for size*3 < n*4 {
		size *= 2
	}
	return groupTable[K]{slots: make([]groupSlot[K], size), shift: uint(64 - bits.TrailingZeros(uint(size)))}
}

// add puts the entries of lists into t, ORing the groups of a key listed
// more than once, and doubles the table when it would be more than three
// quarters full.
func (t *groupTable[K]) add(home func(K, uint) int, lists ...[]groupSlot[K]) {
	for _, l := range lists {
		for len(l) > 0 {
			room := (len(t.slots)*3)/4 - t.n // new keys that fit
			if room <= 0 {
				grown := newGroupTable[K](2 * len(t.slots) * 3 / 4)
				grown.n = insertGroups(grown.slots, grown.shift, t.slots, home)
				*t = grown
				continue
			}
			part := l[:min(room, len(l))]
			t.n += insertGroups(t.slots, t.shift, part, home)
			l = l[len(part):]
		}
	}
}

// listed is the number of entries of lists.
func listed[K comparable](lists [][]groupSlot[K]) int {
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	return n
}

// insertGroups puts entries into slots and returns how many keys were new.
func insertGroups[K comparable](slots []groupSlot[K], shift uint, entries []groupSlot[K], home func(K, uint) int) int {
	mask, added := len(slots)-1, 0
	for _, e := range entries {
		if e.groups == 0 {
			continue
		}
		i := home(e.key, shift)
		for slots[i].groups != 0 && slots[i].key != e.key {
			i = (i + 1) & mask
		}
		if slots[i].groups == 0 {
			slots[i].key = e.key
			added++
		}
		slots[i].groups |= e.groups
	}
	return added
}
