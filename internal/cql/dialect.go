package cql

import "strings"

// The seed dialect (design §4): `cond => steps` in case clauses, infix
// `f in [a, b]` and `drop()` with no fields as a step. Parse accepts them with
// warnings; Strict turns those into errors; Canonicalize rewrites them.

// IsDialect reports whether d flags a dialect extension.
func (d *Diagnostic) IsDialect() bool { return strings.HasPrefix(d.Code, "dialect-") }

// Strict returns ds with dialect warnings turned into errors (the input is
// not modified).
func Strict(ds Diagnostics) Diagnostics {
	out := make(Diagnostics, len(ds))
	for i, d := range ds {
		if d.IsDialect() && d.Severity == SeverityWarning {
			c := *d
			c.Severity = SeverityError
			d = &c
		}
		out[i] = d
	}
	return out
}

// Canonicalize returns q with dialect extensions rewritten into LogScale
// syntax; q itself is not modified (unchanged subtrees are shared). Comments
// are kept; those of a dropped `* => drop()` clause move to the case's end.
func Canonicalize(q *Query) *Query {
	if q == nil || q.Pipeline == nil {
		return q
	}
	return &Query{Pipeline: canonPipeline(q.Pipeline)}
}

func canonPipeline(p *Pipeline) *Pipeline {
	out := &Pipeline{Sp: p.Sp, Steps: make([]Step, 0, len(p.Steps)), EndComments: p.EndComments}
	for _, s := range p.Steps {
		out.Steps = append(out.Steps, canonStep(s))
	}
	return out
}

func isBareDrop(c *Call) bool { return strings.EqualFold(c.Name, "drop") && len(c.Args) == 0 }

func canonStep(s Step) Step {
	out := canonStepBody(s)
	if c := StepComments(out); c != nil && out != s {
		*c = *StepComments(s)
	}
	return out
}

func canonStepBody(s Step) Step {
	switch s := s.(type) {
	case *FilterStep:
		f := canonFilter(s.Filter)
		if cf, ok := f.(*CallFilter); ok { // `f in [..]` alone is now a call step
			return &CallStep{Call: cf.Call}
		}
		return &FilterStep{Filter: f}
	case *CallStep:
		if isBareDrop(s.Call) {
			return &CallStep{Call: &Call{Name: "dropEvent", NameSp: s.Call.NameSp, Sp: s.Call.Sp}}
		}
		return &CallStep{Call: canonCall(s.Call)}
	case *AssignStep:
		return &AssignStep{Field: s.Field, Value: canonExpr(s.Value), Sp: s.Sp}
	case *FieldOpStep:
		return &FieldOpStep{Field: s.Field, Negated: s.Negated, Call: canonCall(s.Call), Sp: s.Sp}
	case *CaseStep:
		out := &CaseStep{Sp: s.Sp}
		for _, c := range s.Clauses {
			if isDropDefault(c) {
				// An unmatched event is dropped anyway; its comments stay.
				out.EndComments = append(out.EndComments, clauseComments(c)...)
				continue
			}
			out.Clauses = append(out.Clauses, &CaseClause{Pipeline: canonPipeline(c.Pipeline), Arrow: NoPos, Comments: c.Comments})
		}
		out.EndComments = append(out.EndComments, s.EndComments...)
		return out
	case *MatchStep:
		out := &MatchStep{Field: s.Field, Sp: s.Sp, EndComments: s.EndComments}
		for _, c := range s.Clauses {
			nc := &MatchClause{Guard: c.Guard, Sp: c.Sp, Comments: c.Comments}
			if call, ok := c.Guard.(*Call); ok {
				nc.Guard = canonCall(call)
			}
			if c.Body != nil {
				nc.Body = canonPipeline(c.Body)
			}
			out.Clauses = append(out.Clauses, nc)
		}
		return out
	case *StatsStep:
		out := &StatsStep{Sp: s.Sp}
		for _, it := range s.Items {
			it = canonExpr(it)
			if ce, ok := it.(*CallExpr); ok {
				out.Calls = append(out.Calls, ce.Call)
			}
			out.Items = append(out.Items, it)
		}
		if s.Items == nil {
			for _, c := range s.Calls {
				out.Calls = append(out.Calls, canonCall(c))
			}
		}
		return out
	case *SavedQueryStep:
		return &SavedQueryStep{Name: s.Name, Quoted: s.Quoted, Args: canonArgs(s.Args), Sp: s.Sp}
	}
	return s
}

