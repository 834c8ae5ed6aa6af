package engine

import (
	"strconv"

	"github.com/tiercel/tiercel/internal/event"
)

// createEvents(rawstring=[...]) is, as in LogScale, an aggregate that
// discards its input and emits one event per string: @rawstring is the
// string, @timestamp the query time. Parsers such as kvParse() then give it
// fields.

func init() {
	registerFunc("createEvents", &funcImpl{params: []string{"rawstring"}, agg: func(c *compiler, a *args) (aggSpec, error) {
		if !a.has("rawstring") {
			return nil, a.errorf("rawstring", "missing required parameter rawstring")
		}
		raws, err := a.strList("rawstring")
		if err != nil {
			return nil, err
		}
		return &createEventsSpec{raws: raws, ts: strconv.FormatInt(c.opts.Now.UnixMilli(), 10)}, nil
	}})
}

type createEventsSpec struct {
	raws []string
	ts   string
}

func (s *createEventsSpec) newAgg(*exec) collector { return s }

// The collector keeps no state: input is ignored.
func (s *createEventsSpec) add(*event.Event) {}

func (s *createEventsSpec) finish(emit func(*event.Event)) {
	for _, r := range s.raws {
		emit(event.New(
			event.Field{Name: event.RawString, Value: r},
			event.Field{Name: event.Timestamp, Value: s.ts},
			event.Field{Name: "@timestamp.nanos", Value: "0"},
		))
	}
}
