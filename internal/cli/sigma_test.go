package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sigmaRule = `title: Whoami Execution
id: 22222222-2222-4222-8222-222222222222
status: test
author: Jane Doe
level: high
tags:
    - attack.discovery
    - attack.t1033
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswith: '\whoami.exe'
    filter:
        CommandLine|contains: '/benign'
    condition: selection and not filter
`

const sigmaBad = `title: Needs the current directory
logsource: {category: process_creation, product: windows}
detection:
    selection:
        CurrentDirectory|contains: 'x'
    condition: selection
`

const sigmaEvents = `{"event_simpleName":"ProcessRollup2","event_platform":"Win","id":"e1","aid":"a1","timestamp":"1767225600000","ImageFileName":"\\Device\\HarddiskVolume3\\Windows\\System32\\WHOAMI.EXE","CommandLine":"whoami /all"}
{"event_simpleName":"ProcessRollup2","event_platform":"Win","id":"e2","aid":"a1","timestamp":"1767225601000","ImageFileName":"\\Device\\HarddiskVolume3\\Windows\\System32\\whoami.exe","CommandLine":"whoami /benign"}
{"event_simpleName":"ProcessRollup2","event_platform":"Lin","id":"e3","aid":"a1","timestamp":"1767225602000","ImageFileName":"/usr/bin/whoami.exe","CommandLine":"whoami"}
`

func sigmaDir(t *testing.T, bad bool) string {
	dir := t.TempDir()
	writeTemp(t, dir, "proc_creation_win_whoami.yml", sigmaRule)
	if bad {
		writeTemp(t, dir, "proc_creation_win_bad.yml", sigmaBad)
	}
	return dir
}

func TestImportSigmaPrintsCQL(t *testing.T) {
	dir := sigmaDir(t, true)
	code, stdout, stderr := runTiercel(t, "", "import", "sigma", dir)
	if code != ExitError {
		t.Errorf("exit %d, want %d (one rule does not convert)", code, ExitError)
	}
	for _, want := range []string{"// Whoami Execution", "// Author: Jane Doe. License: DRL-1.1.",
		"(#event_simpleName=ProcessRollup2 or #event_simpleName=SyntheticProcessRollup2) event_platform=Win",
		`| ImageFileName=/\\whoami\.exe$/i`, `| not CommandLine=/\/benign/i`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	checkStderr(t, stderr, []string{"proc_creation_win_bad.yml:5:9: rule \"Needs the current directory\": field CurrentDirectory cannot be mapped",
		"import: 1 rule(s) converted, 1 not converted"}, false)
	if code, _, _ := runTiercel(t, "", "import", "sigma", "--skip-invalid", dir); code != ExitOK {
		t.Errorf("--skip-invalid: exit %d", code)
	}
	if code, _, stderr := runTiercel(t, "", "import", "sigma", "--mapping", filepath.Join(dir, "nope.yaml"), dir); code != ExitUsage || !strings.Contains(stderr, "--mapping") {
		t.Errorf("missing mapping file: exit %d, %s", code, stderr)
	}
}

func TestImportSigmaPackagesRunAsTests(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := runTiercel(t, "", "import", "sigma", "--out", out, sigmaDir(t, false))
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	pkg := filepath.Join(out, "sigma-proc_creation_win_whoami")
	for _, f := range []string{"rule.yaml", "query.cql", "sigma.yml", "tests/sigma-derived.txtar"} {
		if _, err := os.Stat(filepath.Join(pkg, f)); err != nil {
			t.Error(err)
		}
	}
	code, stdout, stderr := runTiercel(t, "", "test", out)
	if code != ExitOK || !strings.HasSuffix(strings.TrimSpace(stdout), "1 passed, 0 failed") {
		t.Errorf("tiercel test: exit %d\n%s%s", code, stdout, stderr)
	}
	// The package hunts like any other, and its alerts name the author.
	events := writeTemp(t, t.TempDir(), "ev.ndjson", sigmaEvents)
	code, stdout, stderr = runTiercel(t, "", "hunt", "--rules", out, "--format", "json", events)
	if code != ExitOK {
		t.Fatalf("hunt: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, `"author":"Jane Doe"`) || strings.Count(stdout, "sigma-proc_creation_win_whoami") != 1 {
		t.Errorf("hunt --rules over the package:\n%s", stdout)
	}
}

func TestHuntSigma(t *testing.T) {
	events := writeTemp(t, t.TempDir(), "ev.ndjson", sigmaEvents)
	code, stdout, stderr := runTiercel(t, "", "hunt", "--sigma", sigmaDir(t, false), "--sigma-only", "--format", "json", events)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 1 {
		t.Fatalf("%d alerts, want 1 (e2 is filtered, e3 is Linux):\n%s", len(lines), stdout)
	}
	var a map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &a); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"rule": "sigma-proc_creation_win_whoami", "title": "Whoami Execution", "author": "Jane Doe",
		"level": "high", "severity": "high", "id": "e1", "sigma_id": "22222222-2222-4222-8222-222222222222", "license": "DRL-1.1"} {
		if a[k] != want {
			t.Errorf("%s = %v, want %v", k, a[k], want)
		}
	}
	if tags, _ := a["tags"].([]any); len(tags) != 2 || tags[1] != "attack.t1033" {
		t.Errorf("tags = %v", a["tags"])
	}
	// Table output carries the author too (DRL 1.1).
	_, stdout, _ = runTiercel(t, "", "hunt", "--sigma", sigmaDir(t, false), "--sigma-only", events)
	if !strings.Contains(stdout, "author") || !strings.Contains(stdout, "Jane Doe") {
		t.Errorf("table output lacks the author:\n%s", stdout)
	}
	// Alongside the shipped rules; a rule that does not convert fails the
	// hunt unless --skip-invalid.
	code, _, stderr = runTiercel(t, "", "hunt", "--sigma", sigmaDir(t, true), events)
	if code != ExitError || !strings.Contains(stderr, "1 Sigma rule(s) do not convert") {
		t.Errorf("invalid Sigma rule: exit %d, %s", code, stderr)
	}
	code, _, stderr = runTiercel(t, "", "hunt", "--sigma", sigmaDir(t, true), "--skip-invalid", events)
	if code != ExitOK || !strings.Contains(stderr, "hunt: T1590.005-ip-address-recon") || !strings.Contains(stderr, "hunt: sigma-proc_creation_win_whoami: 1 alert") {
		t.Errorf("--skip-invalid: exit %d, %s", code, stderr)
	}
	if code, _, _ := runTiercel(t, "", "hunt", "--sigma-only", events); code != ExitUsage {
		t.Errorf("--sigma-only without --sigma: exit %d", code)
	}
}

