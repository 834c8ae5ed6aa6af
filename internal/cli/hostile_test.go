package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// One bad path never costs the others: each is reported, the good files are
// searched and printed, and the exit code is 1.
func TestSearchBadPathsSkipped(t *testing.T) {
	dir := t.TempDir()
	good := writeTemp(t, dir, "good.json", `{"a":"1"}`+"\n"+`{"a":"2"}`+"\n")
	empty := filepath.Join(dir, "empty")
	lookups := filepath.Join(dir, "fdr", "fdrv2", "aidmaster")
	for _, d := range []string{empty, lookups} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeTemp(t, lookups, "part-0.json", `{"aid":"x"}`+"\n")
	tests := []struct {
		name   string
		paths  []string
		rows   string
		stderr []string
	}{
		{"missing among good", []string{filepath.Join(dir, "nope.json"), good}, "2",
			[]string{"nope.json: no such file or directory"}},
		{"empty directory", []string{empty, good}, "2", []string{"empty: no input files in this directory"}},
		{"device", []string{"/dev/zero", good}, "2", []string{"/dev/zero: a device, not a file"}},
		{"only lookup tables", []string{filepath.Join(dir, "fdr")}, "0", []string{"no telemetry found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"search", "--no-enrich", "--format", "csv", "count()"}, tt.paths...)
			code, stdout, stderr := runTiercel(t, "", args...)
			if code != ExitError {
				t.Errorf("exit %d, want 1", code)
			}
			if stdout != "_count\n"+tt.rows+"\n" {
				t.Errorf("stdout %q, want the good files' count %s", stdout, tt.rows)
			}
			checkStderr(t, stderr, tt.stderr, false)
		})
	}
}

// Lines over --max-line are skipped and reported with file:line, also
// inside gzip (a bomb of zeros is one endless line); the others are read,
// and the exit code is 0 (hunt --fail-on-error makes it 1).
func TestSearchLineTooLong(t *testing.T) {
	dir := t.TempDir()
	writeTemp(t, dir, "a.json", `{"a":"1"}`+"\n"+`{"a":"`+strings.Repeat("x", 5000)+`"}`+"\n"+`{"a":"3"}`+"\n")
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write(make([]byte, 4<<20))
	zw.Close()
	writeTemp(t, dir, "b.gz", bomb.String())
	code, stdout, stderr := runTiercel(t, "", "search", "--no-enrich", "--max-line", "1KiB", "--format", "csv", "count()", dir)
	if code != ExitOK || stdout != "_count\n2\n" {
		t.Errorf("exit %d, stdout %q", code, stdout)
	}
	checkStderr(t, stderr, []string{
		filepath.Join(dir, "a.json") + ":2: line too long: 5008 B, over the 1 KiB limit (--max-line); skipped",
		filepath.Join(dir, "b.gz") + ":1: line too long: 4 MiB",
		"2 lines over the length limit skipped",
	}, false)

	code, _, stderr = runTiercel(t, "", "hunt", "--no-enrich", "--max-line", "1KiB", "--fail-on-error", dir)
	if code != ExitError || !strings.Contains(stderr, "--fail-on-error: 2 line(s) skipped") {
		t.Errorf("hunt --fail-on-error: exit %d, stderr:\n%s", code, stderr)
	}
	if code, _, stderr = runTiercel(t, "", "search", "--max-line", "12x", "x", dir); code != ExitUsage {
		t.Errorf("bad --max-line: exit %d %s", code, stderr)
	}
}

// A query over the memory budget stops with an error naming the function
// and the limit; a runaway regex warns with its pattern and count.
func TestSearchLimitsReported(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&b, `{"k":"key-%d","pad":"%s"}`+"\n", i, strings.Repeat("p", 64))
	}
	data := writeTemp(t, dir, "many.json", b.String())
	code, stdout, stderr := runTiercel(t, "", "search", "--no-enrich", "--max-memory", "1MiB", "groupBy(k)", data)
	if code != ExitError || stdout != "" {
		t.Errorf("exit %d, stdout %q", code, stdout)
	}
	checkStderr(t, stderr, []string{"groupBy(): memory held over the limit of 1 MiB; the query was stopped (raise it with --max-memory)"}, false)

	// the budget is spent after two timeouts: later events are not tried
	evil := writeTemp(t, dir, "evil.json", strings.Repeat(`{"s":"`+strings.Repeat("a", 30)+`b"}`+"\n", 4)+`{"s":"b"}`+"\n")
	code, stdout, stderr = runTiercel(t, "", "search", "--no-enrich", "--regex-time", "200ms", "--format", "csv",
		`not s=/(?=a)(a+)+$|b$/ | count()`, evil)
	if code != ExitOK || stdout != "_count\n0\n" {
		t.Errorf("exit %d, stdout %q: undecided events must not be returned under not", code, stdout)
	}
	checkStderr(t, stderr, []string{"regex /(?=a)(a+)+$|b$/ timed out on 5 event(s)", "undecided"}, false)
}

// CSV output defuses cells a spreadsheet would run as formulas.
func TestSearchCSVFormulas(t *testing.T) {
	data := writeTemp(t, t.TempDir(), "f.json", `{"c":"=HYPERLINK(\"http://x\")","n":"-5","m":"@SUM(A1)"}`+"\n")
	code, stdout, _ := runTiercel(t, "", "search", "--no-enrich", "--format", "csv", "select([c, n, m])", data)
	if code != ExitOK || stdout != "c,n,m\n\"'=HYPERLINK(\"\"http://x\"\")\",-5,'@SUM(A1)\n" {
		t.Errorf("exit %d, stdout %q", code, stdout)
	}
}

