package cli

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/tiercel/tiercel/internal/ingest"
)

func TestVersion(t *testing.T) {
	code, stdout, stderr := runTiercel(t, "", "version")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"tiercel ", "commit ", "built ", "go       go1.", "platform "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("version lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = runTiercel(t, "", "--version")
	if code != ExitOK || !regexp.MustCompile(`^tiercel \S+ \(commit \S+.*, built .*, go1\.\S+ \w+/\w+\)\n$`).MatchString(stdout) {
		t.Errorf("--version: exit %d, %q", code, stdout)
	}
}

// A hunt over flat NDJSON without aidmaster warns once, in plain words,
// that ComputerName cannot be filled and how to provide it; the enrich:
// counters stay behind --verbose; the last line counts rows, events,
// bytes and time.
func TestHuntWithoutAidmasterWarnsOnce(t *testing.T) {
	events := writeTemp(t, t.TempDir(), "raw.ndjson", emulateTo(t))
	code, _, stderr := runTiercel(t, "", "hunt", "--format", "json", events)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if n := strings.Count(stderr, "no aidmaster host records"); n != 1 {
		t.Errorf("aidmaster warning %d times:\n%s", n, stderr)
	}
	checkStderr(t, stderr, []string{"ComputerName", "--aidmaster PATH", "fdrv2/aidmaster/"}, false)
	if strings.Contains(stderr, "enrich: ") {
		t.Errorf("enrich counters without --verbose:\n%s", stderr)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if last := lines[len(lines)-1]; !regexp.MustCompile(`^\d+ alerts? from 20000 events \([\d.]+ MB\) in [\d.]+s$`).MatchString(last) {
		t.Errorf("last stderr line %q", last)
	}

	// search: the warning only when the query reads ComputerName.
	if _, _, stderr := runTiercel(t, "", "search", "groupBy([ComputerName])", events); !strings.Contains(stderr, "no aidmaster host records") {
		t.Errorf("groupBy([ComputerName]) over flat NDJSON: no warning:\n%s", stderr)
	}
	if _, _, stderr := runTiercel(t, "", "search", "groupBy([DomainName])", events); strings.Contains(stderr, "aidmaster") {
		t.Errorf("warning for a query that reads no host field:\n%s", stderr)
	}

	// An FDR tree has aidmaster: no warning.
	fdr := filepath.Join(t.TempDir(), "fdr")
	emulateTo(t, "--fdr", fdr)
	if _, _, stderr := runTiercel(t, "", "hunt", "--format", "json", fdr); strings.Contains(stderr, "no aidmaster") {
		t.Errorf("warning with aidmaster present:\n%s", stderr)
	}
}

func TestSearchRunLineAndFile(t *testing.T) {
	dir := t.TempDir()
	events := writeTemp(t, dir, "e.ndjson", "{\"a\":\"1\"}\n{\"a\":\"2\"}\n{\"a\":\"2\"}\n")
	qfile := writeTemp(t, dir, "q.cql", "a=2\n| count()\n")
	out := filepath.Join(dir, "out.csv")
	code, stdout, stderr := runTiercel(t, "", "search", "--no-enrich", "--format", "csv", "--file", qfile, "-o", out, events)
	if code != ExitOK || stdout != "" {
		t.Fatalf("exit %d, stdout %q\n%s", code, stdout, stderr)
	}
	if data, err := os.ReadFile(out); err != nil || string(data) != "_count\n2\n" {
		t.Errorf("-o file: %q %v", data, err)
	}
	if !regexp.MustCompile(`(?m)^1 row from 3 events \(\d+ B\) in [\d.]+s$`).MatchString(stderr) {
		t.Errorf("run line missing:\n%s", stderr)
	}
	if code, _, _ := runTiercel(t, "", "search", "--no-enrich", "--quiet", "count()", events); code != ExitOK {
		t.Errorf("quiet: exit %d", code)
	}
	if _, _, stderr := runTiercel(t, "", "search", "--no-enrich", "--quiet", "count()", events); strings.Contains(stderr, "row") {
		t.Errorf("--quiet kept the run line: %q", stderr)
	}
	if code, _, stderr := runTiercel(t, "", "search", "-o", filepath.Join(dir, "no", "such", "dir.csv"), "count()", events); code != ExitError || !strings.Contains(stderr, "--output") {
		t.Errorf("unwritable -o: exit %d %q", code, stderr)
	}
}

func TestHuntMinSeverityAndSummary(t *testing.T) {
	events := attackEvents(t)
	code, stdout, stderr := runTiercel(t, "", "hunt", "--format", "json", "--min-severity", "medium", events)
	if code != ExitOK || stdout == "" {
		t.Fatalf("medium: exit %d, no alerts\n%s", code, stderr)
	}
	var a struct{ Title, Severity string }
	if err := json.Unmarshal([]byte(strings.SplitN(stdout, "\n", 2)[0]), &a); err != nil {
		t.Fatal(err)
	}
	if a.Title != "IP Address Reconnaissance (OSINT tools and IP intelligence lookups)" {
		t.Errorf("alert title %q, want the detection's name", a.Title)
	}
	for _, want := range []string{"summary: ", "by severity: critical 0, high 0, medium ", "summary: rule T1590.005-ip-address-recon (IP Address Reconnaissance",
		"host(s), most alerts: ", "first seen 20", "last seen 20"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("summary lacks %q:\n%s", want, stderr)
		}
	}
	code, _, stderr = runTiercel(t, "", "hunt", "--min-severity", "high", events)
	if code != ExitError || !strings.Contains(stderr, "no rules to run") {
		t.Errorf("high: exit %d %s", code, stderr)
	}
	if code, _, _ := runTiercel(t, "", "hunt", "--min-severity", "urgent", events); code != ExitUsage {
		t.Errorf("unknown severity: exit %d", code)
	}
}

func TestRulesCommand(t *testing.T) {
	code, stdout, stderr := runTiercel(t, "", "rules")
	if code != ExitOK {
		t.Fatalf("exit %d %s", code, stderr)
	}
	for _, want := range []string{"T1590.005-ip-address-recon  T1590.005  medium    IP Address Reconnaissance", "soc-analyst-hosts", "reads soc_analyst_hosts.csv", "tests: 49"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("rules lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = runTiercel(t, "", "rules", "--format", "json", "T1590")
	var l ruleListing
	if code != ExitOK || json.Unmarshal([]byte(stdout), &l) != nil || len(l.Tunings) != 5 || len(l.Tests) != 49 {
		t.Errorf("rules --format json: exit %d %+v", code, l)
	}
}

// The README's tuning example works after `lookups init`, and the files
// come with their headers.
func TestLookupsInitFeedsTheTuning(t *testing.T) {
	dir := t.TempDir()
	lookups := filepath.Join(dir, "lookups")
	code, stdout, stderr := runTiercel(t, "", "lookups", "init", lookups)
	if code != ExitOK || !strings.Contains(stdout, "soc_analyst_hosts.csv: columns ComputerName; read by T1590.005-ip-address-recon:soc-analyst-hosts") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if data, err := os.ReadFile(filepath.Join(lookups, "soc_analyst_hosts.csv")); err != nil || !strings.HasPrefix(string(data), "ComputerName\n") {
		t.Errorf("soc_analyst_hosts.csv: %q %v", data, err)
	}
	// Edits survive a second init.
	writeTemp(t, lookups, "soc_analyst_hosts.csv", "ComputerName\nMY-SOC\n")
	if _, stdout, _ := runTiercel(t, "", "lookups", "init", lookups); !strings.Contains(stdout, "kept ") {
		t.Errorf("second init did not keep the edited file:\n%s", stdout)
	}
	fdr := filepath.Join(dir, "fdr")
	emulateTo(t, "--fdr", fdr)
	// Without the files, the error says what to provide and how.
	code, _, stderr = runTiercel(t, "", "hunt", "--tuning", "soc-analyst-hosts", "--lookups", filepath.Join(dir, "empty"), fdr)
	if code != ExitError || !strings.Contains(stderr, "hint: tuning soc-analyst-hosts reads soc_analyst_hosts.csv (columns ComputerName)") ||
		!strings.Contains(stderr, "tiercel lookups init DIR") {
		t.Errorf("missing lookups: exit %d\n%s", code, stderr)
	}
	code, _, stderr = runTiercel(t, "", "hunt", "--tuning", "soc-analyst-hosts", "--lookups", lookups, "--fail-on-alert", fdr)
	if code != ExitAlert {
		t.Errorf("README tuning example: exit %d, want %d\n%s", code, ExitAlert, stderr)
	}
}

func TestCompletion(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"__complete", "show", "T15"}, "T1590.005-ip-address-recon"},
		{[]string{"__complete", "hunt", "--tuning", "soc"}, "soc-analyst-hosts"},
		{[]string{"__complete", "hunt", "--tuning", "T1590.005-ip-address-recon:sc"}, "T1590.005-ip-address-recon:scanner-hosts"},
		{[]string{"__complete", "hunt", "--format", ""}, "csv"},
		{[]string{"__complete", "show", "--format", ""}, "markdown"},
		{[]string{"__complete", "hunt", "--min-severity", "h"}, "high"},
		{[]string{"__complete", "search", "#event_simpleName=DnsRequest Dom"}, "#event_simpleName=DnsRequest DomainName"},
		{[]string{"__complete", "search", "groupBy([Comp"}, "groupBy([ComputerName"},
		{[]string{"__complete", "check", "grou"}, "groupBy("},
	}
	for _, tt := range tests {
		code, stdout, stderr := runTiercel(t, "", tt.args...)
		if code != ExitOK || !strings.Contains(stdout, tt.want+"\n") && !strings.Contains(stdout, tt.want+"\t") {
			t.Errorf("%v: exit %d, want %q in\n%s%s", tt.args[1:], code, tt.want, stdout, stderr)
		}
	}
	if code, stdout, _ := runTiercel(t, "", "completion", "bash"); code != ExitOK || !strings.Contains(stdout, "bash completion") {
		t.Errorf("completion bash: exit %d", code)
	}
}

