package engine

import (
	"strings"

	"github.com/tiercel/tiercel/internal/event"
)

// sankey(source, target, weight=count()) produces the Sankey widget's input:
// one row per (source, target) edge with fields source, target and weight,
// the weight being the value of the weight aggregate over the edge's events.

func init() {
	registerFunc("sankey", &funcImpl{params: []string{"", "source", "target", "weight"}, agg: compileSankey})
}

type sankeySpec struct {
	source, target string
	weight         aggSpec
}

func compileSankey(c *compiler, a *args) (aggSpec, error) {
	src, err := a.fieldName("source", "")
	if err != nil {
		return nil, err
	}
	dst, err := a.fieldName("target", "")
	if err != nil {
		return nil, err
	}
	if src == "" || dst == "" {
		return nil, a.c.errAt(a.call.Span(), "invalid-argument", "sankey(): source and target are required")
	}
	s := &sankeySpec{source: src, target: dst, weight: &countSpec{as: "_count"}}
	if a.has("weight") {
		fns, err := c.compileFunctionArg(a, "weight")
		if err != nil {
			return nil, err
		}
		if len(fns) != 1 {
			return nil, a.errorf("weight", "weight must be one aggregate function")
		}
		s.weight = fns[0]
	}
	return s, nil
}

func (s *sankeySpec) newAgg(x *exec) collector {
	return &sankeyCollector{spec: s, x: x, index: map[string]int{}}
}

type sankeyEdge struct {
	source, target string
	weight         collector
}

type sankeyCollector struct {
	spec  *sankeySpec
	x     *exec
	index map[string]int
	edges []*sankeyEdge
	buf   []byte
	held  int64 // bytes charged for edges
}

func (c *sankeyCollector) add(ev *event.Event) {
	src, ok1 := ev.Get(c.spec.source)
	dst, ok2 := ev.Get(c.spec.target)
	if !ok1 || !ok2 {
		return
	}
	c.buf = append(append(append(c.buf[:0], src...), 0), dst...)
	i, ok := c.index[string(c.buf)]
	if !ok {
		n := int64(3*len(c.buf) + 200)
		c.x.charge("sankey", n)
		c.held += n
		i = len(c.edges)
		c.index[string(c.buf)] = i
		c.edges = append(c.edges, &sankeyEdge{source: strings.Clone(src), target: strings.Clone(dst), weight: c.spec.weight.newAgg(c.x)})
	}
	c.edges[i].weight.add(ev)
}

func (c *sankeyCollector) finish(emit func(*event.Event)) {
	c.x.release(c.held)
	c.held = 0
	for _, e := range c.edges {
		out := event.New(event.Field{Name: "source", Value: e.source}, event.Field{Name: "target", Value: e.target})
		e.weight.finish(func(r *event.Event) {
			if fs := r.Fields(); len(fs) > 0 && !out.Has("weight") {
				out.Set("weight", fs[0].Value)
			}
		})
		emit(out)
	}
	c.edges, c.index = nil, nil
}
