package engine

import (
	"time"

	"github.com/tiercel/tiercel/internal/event"
)

// step is one stateless stage: a filter, an assignment, a transformation.
// apply changes ev in place and reports whether the event goes on. Steps are
// compiled once and shared by all workers, so they keep no mutable state;
// scratch space lives in the exec of the calling worker.
type step interface {
	apply(x *exec, ev *event.Event) bool
}

// multiStep is a stage that may emit several events per input (for example
// regex(repeat=true)). Each emitted event is only valid during the call.
type multiStep interface {
	each(x *exec, ev *event.Event, emit func(*event.Event))
}

// tester is a pure boolean condition; filter steps and filter functions used
// inside and/or/not implement it.
type tester interface {
	test(x *exec, ev *event.Event) bool
}

// testStep adapts a tester to a step.
type testStep struct{ t tester }

func (s testStep) apply(x *exec, ev *event.Event) bool { return s.t.test(x, ev) }

// pipeline is a run of stateless stages (each a step or a multiStep).
type pipeline struct {
	stages []any
}

// simple reports whether every stage emits at most one event, so the
// pipeline can run as a single pass/drop decision.
func (p *pipeline) simple() bool {
	for _, s := range p.stages {
		if _, ok := s.(multiStep); ok {
			return false
		}
	}
	return true
}

// pass runs a simple pipeline on ev; false means the event was dropped.
func (p *pipeline) pass(x *exec, ev *event.Event) bool {
	for _, s := range p.stages {
		if !s.(step).apply(x, ev) {
			return false
		}
	}
	return true
}

// run pushes ev through the stages from index i and calls emit for each
// event that comes out.
func (p *pipeline) run(x *exec, ev *event.Event, i int, emit func(*event.Event)) {
	for ; i < len(p.stages); i++ {
		switch s := p.stages[i].(type) {
		case multiStep: // first: a multiStep may also implement step
			next := i + 1
			s.each(x, ev, func(out *event.Event) { p.run(x, out, next, emit) })
			return
		case step:
			if !s.apply(x, ev) {
				return
			}
		}
	}
	emit(ev)
}

// exec is the scratch state of one goroutine running a program.
type exec struct {
	now   time.Time
	orig  []event.Field   // the event as it entered the pipeline (free text reads it)
	snaps [][]event.Field // one buffer per case nesting depth
	sel   []event.Field   // scratch for select()
	buf   []byte          // scratch for building values
	warn  *warnings       // nil on workers (they emit no warnings)
	g     *guard          // the program's limits (nil: defaults)
}

// snapshot saves ev's fields at case depth d and returns the saved slice.
func (x *exec) snapshot(d int, ev *event.Event) []event.Field {
	for len(x.snaps) <= d {
		x.snaps = append(x.snaps, nil)
	}
	x.snaps[d] = ev.AppendFields(x.snaps[d][:0])
	return x.snaps[d]
}
