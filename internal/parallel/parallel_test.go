package parallel

import (
	"sync/atomic"
	"testing"
)

// Each calls fn once for every index, whatever the number of workers.
func TestEachCallsEveryIndexOnce(t *testing.T) {
	for _, tc := range []struct{ n, workers int }{{0, 4}, {1, 4}, {7, 1}, {7, 3}, {100, 0}, {3, 10}} {
		calls := make([]atomic.Int32, tc.n)
		Each(tc.n, tc.workers, func(i int) { calls[i].Add(1) })
		for i := range calls {
			if got := calls[i].Load(); got != 1 {
				t.Errorf("n=%d workers=%d: index %d called %d times, want 1", tc.n, tc.workers, i, got)
			}
		}
	}
}
