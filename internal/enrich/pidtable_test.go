package enrich

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// groupEntries lists what a table's slots hold, for comparisons.
func groupEntries[K comparable](slots []groupSlot[K]) map[K]uint64 {
	m := map[K]uint64{}
	for _, s := range slots {
		if s.groups != 0 {
			m[s.key] = s.groups
		}
	}
	return m
}

// randomGroupLists splits n keys drawn by key into lists, some keys listed
// again with other groups, some with none; want is what a table of them
// holds (groups ORed, keys with none left out).
func randomGroupLists[K comparable](rng *rand.Rand, n, lists int, key func() K) (out [][]groupSlot[K], want map[K]uint64) {
	want = map[K]uint64{}
	out = make([][]groupSlot[K], lists)
	var keys []K
	for len(keys) < n {
		k := key()
		if _, dup := want[k]; dup {
			continue
		}
		want[k] = 0
		keys = append(keys, k)
	}
	for _, k := range keys {
		for range 1 + rng.IntN(3) { // listed up to three times, in any list
			g := uint64(1) << rng.IntN(64)
			if rng.IntN(8) == 0 {
				g = 0 // listed without groups: not a carrier by this entry
			}
			l := rng.IntN(lists)
			out[l] = append(out[l], groupSlot[K]{k, g})
			want[k] |= g
		}
	}
	for k, g := range want {
		if g == 0 {
			delete(want, k)
		}
	}
	return out, want
}

// checkFill fails when a table of n keys is fuller than three quarters or
// larger than a table for all the entries listed needs.
func checkFill(t *testing.T, name string, n, listed, size int) {
	t.Helper()
	if n*4 > size*3 || size > 8 && max(n, listed)*4 <= size/2*3 {
		t.Fatalf("%s: %d keys (%d listed) in %d slots", name, n, listed, size)
	}
}

// A pidTable answers as the lists it was made of and added, the groups of
// a repeated id ORed: for ids present and absent, pid 0 and ids that
// share a home slot, at every fill, growing as ids are added and no
// larger than its lists need.
func TestPidTableAnswersAsItsLists(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	for _, n := range []int{0, 1, 5, 6, 7, 100, 3000, 70000} {
		first := true
		lists, want := randomGroupLists(rng, n, 3, func() uint64 {
			if first {
				first = false
				return 0
			}
			return rng.Uint64N(4_000_000_000) + 4_000_000_000
		})
		// laid out from the first list, the others added (growing it)
		tab := newPidTable(lists[0])
		tab.add(pidHome, lists[1:]...)
		if diff := cmp.Diff(want, groupEntries(tab.slots)); diff != "" {
			t.Fatalf("%d ids: (-want +table):\n%s", n, diff)
		}
		for pid, g := range want {
			if got := tab.get(pid); got != g {
				t.Fatalf("%d ids: get(%d) = %x, want %x", n, pid, got, g)
			}
		}
		for range 1000 {
			pid := rng.Uint64()
			if got := tab.get(pid); got != want[pid] {
				t.Fatalf("%d ids: get(%d) = %x, want %x", n, pid, got, want[pid])
			}
		}
		if tab.n != len(want) {
			t.Fatalf("%d ids: n = %d, want %d", n, tab.n, len(want))
		}
		checkFill(t, "pids", tab.n, listed(lists), len(tab.slots))
	}
}

// procGroups does the same for processes: one id on several sensors is
// several keys.
func TestProcGroupsAnswerAsTheirLists(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for _, n := range []int{0, 1, 9, 500, 70000} {
		lists, want := randomGroupLists(rng, n, 2, func() procKey {
			return procKey{uint32(1 + rng.IntN(40)), 4_000_000_000 + rng.Uint64N(uint64(n)+10)}
		})
		tab := newProcGroups(lists...)
		if diff := cmp.Diff(want, groupEntries(tab.slots), cmp.AllowUnexported(procKey{})); diff != "" {
			t.Fatalf("%d processes: (-want +table):\n%s", n, diff)
		}
		for k, g := range want {
			if got := tab.get(k); got != g {
				t.Fatalf("%d processes: get(%v) = %x, want %x", n, k, got, g)
			}
			other := procKey{k.aid + 100, k.pid}
			if got := tab.get(other); got != 0 {
				t.Fatalf("%d processes: get(%v) = %x for a sensor never listed", n, other, got)
			}
		}
		if tab.n != len(want) {
			t.Fatalf("%d processes: n = %d, want %d", n, tab.n, len(want))
		}
		checkFill(t, "processes", tab.n, listed(lists), len(tab.slots))
	}
}
