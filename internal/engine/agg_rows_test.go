package engine

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/event"
)

// A tail given its events to keep (AddOwned) returns the rows Add returns,
// keeping table() rows as the events it was given rather than copies.
func TestTailAddOwned(t *testing.T) {
	tests := []struct {
		query   string
		kept    bool // the rows are the events given
		wantRow []string
	}{
		{`table([b, a], limit=2)`, true, []string{"b=6 a=5", "b=4 a=3"}},
		// table() keeps what it is given; sort() after it copies the rows
		// table() hands on
		{`table([b, a, @timestamp]) | sort(a, order=desc)`, false, []string{"b=6 a=5 @timestamp=3", "b=4 a=3 @timestamp=2", "b=2 a=1 @timestamp=1"}},
		{`count()`, false, []string{"_count=3"}},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			p := compileQuery(t, tc.query, Options{})
			inputs := func() []*event.Event {
				return []*event.Event{
					ev("a", "1", "x", "y", "b", "2", "@timestamp", "1"),
					ev("a", "3", "b", "4", "@timestamp", "2"),
					ev("b", "6", "a", "5", "@timestamp", "3"),
				}
			}
			given := map[*event.Event]bool{}
			run := func(owned bool) ([]string, []*event.Event) {
				var rows []string
				var got []*event.Event
				tail := p.NewTail(func(e *event.Event) { rows, got = append(rows, row(e)), append(got, e) })
				for _, e := range inputs() {
					given[e] = true
					if owned {
						tail.AddOwned(e)
					} else {
						tail.Add(e)
					}
				}
				tail.Finish()
				return rows, got
			}
			added, _ := run(false)
			owned, got := run(true)
			if diff := cmp.Diff(tc.wantRow, added); diff != "" {
				t.Errorf("Add rows (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(added, owned); diff != "" {
				t.Errorf("AddOwned rows differ from Add's (-Add +AddOwned):\n%s", diff)
			}
			for _, e := range got {
				if given[e] != tc.kept {
					t.Errorf("row %s is the event given: %v, want %v", row(e), given[e], tc.kept)
				}
			}
		})
	}
}

// Past twice its limit a table() or sort() keeps its first limit rows and
// cuts a later row that does not sort before the last of them as it
// arrives. The rows shown are the first limit of all of them stably
// sorted, ties in input order and absent keys last, as without any limit.
func TestRowsCutOnArrivalKeepTheSortedFirst(t *testing.T) {
	tests := []struct {
		limited, all string
		limit        int
	}{
		{`sort(s, limit=50)`, `sort(s)`, 50},
		{`table([i, s], sortby=s, order=asc, limit=30)`, `table([i, s], sortby=s, order=asc)`, 30},
		{`sort(s, type=string, order=asc, limit=70)`, `sort(s, type=string, order=asc)`, 70},
		{`sort([s, @timestamp], order=asc, limit=40)`, `sort([s, @timestamp], order=asc)`, 40},
		{`table([i, s])`, `table([i, s], limit=max)`, 200},
		{`table([i, s], sortby=@timestamp, order=asc, limit=25)`, `table([i, s], sortby=@timestamp, order=asc, limit=max)`, 25},
	}
	for _, tt := range tests {
		t.Run(tt.limited, func(t *testing.T) {
			events := spillEvents(3000) // shuffled times with ties, s mixed and absent
			all, _ := compileQuery(t, tt.all, Options{Unlimited: true}).Run(events)
			if len(all) < 2*tt.limit+64 {
				t.Fatalf("%d rows: too few to cut any", len(all))
			}
			got, _ := compileQuery(t, tt.limited, Options{}).Run(events)
			if diff := cmp.Diff(render(all[:tt.limit]), render(got)); diff != "" {
				t.Errorf("rows differ from the first %d of all (-all +limited):\n%s", tt.limit, diff)
			}
		})
	}
}

// The cut engages once the rows held pass twice the limit, before any
// spill, and only tightens: every later row it lets in sorts before it.
func TestRowsCutoffIsSetByTrimming(t *testing.T) {
	p := compileQuery(t, `sort(s, limit=10)`, Options{})
	tail := p.NewTail(func(*event.Event) {})
	rows := tail.run.aggs[0].(*rowsCollector)
	var last []sortVal
	for i, e := range spillEvents(2000) {
		tail.Add(e)
		if rows.cutoff == nil {
			if i >= 2*10+64 {
				t.Fatalf("no cutoff after %d rows", i+1)
			}
			continue
		}
		if last != nil && lessVals(rows.spec.keys, last, rows.cutoff) {
			t.Fatalf("row %d: the cutoff loosened", i)
		}
		last = slices.Clone(rows.cutoff)
	}
	if rows.spill != nil {
		t.Errorf("rows spilled: the cut should have kept them few")
	}
}

// A tail sharing its cutoff (Tail.ShareCut) publishes it as it tightens;
// a row a worker's cutter cuts is never among the rows shown, and the
// queries without a first limited table() or sort() have no cutoff.
func TestRowCutIsSharedWithWorkers(t *testing.T) {
	for _, q := range []string{`count()`, `head(5)`, `groupBy(s) | sort(_count, limit=3)`} {
		if compileQuery(t, q, Options{}).NewRowCut() != nil {
			t.Errorf("%s: a cutoff for a first aggregate that keeps no sorted rows", q)
		}
	}
	if compileQuery(t, `table([i])`, Options{Unlimited: true}).NewRowCut() != nil {
		t.Error("table() in a hunt, without a limit: a cutoff")
	}
	p := compileQuery(t, `sort(s, limit=20)`, Options{})
	cut := p.NewRowCut()
	cutter := cut.NewCutter()
	var shown []string
	tail := p.NewTail(func(e *event.Event) { shown = append(shown, row(e)) })
	tail.ShareCut(cut)
	cutRows := map[string]bool{}
	for _, e := range spillEvents(2000) {
		if cutter.Cuts(e) {
			cutRows[row(e)] = true
			tail.AddCut(1)
			continue
		}
		tail.Add(e)
	}
	tail.Finish()
	if len(cutRows) < 1000 {
		t.Fatalf("the cutter cut %d of 2000 rows", len(cutRows))
	}
	for _, r := range shown {
		if cutRows[r] {
			t.Errorf("row %s was cut, yet shown", r)
		}
	}
	want, wantWarns := p.Run(spillEvents(2000))
	if diff := cmp.Diff(render(want), shown); diff != "" {
		t.Errorf("rows differ from a run without cutting (-run +cut):\n%s", diff)
	}
	if diff := cmp.Diff(wantWarns, tail.Warnings()); diff != "" {
		t.Errorf("warnings differ from a run without cutting (-run +cut):\n%s", diff)
	}
}
