package engine

import "math/bits"

// litTriggers maps the ids of a literal set to the candidate programs each
// triggers (nameEntry.by), looked up for every literal a located value
// holds, on every line a dispatch matches: an open-addressing table of
// ids, at most half full, beside their lists. A Go map's lookups were 4%
// of a hunt of the SigmaHQ-repository rules over randfalcon's `linked`.
type litTriggers struct {
	ids   []int32 // 1 + the literal's id; 0: free
	lists [][]int32
	shift uint // 64 - log2(len(ids))
}

func newLitTriggers(m map[int32][]int32) litTriggers {
	size := 8
	for size < 2*len(m) {
		size *= 2
	}
	t := litTriggers{ids: make([]int32, size), lists: make([][]int32, size), shift: uint(64 - bits.TrailingZeros(uint(size)))}
	for id, l := range m {
		i := t.home(id)
		for t.ids[i] != 0 {
			i = (i + 1) & (size - 1)
		}
		t.ids[i], t.lists[i] = id+1, l
	}
	return t
}

func (t *litTriggers) home(id int32) int {
	return int((uint64(uint32(id)) * 0x9E3779B97F4A7C15) >> t.shift)
}

// get returns the programs literal id triggers (nil: none).
func (t *litTriggers) get(id int32) []int32 {
	mask := len(t.ids) - 1
	for i := t.home(id); ; i = (i + 1) & mask {
		switch t.ids[i] {
		case id + 1:
			return t.lists[i]
		case 0:
			return nil
		}
	}
}
