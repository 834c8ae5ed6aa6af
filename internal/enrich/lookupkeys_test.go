package enrich

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/event"
)

// TestLookupKeys: the keys enriching an event looks up, before anything
// is learned and after everything is: a process, then its parent (the
// child's start does not name it), and user records, which hold no id of
// the event.
func TestLookupKeys(t *testing.T) {
	events := scenario()
	learned := learnedFrom(events)
	tests := []struct {
		name        string
		ev          *event.Event
		fresh, full []string
	}{
		{"network event", events[6], []string{"ComputerName", "100", "UserName"}, []string{"ComputerName", "100", "UserName"}},
		{"dns of a child", events[7], []string{"ComputerName", "200", "UserName"}, []string{"ComputerName", "200", "UserName", "100"}},
		{"process start", events[5], []string{"ComputerName", "100", "UserName"}, []string{"ComputerName", "100", "UserName"}},
		{"no process", events[8], []string{"ComputerName", "999", "UserName"}, []string{"ComputerName", "999", "UserName"}},
	}
	for _, tt := range tests {
		for _, c := range []struct {
			e    *Enricher
			want []string
		}{{New(Options{}), tt.fresh}, {learned, tt.full}} {
			var got []string
			c.e.LookupKeys(tt.ev.Clone(), func(k string) { got = append(got, k) })
			slices.Sort(got)
			got = slices.Compact(got)
			slices.Sort(c.want)
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("%s: keys (-want +got):\n%s", tt.name, diff)
			}
		}
	}
	if s := learned.Stats(); s.Applied != 0 || s.ProcessMisses != 0 {
		t.Errorf("LookupKeys counted: %+v", s)
	}
}

// TestLookupKeysLearnAsEverything: learning only from the records whose
// text holds a key the event's enrichment looks up, again until no new
// key appears, enriches it as learning from every record does.
func TestLookupKeysLearnAsEverything(t *testing.T) {
	events := scenario()
	all := learnedFrom(events)
	for i, target := range events {
		want := target.Clone()
		all.Apply(want)

		e := New(Options{})
		sought := map[string]bool{}
		for round := 0; ; round++ {
			var fresh []string
			e.LookupKeys(target.Clone(), func(k string) {
				if !sought[k] {
					sought[k] = true
					fresh = append(fresh, k)
				}
			})
			if len(fresh) == 0 {
				break
			}
			for _, rec := range events {
				if holdsAny(rec, fresh) {
					e.Learn(rec)
				}
			}
		}
		got := target.Clone()
		e.Apply(got)
		if diff := cmp.Diff(fieldMap(want), fieldMap(got)); diff != "" {
			t.Errorf("event %d: (-all +targeted):\n%s", i, diff)
		}
	}
}

// holdsAny reports whether the text of ev's names and values holds one of
// keys, as a line of it would.
func holdsAny(ev *event.Event, keys []string) bool {
	var b strings.Builder
	for _, f := range ev.Fields() {
		b.WriteString(f.Name + "\x00" + f.Value + "\x00")
	}
	for _, k := range keys {
		if strings.Contains(b.String(), k) {
			return true
		}
	}
	return false
}
