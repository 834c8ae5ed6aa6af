package engine

import (
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

// caseStep is `case { clause; ... }`: the first clause whose sub-pipeline
// emits the event wins; a clause that changes the event and then drops it
// counts as no match, and the next clause sees the original event. No match
// drops the event.
type caseStep struct {
	clauses []*pipeline
	depth   int // snapshot buffer index
}

func (s *caseStep) apply(x *exec, ev *event.Event) bool {
	saved := x.snapshot(s.depth, ev)
	for i, cl := range s.clauses {
		if cl.pass(x, ev) {
			return true
		}
		if i < len(s.clauses)-1 {
			// the snapshot buffer may have been re-grown by nested cases at
			// deeper levels only, so saved is still ours
			ev.RestoreFields(saved)
		}
	}
	return false
}

// multiCaseStep is a case with a clause that may emit several events
// (regex repeat): the first clause that emits anything wins, and its events
// go on down the pipeline as they come.
type multiCaseStep struct{ caseStep }

func (s *multiCaseStep) each(x *exec, ev *event.Event, emit func(*event.Event)) {
	saved := x.snapshot(s.depth, ev)
	for i, cl := range s.clauses {
		emitted := false
		cl.run(x, ev, 0, func(out *event.Event) {
			emitted = true
			emit(out)
		})
		if emitted {
			return
		}
		if i < len(s.clauses)-1 {
			ev.RestoreFields(saved)
		}
	}
}

func (c *compiler) compileCase(s *cql.CaseStep) (any, error) {
	st := &caseStep{depth: c.caseDepth}
	c.caseDepth++
	defer func() { c.caseDepth-- }()
	simple := true
	for _, cl := range s.Clauses {
		p, err := c.compilePipeline(cl.Pipeline, "case")
		if err != nil {
			return nil, err
		}
		simple = simple && p.simple()
		st.clauses = append(st.clauses, p)
	}
	if !simple {
		return &multiCaseStep{*st}, nil
	}
	return st, nil
}
