package enrich

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// entries lists what t holds, for comparisons.
func (t *pidTable) entries() map[uint64]uint64 {
	m := map[uint64]uint64{}
	for _, s := range t.slots {
		if s.groups != 0 {
			m[s.pid] = s.groups
		}
	}
	return m
}

// A pidTable answers as the map it was made of, for ids present and
// absent, pid 0 and ids that share a home slot, at every fill.
func TestPidTableAnswersAsItsMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	for _, n := range []int{0, 1, 5, 6, 7, 100, 3000, 70000} {
		m := map[uint64]uint64{}
		for len(m) < n {
			pid := rng.Uint64N(4_000_000_000) + 4_000_000_000
			if len(m) == 1 {
				pid = 0
			}
			m[pid] = 1 << rng.IntN(64)
		}
		m[123] = 0 // no groups: not a carrier
		tab := newPidTable(m)
		delete(m, 123)
		if diff := cmp.Diff(m, tab.entries()); diff != "" {
			t.Fatalf("%d ids: (-map +table):\n%s", n, diff)
		}
		for pid, g := range m {
			if got := tab.get(pid); got != g {
				t.Fatalf("%d ids: get(%d) = %x, want %x", n, pid, got, g)
			}
		}
		for range 1000 {
			pid := rng.Uint64()
			if got := tab.get(pid); got != m[pid] {
				t.Fatalf("%d ids: get(%d) = %x, want %x", n, pid, got, m[pid])
			}
		}
		if tab.n != len(m) || tab.n*4 > len(tab.slots)*3 {
			t.Fatalf("%d ids: %d held in %d slots", n, tab.n, len(tab.slots))
		}
	}
}
