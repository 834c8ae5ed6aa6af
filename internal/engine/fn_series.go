package engine

import (
	"sort"
	"strconv"
	"strings"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

// series(collect, separator="\n", maxpause, maxduration, startmatch,
// endmatch, memlimit=1KiB) gathers the values of fields from a sequence of
// events into one event, or several when the sequence splits (reference
// page functions-series). Events are taken in @timestamp order. A series
// ends when the pause to the next event exceeds maxpause, when it would
// last longer than maxduration, or after an event matching endmatch; with
// startmatch, only an event matching it starts a series and events outside
// a started series are ignored. Each output event has @timestamp (the
// first event's), _duration (last minus first, in milliseconds) and every
// collected field that occurred, its values joined by separator. memlimit
// caps the bytes of collected values; past it later events are dropped
// with a warning.

func init() {
	registerFunc("series", &funcImpl{params: []string{"collect", "separator", "maxpause", "maxduration", "startmatch", "endmatch", "memlimit"},
		agg: compileSeries})
}

type seriesSpec struct {
	collect              []string
	sep                  string
	maxPause, maxDur     int64
	startMatch, endMatch *pipeline
	memLimit             int
}

func compileSeries(c *compiler, a *args) (aggSpec, error) {
	s := &seriesSpec{}
	var err error
	if s.collect, err = a.readFields("collect"); err != nil {
		return nil, err
	}
	c.read(event.Timestamp)
	if s.sep, err = a.str("separator", "\n"); err != nil {
		return nil, err
	}
	if s.maxPause, err = a.durationArg("maxpause"); err != nil {
		return nil, err
	}
	if s.maxDur, err = a.durationArg("maxduration"); err != nil {
		return nil, err
	}
	for _, m := range []struct {
		name string
		dst  **pipeline
	}{{"startmatch", &s.startMatch}, {"endmatch", &s.endMatch}} {
		e, ok := a.vals[m.name]
		if !ok {
			continue
		}
		sq, ok := e.(*cql.SubQuery)
		if !ok {
			return nil, a.errorf(m.name, "%s must be a filter in braces, such as { /session end/ }", m.name)
		}
		if *m.dst, err = c.compilePipeline(sq.Pipeline, "series() "+m.name); err != nil {
			return nil, err
		}
		c.needs.All = true // the filter may read any field
	}
	mem, err := a.str("memlimit", "1KiB")
	if err != nil {
		return nil, err
	}
	if s.memLimit, err = parseByteSize(mem); err != nil {
		return nil, a.errorf("memlimit", "%v", err)
	}
	return s, nil
}

// parseByteSize reads sizes such as 1KiB, 512, 4MiB, 10kB.
func parseByteSize(s string) (int, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	n, err := strconv.Atoi(t[:i])
	if err != nil || n <= 0 {
		return 0, errorString("memlimit must be a size such as 1KiB or 64KiB, not " + strconv.Quote(s))
	}
	mult := map[string]int{"": 1, "b": 1, "kib": 1 << 10, "kb": 1000, "mib": 1 << 20, "mb": 1_000_000, "gib": 1 << 30, "gb": 1_000_000_000}[strings.ToLower(strings.TrimSpace(t[i:]))]
	if mult == 0 {
		return 0, errorString("memlimit must be a size such as 1KiB or 64KiB, not " + strconv.Quote(s))
	}
	return n * mult, nil
}

type errorString string

func (e errorString) Error() string { return string(e) }

func (s *seriesSpec) newAgg(x *exec) collector { return &seriesAgg{s: s, x: x} }

type seriesItem struct {
	ts         int64
	vals       []string // one per collect field; "" when absent
	has        []bool
	start, end bool
}

type seriesAgg struct {
	s       *seriesSpec
	x       *exec
	items   []seriesItem
	bytes   int
	over    bool
	scratch event.Event
}

func (g *seriesAgg) matches(p *pipeline, ev *event.Event) bool {
	if p == nil {
		return false
	}
	g.scratch.CopyFrom(ev)
	return p.pass(g.x, &g.scratch)
}

func (g *seriesAgg) add(ev *event.Event) {
	if g.over {
		return
	}
	it := seriesItem{vals: make([]string, len(g.s.collect)), has: make([]bool, len(g.s.collect))}
	if f, ok := numberField(ev, event.Timestamp); ok {
		it.ts = int64(f)
	}
	size := 0
	for i, f := range g.s.collect {
		if v, ok := ev.Get(f); ok {
			it.vals[i], it.has[i] = strings.Clone(v), true
			size += len(v)
		}
	}
	if g.bytes+size > g.s.memLimit {
		g.over = true
		g.x.warn.addf("series(): memlimit of %d bytes reached; later events are not collected (raise memlimit=)", g.s.memLimit)
		return
	}
	g.bytes += size
	it.start = g.matches(g.s.startMatch, ev)
	it.end = g.matches(g.s.endMatch, ev)
	g.items = append(g.items, it)
}

func (g *seriesAgg) finish(emit func(*event.Event)) {
	sort.SliceStable(g.items, func(i, j int) bool { return g.items[i].ts < g.items[j].ts })
	var cur []seriesItem
	flush := func() {
		if len(cur) == 0 {
			return
		}
		out := &event.Event{}
		out.Set(event.Timestamp, strconv.FormatInt(cur[0].ts, 10))
		out.Set("_duration", strconv.FormatInt(cur[len(cur)-1].ts-cur[0].ts, 10))
		for i, f := range g.s.collect {
			var parts []string
			for _, it := range cur {
				if it.has[i] {
					parts = append(parts, it.vals[i])
				}
			}
			if parts != nil {
				out.Set(f, strings.Join(parts, g.s.sep))
			}
		}
		emit(out)
		cur = cur[:0]
	}
	for _, it := range g.items {
		if len(cur) > 0 {
			last, first := cur[len(cur)-1], cur[0]
			switch {
			case last.end,
				g.s.startMatch != nil && it.start,
				g.s.maxPause > 0 && it.ts-last.ts > g.s.maxPause,
				g.s.maxDur > 0 && it.ts-first.ts > g.s.maxDur:
				flush()
			}
		}
		if len(cur) == 0 && g.s.startMatch != nil && !it.start {
			continue // outside any started series
		}
		cur = append(cur, it)
	}
	flush()
}
