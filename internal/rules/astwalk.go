package rules

import (
	"strings"

	"github.com/tiercel/tiercel/internal/cql"
)

// walkSteps calls visit for every step of p, descending into case and match
// clauses, and visitCall for every function call in a step or filter.
func walkSteps(p *cql.Pipeline, visit func(cql.Step), visitCall func(*cql.Call)) {
	if p == nil {
		return
	}
	for _, s := range p.Steps {
		visit(s)
		switch s := s.(type) {
		case *cql.CaseStep:
			for _, c := range s.Clauses {
				walkSteps(c.Pipeline, visit, visitCall)
			}
		case *cql.MatchStep:
			for _, c := range s.Clauses {
				walkSteps(c.Body, visit, visitCall)
			}
		case *cql.CallStep:
			visitCall(s.Call)
		case *cql.FieldOpStep:
			visitCall(s.Call)
		case *cql.FilterStep:
			walkFilter(s.Filter, visitCall)
		}
	}
}

func walkFilter(f cql.Filter, visitCall func(*cql.Call)) {
	switch f := f.(type) {
	case *cql.AndFilter:
		walkFilter(f.X, visitCall)
		walkFilter(f.Y, visitCall)
	case *cql.OrFilter:
		walkFilter(f.X, visitCall)
		walkFilter(f.Y, visitCall)
	case *cql.NotFilter:
		walkFilter(f.X, visitCall)
	case *cql.ParenFilter:
		walkFilter(f.X, visitCall)
	case *cql.CallFilter:
		visitCall(f.Call)
	}
}

// assignedBranches lists the string values the query assigns to
// DetectionBranch, in query order.
func assignedBranches(q *cql.Query) []string {
	var out []string
	walkSteps(q.Pipeline, func(s cql.Step) {
		a, ok := s.(*cql.AssignStep)
		if !ok || a.Field.Name != "DetectionBranch" {
			return
		}
		if lit, ok := a.Value.(*cql.StringLit); ok {
			out = append(out, lit.Value)
		}
	}, func(*cql.Call) {})
	return out
}

// lookupFiles lists the file= arguments of every match() call.
func lookupFiles(q *cql.Query) []string {
	var out []string
	walkSteps(q.Pipeline, func(cql.Step) {}, func(c *cql.Call) {
		if !strings.EqualFold(c.Name, "match") {
			return
		}
		for _, a := range c.Args {
			if a.Name != "file" && a.Name != "" {
				continue
			}
			switch v := a.Value.(type) {
			case *cql.StringLit:
				out = append(out, v.Value)
			case *cql.FieldName:
				out = append(out, v.Name)
			}
		}
	})
	return out
}

// tableStep returns the first top-level table() step, where tunings are
// spliced in front of.
func tableStep(q *cql.Query) cql.Step {
	for _, s := range q.Pipeline.Steps {
		if c, ok := s.(*cql.CallStep); ok && strings.EqualFold(c.Call.Name, "table") {
			return s
		}
	}
	return nil
}
