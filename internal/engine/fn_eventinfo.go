package engine

import (
	"strconv"

	"github.com/tiercel/tiercel/internal/event"
)

// Event information functions (reference page functions-event):
// eventFieldCount(as=_eventFieldCount) counts the event's fields,
// eventSize(as=_eventSize) adds up the bytes of its values (not the
// names), and copyEvent(type) lets the event through twice, the copy with
// #type set to type.

func init() {
	registerFunc("eventFieldCount", &funcImpl{params: []string{"as"}, defaultAs: "_eventFieldCount", value: func(c *compiler, a *args) (expr, error) {
		c.needs.All = true
		return eventFieldCountExpr{}, nil
	}})
	registerFunc("eventSize", &funcImpl{params: []string{"as"}, defaultAs: "_eventSize", value: func(c *compiler, a *args) (expr, error) {
		c.needs.All = true
		return eventSizeExpr{}, nil
	}})
	registerFunc("copyEvent", &funcImpl{params: []string{"type"}, step: func(c *compiler, a *args) (any, error) {
		t, err := a.required("type")
		if err != nil {
			return nil, err
		}
		return &copyEventStep{typ: t}, nil
	}})
}

type eventFieldCountExpr struct{}

func (eventFieldCountExpr) eval(_ *exec, ev *event.Event) (string, bool) {
	return strconv.Itoa(ev.Len()), true
}

type eventSizeExpr struct{}

func (eventSizeExpr) eval(_ *exec, ev *event.Event) (string, bool) {
	n := 0
	for _, f := range ev.Fields() {
		n += len(f.Value)
	}
	return strconv.Itoa(n), true
}

type copyEventStep struct{ typ string }

func (s *copyEventStep) each(_ *exec, ev *event.Event, emit func(*event.Event)) {
	cp := ev.Clone()
	emit(ev)
	cp.Set("#type", s.typ)
	emit(cp)
}
