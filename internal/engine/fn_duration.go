package engine

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// LogScale's relative time syntax: a number and a unit, "15m", "1hour",
// "3 weeks". Calendar units (months, and anchors such as @d) depend on a
// calendar and are rejected where a fixed span is needed.
var durationUnits = map[string]int64{
	"ms": 1, "millis": 1, "millisecond": 1, "milliseconds": 1,
	"s": 1000, "sec": 1000, "secs": 1000, "second": 1000, "seconds": 1000,
	"m": 60_000, "min": 60_000, "mins": 60_000, "minute": 60_000, "minutes": 60_000,
	"h": 3_600_000, "hr": 3_600_000, "hrs": 3_600_000, "hour": 3_600_000, "hours": 3_600_000,
	"d": 86_400_000, "day": 86_400_000, "days": 86_400_000,
	"w": 7 * 86_400_000, "week": 7 * 86_400_000, "weeks": 7 * 86_400_000,
	"y": 365 * 86_400_000, "year": 365 * 86_400_000, "years": 365 * 86_400_000,
}

// parseRelativeTime returns the length of a relative time in milliseconds.
func parseRelativeTime(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9') {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("%q is not a relative time such as 15m, 1h or 2d", s)
	}
	n, err := strconv.ParseInt(t[:i], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q: number out of range", s)
	}
	unit := strings.ToLower(strings.TrimLeftFunc(t[i:], unicode.IsSpace))
	if unit == "" {
		return 0, fmt.Errorf("%q has no time unit (write e.g. %ss or %sm)", s, t[:i], t[:i])
	}
	ms, ok := durationUnits[unit]
	if !ok {
		if strings.HasPrefix(unit, "mon") || strings.HasPrefix(unit, "q") {
			return 0, fmt.Errorf("%q: calendar units (months, quarters) have no fixed length", s)
		}
		return 0, fmt.Errorf("%q: unknown time unit %q", s, unit)
	}
	if n > (1<<62)/ms {
		return 0, fmt.Errorf("%q: duration out of range", s)
	}
	return n * ms, nil
}

// duration(): the milliseconds of a relative time, as a constant.
func init() {
	registerFunc("duration", &funcImpl{params: []string{"duration", "as"}, defaultAs: "_duration",
		value: func(c *compiler, a *args) (expr, error) {
			s, err := a.required("duration")
			if err != nil {
				return nil, err
			}
			ms, perr := parseRelativeTime(s)
			if perr != nil {
				return nil, a.errorf("duration", "%v", perr)
			}
			return constExpr{strconv.FormatInt(ms, 10)}, nil
		}})
}

// durationArg reads an optional relative-time parameter (0 when absent).
func (a *args) durationArg(name string) (int64, error) {
	s, err := a.str(name, "")
	if err != nil || s == "" {
		return 0, err
	}
	ms, perr := parseRelativeTime(s)
	if perr != nil {
		return 0, a.errorf(name, "%v", perr)
	}
	if ms <= 0 {
		return 0, a.errorf(name, "%s must be longer than zero", name)
	}
	return ms, nil
}
