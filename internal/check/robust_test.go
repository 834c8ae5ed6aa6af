package check

import (
	"testing"

	"github.com/tiercel/tiercel/internal/corpustest"
	"github.com/tiercel/tiercel/internal/cql"
)

// The parser returns partial trees for broken input; the checker must
// never panic on them.
func TestTruncatedCorpusQueriesDoNotPanic(t *testing.T) {
	n := 0
	for _, r := range corpustest.Load(t) {
		runes := []rune(r.Query)
		for _, cut := range []int{len(runes) / 3, len(runes) / 2, 2 * len(runes) / 3} {
			checkNoPanic(t, string(runes[:cut]))
			n++
		}
	}
	if n == 0 {
		t.Fatal("no queries")
	}
}

func checkNoPanic(t *testing.T, src string) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Check panicked on %q: %v", src, r)
		}
	}()
	q, _ := cql.Parse(src)
	Check(q, Options{SavedSearches: robustLibrary})
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{
		`groupBy(a, function=[count(), max(x)]) | sort(limit=max)`,
		`case { a=1 | x := lower(b) ; * }`,
		`k match { in(values=[1]) => y := 2 ; * => * }`,
		`correlate(A: {a=1} include: [u], B: {b=2 | u <=> A.u}, within=5m)`,
		`defineTable(query={x=1}, name="t", include=[x]) | readFile("t")`,
		`join({a | groupBy(b)}, field=b) | "free" | head(abc)`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, _ := cql.Parse(src)
		for _, d := range Check(q, Options{}) {
			if d.Span.Start < 0 || d.Span.End < d.Span.Start || int(d.Span.End) > len(src) {
				t.Fatalf("span %v out of range for %q", d.Span, src)
			}
		}
	})
}
