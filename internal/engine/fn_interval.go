package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tiercel/tiercel/internal/event"
)

// start(as=_start) and end(as=_end): the search interval in milliseconds
// since the epoch (reference pages functions-start, functions-end). A
// search without --start covers all time, so start() is 0; without --end
// the interval ends at the query's now().

func init() {
	registerFunc("start", &funcImpl{params: []string{"as"}, defaultAs: "_start", value: func(c *compiler, a *args) (expr, error) {
		ms := int64(0)
		if !c.opts.Start.IsZero() {
			ms = c.opts.Start.UnixMilli()
		}
		return constExpr{strconv.FormatInt(ms, 10)}, nil
	}})
	registerFunc("end", &funcImpl{params: []string{"as"}, defaultAs: "_end", value: func(c *compiler, a *args) (expr, error) {
		t := c.opts.Now
		if !c.opts.End.IsZero() {
			t = c.opts.End
		}
		return constExpr{strconv.FormatInt(t.UnixMilli(), 10)}, nil
	}})
}

// setTimeInterval(start, end=now, timezone) sets the query's time interval
// from within the query (reference page functions-settimeinterval): it
// overrides the interval the query was run with, so it keeps only events
// whose @timestamp lies in [start, end] and sets what start() and end()
// report. start and end are relative times back from now (7d, 1d, now) or
// absolute points: epoch milliseconds or RFC 3339. The checker keeps it in
// the preamble, before any other step. Events without a @timestamp pass.
func init() {
	registerFunc("setTimeInterval", &funcImpl{params: []string{"start", "end", "timezone"}, step: compileSetTimeInterval})
}

type timeIntervalStep struct{ from, to int64 }

func compileSetTimeInterval(c *compiler, a *args) (any, error) {
	startS, err := a.required("start")
	if err != nil {
		return nil, err
	}
	endS, err := a.str("end", "now")
	if err != nil {
		return nil, err
	}
	if _, err := a.str("timezone", ""); err != nil {
		return nil, err
	}
	from, err := timePoint(c.opts.Now, startS)
	if err != nil {
		return nil, a.errorf("start", "%v", err)
	}
	to, err := timePoint(c.opts.Now, endS)
	if err != nil {
		return nil, a.errorf("end", "%v", err)
	}
	if !from.Before(to) {
		return nil, a.errorf("start", "start %s is not before end %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	c.opts.Start, c.opts.End = from, to
	c.read(event.Timestamp)
	return &timeIntervalStep{from: from.UnixMilli(), to: to.UnixMilli()}, nil
}

// timePoint reads "now", a relative time back from now, epoch milliseconds
// or an RFC 3339 time.
func timePoint(now time.Time, s string) (time.Time, error) {
	t := strings.TrimSpace(s)
	if strings.EqualFold(t, "now") {
		return now, nil
	}
	if ms, err := strconv.ParseInt(t, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), nil
	}
	if tm, err := time.Parse(time.RFC3339Nano, t); err == nil {
		return tm, nil
	}
	ms, err := parseRelativeTime(t)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither a relative time (7d, 24h, now), epoch milliseconds nor an RFC 3339 time", s)
	}
	return now.Add(-time.Duration(ms) * time.Millisecond), nil
}

func (s *timeIntervalStep) apply(_ *exec, ev *event.Event) bool {
	ts, ok := numberField(ev, event.Timestamp)
	if !ok {
		return true
	}
	return int64(ts) >= s.from && int64(ts) <= s.to
}
