package engine

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/event"
)

// rowSorter sorts rows added after a sorted front as one stable sort of
// all would: in order, reversed, or shuffled, with ties, absent keys and
// a front of any length.
func TestRowSorterIsAStableSort(t *testing.T) {
	keys := []sortKey{{field: "t", desc: true, typ: "number"}}
	shapes := map[string]func(i, n int, rng *rand.Rand) string{
		"ascending":  func(i, n int, rng *rand.Rand) string { return strconv.Itoa(i / 3) },
		"descending": func(i, n int, rng *rand.Rand) string { return strconv.Itoa((n - i) / 3) },
		"shuffled":   func(i, n int, rng *rand.Rand) string { return strconv.Itoa(rng.IntN(n / 4)) },
		"absent": func(i, n int, rng *rand.Rand) string {
			if rng.IntN(4) == 0 {
				return ""
			}
			return strconv.Itoa(i / 2)
		},
	}
	for name, value := range shapes {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			const n = 500
			var rows []*event.Event
			for i := range n {
				e := ev("i", strconv.Itoa(i))
				if v := value(i, n, rng); v != "" {
					e.Set("t", v)
				}
				rows = append(rows, e)
			}
			want := slices.Clone(rows)
			slices.SortStableFunc(want, func(a, b *event.Event) int {
				x, y := make([]sortVal, 1), make([]sortVal, 1)
				sortValsOf(a, keys, x)
				sortValsOf(b, keys, y)
				return compareVals(keys, x, y)
			})
			// sorted whole, and in steps: each step's rows added after the
			// front the last step sorted
			for _, step := range []int{n, 1, 7, 64, 200} {
				var s rowSorter
				got := []*event.Event{}
				for from := 0; from < n; from += step {
					got = append(got, rows[from:min(from+step, n)]...)
					s.sort(got, keys)
				}
				if diff := cmp.Diff(render(want), render(got)); diff != "" {
					t.Fatalf("step %d: rows differ from a stable sort (-want +got):\n%s", step, diff)
				}
				if s.n != n || len(s.vals) != n {
					t.Fatalf("step %d: %d rows and %d keys kept for %d rows", step, s.n, len(s.vals), n)
				}
			}
		})
	}
}
