package engine

import (
	"github.com/tiercel/tiercel/internal/event"
)

// window(function=count(as=_count), buckets | span) computes its functions
// over a sliding window of the surrounding timeChart()'s or bucket()'s
// buckets: the bucket itself and the ones before it, `buckets` of them, or
// span rounded to a whole number of buckets (reference page
// functions-window). It only runs as their function= argument; a bucket
// whose window would reach before the first bucket gets no window value,
// as LogScale computes no result when the interval is shorter than the
// window.

func init() {
	registerFunc("window", &funcImpl{params: []string{"function", "buckets", "span"}, agg: compileWindow})
}

type windowBucketsSpec struct {
	fns     *groupSpec
	buckets int
	span    int64
}

func compileWindow(c *compiler, a *args) (aggSpec, error) {
	fns, err := c.compileFunctionArg(a, "function")
	if err != nil {
		return nil, err
	}
	s := &windowBucketsSpec{fns: &groupSpec{aggs: fns, always: true}}
	if a.has("buckets") == a.has("span") {
		return nil, c.errAt(a.call.Span(), "invalid-argument", "window(): give exactly one of buckets= and span=")
	}
	if a.has("buckets") {
		if s.buckets, err = a.limit("buckets", 0, maxTimeBuckets); err != nil {
			return nil, err
		}
		if s.buckets < 1 {
			return nil, a.errorf("buckets", "buckets must be at least 1")
		}
	} else if s.span, err = a.durationArg("span"); err != nil {
		return nil, err
	}
	return s, nil
}

// The window's collector in each bucket keeps the bucket's events; the
// bucket finisher (windowed) computes the window from its neighbours.
func (s *windowBucketsSpec) newAgg(x *exec) collector { return &bucketEvents{x: x} }

type bucketEvents struct {
	x   *exec
	evs []*event.Event
}

func (w *bucketEvents) add(ev *event.Event) { w.evs = append(w.evs, ev.Clone()) }

func (w *bucketEvents) finish(func(*event.Event)) {
	w.x.warn.addf("window() computes only as the function of timeChart() or bucket()")
}

// fixedRow is a collector that emits one precomputed row (or none).
type fixedRow struct{ row *event.Event }

func (fixedRow) add(*event.Event) {}

func (f fixedRow) finish(emit func(*event.Event)) {
	if f.row != nil {
		emit(f.row)
	}
}

// windowed returns the bucket's collectors with each window() replaced by
// its result over the window ending at bucket b; first is the first bucket.
func (t *timeBucketCollector) windowed(sr *tbSeries, b, first int64, aggs []collector) []collector {
	var out []collector
	for i, spec := range t.spec.aggs {
		ws, ok := spec.(*windowBucketsSpec)
		if !ok {
			continue
		}
		if out == nil {
			out = append([]collector(nil), aggs...)
		}
		n := int64(ws.buckets)
		if ws.span > 0 {
			n = max(1, (ws.span+t.span/2)/t.span)
		}
		start := b - (n-1)*t.span
		if start < first {
			out[i] = fixedRow{}
			continue
		}
		var evs []*event.Event
		for k := start; k <= b; k += t.span {
			if prev, ok := sr.buckets[k]; ok {
				evs = append(evs, prev[i].(*bucketEvents).evs...)
			}
		}
		out[i] = fixedRow{row: runAggs(ws.fns, t.x, evs)}
	}
	if out == nil {
		return aggs
	}
	return out
}
