package engine

import (
	"github.com/tiercel/tiercel/internal/event"
)

// percentage(condition, as=_percentage) is the share of events, 0 to 100,
// that pass the condition pipeline (reference page functions-percentage:
// percentage({status=2*}) over status 200, 201, 400, 500 gives 50). No
// events give no value.

func init() {
	registerFunc("percentage", &funcImpl{params: []string{"condition", "as"}, agg: func(c *compiler, a *args) (aggSpec, error) {
		cond, err := c.pipelineArg(a, "condition")
		if err != nil {
			return nil, err
		}
		return &percentageSpec{cond: cond, as: a.asOr("_percentage")}, nil
	}})
}

type percentageSpec struct {
	cond *pipeline
	as   string
}

func (s *percentageSpec) newAgg(x *exec) collector { return &percentageAgg{s: s, x: x} }

type percentageAgg struct {
	s              *percentageSpec
	x              *exec
	total, matched int
	scratch        event.Event
}

func (p *percentageAgg) add(ev *event.Event) {
	p.total++
	p.scratch.CopyFrom(ev)
	if p.s.cond.pass(p.x, &p.scratch) {
		p.matched++
	}
}

func (p *percentageAgg) finish(emit func(*event.Event)) {
	out := &event.Event{}
	if p.total > 0 {
		out.Set(p.s.as, event.FormatNumber(100*float64(p.matched)/float64(p.total)))
	}
	emit(out)
}
