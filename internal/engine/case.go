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

func (c *compiler) compileCase(s *cql.CaseStep) (any, error) {
	st := &caseStep{depth: c.caseDepth}
	c.caseDepth++
	defer func() { c.caseDepth-- }()
	for _, cl := range s.Clauses {
		p, err := c.compilePipeline(cl.Pipeline, "case")
		if err != nil {
			return nil, err
		}
		if !p.simple() {
			return nil, c.errAt(cl.Span(), "unsupported", "steps that emit several events (regex repeat) are not supported inside case")
		}
		st.clauses = append(st.clauses, p)
	}
	return st, nil
}
