package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/spf13/pflag"

	"github.com/tiercel/tiercel/internal/run"
)

// alertKeys runs hunt with args and returns "id branch" of every alert, sorted.
func alertKeys(t *testing.T, stdin string, args ...string) []string {
	t.Helper()
	code, stdout, stderr := runTiercel(t, stdin, append([]string{"hunt", "--format", "json"}, args...)...)
	if code != ExitOK {
		t.Fatalf("hunt %v: exit %d\n%s", args, code, stderr)
	}
	var keys []string
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var a struct {
			ID     string `json:"id"`
			Branch string `json:"DetectionBranch"`
		}
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatalf("not JSON: %v: %s", err, l)
		}
		keys = append(keys, a.ID+" "+a.Branch)
	}
	slices.Sort(keys)
	return keys
}

func emulateTo(t *testing.T, args ...string) string {
	t.Helper()
	code, stdout, stderr := runTiercel(t, "", append([]string{"emulate", "--seed", "5", "--events", "20000", "--hosts", "20"}, args...)...)
	if code != ExitOK {
		t.Fatalf("emulate %v: exit %d\n%s", args, code, stderr)
	}
	return stdout
}

// The raw FDR tree hunted through enrichment must alert exactly like the
// LogScale view of the same emulation (fields filled in by the emulator)
// hunted without enrichment.
func TestHuntRawFDRMatchesLogScaleView(t *testing.T) {
	dir := t.TempDir()
	fdr := filepath.Join(dir, "fdr")
	emulateTo(t, "--fdr", fdr)
	logscale := writeTemp(t, dir, "logscale.ndjson", emulateTo(t, "--view", "logscale"))
	want := alertKeys(t, "", "--no-enrich", logscale)
	got := alertKeys(t, "", fdr)
	if len(want) < 20 {
		t.Fatalf("only %d alerts on the LogScale view", len(want))
	}
	if !slices.Equal(got, want) {
		t.Errorf("raw FDR with enrichment: %d alerts; LogScale view: %d\nonly raw: %v\nonly logscale: %v",
			len(got), len(want), minus(got, want), minus(want, got))
	}
	// With the process table spilled to disk past 1 KiB: the same alerts.
	if spilled := alertKeys(t, "", "--process-memory", "1KiB", fdr); !slices.Equal(spilled, got) {
		t.Errorf("--process-memory 1KiB: %d alerts, in memory %d\nonly spilled: %v\nonly in memory: %v",
			len(spilled), len(got), minus(spilled, got), minus(got, spilled))
	}
	// Raw without enrichment loses the network branch (no ContextProcessName).
	if raw := alertKeys(t, "", "--no-enrich", fdr); len(raw) >= len(want) {
		t.Errorf("--no-enrich on raw FDR gave %d alerts, want fewer than %d", len(raw), len(want))
	}
}

// Standard input is enriched in stream mode, with aidmaster and userinfo
// read first; in-order input then alerts like the file mode.
func TestHuntStdinStreamEnrichment(t *testing.T) {
	dir := t.TempDir()
	aidmaster := filepath.Join(dir, "aidmaster.ndjson")
	userinfo := filepath.Join(dir, "userinfo", "part-0.ndjson")
	if err := os.MkdirAll(filepath.Dir(userinfo), 0o755); err != nil {
		t.Fatal(err)
	}
	raw := emulateTo(t, "--shuffle-window", "1", "--aidmaster", aidmaster, "--userinfo", userinfo)
	file := writeTemp(t, dir, "raw.ndjson", raw)
	want := alertKeys(t, "", "--aidmaster", aidmaster, file, filepath.Dir(userinfo))
	got := alertKeys(t, raw, "--aidmaster", aidmaster, "-", filepath.Dir(userinfo))
	if !slices.Equal(got, want) {
		t.Errorf("stdin: %d alerts, files: %d\nonly stdin: %v\nonly files: %v", len(got), len(want), minus(got, want), minus(want, got))
	}
}

