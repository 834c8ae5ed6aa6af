package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// emulate --sensor writes each sensor's log; hunt reads it by content (the
// EVTX from a file, the audit log from stdin) and the seed fires on the
// attack hosts only; damaged audit lines are reported with file:line.
func TestEmulateSensorsAndHunt(t *testing.T) {
	dir := t.TempDir()
	evtx := filepath.Join(dir, "sysmon.bin")
	code, _, stderr := runTiercel(t, "", "emulate", "--sensor", "sysmon", "--evtx", evtx, "--events", "8000", "--seed", "5")
	if code != ExitOK {
		t.Fatalf("emulate sysmon: exit %d: %s", code, stderr)
	}
	code, out, stderr := runTiercel(t, "", "hunt", "--format", "json", evtx)
	if code != ExitOK {
		t.Fatalf("hunt evtx: exit %d: %s", code, stderr)
	}
	hosts, branches := alertHosts(t, out)
	if !branches["OSINTToolExecution"] || !branches["IPIntelDNSLookup"] || !branches["OSINTNetworkConnect"] {
		t.Errorf("branches on Sysmon EVTX: %v", branches)
	}
	if !hosts["WKS-01"] {
		t.Errorf("no alert on the Windows attack host: %v", hosts)
	}

	code, audit, stderr := runTiercel(t, "", "emulate", "--sensor", "auditd", "--events", "8000", "--seed", "5")
	if code != ExitOK || !strings.HasPrefix(audit, "node=") {
		t.Fatalf("emulate auditd: exit %d: %s", code, stderr)
	}
	code, out, stderr = runTiercel(t, audit+"type=GARBAGE\n", "hunt", "--format", "json", "-")
	if code != ExitOK {
		t.Fatalf("hunt audit: exit %d: %s", code, stderr)
	}
	nLines := strings.Count(audit, "\n")
	checkStderr(t, stderr, []string{"-:" + strconv.Itoa(nLines+1) + ": not an audit record", "1 problem(s) in sensor logs or CSV exports"}, false)
	hosts, branches = alertHosts(t, out)
	if !branches["OSINTToolExecution"] || !branches["OSINTNetworkConnect"] || !hosts["dev-lin-01"] {
		t.Errorf("auditd alerts: hosts %v branches %v", hosts, branches)
	}
}

func alertHosts(t *testing.T, out string) (hosts, branches map[string]bool) {
	t.Helper()
	hosts, branches = map[string]bool{}, map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var a map[string]any
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatalf("alert line: %v: %s", err, line)
		}
		hosts[a["ComputerName"].(string)] = true
		branches[a["DetectionBranch"].(string)] = true
	}
	return hosts, branches
}

func TestEmulateSensorUsage(t *testing.T) {
	for _, args := range [][]string{
		{"emulate", "--sensor", "nope"},
		{"emulate", "--evtx", filepath.Join(os.TempDir(), "x.evtx")},
		{"emulate", "--sensor", "auditd", "--evtx", filepath.Join(t.TempDir(), "x.evtx")},
		{"validate", "--sensor", "nope"},
	} {
		if code, _, stderr := runTiercel(t, "", args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, ExitUsage, stderr)
		}
	}
}

func TestValidateSensorsJSON(t *testing.T) {
	code, out, stderr := runTiercel(t, "", "validate", "--sensor", "sysmon,auditd", "--events", "6000", "--format", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Sensors []struct {
			Sensor string   `json:"sensor"`
			Attack int      `json:"attack_alerts"`
			Extra  []string `json:"extra_false_positives"`
		} `json:"sensors"`
		Tests []struct {
			Platform string            `json:"platform"`
			Fired    map[string]string `json:"fired"`
		} `json:"tests"`
		Signals []struct {
			Sentence string `json:"sentence"`
		} `json:"expected_signals"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(rep.Sensors) != 3 || len(rep.Tests) != 10 || len(rep.Signals) < 12 {
		t.Fatalf("report: %d sensors, %d tests, %d signals", len(rep.Sensors), len(rep.Tests), len(rep.Signals))
	}
	for _, tt := range rep.Tests {
		s := "sysmon"
		if tt.Platform == "Lin" {
			s = "auditd"
		}
		if tt.Fired[s] == "" || tt.Fired[s] == "n/a" {
			t.Errorf("%s test not detected on %s: %v", tt.Platform, s, tt.Fired)
		}
	}
	for _, s := range rep.Sensors {
		if len(s.Extra) > 0 {
			t.Errorf("%s: extra false positives %v", s.Sensor, s.Extra)
		}
	}
}
