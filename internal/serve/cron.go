package serve

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tiercel/tiercel/internal/engine"
)

func relative(s string) (int64, error) { return engine.ParseRelativeTime(s) }

// Cron is a parsed five-field cron schedule (minute hour day-of-month
// month day-of-week), as LogScale scheduled searches take it: '*', lists,
// ranges and steps ("*/5", "1-5", "0,30").
type Cron struct {
	fields [5][]bool
	domAny bool
	dowAny bool
}

var cronBounds = [5][2]int{{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}}

// ParseCron reads a cron expression.
func ParseCron(expr string) (*Cron, error) {
	parts := strings.Fields(expr)
	if len(parts) != 5 {
		return nil, fmt.Errorf("%q: want 5 fields (minute hour day month weekday)", expr)
	}
	c := &Cron{domAny: parts[2] == "*", dowAny: parts[4] == "*"}
	for i, p := range parts {
		lo, hi := cronBounds[i][0], cronBounds[i][1]
		set := make([]bool, hi+1)
		for _, item := range strings.Split(p, ",") {
			step := 1
			if r, s, ok := strings.Cut(item, "/"); ok {
				n, err := strconv.Atoi(s)
				if err != nil || n < 1 {
					return nil, fmt.Errorf("%q: bad step %q", expr, s)
				}
				item, step = r, n
			}
			a, b := lo, hi
			if item != "*" {
				x, y, isRange := strings.Cut(item, "-")
				var err error
				if a, err = strconv.Atoi(x); err != nil {
					return nil, fmt.Errorf("%q: bad value %q", expr, item)
				}
				b = a
				if isRange {
					if b, err = strconv.Atoi(y); err != nil {
						return nil, fmt.Errorf("%q: bad value %q", expr, item)
					}
				} else if step > 1 {
					b = hi
				}
			}
			if a < lo || b > hi || a > b {
				return nil, fmt.Errorf("%q: %q out of range %d-%d", expr, item, lo, hi)
			}
			for v := a; v <= b; v += step {
				set[v] = true
			}
		}
		if i == 4 && set[7] {
			set[0] = true // Sunday is 0 or 7
		}
		c.fields[i] = set
	}
	return c, nil
}

// Next returns the first minute after t (in t's location) the schedule
// matches.
func (c *Cron) Next(t time.Time) time.Time {
	t = t.Truncate(time.Minute).Add(time.Minute)
	for range 366 * 24 * 60 {
		if c.match(t) {
			return t
		}
		t = t.Add(time.Minute)
	}
	return time.Time{}
}

func (c *Cron) match(t time.Time) bool {
	if !c.fields[0][t.Minute()] || !c.fields[1][t.Hour()] || !c.fields[3][int(t.Month())] {
		return false
	}
	dom, dow := c.fields[2][t.Day()], c.fields[4][int(t.Weekday())]
	switch {
	case c.domAny && c.dowAny:
		return true
	case c.domAny:
		return dow
	case c.dowAny:
		return dom
	}
	return dom || dow // cron: either day field matches when both are set
}