// Where the process table cannot spill (no writable temporary directory)
// it stays in memory: the same rows, and a warning saying so.
func TestSearchWarnsWhenTheProcessTableCannotSpill(t *testing.T) {
	fdr := filepath.Join(t.TempDir(), "fdr")
	emulateTo(t, "--fdr", fdr)
	query := `#event_simpleName=NetworkConnectIP4 ContextProcessName=/^curl/i | count()`
	_, want, _ := runTiercel(t, "", "search", "--format", "csv", query, fdr)
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	code, got, stderr := runTiercel(t, "", "search", "--format", "csv", "--process-memory", "1KiB", query, fdr)
	if code != ExitOK || got != want {
		t.Fatalf("exit %d, rows %q; want %q\n%s", code, got, want, stderr)
	}
	if !strings.Contains(stderr, "the process table stayed in memory") {
		t.Errorf("no warning about the spill:\n%s", stderr)
	}
}

// Past its share of --process-memory the user directory spills too: the
// same rows, and --verbose says how many mappings went to the file.
func TestSearchSpillsUserMappings(t *testing.T) {
	fdr := filepath.Join(t.TempDir(), "fdr")
	emulateTo(t, "--fdr", fdr)
	query := `UserName=* | groupBy([aid, UserName], limit=max) | sort([aid, UserName], limit=max)`
	code, want, stderr := runTiercel(t, "", "search", "--format", "csv", query, fdr)
	if code != ExitOK || strings.Count(want, "\n") < 3 {
		t.Fatalf("exit %d, rows %q: the emulated FDR tree should name users\n%s", code, want, stderr)
	}
	code, got, stderr := runTiercel(t, "", "search", "--format", "csv", "-v", "--process-memory", "1KiB", query, fdr)
	if code != ExitOK || got != want {
		t.Fatalf("exit %d, rows %q; want %q\n%s", code, got, want, stderr)
	}
	if !strings.Contains(stderr, "user mappings spilled to a temporary file") {
		t.Errorf("no user spill reported:\n%s", stderr)
	}
}

func TestSearchEnrichmentFlags(t *testing.T) {
	fdr := filepath.Join(t.TempDir(), "fdr")
	emulateTo(t, "--fdr", fdr)
	query := `#event_simpleName=NetworkConnectIP4 ContextProcessName=/^curl/i | count()`
	tests := []struct {
		name      string
		args      []string
		wantZero  bool
		wantStats bool
		wantSpill bool
	}{
		{"enriched by default, counters hidden", nil, false, false, false},
		{"verbose shows the counters", []string{"--verbose"}, false, true, false},
		{"quiet wins over verbose", []string{"--quiet", "-v"}, false, false, false},
		{"no-enrich", []string{"--no-enrich"}, true, false, false},
		{"process table spilled past its budget", []string{"--process-memory", "4KiB", "-v"}, false, true, true},
		{"process table all in memory", []string{"--process-memory", "0", "-v"}, false, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{"search", "--format", "csv"}, tc.args...), query, fdr)
			code, stdout, stderr := runTiercel(t, "", args...)
			if code != ExitOK {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			zero := strings.TrimSpace(stdout) == "_count\n0"
			if zero != tc.wantZero {
				t.Errorf("count output %q, want zero=%v", stdout, tc.wantZero)
			}
			if got := strings.Contains(stderr, "enrich: "); got != tc.wantStats {
				t.Errorf("enrichment summary on stderr = %v, want %v:\n%s", got, tc.wantStats, stderr)
			}
			if got := strings.Contains(stderr, "candidate line(s) held until learning was done"); got != tc.wantStats {
				t.Errorf("held candidates reported = %v, want %v:\n%s", got, tc.wantStats, stderr)
			}
			if got := strings.Contains(stderr, "spilled to a temporary file"); got != tc.wantSpill {
				t.Errorf("spill reported = %v, want %v:\n%s", got, tc.wantSpill, stderr)
			}
			if strings.Contains(stderr, "malformed") {
				t.Errorf("the FDR tree's manifest.json was read as telemetry:\n%s", stderr)
			}
		})
	}
}

