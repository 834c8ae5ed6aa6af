package engine

import (
	"sort"
	"strconv"
	"strings"

	"github.com/tiercel/tiercel/internal/event"
)

// fieldset() lists the names of the fields the events have, one row per
// name in the field "field". The reference page's sample outputs list the
// names in descending byte order (@timezone, @timestamp.nanos, @timestamp,
// ... #humioBackfill; after groupBy([#type, @host]): _count, @host, #type),
// and so does tiercel.

func init() {
	registerFunc("fieldset", &funcImpl{agg: func(c *compiler, a *args) (aggSpec, error) {
		c.needs.All = true
		return fieldsetSpec{}, nil
	}})
}

type fieldsetSpec struct{}

func (fieldsetSpec) newAgg(*exec) collector { return &fieldsetAgg{seen: map[string]bool{}} }

type fieldsetAgg struct{ seen map[string]bool }

func (f *fieldsetAgg) add(ev *event.Event) {
	for _, fl := range ev.Fields() {
		if !f.seen[fl.Name] {
			f.seen[fl.Name] = true
		}
	}
}

func (f *fieldsetAgg) finish(emit func(*event.Event)) {
	names := make([]string, 0, len(f.seen))
	for n := range f.seen {
		names = append(names, n)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(names)))
	for _, n := range names {
		e := &event.Event{}
		e.Set("field", n)
		emit(e)
	}
}

// fieldstats(limit=200) reports, per field, in how many events it occurs
// (_count) and how many distinct values it has (distinct), with the #type
// of the events (reference page functions-fieldstats: columns #type,
// field, _count, distinct). Rows come most frequent field first, at most
// limit of them. Distinct values are counted exactly up to 100,000 per
// field; beyond that the count stops growing and a warning says so.
const maxFieldstatsDistinct = 100_000

func init() {
	registerFunc("fieldstats", &funcImpl{params: []string{"", "limit"}, agg: func(c *compiler, a *args) (aggSpec, error) {
		n, err := a.limit("limit", 200, maxGroupLimit)
		if err != nil {
			return nil, err
		}
		c.needs.All = true
		return &fieldstatsSpec{limit: n}, nil
	}})
}

type fieldstatsSpec struct{ limit int }

func (s *fieldstatsSpec) newAgg(x *exec) collector {
	return &fieldstatsAgg{s: s, x: x, stats: map[[2]string]*fieldStat{}}
}

type fieldStat struct {
	count  int
	values map[string]struct{}
	capped bool
}

type fieldstatsAgg struct {
	s     *fieldstatsSpec
	x     *exec
	stats map[[2]string]*fieldStat
}

func (f *fieldstatsAgg) add(ev *event.Event) {
	typ, _ := ev.Get("#type")
	for _, fl := range ev.Fields() {
		k := [2]string{typ, fl.Name}
		st := f.stats[k]
		if st == nil {
			st = &fieldStat{values: map[string]struct{}{}}
			f.stats[[2]string{strings.Clone(typ), strings.Clone(fl.Name)}] = st
		}
		st.count++
		if _, seen := st.values[fl.Value]; !seen {
			if len(st.values) >= maxFieldstatsDistinct {
				st.capped = true
				continue
			}
			st.values[strings.Clone(fl.Value)] = struct{}{}
		}
	}
}

func (f *fieldstatsAgg) finish(emit func(*event.Event)) {
	keys := make([][2]string, 0, len(f.stats))
	for k, st := range f.stats {
		keys = append(keys, k)
		if st.capped {
			f.x.warn.addf("fieldstats(): field %s has more than %d distinct values; its distinct count is a lower bound", k[1], maxFieldstatsDistinct)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := f.stats[keys[i]], f.stats[keys[j]]
		if a.count != b.count {
			return a.count > b.count
		}
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	if len(keys) > f.s.limit {
		keys = keys[:f.s.limit]
	}
	for _, k := range keys {
		st := f.stats[k]
		e := &event.Event{}
		if k[0] != "" {
			e.Set("#type", k[0])
		}
		e.Set("field", k[1])
		e.Set("_count", strconv.Itoa(st.count))
		e.Set("distinct", strconv.Itoa(len(st.values)))
		emit(e)
	}
}
