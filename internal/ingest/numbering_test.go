package ingest

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A staged numbering emits what an unstaged one does: the same chunks with
// the same first lines, skipped lines counted, the next line's number
// asked between puts, and nothing once the consumer has gone.
func TestNumberingStagedAsUnstaged(t *testing.T) {
	chunks := [][]byte{[]byte("a\nb\n"), []byte("c\n"), []byte("d\ne\nf\n"), []byte("g"), []byte("h\n")}
	for _, tc := range []struct {
		name    string
		goneAt  int // the consumer refuses the chunk numbered so (0: never)
		skipAt  int // a line is skipped before chunk skipAt
		wantEnd int
	}{
		{name: "all taken", wantEnd: 8},
		{name: "a line skipped", skipAt: 2, wantEnd: 9},
		{name: "consumer gone at the third chunk", goneAt: 3},
	} {
		run := func(staged bool) (emitted []string, asked []int) {
			calls := 0
			n := newNumbering(func(data []byte, first int) bool {
				calls++
				emitted = append(emitted, fmt.Sprintf("%d:%q", first, data))
				return calls != tc.goneAt
			}, staged)
			for i, c := range chunks {
				if i == tc.skipAt && tc.skipAt > 0 {
					n.skip(1)
				}
				if !n.put(c) {
					break
				}
				if tc.goneAt == 0 {
					asked = append(asked, n.line())
				}
			}
			n.close()
			n.close() // again: nothing
			return emitted, asked
		}
		t.Run(tc.name, func(t *testing.T) {
			wantEmitted, wantAsked := run(false)
			gotEmitted, gotAsked := run(true)
			if diff := cmp.Diff(wantEmitted, gotEmitted); diff != "" {
				t.Errorf("emitted (-unstaged +staged):\n%s", diff)
			}
			if diff := cmp.Diff(wantAsked, gotAsked); diff != "" {
				t.Errorf("next lines (-unstaged +staged):\n%s", diff)
			}
			if tc.wantEnd > 0 && wantAsked[len(wantAsked)-1] != tc.wantEnd {
				t.Errorf("next line at the end %d, want %d", wantAsked[len(wantAsked)-1], tc.wantEnd)
			}
			if tc.goneAt > 0 && len(gotEmitted) != tc.goneAt {
				t.Errorf("%d chunks emitted, want %d (none after the consumer went)", len(gotEmitted), tc.goneAt)
			}
		})
	}
}
