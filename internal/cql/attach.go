package cql

import "strings"

// Comment attachment, run once after parsing. Each comment goes to the
// innermost pipeline (query, sub-query, case clause, match body) whose
// region holds it, then by position among that pipeline's steps:
//   - after a step on the same line: trailing comment of that step;
//   - otherwise before a step: leading comment of that step;
//   - after the last step on a later line: end comment of the pipeline;
//   - inside a step but outside its nested pipelines: leading comment of
//     the step (the printer cannot put it back mid-expression).
// Case and match clauses follow the same rules among clauses. A clause's
// first step never keeps leading comments: they move to the clause, which
// is where the printer puts them, so printing and re-parsing agree.

type attacher struct{ src string }

func attachComments(q *Query, src string, cs []*Comment) {
	a := attacher{src: src}
	a.pipeline(q.Pipeline, cs)
}

// sameLine reports whether no line break separates offset end from c.
func (a attacher) sameLine(end Pos, c *Comment) bool {
	if end < 0 || int(c.Sp.Start) > len(a.src) || end > c.Sp.Start {
		return false
	}
	return !strings.Contains(a.src[end:c.Sp.Start], "\n")
}

// slot says where a comment falls among a sequence of spans.
type slot int

const (
	slotInside   slot = iota // within item i
	slotTrailing             // after item i on its last line
	slotLeading              // before item i
	slotEnd                  // after the last item
)

// place distributes sorted comments over items with the given spans and
// calls put for each. k tracks the first item not ending before the comment.
func (a attacher) place(spans []Span, cs []*Comment, put func(i int, s slot, c *Comment)) {
	k := 0
	for _, c := range cs {
		for k < len(spans) && spans[k].End <= c.Sp.Start {
			k++
		}
		switch {
		case k < len(spans) && spans[k].Start <= c.Sp.Start:
			put(k, slotInside, c)
		case k > 0 && a.sameLine(spans[k-1].End, c):
			put(k-1, slotTrailing, c)
		case k < len(spans):
			put(k, slotLeading, c)
		default:
			put(-1, slotEnd, c)
		}
	}
}

func (a attacher) pipeline(pl *Pipeline, cs []*Comment) {
	if pl == nil || len(cs) == 0 {
		return
	}
	spans := make([]Span, len(pl.Steps))
	for i, s := range pl.Steps {
		spans[i] = s.Span()
	}
	inner := make([][]*Comment, len(pl.Steps))
	a.place(spans, cs, func(i int, s slot, c *Comment) {
		switch s {
		case slotInside:
			inner[i] = append(inner[i], c)
		case slotTrailing:
			cm := StepComments(pl.Steps[i])
			cm.Trailing = append(cm.Trailing, c)
		case slotLeading:
			cm := StepComments(pl.Steps[i])
			cm.Leading = append(cm.Leading, c)
		default:
			pl.EndComments = append(pl.EndComments, c)
		}
	})
	for i, s := range pl.Steps {
		if len(inner[i]) > 0 {
			a.step(s, inner[i])
		}
	}
}