// Sigma's ParentCommandLine and directory-naming ParentImage values read
// fields tiercel's enrichment adds to process starts from the parent
// process: hunt over files (learn pass restricted to candidate processes)
// and over standard input (stream mode) both fill them.
func TestHuntSigmaParentFields(t *testing.T) {
	dir := t.TempDir()
	writeTemp(t, dir, "proc_creation_win_parent.yml", `title: Shell from the vendor agent
author: Jane Doe
logsource: {category: process_creation, product: windows}
detection:
    selection:
        ParentImage|startswith: 'C:\Program Files\Vendor\'
        ParentCommandLine|contains: '--update'
        Image|endswith: '\cmd.exe'
    condition: selection
`)
	events := `{"event_simpleName":"ProcessRollup2","event_platform":"Win","id":"p1","aid":"a1","timestamp":"1767225600000","TargetProcessId":"10","ParentProcessId":"1","ImageFileName":"\\Device\\HarddiskVolume3\\Program Files\\Vendor\\agent.exe","CommandLine":"agent.exe --update"}
{"event_simpleName":"ProcessRollup2","event_platform":"Win","id":"c1","aid":"a1","timestamp":"1767225601000","TargetProcessId":"11","ParentProcessId":"10","ImageFileName":"\\Device\\HarddiskVolume3\\Windows\\System32\\cmd.exe","CommandLine":"cmd /c x"}
{"event_simpleName":"ProcessRollup2","event_platform":"Win","id":"p2","aid":"a1","timestamp":"1767225602000","TargetProcessId":"20","ParentProcessId":"1","ImageFileName":"\\Device\\HarddiskVolume3\\Temp\\Vendor\\agent.exe","CommandLine":"agent.exe --update"}
{"event_simpleName":"ProcessRollup2","event_platform":"Win","id":"c2","aid":"a1","timestamp":"1767225603000","TargetProcessId":"21","ParentProcessId":"20","ImageFileName":"\\Device\\HarddiskVolume3\\Windows\\System32\\cmd.exe","CommandLine":"cmd /c x"}
`
	file := writeTemp(t, t.TempDir(), "ev.ndjson", events)
	for _, args := range [][]string{{file}, {"-"}} {
		stdin := ""
		if args[0] == "-" {
			stdin = events
		}
		code, stdout, stderr := runTiercel(t, stdin, append([]string{"hunt", "--sigma", dir, "--sigma-only", "--format", "json"}, args...)...)
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], `"id":"c1"`) || !strings.Contains(lines[0], `"ParentCommandLine":"agent.exe --update"`) {
			t.Errorf("hunt %v: want only c1 (c2's parent is outside Program Files):\n%s", args, stdout)
		}
	}
}

