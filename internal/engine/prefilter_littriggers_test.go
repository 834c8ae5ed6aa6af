package engine

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// A litTriggers answers as the map it was made of, for ids present and
// absent (0 among them), at every size.
func TestLitTriggersAnswerAsTheirMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	for _, n := range []int{0, 1, 3, 4, 5, 100, 5000} {
		m := map[int32][]int32{}
		for len(m) < n {
			id := rng.Int32N(int32(4*n + 1))
			m[id] = []int32{rng.Int32N(1000), int32(len(m))}
		}
		tab := newLitTriggers(m)
		for id := int32(0); id <= int32(4*n+8); id++ {
			if got, want := tab.get(id), m[id]; !slices.Equal(got, want) {
				t.Fatalf("%d ids: get(%d) = %v, want %v", n, id, got, want)
			}
		}
		if 2*n > len(tab.ids) {
			t.Fatalf("%d ids in %d slots: more than half full", n, len(tab.ids))
		}
	}
}
