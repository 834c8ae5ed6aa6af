package engine

import (
	"math"
	"math/bits"
)

// GramCounts counts the grams of a sample of the input by their slot in a
// literal set's table (gramSlot). A set given them lists each literal
// under the gram of it seen least there: by the bytes alone, the
// literals of a thousand Sigma rules were listed under grams a command
// line is full of (of "powershell", of "\\windows\\"), and compared at
// each of their places.
type GramCounts struct{ n [1 << gramSlotBits]uint16 }

// Add counts the grams of sample.
func (g *GramCounts) Add(sample []byte) {
	for i := 0; i+gramLen <= len(sample); i++ {
		if s := gramSlot(sample[i:]); g.n[s] < math.MaxUint16 {
			g.n[s]++
		}
	}
}

// gramSeenCost is what each doubling of a gram's count in the sample adds
// to its likelihood: a gram seen a thousand times in a megabyte weighs as
// much as six bytes of the rarest kind turned into separators
// (ingest.ValueCommonness).
const gramSeenCost = 3

// cost is what the sample adds to the likelihood of a gram in slot
// (nothing without a sample).
func (g *GramCounts) cost(slot uint32) int {
	if g == nil {
		return 0
	}
	return gramSeenCost * bits.Len16(g.n[slot])
}
