package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

const seedRuleDir = "../../rules/T1590.005-ip-address-recon"

// attackEvents gathers the input events of the shipped attack tests into
// one NDJSON file: raw sensor events for the five Atomic Red Team tests.
func attackEvents(t *testing.T) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(seedRuleDir, "tests", "attack-*.txtar"))
	if err != nil || len(files) != 5 {
		t.Fatalf("attack tests: %v %v", files, err)
	}
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, "{") {
				b.WriteString(l + "\n")
			}
		}
	}
	return writeTemp(t, t.TempDir(), "attacks.ndjson", b.String())
}

func TestHuntJSONAlerts(t *testing.T) {
	code, stdout, stderr := runTiercel(t, "", "hunt", "--format", "json", attackEvents(t))
	if code != ExitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 13 {
		t.Fatalf("%d alerts, want 13 (3+2+2+4+2 from the five attack tests):\n%s", len(lines), stdout)
	}
	branches := map[string]int{}
	for _, l := range lines {
		var a map[string]any
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, l)
		}
		for k, want := range map[string]any{"rule": "T1590.005-ip-address-recon", "tactic": "TA0043", "technique": "T1590",
			"subtechnique": "T1590.005", "severity": "medium", "confidence": "medium"} {
			if a[k] != want {
				t.Errorf("%s = %v, want %v", k, a[k], want)
			}
		}
		if _, ok := a["@timestamp"].(float64); !ok {
			t.Errorf("@timestamp is %T, want a number", a["@timestamp"])
		}
		for _, k := range []string{"aid", "id", "ComputerName", "#event_simpleName"} {
			if _, ok := a[k].(string); !ok {
				t.Errorf("alert lacks %s: %s", k, l)
			}
		}
		branches[a["DetectionBranch"].(string)]++
	}
	if fmt.Sprint(branches) != "map[IPIntelDNSLookup:4 OSINTNetworkConnect:5 OSINTToolExecution:4]" {
		t.Errorf("branches = %v", branches)
	}
	if !strings.Contains(stderr, "hunt: T1590.005-ip-address-recon: 13 alert(s) (IPIntelDNSLookup 4, OSINTNetworkConnect 5, OSINTToolExecution 4)") {
		t.Errorf("summary missing from stderr:\n%s", stderr)
	}
}

// Alerts are never capped by the query's table()/sort() row limit (200).
func TestHuntIgnoresRowLimits(t *testing.T) {
	var b strings.Builder
	for i := range 250 {
		fmt.Fprintf(&b, `{"event_simpleName":"DnsRequest","id":"e%d","aid":"a1","timestamp":"%d","DomainName":"shodan.io"}`+"\n", i, 1764340000000+i)
	}
	code, stdout, stderr := runTiercel(t, "", "hunt", "--format", "json", writeTemp(t, t.TempDir(), "many.ndjson", b.String()))
	if code != ExitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if n := strings.Count(stdout, "\n"); n != 250 {
		t.Errorf("%d alerts, want 250", n)
	}
}