func TestDemo(t *testing.T) {
	code, stdout, stderr := runTiercel(t, "", "demo")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stderr, stdout)
	}
	for _, want := range []string{
		"tiercel demo: T1590.005-ip-address-recon", "ALERTS WITH TUNINGS ON (", "DETECTION MATRIX",
		"10 of 10 test runs detected; 0 expected signal(s) missed",
		"FALSE POSITIVES ON THE BACKGROUND", "TUNINGS", "ENRICHMENT",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	for i, l := range strings.Split(stdout, "\n") {
		if utf8.RuneCountInString(l) > 80 {
			t.Errorf("line %d wider than 80: %q", i+1, l)
		}
	}
	// One alert line per alert, each naming a branch.
	sec := stdout[strings.Index(stdout, "ALERTS WITH TUNINGS ON"):strings.Index(stdout, "DETECTION MATRIX")]
	rows := strings.Split(strings.TrimSpace(sec), "\n")[2:]
	for _, r := range rows {
		if !strings.Contains(r, "OSINT") && !strings.Contains(r, "IPIntel") {
			t.Errorf("alert row without a branch: %q", r)
		}
	}
}

func TestValidateCommand(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"json", []string{"--events", "20000", "--hosts", "20", "--format", "json"}, ExitOK},
		{"bad format", []string{"--format", "xml"}, ExitUsage},
		{"bad events", []string{"--events", "0"}, ExitUsage},
		{"missing lookups dir", []string{"--events", "20000", "--hosts", "20", "--lookups", "/nonexistent"}, ExitOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runTiercel(t, "", append([]string{"validate"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", code, tc.code, stderr)
			}
			if tc.code != ExitOK || tc.args[len(tc.args)-1] != "json" {
				return
			}
			var rep struct {
				Missed int `json:"missed_signals"`
				Tests  []struct {
					Test     int    `json:"test"`
					Platform string `json:"platform"`
				} `json:"tests"`
			}
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, stdout)
			}
			if rep.Missed != 0 || len(rep.Tests) != 10 {
				t.Errorf("missed %d, %d test runs; want 0 and 10", rep.Missed, len(rep.Tests))
			}
		})
	}
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// With --verbose a search says why it read its input again: here it held
// too many candidates to learn only what they need afterwards, and
// started again learning as it reads.
func TestSearchVerboseSaysWhyItReadAgain(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"7","ImageFileName":"C:\\Tools\\curl.exe"}` + "\n")
	for i := range 3 * 4096 {
		fmt.Fprintf(&b, `{"event_simpleName":"DnsRequest","aid":"a1","ContextProcessId":"%d","DomainName":"d%d.example"}`+"\n", 7+i%2, i)
	}
	path := filepath.Join(t.TempDir(), "dns.ndjson")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	query := `#event_simpleName=DnsRequest | groupBy([ContextProcessName], limit=max)`
	for _, tc := range []struct {
		args []string
		want bool
	}{{nil, false}, {[]string{"-v"}, true}} {
		args := append(append([]string{"search", "--format", "csv"}, tc.args...), query, path)
		code, stdout, stderr := runTiercel(t, "", args...)
		if code != ExitOK || !strings.Contains(stdout, "curl.exe,6144") {
			t.Fatalf("%v: exit %d, rows %q\n%s", tc.args, code, stdout, stderr)
		}
		said := strings.Contains(stderr, "enrich: read the input again: "+string(run.AgainLearningAsRead))
		if said != tc.want {
			t.Errorf("%v: said why it read again = %v, want %v:\n%s", tc.args, said, tc.want, stderr)
		}
	}
}

// --process-memory: not given, a search keeps enrich's default and a hunt
// scales it with its rules' reads; given, it is the budget (0: never spill).
func TestProcessMemoryFlag(t *testing.T) {
	tests := []struct {
		hunt      bool
		args      []string
		want      int
		wantScale bool
	}{
		{false, nil, 0, false},
		{true, nil, 0, true},
		{true, []string{"--process-memory", "16MiB"}, 16 << 20, true},
		{false, []string{"--process-memory", "0"}, -1, false},
		{true, []string{"--process-memory", "32MiB"}, 32 << 20, true},
	}
	for _, tc := range tests {
		var f enrichFlags
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		f.register(fs, tc.hunt)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		if got := f.processMemory(); got != tc.want || f.scaled != tc.wantScale {
			t.Errorf("hunt %v, %v: memory %d, scaled %v; want %d, %v", tc.hunt, tc.args, got, f.scaled, tc.want, tc.wantScale)
		}
	}
}