// clauseComments lists every comment of a case clause in printing order.
func clauseComments(c *CaseClause) []*Comment {
	out := append([]*Comment(nil), c.Comments.Leading...)
	for _, s := range c.Pipeline.Steps {
		sc := StepComments(s)
		out = append(out, sc.Leading...)
		out = append(out, sc.Trailing...)
	}
	out = append(out, c.Pipeline.EndComments...)
	return append(out, c.Comments.Trailing...)
}

// isDropDefault matches the clause `* => drop()`.
func isDropDefault(c *CaseClause) bool {
	st := c.Pipeline.Steps
	if c.Arrow == NoPos || len(st) != 2 || c.ArrowAt != 1 {
		return false
	}
	fs, ok := st[0].(*FilterStep)
	if !ok {
		return false
	}
	ft, ok := fs.Filter.(*FreeTextFilter)
	if !ok {
		return false
	}
	if w, ok := ft.Value.(*Word); !ok || w.Text != "*" {
		return false
	}
	cs, ok := st[1].(*CallStep)
	return ok && isBareDrop(cs.Call)
}

func canonFilter(f Filter) Filter {
	switch f := f.(type) {
	case *AndFilter:
		return &AndFilter{X: canonFilter(f.X), Y: canonFilter(f.Y), Implicit: f.Implicit, Sp: f.Sp}
	case *OrFilter:
		return &OrFilter{X: canonFilter(f.X), Y: canonFilter(f.Y), Sp: f.Sp}
	case *NotFilter:
		return &NotFilter{X: canonFilter(f.X), Bang: f.Bang, Sp: f.Sp}
	case *ParenFilter:
		return &ParenFilter{X: canonFilter(f.X), Sp: f.Sp}
	case *CallFilter:
		return &CallFilter{Call: canonCall(f.Call)}
	case *InFilter:
		vals := make([]Expr, len(f.Values))
		for i, v := range f.Values {
			vals[i] = canonExpr(v)
		}
		return &CallFilter{Call: &Call{
			Name:   "in",
			NameSp: f.Sp,
			Args: []*Arg{
				{Name: "field", NameSp: f.Sp, Value: argFieldName(f.Field)},
				{Name: "values", NameSp: f.Sp, Value: &ArrayExpr{Elems: vals, Sp: f.Sp}},
			},
			Sp: f.Sp,
		}}
	}
	return f
}

// argFieldName returns f as it can be written as an argument value: an
// unquoted filter-position name such as `%` does not scan as one, so it is
// quoted.
func argFieldName(f *FieldName) *FieldName {
	if f.Quoted || f.Backtick {
		return f
	}
	if t := scan(f.Name, 0, modeExprTerm); t.kind == tWord && int(t.end) == len(f.Name) {
		return f
	}
	return &FieldName{Name: f.Name, Quoted: true, Sp: f.Sp}
}

func canonCall(c *Call) *Call {
	return &Call{Name: c.Name, NameSp: c.NameSp, Args: canonArgs(c.Args), Sp: c.Sp}
}

func canonArgs(args []*Arg) []*Arg {
	if args == nil {
		return nil
	}
	out := make([]*Arg, len(args))
	for i, a := range args {
		out[i] = &Arg{Name: a.Name, NameSp: a.NameSp, Value: canonExpr(a.Value)}
	}
	return out
}

func canonExpr(e Expr) Expr {
	switch e := e.(type) {
	case *BinaryExpr:
		return &BinaryExpr{Op: e.Op, X: canonExpr(e.X), Y: canonExpr(e.Y), Sp: e.Sp}
	case *UnaryExpr:
		return &UnaryExpr{Op: e.Op, X: canonExpr(e.X), Sp: e.Sp}
	case *ParenExpr:
		return &ParenExpr{X: canonExpr(e.X), Sp: e.Sp}
	case *CallExpr:
		return &CallExpr{Call: canonCall(e.Call)}
	case *ArrayExpr:
		out := &ArrayExpr{Sp: e.Sp}
		if e.Elems != nil {
			out.Elems = make([]Expr, len(e.Elems))
		}
		for i, x := range e.Elems {
			out.Elems[i] = canonExpr(x)
		}
		return out
	case *SubQuery:
		return &SubQuery{Pipeline: canonPipeline(e.Pipeline), Sp: e.Sp}
	case *CorrelateNode:
		n := &CorrelateNode{Name: e.Name, Include: e.Include, Sp: e.Sp}
		n.Query = canonExpr(e.Query).(*SubQuery)
		return n
	}
	return e
}
