package enrich

import "math/bits"

// pidTable maps process ids to the groups of literals their details hold
// (TextCarriers.pids), for the lookup a hunt's second read makes on every
// line: one array of key and value side by side, probed linearly, so a
// lookup reads one cache line where a Go map read two (its control word,
// then the slot). Over 645 k processes a map's lookups were 4% of a hunt
// of the SigmaHQ-repository rules. Groups are never 0: 0 marks a free
// slot.
type pidTable struct {
	slots []pidSlot
	shift uint // 64 - log2(len(slots))
	n     int
}

type pidSlot struct{ pid, groups uint64 }

// newPidTable freezes m (groups 0 are left out).
func newPidTable(m map[uint64]uint64) pidTable {
	size := 8
	for size*3 < len(m)*4 { // at most three quarters full
		size *= 2
	}
	t := pidTable{slots: make([]pidSlot, size), shift: uint(64 - bits.TrailingZeros(uint(size)))}
	for pid, g := range m {
		if g == 0 {
			continue
		}
		i := t.home(pid)
		for t.slots[i].groups != 0 {
			i = (i + 1) & (size - 1)
		}
		t.slots[i] = pidSlot{pid, g}
		t.n++
	}
	return t
}

func (t *pidTable) home(pid uint64) int { return int((pid * 0x9E3779B97F4A7C15) >> t.shift) }

// get returns pid's groups, 0 when it has none.
func (t *pidTable) get(pid uint64) uint64 {
	if t.n == 0 {
		return 0
	}
	mask := len(t.slots) - 1
	for i := t.home(pid); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.pid == pid || s.groups == 0 {
			return s.groups
		}
	}
}
