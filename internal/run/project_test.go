package run

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// An aggregate that reads only some fields gets copies of those alone
// (Program.TailReads), and gives the rows it gives over whole events.
func TestAggregatesOverProjectedEvents(t *testing.T) {
	tests := []struct {
		query     string
		projected bool
	}{
		{`count()`, true},
		{`#event_simpleName=DnsRequest | count(DomainName, distinct=true)`, true},
		{`top(event_simpleName)`, true},
		{`top([ComputerName, event_simpleName], limit=3, sum=RemotePort)`, true},
		{`groupBy([#event_simpleName], function=[count(), max(RemotePort), sum(RemotePort), avg(RemotePort)])`, true},
		{`stats([count(), min(RemotePort)])`, true},
		{`groupBy(ComputerName, function=collect(DomainName))`, false},
		{`sort(timestamp, limit=5)`, false},
		{`table([aid, DomainName], limit=7)`, false},
	}
	lines := realisticLines(3000)
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			prog := compile(t, tc.query)
			if _, ok := prog.TailReads(); ok != tc.projected {
				t.Fatalf("TailReads ok = %v, want %v", ok, tc.projected)
			}
			// the engine alone, over whole decoded events
			dec := ingest.NewDecoder(prog.Needs())
			var events []*event.Event
			for _, l := range lines {
				var ev event.Event
				if dec.Decode([]byte(l), &ev) == nil {
					events = append(events, ev.Clone())
				}
			}
			rows, _ := prog.Run(events)
			want := render(rows)
			if len(want) == 0 {
				t.Fatal("no rows: the case tests nothing")
			}
			for _, workers := range []int{1, 3} {
				var got []*event.Event
				_, err := Search(context.Background(), []*engine.Program{compile(t, tc.query)}, newChunks("gen", lines, 100),
					Options{Workers: workers, Emit: func(_ int, e *event.Event) { got = append(got, e.Clone()) }})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, render(got)); diff != "" {
					t.Errorf("workers %d: rows differ (-engine +search):\n%s", workers, diff)
				}
			}
		})
	}
}
