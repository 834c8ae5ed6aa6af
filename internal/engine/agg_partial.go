package engine

import (
	"encoding/binary"
	"unsafe"

	"github.com/tiercel/tiercel/internal/event"
)

// Partial is what some events add to an aggregate that can be split
// (count() without distinct, top() of counts, groupBy() of plain counts):
// a count, or counts and weights per key in the order the keys first came.
// Workers fold each chunk's events into one; merged into the tail in input
// order (Tail.AddPartial) they give exactly what the events added one by
// one give, group limits and first-seen order included, without an event
// crossing goroutines.
type Partial struct {
	spec  aggSpec
	n     int64          // count(): events counted
	keys  []string       // per entry: the aggregate's index key
	vals  [][]string     // top(): per entry, the key fields' values
	w     []float64      // per entry: events (groupBy) or weight (top)
	total float64        // top(): the sum of weights
	index map[string]int // key -> entry
	buf   []byte
}

// NewPartial returns an empty Partial for the program's first aggregate, or
// nil when it cannot be split.
func (p *Program) NewPartial() *Partial {
	switch s := p.chain[0].agg.(type) {
	case *countSpec:
		if s.distinct {
			return nil
		}
	case *topSpec:
		if s.sumOf != "" || s.maxOf != "" {
			// weights are field values: their sums (the total, with max=)
			// added chunk by chunk may round otherwise than one by one
			return nil
		}
	case *groupSpec:
		if s.counts == nil {
			return nil
		}
	default:
		return nil
	}
	return &Partial{spec: p.chain[0].agg, index: map[string]int{}}
}

// Len is the number of events and keys the partial holds, to tell an
// empty one.
func (pa *Partial) Len() int { return int(pa.n) + len(pa.keys) }

// Add folds in an event the stateless part emitted.
func (pa *Partial) Add(ev *event.Event) {
	switch s := pa.spec.(type) {
	case *countSpec:
		if s.counts(ev) {
			pa.n++
		}
	case *topSpec: // counting: every weight is 1 (NewPartial)
		key, _, ok := topKey(s, ev, pa.buf[:0])
		pa.buf = key
		if !ok {
			return
		}
		i, isNew := pa.slot(key)
		if isNew {
			pa.vals = append(pa.vals, cloneFields(ev, s.fields))
		}
		pa.w[i]++
		pa.total++
	case *groupSpec:
		key, ok := groupKey(s, ev, pa.buf[:0])
		pa.buf = key
		if !ok {
			return
		}
		i, _ := pa.slot(key)
		pa.w[i]++
	}
}

// slot returns key's entry, made when new.
func (pa *Partial) slot(key []byte) (i int, isNew bool) {
	if i, ok := pa.index[string(key)]; ok {
		return i, false
	}
	i = len(pa.keys)
	pa.index[string(key)] = i
	pa.keys = append(pa.keys, string(key))
	pa.w = append(pa.w, 0)
	return i, true
}

// merger is a collector that can take a Partial of its own spec.
type merger interface {
	merge(pa *Partial)
}

// AddPartial merges what a worker folded from the events of one chunk, in
// input order with the chunk's neighbours.
func (t *Tail) AddPartial(pa *Partial) {
	if t.p.g.failed.Load() != nil {
		return
	}
	defer func() { recoverEvent(recover()) }()
	t.run.aggs[0].(merger).merge(pa)
}

func (c *countCollector) merge(pa *Partial) { c.n += int(pa.n) }

func (t *topCollector) merge(pa *Partial) {
	for e, key := range pa.keys {
		vals := pa.vals[e]
		t.accumulate(unsafe.Slice(unsafe.StringData(key), len(key)), func() []string { return vals }, pa.w[e])
	}
	t.total += pa.total
}

func (g *groupCollector) merge(pa *Partial) {
	for e, key := range pa.keys {
		n := int(pa.w[e])
		if i, ok := g.group(unsafe.Slice(unsafe.StringData(key), len(key)), n); ok {
			g.n[i] += int64(n)
		}
	}
}

// topKey is top()'s index key for ev and its weight; false when ev lacks a
// field or the weight.
func topKey(s *topSpec, ev *event.Event, buf []byte) ([]byte, float64, bool) {
	for _, f := range s.fields {
		v, ok := ev.Get(f)
		if !ok {
			return buf, 0, false
		}
		buf = append(append(buf, v...), 0)
	}
	w := 1.0
	if s.sumOf != "" || s.maxOf != "" {
		f := s.sumOf
		if f == "" {
			f = s.maxOf
		}
		n, ok := numberField(ev, f)
		if !ok {
			return buf, 0, false
		}
		w = n
	}
	return buf, w, true
}

// groupKey is groupBy()'s index key for ev (each key field's length as a
// uvarint, then its value); false when ev lacks a key field.
func groupKey(s *groupSpec, ev *event.Event, buf []byte) ([]byte, bool) {
	for _, k := range s.keys {
		v, ok := ev.Get(k)
		if !ok {
			return buf, false
		}
		buf = binary.AppendUvarint(buf, uint64(len(v)))
		buf = append(buf, v...)
	}
	return buf, true
}
