package validate

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/sensor"
)

// The seed rule, unchanged, finds every atomic test on the Sysmon EVTX and
// auditd logs of the same activity, with no false positive the Falcon run
// does not have; signals only a proxy or Defender field carries are listed
// with their extra query.
func TestRunSensors(t *testing.T) {
	if testing.Short() {
		t.Skip("emulates and hunts five sensors")
	}
	rep, err := RunSensors(context.Background(), Config{Seed: 3, Events: 20000, Hosts: 40}, Sensors)
	if err != nil {
		t.Fatal(err)
	}
	if n := rep.Missed(); n > 0 {
		t.Errorf("%d tests missed on sysmon or auditd", n)
	}
	for _, tt := range rep.Tests {
		want := map[string]bool{"win": tt.Fired[sensor.Sysmon] != "" && tt.Fired[sensor.Sysmon] != "n/a", "lin": tt.Fired[sensor.Auditd] != "" && tt.Fired[sensor.Auditd] != "n/a"}
		if !want[strings.ToLower(tt.Platform)] {
			t.Errorf("test %d on %s: sysmon %q auditd %q", tt.Test, tt.Platform, tt.Fired[sensor.Sysmon], tt.Fired[sensor.Auditd])
		}
	}
	for _, r := range rep.Runs {
		if len(r.Extra) > 0 {
			t.Errorf("%s: false positives beyond the Falcon run: %v", r.Sensor, r.Extra)
		}
		if r.Skipped > 0 || r.Events == 0 {
			t.Errorf("%s: %d events read, %d skipped", r.Sensor, r.Events, r.Skipped)
		}
		if r.Sensor == sensor.Sysmon || r.Sensor == sensor.Auditd {
			if r.Attack == 0 {
				t.Errorf("%s: no attack alerts", r.Sensor)
			}
		}
	}
	for _, s := range rep.Signals {
		// Where the Falcon run itself misses some carriers (a Windows
		// launcher's CommandLine...), the sensors may too.
		falconAll := true
		for _, ss := range s.Sensors {
			if ss.Sensor == "falcon" && ss.Fired < ss.Events {
				falconAll = false
			}
		}
		for _, ss := range s.Sensors {
			if ss.Query != "" && ss.Events == 0 {
				t.Errorf("%s on %s: no event carries %q", ss.Sensor, ss.Platform, s.Sentence)
			}
			if ss.Visible && ss.Query != "" && !strings.Contains(ss.Note, "file events") && ss.Fired == 0 && ss.Sensor != "falcon" && falconAll {
				t.Errorf("%s on %s: rule fired on none of the %d events carrying %q", ss.Sensor, ss.Platform, ss.Events, s.Sentence)
			}
		}
	}
	var out bytes.Buffer
	WriteSensorsText(&out, rep)
	for _, want := range []string{"extra query: #sensor=proxy HttpMethod=GET cs_uri_stem=", "not recorded: Sysmon logs TCP and UDP only", "Detection matrix"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}