func (a attacher) step(st Step, cs []*Comment) {
	own := StepComments(st)
	switch st := st.(type) {
	case *CaseStep:
		spans := make([]Span, len(st.Clauses))
		for i, c := range st.Clauses {
			spans[i] = c.Span()
		}
		inner := make([][]*Comment, len(st.Clauses))
		a.place(spans, cs, func(i int, s slot, c *Comment) {
			switch s {
			case slotInside:
				inner[i] = append(inner[i], c)
			case slotTrailing:
				st.Clauses[i].Comments.Trailing = append(st.Clauses[i].Comments.Trailing, c)
			case slotLeading:
				st.Clauses[i].Comments.Leading = append(st.Clauses[i].Comments.Leading, c)
			default:
				st.EndComments = append(st.EndComments, c)
			}
		})
		for i, cl := range st.Clauses {
			a.pipeline(cl.Pipeline, inner[i])
			hoistFirstLeading(&cl.Comments, cl.Pipeline)
		}
	case *MatchStep:
		spans := make([]Span, len(st.Clauses))
		for i, c := range st.Clauses {
			spans[i] = c.Span()
		}
		inner := make([][]*Comment, len(st.Clauses))
		a.place(spans, cs, func(i int, s slot, c *Comment) {
			if s == slotEnd {
				st.EndComments = append(st.EndComments, c)
				return
			}
			cl := st.Clauses[i]
			switch s {
			case slotInside:
				// Inside the guard or before the body: the clause leads with it.
				if cl.Body != nil && cl.Body.Sp.Start <= c.Sp.Start && c.Sp.End <= cl.Body.Sp.End {
					inner[i] = append(inner[i], c)
				} else {
					cl.Comments.Leading = append(cl.Comments.Leading, c)
				}
			case slotTrailing:
				cl.Comments.Trailing = append(cl.Comments.Trailing, c)
			default:
				cl.Comments.Leading = append(cl.Comments.Leading, c)
			}
		})
		for i, cl := range st.Clauses {
			a.pipeline(cl.Body, inner[i])
			hoistFirstLeading(&cl.Comments, cl.Body)
		}
	default:
		subs := subQueries(st)
		inner := make([][]*Comment, len(subs))
	next:
		for _, c := range cs {
			for i, sq := range subs {
				if sq.Sp.Start <= c.Sp.Start && c.Sp.End <= sq.Sp.End {
					inner[i] = append(inner[i], c)
					continue next
				}
			}
			own.Leading = append(own.Leading, c)
		}
		for i, sq := range subs {
			a.pipeline(sq.Pipeline, inner[i])
		}
	}
}

// hoistFirstLeading moves the leading comments of a clause's first step to
// the clause, after the clause's own (they come later in the source).
func hoistFirstLeading(cl *Comments, pl *Pipeline) {
	if pl == nil || len(pl.Steps) == 0 {
		return
	}
	first := StepComments(pl.Steps[0])
	if first == nil || len(first.Leading) == 0 {
		return
	}
	cl.Leading = append(cl.Leading, first.Leading...)
	first.Leading = nil
}

// subQueries returns the outermost { ... } sub-queries inside a step.
func subQueries(st Step) []*SubQuery {
	var out []*SubQuery
	var expr func(e Expr)
	call := func(c *Call) {
		if c == nil {
			return
		}
		for _, a := range c.Args {
			if a != nil {
				expr(a.Value)
			}
		}
	}
	var filter func(f Filter)
	filter = func(f Filter) {
		switch f := f.(type) {
		case *AndFilter:
			filter(f.X)
			filter(f.Y)
		case *OrFilter:
			filter(f.X)
			filter(f.Y)
		case *NotFilter:
			filter(f.X)
		case *ParenFilter:
			filter(f.X)
		case *CallFilter:
			call(f.Call)
		case *InFilter:
			for _, v := range f.Values {
				expr(v)
			}
		}
	}
	expr = func(e Expr) {
		switch e := e.(type) {
		case *SubQuery:
			out = append(out, e)
		case *BinaryExpr:
			expr(e.X)
			expr(e.Y)
		case *UnaryExpr:
			expr(e.X)
		case *ParenExpr:
			expr(e.X)
		case *CallExpr:
			call(e.Call)
		case *ArrayExpr:
			for _, x := range e.Elems {
				expr(x)
			}
		case *CorrelateNode:
			if e.Query != nil {
				out = append(out, e.Query)
			}
			expr(e.Include)
		}
	}
	switch st := st.(type) {
	case *FilterStep:
		filter(st.Filter)
	case *CallStep:
		call(st.Call)
	case *AssignStep:
		expr(st.Value)
	case *FieldOpStep:
		call(st.Call)
	case *StatsStep:
		if st.Items != nil {
			for _, it := range st.Items {
				expr(it)
			}
		} else {
			for _, c := range st.Calls {
				call(c)
			}
		}
	case *SavedQueryStep:
		for _, a := range st.Args {
			if a != nil {
				expr(a.Value)
			}
		}
	}
	return out
}
