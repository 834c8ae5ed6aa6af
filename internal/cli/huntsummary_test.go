package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/rules"
)

// TestAlertSummaryCopiesWhatItCounts: a hunt hands the summary alerts
// whose values are their row's, and the row is reused for the next one:
// the hosts and branches counted must be the ones seen, not what the
// reused row holds at the end (a map assignment stores the key it is
// given even over an equal one: copying only keys new to the map fails).
func TestAlertSummaryCopiesWhatItCounts(t *testing.T) {
	prog := &rules.Program{Rule: &rules.Rule{ID: "R1", Severity: "high"}, Columns: []string{"ComputerName", "DetectionBranch"}}
	hosts := []string{"WS-0001", "WS-0002", "WS-0001", "DC-01", "WS-0002", "WS-0001"}
	summary := newAlertSummary()
	branches := map[string]int{}
	row := &event.Event{}
	var fields []event.Field
	for i, h := range hosts {
		row.Reset() // the decoder's arena, written over by each row
		row.Set("ComputerName", row.ArenaString([]byte(h)))
		row.Set("DetectionBranch", row.ArenaString([]byte("Branch"+h[len(h)-1:])))
		alert := prog.AlertOf(row, fields)
		fields = alert.Fields
		countKey(branches, alert.Branch())
		summary.add(alert)
		if i == len(hosts)-1 {
			row.Reset()
			row.Set("ComputerName", row.ArenaString([]byte("ZZ-9999")))
		}
	}
	var out bytes.Buffer
	summary.print(&out, false)
	for _, want := range []string{"3 host(s)", "WS-0001 3", "WS-0002 2", "DC-01 1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
	if branches["Branch1"] != 4 || branches["Branch2"] != 2 || len(branches) != 2 {
		t.Errorf("branches counted %v, want Branch1 4 and Branch2 2", branches)
	}
}
