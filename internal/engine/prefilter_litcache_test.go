package engine

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// The cache answers as a scan of the value would, for values it has seen
// (in the same slot as others or not), values it has not, values too long
// to keep, and after it turned itself off.
func TestLitCacheAnswersAsTheScan(t *testing.T) {
	ls := newLitSet("v", nil)
	for _, lit := range []string{"powershell", "-enc", "cmd.exe", "\\temp\\", "/c"} {
		ls.compile(&litExpr{op: litText, text: lit, fold: true})
	}
	r := rand.New(rand.NewPCG(3, 4))
	pool := make([]string, 100) // a few share slots
	for i := range pool {
		pool[i] = fmt.Sprintf("c:\\%d\\%s %s", i, []string{"cmd.exe", "powershell", "notepad"}[i%3], []string{"-enc", "/c", ""}[i%3])
	}
	long := strings.Repeat("powershell ", maxCachedValue/10)
	for _, tc := range []struct {
		name   string
		repeat int // in 100, the share of values drawn from the pool
	}{{"repeated values", 95}, {"values seldom repeated: the cache turns off", 5}} {
		c := newLitCache()
		want, got := make([]uint64, 1), make([]uint64, 1)
		for i := range 3 * litCacheTrial {
			v := pool[r.IntN(len(pool))]
			switch {
			case r.IntN(100) >= tc.repeat:
				v = fmt.Sprintf("%s %d", v, i)
			case i%97 == 0:
				v = long
			}
			ls.match([]byte(v), want)
			got[0] = ^uint64(0) // the cache sets every bit
			c.match(ls, []byte(v), got)
			if !slices.Equal(got, want) {
				t.Fatalf("%s: %q: literals %b, want %b", tc.name, v, got, want)
			}
		}
		if off := tc.repeat < 25; c.off != off {
			t.Errorf("%s: off %v after %d values, %d found remembered", tc.name, c.off, c.tries, c.hits)
		}
	}
}
