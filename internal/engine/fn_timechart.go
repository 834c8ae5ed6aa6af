package engine

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tiercel/tiercel/internal/event"
)

// timeChart() and bucket(): groupBy over time buckets (and series fields).
//
// LogScale splits the search interval into buckets. Tiercel runs over files
// and has no search interval, so the interval is the span of the events'
// own @timestamps (first to last event seen). With an explicit span= the
// buckets are aligned to the epoch (in the timezone=, default UTC) and can
// be filled as events arrive; with span=auto or buckets=N the events are kept
// until the end, when the interval is known.

const (
	maxTimeBuckets     = 1500
	defaultSeriesLimit = 10
	maxSeriesLimit     = 500
	// autoBucketTarget is how many buckets span=auto aims at over the data's
	// time range (the smallest standard span giving at most this many).
	autoBucketTarget = 100
)

// standardSpans are the spans span=auto picks from.
var standardSpans = []int64{
	1000, 5000, 10_000, 15_000, 30_000,
	60_000, 5 * 60_000, 10 * 60_000, 15 * 60_000, 30 * 60_000,
	3_600_000, 2 * 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000,
	86_400_000, 7 * 86_400_000, 30 * 86_400_000, 365 * 86_400_000,
}

func init() {
	registerFunc("timeChart", &funcImpl{
		params: []string{"series", "function", "span", "buckets", "limit", "minSpan", "timezone", "unit"},
		agg:    func(c *compiler, a *args) (aggSpec, error) { return compileTimeBuckets(c, a, "series", true) },
	})
	registerFunc("bucket", &funcImpl{
		params: []string{"span", "field", "function", "buckets", "limit", "minSpan", "timezone", "unit"},
		agg:    func(c *compiler, a *args) (aggSpec, error) { return compileTimeBuckets(c, a, "field", false) },
	})
}

type timeBucketSpec struct {
	keys          []string
	aggs          []aggSpec
	span          int64 // 0: derived from the events' time range
	buckets       int   // requested number of buckets (0: span=auto)
	minSpan       int64
	limit         int
	explicitLimit bool
	loc           *time.Location
	fill          bool       // timeChart: empty buckets between the first and last get rows too
	units         []rateUnit // unit=: conversion of the i-th aggregate column
}

func compileTimeBuckets(c *compiler, a *args, keyParam string, chart bool) (aggSpec, error) {
	s := &timeBucketSpec{fill: chart, loc: time.UTC}
	keys, err := a.fieldList(keyParam)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		c.read(k)
	}
	s.keys = keys
	c.read(event.Timestamp)
	units, err := a.strList("unit")
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		conv, cerr := parseRateUnit(u)
		if cerr != nil {
			return nil, a.errorf("unit", "%v", cerr)
		}
		s.units = append(s.units, conv)
	}
	if s.aggs, err = c.compileFunctionArg(a, "function"); err != nil {
		return nil, err
	}
	span, err := a.str("span", "auto")
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(span, "auto") {
		if s.span, err = a.durationArg("span"); err != nil {
			return nil, err
		}
	}
	if s.buckets, err = a.limit("buckets", 0, maxTimeBuckets); err != nil {
		return nil, err
	}
	if a.has("buckets") && s.buckets < 1 {
		return nil, a.errorf("buckets", "buckets must be between 1 and %d", maxTimeBuckets)
	}
	if s.minSpan, err = a.durationArg("minSpan"); err != nil {
		return nil, err
	}
	if s.span != 0 && s.span < s.minSpan {
		s.span = s.minSpan
	}
	s.explicitLimit = a.has("limit")
	if s.limit, err = a.limit("limit", defaultSeriesLimit, maxSeriesLimit); err != nil {
		return nil, err
	}
	if s.limit < 1 {
		return nil, a.errorf("limit", "limit must be at least 1")
	}
	if s.loc, err = a.zone("timezone"); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *timeBucketSpec) newAgg(x *exec) collector {
	return &timeBucketCollector{spec: s, x: x, span: s.span, index: map[string]*tbSeries{}}
}

type tbSeries struct {
	keys    []string
	total   []collector // the whole series, to rank series for the limit
	buckets map[int64][]collector
	rank    float64
}

type timeBucketCollector struct {
	spec         *timeBucketSpec
	x            *exec
	span         int64
	origin       int64          // bucket boundaries are origin + k*span (in zone time)
	pending      []*event.Event // kept until the span is known
	minTs, maxTs int64
	seen         bool
	index        map[string]*tbSeries
	series       []*tbSeries
	buf          []byte
}

func (t *timeBucketCollector) newAggs() []collector {
	out := make([]collector, len(t.spec.aggs))
	for i, a := range t.spec.aggs {
		out[i] = a.newAgg(t.x)
	}
	return out
}

func (t *timeBucketCollector) add(ev *event.Event) {
	f, ok := numberField(ev, event.Timestamp)
	if !ok {
		return
	}
	ts := int64(math.Floor(f))
	if !t.seen || ts < t.minTs {
		t.minTs = ts
	}
	if !t.seen || ts > t.maxTs {
		t.maxTs = ts
	}
	t.seen = true
	if t.span == 0 {
		t.pending = append(t.pending, ev.Clone())
		return
	}
	t.place(ev, ts)
}

// zoneOffset is the offset of the bucket time zone at ts, in ms.
func (t *timeBucketCollector) zoneOffset(ts int64) int64 {
	if t.spec.loc == time.UTC {
		return 0
	}
	_, off := time.UnixMilli(ts).In(t.spec.loc).Zone()
	return int64(off) * 1000
}

