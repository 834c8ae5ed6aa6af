package cli

import (
	"strings"
	"testing"
)

func TestServeUsageErrors(t *testing.T) {
	dir := t.TempDir()
	bad := writeTemp(t, dir, "bad.yaml", "data: /tmp/x\nlisten: 127.0.0.1:0\nthrottle: 1\n")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"serve"}, "--data DIR is required"},
		{[]string{"serve", "--data", dir}, "ingest token is required"},
		{[]string{"serve", "--data", dir, "--ingest-token", "a", "--api-token", "a"}, "must differ"},
		{[]string{"serve", "--config", bad}, "bad.yaml:3: unknown key throttle"},
		{[]string{"serve", "--data", dir, "--ingest-token", "a", "--api-token", "b", "--log-format", "xml"}, "log format"},
		{[]string{"serve", "--data", dir, "--ingest-token", "a", "--api-token", "b", "--tuning", "nope"}, "no selected rule has a tuning"},
		{[]string{"serve", "extra"}, "unknown command"},
	}
	for _, tt := range tests {
		code, _, stderr := runTiercel(t, "", tt.args...)
		if code != ExitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
}
