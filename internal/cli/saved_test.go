package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// savedDir writes a --saved directory: a package search in a subdirectory,
// a parameterised one, and one with a mistake on its second line.
func savedDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"crowdstrike/fltr-core/zComputerName.cql": "host := lower(ComputerName)\n",
		"findhost.cql": "// hosts by name\nComputerName=?{host=WS1}\n",
		"broken.cql":   "x=1\n| gropBy(x)\n",
	}
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		writeTemp(t, filepath.Dir(p), filepath.Base(p), src)
	}
	return dir
}

func TestSavedSearchCLI(t *testing.T) {
	saved := savedDir(t)
	data := writeTemp(t, t.TempDir(), "events.jsonl", seedInput)
	cases := []struct {
		name     string
		args     []string
		code     int
		stdout   string   // exact, when not ""
		inStderr []string // each must appear on stderr
	}{
		{name: "search runs saved searches",
			args: []string{"search", "--no-enrich", "--format", "csv", "--saved", saved,
				`$"crowdstrike/fltr-core:zComputerName"() | $findhost(host=WS3) | table([host, RemotePort])`, data},
			code: ExitOK, stdout: "host,RemotePort\nws3,8443\nws3,443\n"},
		{name: "search uses the ?{default}",
			args: []string{"search", "--no-enrich", "--format", "csv", "--saved", saved, `$findhost() | table(UserName)`, data},
			code: ExitOK, stdout: "UserName\nbob\n"},
		{name: "--param fills a saved search's ?param",
			args: []string{"search", "--no-enrich", "--format", "csv", "--saved", saved, "--param", "host=WS2",
				`$findhost() | table(DomainName)`, data},
			code: ExitOK, stdout: "DomainName\napi.shodan.io\n"},
		{name: "search without --saved",
			args: []string{"search", "--no-enrich", `$findhost()`, data},
			code: ExitError, inStderr: []string{"query:1:1:", "no saved searches were given", "--saved DIR"}},
		{name: "search: problem inside a saved search",
			args: []string{"search", "--no-enrich", "--saved", saved, `x=1 | $broken()`, data},
			code: ExitError, inStderr: []string{"query:1:7:", filepath.Join(saved, "broken.cql") + ":2:3", `unknown function "gropBy"`}},
		{name: "check: unknown saved search",
			args: []string{"check", "--saved", saved, `$findhots()`},
			code: ExitError, inStderr: []string{"[unknown-saved-search]", `did you mean "findhost"?`}},
		{name: "check: content of a saved search",
			args: []string{"check", "--saved", saved, `$broken()`},
			code: ExitError, inStderr: []string{filepath.Join(saved, "broken.cql") + ":2:3", "[unknown-function]"}},
		{name: "check: known saved searches",
			args: []string{"check", "--saved", saved, `$"crowdstrike/fltr-core:zComputerName"() | $findhost(host=a)`},
			code: ExitOK, stdout: "ok\n"},
		{name: "check: --saved is not a directory",
			args: []string{"check", "--saved", data, `$findhost()`},
			code: ExitError, inStderr: []string{"is not a directory"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runTiercel(t, "", tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			if tc.stdout != "" && stdout != tc.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout, tc.stdout)
			}
			for _, s := range tc.inStderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
		})
	}
}