func TestProgressLine(t *testing.T) {
	p := &progressBar{label: "hunt", width: 80, total: 100e6, base: ingest.FileBytesRead()}
	p.passes.Store(2)
	p.streamed.Store(50e6) // stands in for bytes read in this unit test
	got := p.line(10 * time.Second)
	for _, want := range []string{"hunt [", " 25%", "50.0 MB/200.0 MB", "5.0 MB/s", "ETA 0:30"} {
		if !strings.Contains(got, want) {
			t.Errorf("line %q lacks %q", got, want)
		}
	}
	if len([]rune(got)) >= 80 {
		t.Errorf("line wider than the terminal: %d", len([]rune(got)))
	}
	// A pass more than expected raises the total (to three passes) instead
	// of passing 100%.
	p.streamed.Store(250e6)
	if got := p.line(10 * time.Second); !strings.Contains(got, " 83%") || !strings.Contains(got, "250.0 MB/300.0 MB") {
		t.Errorf("over-run: %q", got)
	}
	items := &progressBar{label: "emulate", width: 60, itemTotal: 1000, itemName: "events"}
	items.items.Store(250)
	if got := items.line(time.Second); !strings.Contains(got, " 25%") || !strings.Contains(got, "250/1000 events") {
		t.Errorf("items: %q", got)
	}
}

// Every --help reads on an 80-column terminal (cobra's flag list aside).
func TestHelpFits80Columns(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		args := append(strings.Fields(c.CommandPath())[1:], "--help")
		code, stdout, _ := runTiercel(t, "", args...)
		if code != ExitOK {
			t.Errorf("%s: exit %d", c.CommandPath(), code)
		}
		for _, l := range strings.Split(stdout, "\n") {
			if len([]rune(l)) > 80 && !strings.HasPrefix(strings.TrimLeft(l, " "), "-") {
				t.Errorf("%s --help: %d columns: %s", c.CommandPath(), len([]rune(l)), l)
			}
		}
		for _, sub := range c.Commands() {
			if sub.Name() != "completion" && sub.Name() != "help" {
				walk(sub)
			}
		}
	}
	walk(newRoot(&Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard}))
}
