package engine

import (
	"sort"

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
