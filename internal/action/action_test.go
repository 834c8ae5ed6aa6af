package action

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tiercel/tiercel/internal/alert"
)

func TestExpand(t *testing.T) {
	a := alert.Alert{ID: "abc", Title: `Recon "tools"`, Rule: "r1", Severity: "high", Branch: "B", Count: 3,
		FirstSeen: time.UnixMilli(1_700_000_000_000).UTC(),
		JSON:      []byte(`{"rule":"r1","ComputerName":"WS\"1","RemotePort":"443","n":5}`)}
	tests := []struct {
		tmpl string
		json bool
		want string
	}{
		{`{alert_name} on {field:ComputerName}:{field:RemotePort} x{event_count}`, false, `Recon "tools" on WS"1:443 x3`},
		{`{"id":"{alert_id}","name":"{alert_name}","host":"{field:ComputerName}","n":{event_count},"ev":{events}}`, true,
			`{"id":"abc","name":"Recon \"tools\"","host":"WS\"1","n":3,"ev":[{"rule":"r1","ComputerName":"WS\"1","RemotePort":"443","n":5}]}`},
		{`{unknown} {field:missing}|{field:n}|{alert_triggered_timestamp}`, false, `{unknown} |5|2023-11-14T22:13:20Z`},
		{`{"text":"{events_str}"}`, true, `{"text":"{\"rule\":\"r1\",\"ComputerName\":\"WS\\\"1\",\"RemotePort\":\"443\",\"n\":5}"}`},
	}
	for _, tt := range tests {
		got := Expand(tt.tmpl, a, Meta{}, tt.json)
		if got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.tmpl, got, tt.want)
		}
		if tt.json && !json.Valid([]byte(got)) {
			t.Errorf("not JSON: %s", got)
		}
	}
	// the default templates give valid JSON whatever the alert holds
	for _, tmpl := range []string{DefaultWebhookTemplate, `{"text":"` + DefaultSlackText + `"}`} {
		if got := Expand(tmpl, a, Meta{Description: "line1\nline2"}, true); !json.Valid([]byte(got)) {
			t.Errorf("default template gives invalid JSON: %s", got)
		}
	}
}

func TestAppendAlertJSON(t *testing.T) {
	a := alert.Alert{ID: "abc", Status: alert.StatusAcknowledged, StatusBy: "al\"ice", Count: 1,
		FirstSeen: time.UnixMilli(5), LastSeen: time.UnixMilli(6), StatusAt: time.UnixMilli(7),
		JSON: []byte(`{"rule":"r1","DetectionBranch":"B"}`)}
	got := string(AppendAlertJSON(nil, a))
	var m map[string]any
	if err := json.Unmarshal([]byte(got), &m); err != nil {
		t.Fatalf("%v: %s", err, got)
	}
	if !strings.HasPrefix(got, `{"alert_id":"abc","status":"acknowledged"`) || m["rule"] != "r1" || m["status_by"] != `al"ice` || m["first_seen"] != 5.0 {
		t.Errorf("%s", got)
	}
}
