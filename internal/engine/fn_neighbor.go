package engine

import (
	"strconv"

	"github.com/tiercel/tiercel/internal/event"
)

// neighbor(include, direction=preceding, distance=1, prefix) copies fields
// of the event distance steps before (or after) each event, in the order
// the events arrive (usually after sort() or head()). With prefix=p the
// copies are named p.field; events without such a neighbour get nothing.

const maxNeighborDistance = 10_000

func init() {
	registerFunc("neighbor", &funcImpl{params: []string{"include", "direction", "distance", "prefix"}, agg: compileNeighbor})
}

type neighborSpec struct {
	include   []string
	names     []string // output names
	distance  int
	preceding bool
}

func compileNeighbor(c *compiler, a *args) (aggSpec, error) {
	include, err := a.readFields("include")
	if err != nil {
		return nil, err
	}
	s := &neighborSpec{include: include}
	dir, err := a.str("direction", "preceding")
	if err != nil {
		return nil, err
	}
	switch dir {
	case "preceding", "succeeding":
		s.preceding = dir == "preceding"
	default:
		return nil, a.errorf("direction", "direction must be preceding or succeeding, not %q", dir)
	}
	d, err := a.str("distance", "1")
	if err != nil {
		return nil, err
	}
	if s.distance, err = strconv.Atoi(d); err != nil || s.distance < 1 || s.distance > maxNeighborDistance {
		return nil, a.errorf("distance", "distance must be an integer from 1 to %d, not %q", maxNeighborDistance, d)
	}
	prefix, err := a.str("prefix", "")
	if err != nil {
		return nil, err
	}
	for _, f := range include {
		if prefix != "" {
			f = prefix + "." + f
		}
		s.names = append(s.names, f)
	}
	return s, nil
}

func (s *neighborSpec) newAgg(x *exec) collector { return &neighborCollector{spec: s, x: x} }

type neighborCollector struct {
	spec *neighborSpec
	x    *exec
	rows []*event.Event
	held int64 // bytes charged for rows
}

func (c *neighborCollector) add(ev *event.Event) {
	n := eventSize(ev)
	c.x.charge("neighbor", n)
	c.held += n
	c.rows = append(c.rows, ev.Clone())
}

func (c *neighborCollector) finish(emit func(*event.Event)) {
	c.x.release(c.held)
	c.held = 0
	// read every neighbour before writing, so copies never chain
	vals := make([][]*string, len(c.rows))
	for i := range c.rows {
		j := i + c.spec.distance
		if c.spec.preceding {
			j = i - c.spec.distance
		}
		if j < 0 || j >= len(c.rows) {
			continue
		}
		vals[i] = make([]*string, len(c.spec.include))
		for k, f := range c.spec.include {
			if v, ok := c.rows[j].Get(f); ok {
				vals[i][k] = &v
			}
		}
	}
	for i, row := range c.rows {
		for k, v := range vals[i] {
			if v != nil {
				row.Set(c.spec.names[k], *v)
			}
		}
		emit(row)
	}
	c.rows = nil
}
