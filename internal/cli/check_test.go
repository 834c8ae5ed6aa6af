package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckText(t *testing.T) {
	dir := t.TempDir()
	file := writeTemp(t, dir, "q.cql", "a=1\n| gropBy(x)\n")
	tests := []struct {
		name       string
		stdin      string
		args       []string
		code       int
		stdout     string
		stderrHas  []string
		stderrNone bool
	}{
		{name: "clean", args: []string{"check", "groupBy(a) | sort(_count)"}, code: ExitOK, stdout: "ok\n", stderrNone: true},
		{name: "unknown function", args: []string{"check", "groupBy(a) | gropBy(y)"}, code: ExitError,
			stdout:    "1 error, 0 warnings\n",
			stderrHas: []string{`query:1:14: error: unknown function "gropBy" [unknown-function]`, "^~~~~~", `did you mean "groupBy"?`}},
		{name: "file names the file", args: []string{"check", "--file", file}, code: ExitError,
			stderrHas: []string{file + ":2:3: error:"}},
		{name: "stdin", stdin: "head(limit=abc)", args: []string{"check", "-"}, code: ExitError,
			stderrHas: []string{"stdin:1:12: error:", "[bad-argument]"}},
		{name: "dialect warning is not an error", args: []string{"check", "drop()"}, code: ExitOK,
			stdout: "0 errors, 1 warning\n", stderrHas: []string{"warning:", "[dialect-drop-event]"}},
		{name: "strict makes dialect an error", args: []string{"check", "--strict", "drop()"}, code: ExitError,
			stdout: "1 error, 0 warnings\n", stderrHas: []string{"error:", "[dialect-drop-event]"}},
		{name: "unsupported function", args: []string{"check", `hashRewrite(ssn, salt="salt1")`}, code: ExitError,
			stderrHas: []string{"[unsupported-function]", "does not run", "cannot run outside LogScale"}},
		{name: "outside data is not a check error", args: []string{"check", "ipLocation(RemoteAddressIP4)"}, code: 0},
		{name: "no query", args: []string{"check"}, code: ExitUsage, stderrHas: []string{"no query"}},
		{name: "file and argument", args: []string{"check", "--file", file, "a=1"}, code: ExitUsage},
		{name: "two arguments", args: []string{"check", "a=1", "b=2"}, code: ExitUsage},
		{name: "bad flag", args: []string{"check", "--nope", "a=1"}, code: ExitUsage},
		{name: "missing file", args: []string{"check", "--file", filepath.Join(dir, "missing.cql")}, code: ExitError,
			stderrHas: []string{"missing.cql"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runTiercel(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			if tt.stdout != "" && stdout != tt.stdout {
				t.Errorf("stdout %q, want %q", stdout, tt.stdout)
			}
			checkStderr(t, stderr, tt.stderrHas, tt.stderrNone)
		})
	}
}

func TestCheckJSON(t *testing.T) {
	type entry struct {
		Severity, Code, Message, Hint string
		Line, Col, EndLine, EndCol    int
	}
	type doc struct {
		OK          bool     `json:"ok"`
		Diagnostics *[]entry `json:"diagnostics"`
	}
	tests := []struct {
		name  string
		query string
		code  int
		ok    bool
		want  []entry // Message is compared by prefix
	}{
		{name: "clean", query: "count()", code: ExitOK, ok: true, want: []entry{}},
		{name: "errors", query: "a=1\n| groupBy(x, limt=5)", code: ExitError, ok: false, want: []entry{
			{Severity: "error", Code: "unknown-parameter", Message: `groupBy() has no parameter "limt"`,
				Hint: `did you mean "limit"?`, Line: 2, Col: 14, EndLine: 2, EndCol: 18},
		}},
		{name: "warning only", query: "drop()", code: ExitOK, ok: true, want: []entry{
			{Severity: "warning", Code: "dialect-drop-event", Line: 1, Col: 1, EndLine: 1, EndCol: 7},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runTiercel(t, "", "check", "--json", tt.query)
			if code != tt.code {
				t.Fatalf("exit %d, want %d (stderr %s)", code, tt.code, stderr)
			}
			if stderr != "" {
				t.Errorf("--json wrote to stderr: %s", stderr)
			}
			var d doc
			if err := json.Unmarshal([]byte(stdout), &d); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
			}
			if d.OK != tt.ok {
				t.Errorf("ok = %v, want %v", d.OK, tt.ok)
			}
			if d.Diagnostics == nil {
				t.Fatal("diagnostics missing or null")
			}
			got := *d.Diagnostics
			if len(got) != len(tt.want) {
				t.Fatalf("got %d diagnostics, want %d: %s", len(got), len(tt.want), stdout)
			}
			for i, w := range tt.want {
				g := got[i]
				if !strings.HasPrefix(g.Message, w.Message) {
					t.Errorf("message %q, want prefix %q", g.Message, w.Message)
				}
				g.Message, w.Message = "", ""
				if w.Hint == "" {
					g.Hint = ""
				}
				if g != w {
					t.Errorf("diagnostic %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}
