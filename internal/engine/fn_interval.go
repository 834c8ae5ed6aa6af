package engine

import (
	"strconv"
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
