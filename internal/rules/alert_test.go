package rules

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/event"
)

// BenchmarkNewAlert copies a row of the seed's table into an alert.
func BenchmarkNewAlert(b *testing.B) {
	p, err := Compile(seedRule(b), nil, engineOptions())
	if err != nil {
		b.Fatal(err)
	}
	row := &event.Event{}
	for _, kv := range [][2]string{{"#event_simpleName", "NetworkConnectIP4"}, {"ComputerName", "WS-0142"}, {"UserName", "alice"},
		{"RemoteAddressIP4", "203.0.113.7"}, {"RemotePort", "443"}, {"ContextProcessName", "curl.exe"},
		{"DetectionBranch", "OSINTNetworkConnect"}, {"@timestamp", "1730000001235"}} {
		row.Set(kv[0], kv[1])
	}
	b.ReportAllocs()
	for b.Loop() {
		p.NewAlert(row)
	}
}

// TestAlertsOfAReusedRow: NewAlert owns every string it holds, the row's
// field names included when the rule has no columns of its own, so the
// row may be reused; AlertOf reads the row's values in place, into the
// fields slice it is given.
func TestAlertsOfAReusedRow(t *testing.T) {
	seed, err := Compile(seedRule(t), nil, engineOptions())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		prog *Program
		want []event.Field
	}{
		{"the rule's columns", seed, []event.Field{{Name: "ComputerName", Value: "WS-0142"}, {Name: "DetectionBranch", Value: "OSINTNetworkConnect"}}},
		{"no columns: every field of the row", &Program{Rule: seed.Rule}, []event.Field{{Name: "ComputerName", Value: "WS-0142"}, {Name: "DetectionBranch", Value: "OSINTNetworkConnect"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := &event.Event{}
			for _, f := range tt.want { // names and values in the row's arena, as a decoder's
				row.Set(row.ArenaString([]byte(f.Name)), row.ArenaString([]byte(f.Value)))
			}
			owned := tt.prog.NewAlert(row)
			view := tt.prog.AlertOf(row, make([]event.Field, 0, 8))
			if diff := cmp.Diff(tt.want, view.Fields); diff != "" {
				t.Errorf("AlertOf (-want +got):\n%s", diff)
			}
			row.Reset()
			for range tt.want {
				row.Set(row.ArenaString([]byte("XXXXXXXXXXXXXXX")), row.ArenaString([]byte("YYYYYYYYYYYYYYYYYYYY"))) // the arena overwritten
			}
			if diff := cmp.Diff(tt.want, owned.Fields); diff != "" {
				t.Errorf("NewAlert after the row was reused (-want +got):\n%s", diff)
			}
		})
	}
}
