// Package timerange parses LogScale search time ranges: --start/--end on
// search and hunt and the server API's start/end take the same strings.
package timerange

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tiercel/tiercel/internal/engine"
)

// Range is [Start, End) in epoch milliseconds; 0 leaves a side open.
type Range struct {
	Start, End int64
}

// Empty reports whether the range is unbounded on both sides.
func (r Range) Empty() bool { return r.Start == 0 && r.End == 0 }

// Contains reports whether ms falls in the range.
func (r Range) Contains(ms int64) bool {
	return (r.Start == 0 || ms >= r.Start) && (r.End == 0 || ms < r.End)
}

// Parse reads start and end ("" for open sides) relative to now.
func Parse(start, end string, now time.Time) (Range, error) {
	var r Range
	var err error
	if start != "" {
		if r.Start, err = Point(start, now); err != nil {
			return r, fmt.Errorf("start: %w", err)
		}
	}
	if end != "" {
		if r.End, err = Point(end, now); err != nil {
			return r, fmt.Errorf("end: %w", err)
		}
	}
	if r.Start != 0 && r.End != 0 && r.End <= r.Start {
		return r, fmt.Errorf("end %q is not after start %q", end, start)
	}
	return r, nil
}

// calendar units LogScale accepts in time ranges with a fixed length there.
var calendar = map[string]int64{
	"mon": 30 * 86_400_000, "month": 30 * 86_400_000, "months": 30 * 86_400_000,
	"q": 90 * 86_400_000, "qtr": 90 * 86_400_000, "qtrs": 90 * 86_400_000, "quarter": 90 * 86_400_000, "quarters": 90 * 86_400_000,
}

// Point reads one end of a range as epoch ms: "now", a relative time
// meaning that long before now ("15m", "24h", "7d", "2 hours"), an RFC 3339
// time, or epoch milliseconds.
func Point(s string, now time.Time) (int64, error) {
	t := strings.TrimSpace(s)
	switch {
	case t == "":
		return 0, fmt.Errorf("empty time")
	case strings.EqualFold(t, "now"):
		return now.UnixMilli(), nil
	}
	if allDigits(t) {
		if len(t) < 10 {
			return 0, fmt.Errorf("%q has no time unit (write e.g. %ss, %sm or %sd)", s, t, t, t)
		}
		return strconv.ParseInt(t, 10, 64)
	}
	if len(t) >= 10 && t[4] == '-' && t[7] == '-' {
		ts, err := time.Parse(time.RFC3339Nano, t)
		if err != nil {
			return 0, fmt.Errorf("%q is not an RFC 3339 time such as 2026-12-03T10:00:00Z", s)
		}
		return ts.UnixMilli(), nil
	}
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if ms, ok := calendar[strings.ToLower(strings.TrimSpace(t[i:]))]; ok && i > 0 {
		n, err := strconv.ParseInt(t[:i], 10, 64)
		if err != nil {
			return 0, err
		}
		return now.UnixMilli() - n*ms, nil
	}
	d, err := engine.ParseRelativeTime(t)
	if err != nil {
		return 0, fmt.Errorf("%v; or give an RFC 3339 time", err)
	}
	return now.UnixMilli() - d, nil
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