// interruptingReader cancels the search after handing out its first part,
// as a SIGINT would while the input is still being read.
type interruptingReader struct {
	parts  []string
	cancel func()
}

func (r *interruptingReader) Read(p []byte) (int, error) {
	if len(r.parts) == 0 {
		return 0, io.EOF
	}
	if len(r.parts) == 1 && r.cancel != nil {
		// the first part's chunks are searched by now; then the signal
		time.Sleep(300 * time.Millisecond)
		r.cancel()
		r.cancel = nil
	}
	n := copy(p, r.parts[0])
	r.parts[0] = r.parts[0][n:]
	if r.parts[0] == "" {
		r.parts = r.parts[1:]
	}
	return n, nil
}

// An interrupted search still prints the result over what it read, says
// how much that was, and exits 1.
func TestSearchInterruptedPrintsWhatWasRead(t *testing.T) {
	var first, second strings.Builder
	for i := range 200_000 { // several chunks
		fmt.Fprintf(&first, `{"i":"%d"}`+"\n", i)
		fmt.Fprintf(&second, `{"i":"x%d"}`+"\n", i)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb bytes.Buffer
	env := &Env{Stdin: &interruptingReader{parts: []string{first.String(), second.String()}, cancel: cancel}, Stdout: &out, Stderr: &errb}
	err := runSearch(ctx, env, searchArgs{query: "count()", paths: []string{"-"}, format: "csv", enrich: enrichFlags{off: true}})
	var ee *exitError
	if !asExit(err, &ee) || ee.code != ExitError {
		t.Fatalf("err %v, want exit 1", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || lines[0] != "_count" {
		t.Fatalf("stdout %q, want the count so far", out.String())
	}
	n, _ := strconv.Atoi(lines[1])
	if n == 0 || !strings.Contains(errb.String(), fmt.Sprintf("interrupted: the results above cover only the first %d line(s)", n)) {
		t.Errorf("count %d, stderr:\n%s", n, errb.String())
	}
}

func asExit(err error, ee **exitError) bool {
	e, ok := err.(*exitError)
	*ee = e
	return ok
}

// A one-line 1 MB query with 200 errors prints a window of the line per
// error, not the whole line each time (it printed 480 MB).
func TestCheckHugeQueryLineBounded(t *testing.T) {
	parts := make([]string, 0, 200_200)
	for range 200_000 {
		parts = append(parts, "x=1")
	}
	for i := range 200 {
		parts = append(parts, fmt.Sprintf("nosuchfn%d()", i))
	}
	file := writeTemp(t, t.TempDir(), "big.cql", strings.Join(parts, " | "))
	code, _, stderr := runTiercel(t, "", "check", "--file", file)
	if code != ExitError {
		t.Errorf("exit %d", code)
	}
	if n := strings.Count(stderr, "[unknown-function]"); n != 200 {
		t.Errorf("%d unknown-function errors, want 200", n)
	}
	if len(stderr) > 200_000 {
		t.Errorf("stderr is %d bytes for 200 errors", len(stderr))
	}
}

// hunt reports a rule's regex that timed out with its pattern and count,
// and --fail-on-error turns undecided events into exit 1.
func TestHuntUndecidedFailOnError(t *testing.T) {
	dir := t.TempDir()
	copyRuleDir(t, seedRuleDir, filepath.Join(dir, "local"))
	yml := filepath.Join(dir, "local", "rule.yaml")
	data, _ := os.ReadFile(yml)
	data = []byte(strings.Replace(string(data), "id: T1590.005-ip-address-recon", "id: local-evil", 1))
	if err := os.WriteFile(yml, data, 0o644); err != nil {
		t.Fatal(err)
	}
	// the DNS branch's domain test becomes a runaway lookaround regex
	qpath := filepath.Join(dir, "local", "query.cql")
	q, _ := os.ReadFile(qpath)
	lines := strings.Split(string(q), "\n")
	for i, l := range lines {
		if strings.Contains(l, "and DomainName = /") {
			lines[i] = "    and DomainName = /(?=a)(a+)+$|b$/"
		}
	}
	if err := os.WriteFile(qpath, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	input := writeTemp(t, t.TempDir(), "in.json", strings.Repeat(
		`{"event_simpleName":"DnsRequest","aid":"a1","timestamp":"1764340000000","DomainName":"`+strings.Repeat("a", 30)+`b"}`+"\n", 3))
	for _, tc := range []struct {
		flags []string
		code  int
	}{{nil, ExitOK}, {[]string{"--fail-on-error"}, ExitError}} {
		args := append([]string{"hunt", "--no-enrich", "--format", "json", "--regex-time", "150ms", "--rules", dir}, tc.flags...)
		code, stdout, stderr := runTiercel(t, "", append(args, input)...)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d\n%s", tc.flags, code, tc.code, stderr)
		}
		if stdout != "" {
			t.Errorf("undecided events raised alerts: %s", stdout)
		}
		checkStderr(t, stderr, []string{"regex /(?=a)(a+)+$|b$/ timed out on 3 event(s)"}, false)
	}
}
