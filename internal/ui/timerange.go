package ui

import (
	"strings"
	"time"

	"github.com/tiercel/tiercel/internal/timerange"
)

// ParseTime reads a time-range bound as search --start/--end do (design
// §8): "" (unbounded, the zero time), "now", a relative "15m", "24h", "7d",
// an RFC 3339 time, or epoch milliseconds.
func ParseTime(s string, now time.Time) (time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, nil
	}
	ms, err := timerange.Point(s, now)
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMilli(ms), nil
}
