package run

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
)

// TestFinishTailsEmitsProgramsInOrder: tails finishing side by side (two
// workers and more) hand Emit the rows a single worker's tails give one
// after the other, program by program: the same rows in the same order.
// The programs' rows are over half of a small --max-memory, so they are
// written to temporary files and read back into a row the reader reuses: a
// row not copied before the next is read would come out changed.
func TestFinishTailsEmitsProgramsInOrder(t *testing.T) {
	lines := genLines(8000)
	queries := []string{
		seedLike,
		`#event_simpleName=ProcessRollup2 | table([aid, CommandLine, @timestamp], limit=max)`,
		`#event_simpleName=DnsRequest | DomainName=*shodan*`,
		`* | table([#event_simpleName, ComputerName, @timestamp], sortby=ComputerName, limit=max)`,
		`groupBy([#event_simpleName, ComputerName], function=count())`,
		`#event_simpleName=NetworkConnectIP4 | sort(RemoteAddressIP4, limit=max)`,
		`#event_simpleName=EndOfProcess | head(30)`,
	}
	run := func(workers int) []string {
		var progs []*engine.Program
		for range 3 { // several tails of each shape, so that many finish at once
			for _, q := range queries {
				progs = append(progs, compileWith(t, q, engine.Options{Limits: engine.Limits{Memory: 4 << 20}, Rows: &engine.RowBudget{}}))
			}
		}
		var rows []string // program number and row, in the order emitted
		if _, err := Search(context.Background(), progs, newChunks("gen.jsonl", lines, 250), Options{
			Workers: workers,
			Emit: func(i int, row *event.Event) {
				rows = append(rows, fmt.Sprint(i, ": ", render([]*event.Event{row})[0]))
			},
		}); err != nil {
			t.Fatal(err)
		}
		return rows
	}
	one := run(1)
	for i := range 3 * len(queries) {
		if !slices.ContainsFunc(one, func(r string) bool { return strings.HasPrefix(r, fmt.Sprint(i, ": ")) }) {
			t.Fatalf("program %d gave no rows: the test data should hold some", i)
		}
	}
	for _, workers := range []int{2, 3, 8} {
		if diff := cmp.Diff(one, run(workers)); diff != "" {
			t.Errorf("%d workers: rows differ from one worker's (-one +%d):\n%s", workers, workers, diff)
		}
	}
}