func TestHuntExitCodesAndErrors(t *testing.T) {
	attacks := attackEvents(t)
	benign := writeTemp(t, t.TempDir(), "benign.ndjson", `{"event_simpleName":"DnsRequest","id":"x","timestamp":"1","DomainName":"example.com"}`+"\n")
	bad := t.TempDir()
	copyRuleDir(t, seedRuleDir, filepath.Join(bad, "local"))
	yml := filepath.Join(bad, "local", "rule.yaml")
	data, _ := os.ReadFile(yml)
	data = []byte(strings.Replace(strings.Replace(string(data), "severity: medium", "severty: medium", 1), "id: T1590.005-ip-address-recon", "id: local-copy", 1))
	if err := os.WriteFile(yml, data, 0o644); err != nil {
		t.Fatal(err)
	}
	lookups := writeTemp(t, t.TempDir(), "soc_analyst_hosts.csv", "ComputerName\nlin-recon-01\n")
	tests := []struct {
		name      string
		args      []string
		code      int
		stdoutN   int // alert lines on stdout (json), -1 to skip
		stderrHas []string
	}{
		{"alerts without --fail-on-alert", []string{"hunt", "--format", "json", attacks}, ExitOK, 13, nil},
		{"--fail-on-alert with alerts", []string{"hunt", "--format", "json", "--fail-on-alert", attacks}, ExitAlert, 13, nil},
		{"--fail-on-alert without alerts", []string{"hunt", "--format", "json", "--fail-on-alert", benign}, ExitOK, 0, []string{"0 alert(s)"}},
		{"tuning drops the DNS branch of listed hosts", []string{"hunt", "--format", "json", "--tuning", "soc-analyst-hosts", "--lookups", filepath.Dir(lookups), attacks}, ExitOK, 10,
			[]string{"[tunings: soc-analyst-hosts]: 10 alert(s) (IPIntelDNSLookup 1,"}},
		{"RULE:NAME tuning form", []string{"hunt", "--format", "json", "--tuning", "T1590.005:soc-analyst-hosts", "--lookups", filepath.Dir(lookups), attacks}, ExitOK, 10, nil},
		{"tuning without --lookups names the tuning file", []string{"hunt", "--tuning", "soc-analyst-hosts", attacks}, ExitError, 0,
			[]string{"tunings/soc-analyst-hosts.cql:5:14: error:", "no lookup directory given"}},
		{"unknown tuning is a usage error", []string{"hunt", "--tuning", "soc-hosts", attacks}, ExitUsage, 0, []string{`no selected rule has a tuning "soc-hosts"`}},
		{"browser-prefetch keeps lookups with a tool process nearby", []string{"hunt", "--format", "json", "--tuning", "browser-prefetch", attacks}, ExitOK, 13, nil},
		{"a rule that fails to load stops the hunt", []string{"hunt", "--rules", bad, attacks}, ExitError, 0,
			[]string{filepath.Join(bad, "local", "rule.yaml") + ":33:1: unknown key \"severty\"", `did you mean "severity"?`, "--skip-invalid"}},
		{"--skip-invalid runs the others", []string{"hunt", "--format", "json", "--rules", bad, "--skip-invalid", attacks}, ExitOK, 13,
			[]string{"unknown key \"severty\"", "skipping rules that failed to load"}},
		{"--skip-invalid does not skip a missing --rules path", []string{"hunt", "--rules", filepath.Join(bad, "nope"), "--skip-invalid", attacks}, ExitError, 0,
			[]string{"--rules " + filepath.Join(bad, "nope") + ": no such file or directory"}},
		{"--skip-invalid does not skip a missing --sigma path", []string{"hunt", "--sigma", filepath.Join(bad, "nope.yml"), "--skip-invalid", attacks}, ExitError, 0,
			[]string{"--sigma " + filepath.Join(bad, "nope.yml") + ": no such file or directory"}},
		{"bad format", []string{"hunt", "--format", "xml", attacks}, ExitUsage, 0, []string{"unknown --format"}},
		{"missing input", []string{"hunt", filepath.Join(bad, "nope.ndjson")}, ExitError, 0, []string{"nope.ndjson"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runTiercel(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if tt.stdoutN >= 0 && tt.code != ExitUsage {
				if n := strings.Count(stdout, "\n"); n != tt.stdoutN {
					t.Errorf("%d alert lines, want %d:\n%s", n, tt.stdoutN, stdout)
				}
			}
			checkStderr(t, stderr, tt.stderrHas, false)
		})
	}
}

func copyRuleDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestTestCommand(t *testing.T) {
	broken := t.TempDir()
	copyRuleDir(t, seedRuleDir, filepath.Join(broken, "r"))
	ports := filepath.Join(broken, "r", "tests", "net-ports.txtar")
	data, _ := os.ReadFile(ports)
	if err := os.WriteFile(ports, []byte(strings.Replace(string(data), "net-port-80 OSINT", "net-port-8443 OSINT", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	shipped, _ := filepath.Glob(filepath.Join(seedRuleDir, "tests", "*.txtar"))
	n := len(shipped)
	if n < 30 {
		t.Fatalf("%d shipped tests, want at least 30", n)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		last   string
		stdout []string
	}{
		{name: "shipped rules", args: []string{"test"}, code: ExitOK, last: fmt.Sprintf("%d passed, 0 failed", n)},
		{name: "one test file", args: []string{"test", filepath.Join(seedRuleDir, "tests", "net-ports.txtar")}, code: ExitOK, last: "1 passed, 0 failed"},
		{name: "a failing test shows a diff", args: []string{"test", broken}, code: ExitError, last: fmt.Sprintf("%d passed, 1 failed", n-1),
			stdout: []string{"--- FAIL: " + ports, "alerts (-want +got):", `"net-port-8443 OSINTNetworkConnect",`, `"net-port-80 OSINTNetworkConnect",`}},
		{name: "-update rewrites the expectation", args: []string{"test", "-update", broken}, code: ExitOK, last: fmt.Sprintf("%d passed, 0 failed", n),
			stdout: []string{"--- UPDATED: " + ports}},
		{name: "after -update it passes", args: []string{"test", broken}, code: ExitOK, last: fmt.Sprintf("%d passed, 0 failed", n)},
		{name: "missing path", args: []string{"test", filepath.Join(broken, "nope")}, code: ExitError, last: "0 passed, 1 failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runTiercel(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
			lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
			if got := lines[len(lines)-1]; got != tt.last {
				t.Errorf("last line %q, want %q", got, tt.last)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
		})
	}
}

func TestShow(t *testing.T) {
	code, stdout, stderr := runTiercel(t, "", "show", "--format", "markdown", "T1590.005")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, s := range []string{"# IP Address Reconnaissance (OSINT tools and IP intelligence lookups)", "| Sub-technique | T1590.005 IP Addresses |",
		"```cql\n#event_simpleName = /^(ProcessRollup2|DnsRequest|NetworkConnectIP4)$/", "## False Positives & Tuning",
		"#### browser-prefetch (ready)", "5. **Test 5 — BGP.he.net ASN IP Range Discovery**"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("show --format markdown lacks %q", s)
		}
	}
	if strings.Contains(stdout, "Unlock Pro Content") {
		t.Error("show --format markdown carries the source page's sales text")
	}

	// The default text form: headings set apart, markup gone, wrapped at 80
	// columns (not a terminal), the query verbatim and indented.
	code, stdout, stderr = runTiercel(t, "", "show", "T1590.005")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, s := range []string{"IP ADDRESS RECONNAISSANCE (OSINT TOOLS AND IP INTELLIGENCE LOOKUPS)\n=====", "MITRE ATT&CK\n",
		"  Sub-technique        T1590.005 IP Addresses\n", "    #event_simpleName = /^(ProcessRollup2|DnsRequest|NetworkConnectIP4)$/\n",
		"browser-prefetch (ready)\n", "5. Test 5 — BGP.he.net ASN IP Range Discovery\n"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("show lacks %q", s)
		}
	}
	for _, bad := range []string{"Unlock Pro Content", "**", "```", "|---"} {
		if strings.Contains(stdout, bad) {
			t.Errorf("show text carries %q", bad)
		}
	}
	for _, l := range strings.Split(stdout, "\n") {
		code := strings.HasPrefix(l, "    ") && !strings.HasPrefix(strings.TrimLeft(l, " "), "•")
		if !code && utf8.RuneCountInString(l) > 80 && strings.Contains(strings.TrimSpace(l), " ") {
			t.Errorf("prose line wider than 80 columns: %q", l)
		}
	}
	if code, _, stderr := runTiercel(t, "", "show", "T9999"); code != ExitUsage || !strings.Contains(stderr, "known rules: T1590.005-ip-address-recon") {
		t.Errorf("unknown rule: exit %d, stderr %q", code, stderr)
	}
}
