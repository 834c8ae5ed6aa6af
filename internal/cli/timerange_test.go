package cli

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tiercel/tiercel/internal/segment"
	"github.com/tiercel/tiercel/internal/timerange"
)

// TestTimeRangeOverStore searches an event store: segments outside the
// range are pruned by their index, lines outside it are dropped.
func TestTimeRangeOverStore(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	clk := now.Add(-3 * time.Hour)
	st, err := segment.Open(dir, segment.Options{Now: func() time.Time { return clk }, MaxSegmentAge: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	// one segment per hour, events 3h, 2h and 1h ago (plus 90 min ago in the second)
	for i, ago := range [][]time.Duration{{3 * time.Hour}, {119 * time.Minute, 90 * time.Minute}, {time.Hour}} {
		var lines []segment.Line
		for j, a := range ago {
			lines = append(lines, segment.Line(fmt.Sprintf(`{"id":"e%d-%d","event_simpleName":"DnsRequest","timestamp":"%d","DomainName":"x.shodan.io"}`, i, j, now.Add(-a).UnixMilli())))
		}
		st.Append(lines)
		if err := st.Commit(); err != nil {
			t.Fatal(err)
		}
		clk = clk.Add(time.Hour)
		st.Commit()
	}
	st.Close()
	q := `#event_simpleName=DnsRequest | select([id])`
	tests := []struct {
		args []string
		want string
	}{
		{nil, "e0-0 e1-0 e1-1 e2-0"},
		{[]string{"--start", "150m"}, "e1-0 e1-1 e2-0"},
		{[]string{"--start", "100m", "--end", "80m"}, "e1-1"},
		{[]string{"--end", "2h"}, "e0-0"},
		{[]string{"--start", now.Add(-70 * time.Minute).UTC().Format(time.RFC3339)}, "e2-0"},
		{[]string{"--start", "10m"}, ""},
	}
	for _, tt := range tests {
		args := append([]string{"search", "--format", "csv", "--no-enrich"}, tt.args...)
		code, out, stderr := runTiercel(t, "", append(args, q, dir)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tt.args, code, stderr)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")[1:]
		if got := strings.Join(lines, " "); got != tt.want {
			t.Errorf("%v: got %q, want %q", tt.args, got, tt.want)
		}
	}
	if got := prunePathsCount(t, dir, now.Add(-100*time.Minute).UnixMilli()); got != 2 {
		t.Errorf("--start 100m reads %d segments, want 2", got)
	}
	code, _, stderr := runTiercel(t, "", "search", "--start", "15", q, dir)
	if code != ExitUsage || !strings.Contains(stderr, "no time unit") {
		t.Errorf("bad --start: exit %d %s", code, stderr)
	}
	code, _, stderr = runTiercel(t, "", "hunt", "--start", "1h", "--end", "2h", dir)
	if code != ExitUsage || !strings.Contains(stderr, "not after start") {
		t.Errorf("hunt bad range: exit %d %s", code, stderr)
	}
}

func prunePathsCount(t *testing.T, dir string, start int64) int {
	t.Helper()
	paths, err := prunePaths([]string{dir}, timerange.Range{Start: start})
	if err != nil {
		t.Fatal(err)
	}
	return len(paths)
}
