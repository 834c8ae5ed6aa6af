package run

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// An aggregate that reads only some fields gets copies of those alone
// (Program.TailReads), or, when it splits, partials folded per chunk
// (Program.NewPartial); either way it gives the rows and warnings it gives
// over whole events, group limits and first-seen order included.
func TestAggregatesOverProjectedEvents(t *testing.T) {
	tests := []struct {
		query             string
		projected, splits bool
	}{
		{`count()`, true, true},
		{`#event_simpleName=DnsRequest | count(DomainName, distinct=true)`, true, false},
		{`top(event_simpleName)`, true, true},
		{`top([ComputerName, event_simpleName], limit=3, sum=RemotePort)`, true, false}, // float sums: not split
		{`groupBy([#event_simpleName], function=[count(), max(RemotePort), sum(RemotePort), avg(RemotePort)])`, true, false},
		{`stats([count(), min(RemotePort)])`, true, false},
		{`stats(count())`, true, true},
		{`groupBy([ContextProcessId], limit=50)`, true, true}, // over its limit
		{`groupBy([ComputerName, #event_simpleName])`, true, true},
		{`top(ContextProcessId, limit=5)`, true, true},
		{`top(ComputerName, max=RemotePort, percent=true, rest=others, limit=3)`, true, false},
		{`top(ComputerName, percent=true, rest=others, limit=3)`, true, true},
		{`groupBy(ComputerName, function=collect(DomainName))`, false, false},
		{`sort(timestamp, limit=5)`, false, false},
		// past twice their limit the tails publish a cutoff the workers
		// cut rows by (engine.RowCut): the same rows, the same count cut
		{`sort(ContextProcessId, type=string, order=asc, limit=5)`, false, false},
		{`table([aid, DomainName], sortby=DomainName, order=asc, limit=7)`, true, false},
		{`#event_simpleName=DnsRequest | table([aid, DomainName, timestamp], sortby=timestamp)`, true, false},
		{`table([aid, DomainName], limit=7)`, true, false},
		{`table([DomainName, aid, DomainName], sortby=ContextProcessId, order=asc)`, true, false}, // a key outside the fields
		{`table([*])`, false, false},
		{`head(5)`, false, false},
	}
	lines := realisticLines(3000)
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			prog := compile(t, tc.query)
			if _, ok := prog.TailReads(); ok != tc.projected {
				t.Fatalf("TailReads ok = %v, want %v", ok, tc.projected)
			}
			if splits := prog.NewPartial() != nil; splits != tc.splits {
				t.Fatalf("NewPartial: splits %v, want %v", splits, tc.splits)
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
			rows, warns := prog.Run(events)
			want := render(rows)
			if len(want) == 0 {
				t.Fatal("no rows: the case tests nothing")
			}
			if strings.Contains(tc.query, "limit=50") && len(warns) == 0 {
				t.Fatal("no warning: the group limit was not reached")
			}
			for _, workers := range []int{1, 3} {
				var got []*event.Event
				st, err := Search(context.Background(), []*engine.Program{compile(t, tc.query)}, newChunks("gen", lines, 100),
					Options{Workers: workers, Emit: func(_ int, e *event.Event) { got = append(got, e.Clone()) }})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, render(got)); diff != "" {
					t.Errorf("workers %d: rows differ (-engine +search):\n%s", workers, diff)
				}
				if diff := cmp.Diff(warns, st.Warnings[0], cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("workers %d: warnings differ (-engine +search):\n%s", workers, diff)
				}
			}
		})
	}
}
