package rules

import (
	"testing"

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
