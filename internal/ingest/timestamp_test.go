package ingest

import "testing"

func TestParseMillis(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1625677521162", 1625677521162, true},       // Falcon timestamp, ms
		{"1625677521.137", 1625677521137, true},      // ContextTimeStamp, s.fff
		{"1625677521.1", 1625677521100, true},        // short fraction
		{"1625677521.13799", 1625677521137, true},    // long fraction truncates
		{"1625677521", 1625677521000, true},          // seconds
		{"1625677521162123", 1625677521162, true},    // µs
		{"1625677521162123456", 1625677521162, true}, // ns
		{"1.625677521162e12", 1625677521162, true},   // exponent
		{" 1625677521162 ", 1625677521162, true},
		{"2024-05-01T10:00:00.123Z", 1714557600123, true},
		{"2024-05-01T10:00:00Z", 1714557600000, true},
		{"2024-05-01T10:00:00", 1714557600000, true}, // no zone: UTC
		{"2024-05-01 10:00:00.123456789+02:00", 1714550400123, true},
		{"2024-05-01T12:00:00+0200", 1714557600000, true},
		{"2024-05-01T10:00Z", 1714557600000, true},
		{"2024-05-01", 1714521600000, true},
		{"2024-13-01T10:00:00Z", 0, false},
		{"2024-05-01T10:00:00Q", 0, false},
		{"2024-05-01T", 0, false},
		{"soon", 0, false},
		{"", 0, false},
		{".", 0, false},
		{"12ab", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseMillis([]byte(tt.in))
		if ok != tt.ok || got != tt.want {
			t.Errorf("parseMillis(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