func TestImportSigmaMappingAndPlaceholders(t *testing.T) {
	dir := t.TempDir()
	mapping := writeTemp(t, dir, "m.yaml", `platforms: {windows: Win}
logsources:
  - category: process_creation
    products: [windows]
    match_platform: false
    events: [ProcessRollup2]
    fields:
      Image: ImagePath
      User: {unsupported: "no users here"}
`)
	rule := writeTemp(t, dir, "r.yml", `title: Admin runs tool
logsource: {category: process_creation, product: windows}
detection:
    selection:
        Image|endswith: '\tool.exe'
        Image|expand: '%tooldirs%'
    condition: selection
`)
	// Values are Sigma strings: `\\*` is a backslash and a wildcard.
	ph := writeTemp(t, dir, "ph.yaml", "tooldirs: ['C:\\Tools\\\\*', 'D:\\Bin\\\\*']\n")
	code, stdout, stderr := runTiercel(t, "", "import", "sigma", "--mapping", mapping, "--placeholders", ph, rule)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"#event_simpleName=ProcessRollup2\n", `ImagePath=/\\tool\.exe$/i`, `ImagePath=/^C:\\Tools\\/i or ImagePath=/^D:\\Bin\\/i`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	code, _, stderr = runTiercel(t, "", "import", "sigma", "--mapping", mapping, rule)
	if code != ExitError || !strings.Contains(stderr, "placeholder %tooldirs% has no values") {
		t.Errorf("without --placeholders: exit %d, %s", code, stderr)
	}
	bad := writeTemp(t, dir, "bad.yaml", "logsources:\n  - category: x\n    products: [windows]\n    events: [E]\n    fields: {A: {fieldd: x}}\n")
	code, _, stderr = runTiercel(t, "", "import", "sigma", "--mapping", bad, rule)
	if code != ExitUsage || !strings.Contains(stderr, "bad.yaml:5:26: unknown field key \"fieldd\"") {
		t.Errorf("bad mapping: exit %d, %s", code, stderr)
	}
}

// DestinationHostname comes from the host's DNS answers, in file and
// stream mode.
func TestHuntSigmaDestinationHostname(t *testing.T) {
	dir := t.TempDir()
	writeTemp(t, dir, "net_connection_win_ngrok.yml", `title: Connection to ngrok
author: Jane Doe
logsource: {category: network_connection, product: windows}
detection:
    selection:
        Initiated: 'true'
        DestinationHostname|endswith: '.ngrok.io'
    condition: selection
`)
	events := `{"event_simpleName":"DnsRequest","event_platform":"Win","id":"d1","aid":"a1","timestamp":"1767225600000","DomainName":"tunnel.ngrok.io","IP4Records":"198.51.100.9;"}
{"event_simpleName":"NetworkConnectIP4","event_platform":"Win","id":"n1","aid":"a1","timestamp":"1767225601000","RemoteAddressIP4":"198.51.100.9","RemotePort":"443"}
{"event_simpleName":"NetworkConnectIP4","event_platform":"Win","id":"n2","aid":"a1","timestamp":"1767225602000","RemoteAddressIP4":"198.51.100.10","RemotePort":"443"}
{"event_simpleName":"NetworkConnectIP4","event_platform":"Win","id":"n3","aid":"a2","timestamp":"1767225603000","RemoteAddressIP4":"198.51.100.9","RemotePort":"443"}
`
	file := writeTemp(t, t.TempDir(), "ev.ndjson", events)
	for _, args := range [][]string{{file}, {"-"}} {
		stdin := ""
		if args[0] == "-" {
			stdin = events
		}
		code, stdout, stderr := runTiercel(t, stdin, append([]string{"hunt", "--sigma", dir, "--sigma-only", "--format", "json"}, args...)...)
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], `"id":"n1"`) || !strings.Contains(lines[0], `"DestinationHostname":"tunnel.ngrok.io"`) {
			t.Errorf("hunt %v: want only n1 (n2 has another address, n3 another host):\n%s", args, stdout)
		}
	}
}
