package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestFmt(t *testing.T) {
	dir := t.TempDir()
	file := writeTemp(t, dir, "q.cql", "a=1|groupBy(x)")
	dialect := `case { a=1 => b := 2; * => drop() } | x in [1, 2]`
	longFilter := `#event_simpleName=ProcessRollup2 and (ImageFileName=/\\(nmap|masscan|zmap|theharvester|amass)\.exe$/i or ` +
		`CommandLine=/(?i)(shodan\s+search|censys\s+search|nmap\s+-s[nSp])/) | count()`
	tests := []struct {
		name       string
		stdin      string
		args       []string
		code       int
		stdout     string
		stderrHas  []string
		stderrNone bool
	}{
		{name: "argument", args: []string{"a=1|groupBy(x,limit=10)"}, stdout: "a = 1\n| groupBy(x, limit=10)\n", stderrNone: true},
		{name: "stdin", stdin: "count()", args: []string{"-"}, stdout: "count()\n", stderrNone: true},
		{name: "file", args: []string{"--file", file}, stdout: "a = 1\n| groupBy(x)\n", stderrNone: true},
		{name: "dialect warns", args: []string{dialect},
			stdout:    "case {\n  a = 1 => b := 2;\n  * => drop()\n}\n| x in [1, 2]\n",
			stderrHas: []string{"query:1:12: warning:", "[dialect-case-arrow]", "[dialect-drop-event]", "[dialect-infix-in]"}},
		{name: "canonical", args: []string{"--canonical", dialect},
			stdout:    "case {\n  a = 1 | b := 2\n}\n| in(field=x, values=[1, 2])\n",
			stderrHas: []string{"[dialect-case-arrow]"}},
		{name: "strict", args: []string{"--strict", dialect}, code: ExitError,
			stderrHas: []string{"query:1:12: error:", "[dialect-case-arrow]"}},
		{name: "parse error", args: []string{"groupBy(x"}, code: ExitError,
			stderrHas: []string{"query:1:8: error:", "[syntax-unclosed-paren]", "  |        ^"}},
		{name: "file error names file", args: []string{"--file", writeTemp(t, dir, "bad.cql", "a=1\n| host-name=*")}, code: ExitError,
			stderrHas: []string{"bad.cql:2:3: error:", `"host-name"=*`}},
		{name: "keeps comments", args: []string{"// recon\na=1 // why\n| groupBy(x, function={count() /* n */})\n// end"},
			stdout: "// recon\na = 1 // why\n| groupBy(x, function={\n  count() /* n */\n})\n// end\n", stderrNone: true},
		{name: "canonical keeps comments", args: []string{"--canonical", "case { a=1 => b := 2; // b\n* => drop() // rest\n}"},
			stdout:    "case {\n  a = 1 | b := 2 // b\n  // rest\n}\n",
			stderrHas: []string{"[dialect-case-arrow]"}},
		{name: "long filter wraps", args: []string{longFilter},
			stdout: "#event_simpleName = ProcessRollup2\nand (\n  ImageFileName = /\\\\(nmap|masscan|zmap|theharvester|amass)\\.exe$/i\n" +
				"  or CommandLine = /(?i)(shodan\\s+search|censys\\s+search|nmap\\s+-s[nSp])/\n)\n| count()\n",
			stderrNone: true},
		{name: "slashes in a word are text", args: []string{"url=https://x/"}, stdout: "url = https://x/\n", stderrNone: true},
		{name: "no query", code: ExitUsage, stderrHas: []string{"no query"}},
		{name: "file and argument", args: []string{"--file", file, "x"}, code: ExitUsage, stderrHas: []string{"not both"}},
		{name: "missing file", args: []string{"--file", filepath.Join(dir, "nope")}, code: ExitError, stderrHas: []string{"nope"}},
		{name: "bad flag", args: []string{"--bogus", "x"}, code: ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runTiercel(t, tt.stdin, append([]string{"fmt"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			if tt.code == 0 && stdout != tt.stdout {
				t.Errorf("stdout\n%q\nwant\n%q", stdout, tt.stdout)
			}
			if tt.code != 0 && stdout != "" {
				t.Errorf("stdout should be empty on failure, got %q", stdout)
			}
			checkStderr(t, stderr, tt.stderrHas, tt.stderrNone)
		})
	}
}

// The canonical seed detection prints wrapped (no line over 100 columns
// except unbreakable regexes) and still passes check --strict.
func TestFmtCanonicalSeedPassesStrictCheck(t *testing.T) {
	query := filepath.Join(seedRuleDir, "query.cql")
	code, out, stderr := runTiercel(t, "", "fmt", "--canonical", "--file", query)
	if code != ExitOK {
		t.Fatalf("fmt exit %d: %s", code, stderr)
	}
	for _, line := range strings.Split(out, "\n") {
		if len(line) > 100 && !strings.Contains(line, "= /") {
			t.Errorf("line of %d columns holds no long regex: %q", len(line), line)
		}
	}
	for _, want := range []string{"\n  and (\n    ImageFileName = /", "\n  )\n  | DetectionBranch := \"OSINTToolExecution\";\n",
		"| table([#event_simpleName, ComputerName, UserName, ImageFileName, CommandLine, DomainName,\n    RemoteAddressIP4,"} {
		if !strings.Contains(out, want) {
			t.Errorf("canonical seed lacks %q:\n%s", want, out)
		}
	}
	formatted := writeTemp(t, t.TempDir(), "canon.cql", out)
	if code, _, stderr := runTiercel(t, "", "check", "--strict", "--file", formatted); code != ExitOK {
		t.Errorf("check --strict exit %d on the formatted seed:\n%s", code, stderr)
	}
	code, again, _ := runTiercel(t, "", "fmt", "--file", formatted)
	if code != ExitOK || again != out {
		t.Errorf("fmt is not idempotent on the canonical seed (exit %d):\n%s", code, again)
	}
}
