package engine

import (
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
