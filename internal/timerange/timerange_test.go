package timerange

import (
	"strings"
	"testing"
	"time"
)

func TestPoint(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	n := now.UnixMilli()
	tests := []struct {
		in   string
		want int64
		err  string
	}{
		{"now", n, ""},
		{"15m", n - 15*60_000, ""},
		{"24h", n - 24*3_600_000, ""},
		{"7d", n - 7*86_400_000, ""},
		{"2 hours", n - 2*3_600_000, ""},
		{"1mon", n - 30*86_400_000, ""},
		{"2026-12-03T10:00:00Z", n - 2*3_600_000, ""},
		{"2026-12-03T11:00:00.5+01:00", n - 2*3_600_000 + 500, ""},
		{"1796292000000", 1796292000000, ""},
		{"15", 0, "no time unit"},
		{"15x", 0, "unknown time unit"},
		{"2026-13-03T10:00:00Z", 0, "RFC 3339"},
		{"yesterday", 0, "not a relative time"},
	}
	for _, tt := range tests {
		got, err := Point(tt.in, now)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q = %d (%v), want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseRange(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	r, err := Parse("24h", "1h", now)
	if err != nil || !r.Contains(now.Add(-2*time.Hour).UnixMilli()) || r.Contains(now.Add(-30*time.Minute).UnixMilli()) || r.Contains(now.Add(-25*time.Hour).UnixMilli()) {
		t.Errorf("24h..1h: %+v %v", r, err)
	}
	if _, err := Parse("1h", "24h", now); err == nil {
		t.Error("end before start must be an error")
	}
	if r, _ := Parse("", "", now); !r.Empty() || !r.Contains(1) {
		t.Error("open range")
	}
}
