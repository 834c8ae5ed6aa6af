package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runTiercel runs the command line args with stdin and returns the exit
// code and what was written to stdout and stderr.
func runTiercel(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// writeTemp writes content to dir/name and returns the path.
func writeTemp(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// checkStderr asserts that stderr holds every string of has and, when
// wantEmpty, nothing at all.
func checkStderr(t *testing.T, stderr string, has []string, wantEmpty bool) {
	t.Helper()
	for _, s := range has {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, stderr)
		}
	}
	if wantEmpty && stderr != "" {
		t.Errorf("stderr not empty: %s", stderr)
	}
}
