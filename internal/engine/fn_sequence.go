package engine

import (
	"sort"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

// Sequence functions: aggregates applied along the order of the events
// (reference pages functions-accumulate, functions-slidingwindow,
// functions-slidingtimewindow, functions-partition, functions-session).
// They run after an aggregate in LogScale, over result rows in order;
// tiercel buffers the rows and computes at the end.
//
//   - accumulate(function, current=include): each event gets the aggregate
//     over all events up to it.
//   - slidingWindow(function, events, current=include): over the last
//     `events` events.
//   - slidingTimeWindow(function, span, current=include, timestampfield=
//     @timestamp): over the events whose timestamp lies within span before
//     the event's own.
//   - partition(function, condition, split=before): one row per run of
//     events, a new run starting at (before) or after each event matching
//     condition.
//   - session(function=count(as=_count), maxpause=15m): one row per
//     session, events in @timestamp order no more than maxpause apart.
//
// With current=exclude the event itself is left out of its window. Several
// functions combine as in stats().

const maxSequenceEvents = 200_000

func init() {
	registerFunc("accumulate", &funcImpl{params: []string{"function", "current"}, agg: func(c *compiler, a *args) (aggSpec, error) {
		return compileWindowed(c, a, windowAll)
	}})
	registerFunc("slidingWindow", &funcImpl{params: []string{"function", "events", "current"}, agg: func(c *compiler, a *args) (aggSpec, error) {
		return compileWindowed(c, a, windowEvents)
	}})
	registerFunc("slidingTimeWindow", &funcImpl{params: []string{"function", "span", "current", "timestampfield"}, agg: func(c *compiler, a *args) (aggSpec, error) {
		return compileWindowed(c, a, windowTime)
	}})
	registerFunc("partition", &funcImpl{params: []string{"function", "condition", "split"}, agg: compilePartition})
	registerFunc("session", &funcImpl{params: []string{"function", "maxpause"}, agg: compileSession})
}

type windowKind int

const (
	windowAll windowKind = iota
	windowEvents
	windowTime
)

type windowSpec struct {
	name    string
	kind    windowKind
	fns     *groupSpec
	exclude bool
	events  int
	span    int64
	tsField string
}

func compileWindowed(c *compiler, a *args, kind windowKind) (aggSpec, error) {
	s := &windowSpec{name: a.call.Name, kind: kind, tsField: event.Timestamp}
	if !a.has("function") {
		return nil, c.errAt(a.call.Span(), "invalid-argument", "%s(): missing required parameter function", a.call.Name)
	}
	fns, err := c.compileFunctionArg(a, "function")
	if err != nil {
		return nil, err
	}
	s.fns = &groupSpec{aggs: fns, always: true}
	cur, err := a.str("current", "include")
	if err != nil {
		return nil, err
	}
	switch cur {
	case "include":
	case "exclude":
		s.exclude = true
	default:
		return nil, a.errorf("current", "current must be include or exclude, not %q", cur)
	}
	switch kind {
	case windowEvents:
		if s.events, err = a.limit("events", 0, maxSequenceEvents); err != nil {
			return nil, err
		}
		if s.events < 1 {
			return nil, c.errAt(a.call.Span(), "invalid-argument", "%s(): events must be at least 1", a.call.Name)
		}
	case windowTime:
		if !a.has("span") {
			return nil, c.errAt(a.call.Span(), "invalid-argument", "%s(): missing required parameter span", a.call.Name)
		}
		if s.span, err = a.durationArg("span"); err != nil {
			return nil, err
		}
		if s.tsField, err = a.fieldName("timestampfield", event.Timestamp); err != nil {
			return nil, err
		}
		c.read(s.tsField)
	}
	return s, nil
}

func (s *windowSpec) newAgg(x *exec) collector { return &windowAgg{s: s, x: x} }

type windowAgg struct {
	s    *windowSpec
	x    *exec
	rows []*event.Event
	over bool
}

func (w *windowAgg) add(ev *event.Event) {
	if len(w.rows) >= maxSequenceEvents {
		w.over = true
		return
	}
	w.rows = append(w.rows, ev.Clone())
}

// runAggs applies the functions to rows and returns their one result row.
func runAggs(fns *groupSpec, x *exec, rows []*event.Event) *event.Event {
	col := fns.newAgg(x)
	for _, r := range rows {
		col.add(r)
	}
	var out *event.Event
	col.finish(func(e *event.Event) {
		if out == nil {
			out = e
		}
	})
	return out
}

func (w *windowAgg) finish(emit func(*event.Event)) {
	if w.over {
		w.x.warn.addf("%s(): more than %d events; later ones are dropped", w.s.name, maxSequenceEvents)
	}
	ts := make([]int64, len(w.rows))
	if w.s.kind == windowTime {
		for i, r := range w.rows {
			if f, ok := numberField(r, w.s.tsField); ok {
				ts[i] = int64(f)
			}
		}
	}
	for i, r := range w.rows {
		lo := 0
		switch w.s.kind {
		case windowEvents:
			lo = max(0, i+1-w.s.events)
			if w.s.exclude {
				lo = max(0, i-w.s.events)
			}
		case windowTime:
			lo = i
			for lo > 0 && ts[i]-ts[lo-1] < w.s.span {
				lo--
			}
		}
		hi := i + 1
		if w.s.exclude {
			hi = i
		}
		if res := runAggs(w.s.fns, w.x, w.rows[lo:max(lo, hi)]); res != nil {
			for _, f := range res.Fields() {
				r.Set(f.Name, f.Value)
			}
		}
		emit(r)
	}
}

// partition and session cut the sequence into runs and emit one row each.
type runsSpec struct {
	name     string
	fns      *groupSpec
	cond     *pipeline
	after    bool
	maxPause int64 // session
}

func compilePartition(c *compiler, a *args) (aggSpec, error) {
	s := &runsSpec{name: "partition"}
	if !a.has("function") {
		return nil, c.errAt(a.call.Span(), "invalid-argument", "partition(): missing required parameter function")
	}
	fns, err := c.compileFunctionArg(a, "function")
	if err != nil {
		return nil, err
	}
	s.fns = &groupSpec{aggs: fns, always: true}
	sq, ok := a.vals["condition"].(*cql.SubQuery)
	if !ok {
		if s.cond, err = c.pipelineArg(a, "condition"); err != nil {
			return nil, err
		}
	} else if s.cond, err = c.compilePipeline(sq.Pipeline, "partition()"); err != nil {
		return nil, err
	}
	c.needs.All = true
	split, err := a.str("split", "before")
	if err != nil {
		return nil, err
	}
	switch split {
	case "before":
	case "after":
		s.after = true
	default:
		return nil, a.errorf("split", "split must be before or after, not %q", split)
	}
	return s, nil
}

func compileSession(c *compiler, a *args) (aggSpec, error) {
	s := &runsSpec{name: "session"}
	fns, err := c.compileFunctionArg(a, "function")
	if err != nil {
		return nil, err
	}
	s.fns = &groupSpec{aggs: fns, always: true}
	s.maxPause = 15 * 60_000
	if a.has("maxpause") {
		if s.maxPause, err = a.durationArg("maxpause"); err != nil {
			return nil, err
		}
	}
	c.read(event.Timestamp)
	return s, nil
}

func (s *runsSpec) newAgg(x *exec) collector { return &runsAgg{s: s, x: x} }

type runsAgg struct {
	s     *runsSpec
	x     *exec
	rows  []*event.Event
	ts    []int64
	match []bool
	over  bool
}

func (r *runsAgg) add(ev *event.Event) {
	if len(r.rows) >= maxSequenceEvents {
		r.over = true
		return
	}
	c := ev.Clone()
	r.rows = append(r.rows, c)
	if r.s.cond != nil {
		scratch := ev.Clone()
		r.match = append(r.match, r.s.cond.pass(r.x, scratch))
	} else {
		f, _ := numberField(ev, event.Timestamp)
		r.ts = append(r.ts, int64(f))
	}
}

func (r *runsAgg) finish(emit func(*event.Event)) {
	if r.over {
		r.x.warn.addf("%s(): more than %d events; later ones are dropped", r.s.name, maxSequenceEvents)
	}
	idx := make([]int, len(r.rows))
	for i := range idx {
		idx[i] = i
	}
	if r.s.cond == nil { // session: by time
		sort.SliceStable(idx, func(a, b int) bool { return r.ts[idx[a]] < r.ts[idx[b]] })
	}
	var cur []*event.Event
	flush := func() {
		if len(cur) > 0 {
			if res := runAggs(r.s.fns, r.x, cur); res != nil {
				emit(res)
			}
		}
		cur = nil
	}
	for n, i := range idx {
		switch {
		case r.s.cond == nil:
			if n > 0 && r.ts[i]-r.ts[idx[n-1]] > r.s.maxPause {
				flush()
			}
		case r.match[i] && !r.s.after:
			flush()
		}
		cur = append(cur, r.rows[i])
		if r.s.cond != nil && r.match[i] && r.s.after {
			flush()
		}
	}
	flush()
}