// bucketOf is the start (ms UTC) of the bucket holding ts.
func (t *timeBucketCollector) bucketOf(ts int64) int64 {
	off := t.zoneOffset(ts)
	local := ts + off - t.origin
	start := local - mod(local, t.span)
	return start + t.origin - off
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

func (t *timeBucketCollector) place(ev *event.Event, ts int64) {
	t.buf = t.buf[:0]
	for _, k := range t.spec.keys {
		v, ok := ev.Get(k)
		if !ok {
			return // like groupBy: events lacking a series field are left out
		}
		t.buf = append(append(t.buf, v...), 0)
	}
	sr, ok := t.index[string(t.buf)]
	if !ok {
		sr = &tbSeries{keys: make([]string, len(t.spec.keys)), buckets: map[int64][]collector{}}
		for i, k := range t.spec.keys {
			v, _ := ev.Get(k)
			sr.keys[i] = strings.Clone(v)
		}
		if len(t.spec.keys) > 0 {
			sr.total = t.newAggs()
		}
		t.index[string(t.buf)] = sr
		t.series = append(t.series, sr)
	}
	b := t.bucketOf(ts)
	aggs, ok := sr.buckets[b]
	if !ok {
		aggs = t.newAggs()
		sr.buckets[b] = aggs
	}
	for _, a := range aggs {
		a.add(ev)
	}
	for _, a := range sr.total {
		a.add(ev)
	}
}

// deriveSpan fixes the span from the events' time range when the query
// gave buckets=N or span=auto.
func (t *timeBucketCollector) deriveSpan() {
	interval := max(t.maxTs-t.minTs, 1)
	if t.spec.buckets > 0 {
		t.span = (interval + int64(t.spec.buckets) - 1) / int64(t.spec.buckets)
		t.origin = t.minTs + t.zoneOffset(t.minTs)
	} else {
		t.span = standardSpans[len(standardSpans)-1]
		for _, s := range standardSpans {
			if interval/s < autoBucketTarget {
				t.span = s
				break
			}
		}
	}
	if t.span < t.spec.minSpan {
		t.span = t.spec.minSpan
	}
	if t.span < 1 {
		t.span = 1
	}
}

func (t *timeBucketCollector) finish(emit func(*event.Event)) {
	if !t.seen {
		return
	}
	if t.span == 0 {
		t.deriveSpan()
		for _, ev := range t.pending {
			v, _ := ev.Get(event.Timestamp)
			f, _ := event.ParseNumber(v)
			t.place(ev, int64(math.Floor(f)))
		}
		t.pending = nil
	}
	kept := t.topSeries()
	first, last := t.bucketOf(t.minTs), t.bucketOf(t.maxTs)
	var starts []int64
	if t.spec.fill {
		for b := first; b <= last; {
			starts = append(starts, b)
			if len(starts) > 100*maxTimeBuckets {
				break // a tiny span over a long range: only the non-empty buckets then
			}
			next := t.bucketOf(b + t.span)
			if next <= b { // a DST change shortened the step
				next = b + t.span
			}
			b = next
		}
	}
	if !t.spec.fill || len(starts) > 100*maxTimeBuckets {
		set := map[int64]bool{}
		for _, sr := range kept {
			for b := range sr.buckets {
				set[b] = true
			}
		}
		starts = starts[:0]
		for b := range set {
			starts = append(starts, b)
		}
		sort.Slice(starts, func(i, j int) bool { return starts[i] < starts[j] })
	}
	for _, b := range starts {
		bucket := strconv.FormatInt(b, 10)
		for _, sr := range kept {
			aggs, ok := sr.buckets[b]
			if !ok {
				if !t.spec.fill {
					continue
				}
				aggs = t.newAggs()
			}
			aggs = t.windowed(sr, b, first, aggs) // window() (fn_window.go)
			combineRows(aggs, func(r *event.Event) {
				out := &event.Event{}
				out.Set("_bucket", bucket)
				for i, k := range t.spec.keys {
					out.Set(k, sr.keys[i])
				}
				for i, f := range r.Fields() {
					v := f.Value
					if i < len(t.spec.units) {
						v = t.spec.units[i].apply(v, t.span)
					}
					out.Set(f.Name, v)
				}
				emit(out)
			})
		}
	}
	t.series, t.index = nil, nil
}

// topSeries keeps the limit series with the highest value their function
// gives over the whole range (largest number in any output field).
func (t *timeBucketCollector) topSeries() []*tbSeries {
	if len(t.spec.keys) == 0 || len(t.series) <= t.spec.limit {
		return t.series
	}
	for _, sr := range t.series {
		sr.rank = math.Inf(-1)
		combineRows(sr.total, func(r *event.Event) {
			for _, f := range r.Fields() {
				if n, ok := event.ParseNumber(f.Value); ok && n > sr.rank {
					sr.rank = n
				}
			}
		})
	}
	ranked := append([]*tbSeries(nil), t.series...)
	sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].rank > ranked[j].rank })
	if !t.spec.explicitLimit {
		t.x.warn.addf("%d series, only the top %d are shown (set limit= for up to %d)", len(t.series), t.spec.limit, maxSeriesLimit)
	}
	keep := map[*tbSeries]bool{}
	for _, sr := range ranked[:t.spec.limit] {
		keep[sr] = true
	}
	out := make([]*tbSeries, 0, t.spec.limit)
	for _, sr := range t.series {
		if keep[sr] {
			out = append(out, sr)
		}
	}
	return out
}
