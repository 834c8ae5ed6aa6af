package engine

import (
	"sort"
	"strings"

	"github.com/tiercel/tiercel/internal/event"
)

// array:union(array, as=_union) and array:intersection(array,
// as=_intersection): the values that occur in any, or in every, event's
// array (reference pages functions-array-union, -intersection). The pages
// leave the output order undefined; tiercel sorts it so results are
// stable. Events without the array (or with an empty one) do not take part
// in the intersection; no arrays at all give an empty result row.

func init() {
	registerFunc("array:union", &funcImpl{params: []string{"array", "as"}, agg: func(c *compiler, a *args) (aggSpec, error) {
		return compileArraySet(c, a, false)
	}})
	registerFunc("array:intersection", &funcImpl{params: []string{"array", "as"}, agg: func(c *compiler, a *args) (aggSpec, error) {
		return compileArraySet(c, a, true)
	}})
}

type arraySetSpec struct {
	array, out   string
	intersection bool
}

func compileArraySet(c *compiler, a *args, intersection bool) (aggSpec, error) {
	name, err := arrayArg(c, a, "array")
	if err != nil {
		return nil, err
	}
	def := "_union"
	if intersection {
		def = "_intersection"
	}
	return &arraySetSpec{array: name, out: strings.TrimSuffix(a.asOr(def), "[]"), intersection: intersection}, nil
}

func (s *arraySetSpec) newAgg(*exec) collector { return &arraySetAgg{s: s, set: map[string]bool{}} }

type arraySetAgg struct {
	s    *arraySetSpec
	set  map[string]bool
	seen bool // an array has been added (intersection)
}

func (g *arraySetAgg) add(ev *event.Event) {
	var vals []string
	eachElem(ev, g.s.array, func(_ int, v string) bool { vals = append(vals, v); return true })
	if len(vals) == 0 {
		return
	}
	if !g.s.intersection || !g.seen {
		for _, v := range vals {
			g.set[strings.Clone(v)] = true
		}
		g.seen = true
		return
	}
	here := map[string]bool{}
	for _, v := range vals {
		here[v] = true
	}
	for v := range g.set {
		if !here[v] {
			delete(g.set, v)
		}
	}
}

func (g *arraySetAgg) finish(emit func(*event.Event)) {
	vals := make([]string, 0, len(g.set))
	for v := range g.set {
		vals = append(vals, v)
	}
	sort.Strings(vals)
	out := &event.Event{}
	setArray(out, g.s.out, vals)
	emit(out)
}
