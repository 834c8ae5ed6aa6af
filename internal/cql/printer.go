package cql

import "strings"

// The canonical printer. Style: top-level steps one per line, each after the
// first led by "| "; sub-pipelines inline joined by " | "; case and match
// bodies one clause per line, indented two spaces per level; spaces around
// filter and expression operators; named arguments as name=value.
// Parenthesised source is kept as Paren nodes, so the printer only adds
// parentheses for hand-built trees that need them.
//
// Comments (see attach.go): a pipeline holding any is printed one step per
// line, leading comments on their own lines before a step, trailing ones
// after it; a { ... } sub-query with comments opens onto its own lines.
// Comment text is printed as written. Query.String wraps lines longer
// than DefaultWidth (layout.go); node String methods never wrap.

type printer struct {
	b      strings.Builder
	indent int
	// openLine is set after a // comment: the next text must start a new
	// line or the comment would swallow it.
	openLine bool
	// Layout state (see layout.go): width is the target line width, 0 for
	// no wrapping; col is the current column, maxCol the widest line so
	// far; lineIndent is the indent level continuation lines hang from.
	width, col, maxCol, lineIndent int
	// stopAt, when set, makes a measuring printer give up (panic with
	// tooWide) once a line passes it, so measuring costs O(width).
	stopAt int
}

func (w *printer) str(s string) {
	if w.openLine {
		w.newline()
	}
	w.b.WriteString(s)
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			break
		}
		w.advance(i)
		w.col = 0
		s = s[i+1:]
	}
	w.advance(len(s))
}

func (w *printer) advance(n int) {
	w.col += n
	w.maxCol = max(w.maxCol, w.col)
	if w.stopAt > 0 && w.maxCol > w.stopAt {
		panic(tooWide{})
	}
}

func (w *printer) newline() {
	w.openLine = false
	w.b.WriteByte('\n')
	for range w.indent {
		w.b.WriteString("  ")
	}
	w.col = 2 * w.indent
	w.lineIndent = w.indent
}

func (w *printer) comment(c *Comment) {
	w.str(c.Text)
	w.openLine = c.IsLine()
}

// leading prints comments each on its own line, leaving the cursor at the
// start of the line after them.
func (w *printer) leading(cs []*Comment) {
	for _, c := range cs {
		w.comment(c)
		w.newline()
	}
}

func (w *printer) trailing(cs []*Comment) {
	for _, c := range cs {
		w.str(" ")
		w.comment(c)
	}
}

// render prints one node; a result ending in a // comment gets a final
// newline so text appended to it stays code.
func render(f func(w *printer)) string {
	var w printer
	f(&w)
	if w.openLine {
		w.b.WriteByte('\n')
	}
	return w.b.String()
}

func (q *Query) String() string { return q.Format(DefaultWidth) }

// Format prints q canonically, wrapping lines longer than width where the
// grammar allows (width <= 0: never wrap).
func (q *Query) Format(width int) string {
	w := printer{width: max(width, 0)}
	if q.Pipeline != nil {
		w.steps(q.Pipeline.Steps, -1, true)
		w.endComments(q.Pipeline)
	}
	return w.b.String()
}

func (p *Pipeline) String() string { return render(func(w *printer) { w.pipeline(p) }) }
func (c *CaseClause) String() string {
	return render(func(w *printer) { w.leading(c.Comments.Leading); w.caseClause(c); w.trailing(c.Comments.Trailing) })
}
func (c *MatchClause) String() string {
	return render(func(w *printer) { w.leading(c.Comments.Leading); w.matchClause(c); w.trailing(c.Comments.Trailing) })
}

func (s *FilterStep) String() string     { return render(func(w *printer) { w.commentedStep(s) }) }
func (s *CallStep) String() string       { return render(func(w *printer) { w.commentedStep(s) }) }
func (s *AssignStep) String() string     { return render(func(w *printer) { w.commentedStep(s) }) }
func (s *FieldOpStep) String() string    { return render(func(w *printer) { w.commentedStep(s) }) }
func (s *CaseStep) String() string       { return render(func(w *printer) { w.commentedStep(s) }) }
func (s *MatchStep) String() string      { return render(func(w *printer) { w.commentedStep(s) }) }
func (s *StatsStep) String() string      { return render(func(w *printer) { w.commentedStep(s) }) }
func (s *SavedQueryStep) String() string { return render(func(w *printer) { w.commentedStep(s) }) }

func (f *AndFilter) String() string      { return render(func(w *printer) { w.filter(f) }) }
func (f *OrFilter) String() string       { return render(func(w *printer) { w.filter(f) }) }
func (f *NotFilter) String() string      { return render(func(w *printer) { w.filter(f) }) }
func (f *ParenFilter) String() string    { return render(func(w *printer) { w.filter(f) }) }
func (f *CompareFilter) String() string  { return render(func(w *printer) { w.filter(f) }) }
func (f *FreeTextFilter) String() string { return render(func(w *printer) { w.filter(f) }) }
func (f *BoolFilter) String() string     { return render(func(w *printer) { w.filter(f) }) }
func (f *CallFilter) String() string     { return render(func(w *printer) { w.filter(f) }) }
func (f *InFilter) String() string       { return render(func(w *printer) { w.filter(f) }) }
func (f *LinkFilter) String() string     { return render(func(w *printer) { w.filter(f) }) }

func (p *Word) String() string   { return p.Text }
func (p *String) String() string { return quote(p.Value) }
func (p *Regex) String() string  { return "/" + escapeRegex(p.Pattern) + "/" + p.Flags }
func (p *Param) String() string {
	switch {
	case p.HasDefault:
		return "?{" + p.Name + "=" + p.Default + "}"
	case p.Braced:
		return "?{" + p.Name + "}"
	}
	return "?" + p.Name
}

func (e *FieldName) String() string {
	switch {
	case e.Quoted:
		return quote(e.Name)
	case e.Backtick:
		return "`" + e.Name + "`"
	}
	return e.Name
}

func (e *StringLit) String() string { return quote(e.Value) }
func (e *NumberLit) String() string { return e.Text }
func (e *BoolLit) String() string {
	if e.Value {
		return "true"
	}
	return "false"
}
func (e *BinaryExpr) String() string    { return render(func(w *printer) { w.expr(e) }) }
func (e *UnaryExpr) String() string     { return render(func(w *printer) { w.expr(e) }) }
func (e *ParenExpr) String() string     { return render(func(w *printer) { w.expr(e) }) }
func (e *CallExpr) String() string      { return render(func(w *printer) { w.call(e.Call) }) }
func (e *ArrayExpr) String() string     { return render(func(w *printer) { w.expr(e) }) }
func (e *SubQuery) String() string      { return render(func(w *printer) { w.expr(e) }) }
func (e *RegexExpr) String() string     { return e.Regex.String() }
func (e *ParamExpr) String() string     { return e.Param.String() }
func (e *CorrelateNode) String() string { return render(func(w *printer) { w.expr(e) }) }
func (c *Call) String() string          { return render(func(w *printer) { w.call(c) }) }
func (a *Arg) String() string           { return render(func(w *printer) { w.arg(a) }) }

// quote writes s as a CQL string. A lone backslash before an ordinary
// character stays single, so regex text like "\d+" stays readable; runs of
// backslashes, and one before a character that forms an escape, are doubled.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\\':
			j := i
			for j < len(s) && s[j] == '\\' {
				j++
			}
			if j-i == 1 && j < len(s) && strings.IndexByte("\"nt\n\t", s[j]) < 0 {
				b.WriteByte('\\')
			} else {
				b.WriteString(strings.Repeat(`\\`, j-i))
			}
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// escapeRegex re-escapes slashes; existing escape pairs are copied whole.
func escapeRegex(s string) string {
	if !strings.Contains(s, "/") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
			if i+1 < len(s) {
				i++
				if s[i] == '/' {
					b.WriteString(`\/`)
					continue
				}
				b.WriteByte(s[i])
			}
		case '/':
			b.WriteString(`\/`)
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func (w *printer) commentedStep(s Step) {
	c := StepComments(s)
	w.leading(c.Leading)
	w.step(s)
	w.trailing(c.Trailing)
}

// hasComments reports whether p has comments of its own (not counting those
// inside nested sub-queries or case/match steps, which lay themselves out).
func hasComments(p *Pipeline) bool {
	if p == nil {
		return false
	}
	if len(p.EndComments) > 0 {
		return true
	}
	for _, s := range p.Steps {
		if !StepComments(s).empty() {
			return true
		}
	}
	return false
}

func (w *printer) pipeline(p *Pipeline) {
	w.steps(p.Steps, -1, hasComments(p))
	w.endComments(p)
}

// steps prints a pipeline's steps: inline joined by " | ", or with lines set
// one per line with their comments, each after the first led by "| " (by
// "=> " at index arrowAt, a case clause's dialect arrow).
func (w *printer) steps(steps []Step, arrowAt int, lines bool) {
	for i, s := range steps {
		sep := "| "
		if i == arrowAt {
			sep = "=> "
		}
		switch {
		case i == 0:
		case lines:
			w.newline()
		default:
			w.str(" ")
		}
		c := StepComments(s)
		if lines {
			w.leading(c.Leading)
		}
		if lines {
			w.lineIndent = w.indent
		}
		if i > 0 {
			w.str(sep)
			if lines {
				w.lineIndent++ // continuation lines hang under the step, not its "| "
			}
		}
		w.wstep(s)
		if lines {
			w.trailing(c.Trailing)
		}
	}
	if arrowAt == len(steps) && arrowAt > 0 {
		w.str(" =>")
	}
}

// endComments prints p's end comments on their own lines.
func (w *printer) endComments(p *Pipeline) {
	for i, c := range p.EndComments {
		if i > 0 || len(p.Steps) > 0 {
			w.newline()
		}
		w.comment(c)
	}
}

func (w *printer) step(s Step) {
	switch s := s.(type) {
	case *FilterStep:
		w.filter(s.Filter)
	case *CallStep:
		w.call(s.Call)
	case *AssignStep:
		w.str(s.Field.String())
		w.str(" := ")
		w.expr(s.Value)
	case *FieldOpStep:
		w.str(s.Field.String())
		w.str(" =~ ")
		if s.Negated {
			w.str("!")
		}
		w.call(s.Call)
	case *CaseStep:
		w.str("case {")
		w.clauses(len(s.Clauses), func(i int) *Comments { return &s.Clauses[i].Comments },
			func(i int) { w.caseClause(s.Clauses[i]) }, s.EndComments)
	case *MatchStep:
		w.str(s.Field.String())
		w.str(" match {")
		w.clauses(len(s.Clauses), func(i int) *Comments { return &s.Clauses[i].Comments },
			func(i int) { w.matchClause(s.Clauses[i]) }, s.EndComments)
	case *StatsStep:
		if len(s.Items) > 0 {
			w.list(s.Items)
			return
		}
		w.str("[")
		for i, c := range s.Calls {
			if i > 0 {
				w.str(", ")
			}
			w.call(c)
		}
		w.str("]")
	case *SavedQueryStep:
		w.str("$")
		if s.Quoted {
			w.str(quote(s.Name))
		} else {
			w.str(s.Name)
		}
		w.args(s.Args)
	}
}

// clauses prints the body of a case or match block after its opening
// brace: one clause per line with its comments, `;` between clauses, the
// block's end comments, and the closing brace.
func (w *printer) clauses(n int, comments func(i int) *Comments, clause func(i int), end []*Comment) {
	w.indent++
	for i := 0; i < n; i++ {
		w.newline()
		cs := comments(i)
		w.leading(cs.Leading)
		clause(i)
		if i < n-1 {
			w.str(";")
		}
		w.trailing(cs.Trailing)
	}
	for _, c := range end {
		w.newline()
		w.comment(c)
	}
	w.indent--
	w.newline()
	w.str("}")
}

func (w *printer) caseClause(c *CaseClause) {
	arrowAt := -1
	if c.Arrow != NoPos && c.ArrowAt > 0 && c.ArrowAt <= len(c.Pipeline.Steps) {
		arrowAt = c.ArrowAt
	}
	lines := hasComments(c.Pipeline) ||
		!w.fits(1, func(f *printer) { f.steps(c.Pipeline.Steps, arrowAt, false) })
	w.steps(c.Pipeline.Steps, arrowAt, lines)
	w.endComments(c.Pipeline)
}

func (w *printer) matchClause(c *MatchClause) {
	switch g := c.Guard.(type) {
	case *Call:
		w.call(g)
	case *BoolFilter:
		w.filter(g)
	case Node:
		w.str(g.String())
	}
	w.str(" => ")
	if c.Body == nil {
		w.str("*")
		return
	}
	if hasComments(c.Body) || w.fits(1, func(f *printer) { f.pipeline(c.Body) }) {
		w.pipeline(c.Body)
		return
	}
	// Too long: the body's later steps go one per line under the guard.
	w.indent++
	w.steps(c.Body.Steps, -1, true)
	w.endComments(c.Body)
	w.indent--
}

// Filter precedence, loosest first: and < or < not < primary.
func filterPrec(f Filter) int {
	switch f.(type) {
	case *AndFilter:
		return 1
	case *OrFilter:
		return 2
	case *NotFilter:
		return 3
	}
	return 4
}

func (w *printer) filterAt(f Filter, min int) {
	if filterPrec(f) < min {
		w.str("(")
		w.filter(f)
		w.str(")")
		return
	}
	w.filter(f)
}

func (w *printer) filter(f Filter) {
	switch f := f.(type) {
	case *AndFilter:
		w.filterAt(f.X, 1)
		if f.Implicit {
			w.str(" ")
		} else {
			w.str(" and ")
		}
		w.filterAt(f.Y, 2)
	case *OrFilter:
		w.filterAt(f.X, 2)
		w.str(" or ")
		w.filterAt(f.Y, 3)
	case *NotFilter:
		if f.Bang {
			w.str("!")
		} else {
			w.str("not ")
		}
		w.filterAt(f.X, 3)
	case *ParenFilter:
		w.str("(")
		w.filter(f.X)
		w.str(")")
	case *CompareFilter:
		w.str(f.Field.String())
		w.str(" " + f.Op + " ")
		w.str(f.Value.String())
	case *FreeTextFilter:
		w.str(f.Value.String())
	case *BoolFilter:
		if f.Value {
			w.str("true")
		} else {
			w.str("false")
		}
	case *CallFilter:
		w.call(f.Call)
	case *InFilter:
		w.str(f.Field.String())
		w.str(" in ")
		w.list(f.Values)
	case *LinkFilter:
		w.str(f.X.String() + " <=> " + f.Y.String())
	}
}

func (w *printer) call(c *Call) {
	w.str(c.Name)
	w.args(c.Args)
}

func (w *printer) args(args []*Arg) {
	w.str("(")
	for i, a := range args {
		if i > 0 {
			w.str(", ")
		}
		w.arg(a)
	}
	w.str(")")
}

func (w *printer) arg(a *Arg) {
	if a.Name == "" {
		w.expr(a.Value)
		return
	}
	// The value is printed once, aside, so nested named arguments stay linear.
	v := printer{indent: w.indent}
	v.expr(a.Value)
	w.str(a.Name)
	w.str("=")
	val := v.b.String()
	if strings.HasPrefix(val, "~") { // `x=~y` would read as the =~ operator
		w.str(" ")
	}
	w.str(val)
	w.openLine = v.openLine
}

func (w *printer) list(elems []Expr) {
	w.str("[")
	for i, e := range elems {
		if i > 0 {
			w.str(", ")
		}
		w.expr(e)
	}
	w.str("]")
}

// Expression precedence, loosest first: comparison < additive < multiplicative < unary.
func exprPrec(e Expr) int {
	switch e := e.(type) {
	case *BinaryExpr:
		for i, ops := range exprLevels {
			if contains(ops, e.Op) {
				return i + 1
			}
		}
		return 1
	case *UnaryExpr:
		return len(exprLevels) + 1
	}
	return len(exprLevels) + 2
}

func (w *printer) exprAt(e Expr, min int) {
	if exprPrec(e) < min {
		w.str("(")
		w.expr(e)
		w.str(")")
		return
	}
	w.expr(e)
}

func (w *printer) expr(e Expr) {
	switch e := e.(type) {
	case *BinaryExpr:
		p := exprPrec(e)
		w.exprAt(e.X, p)
		w.str(" " + e.Op + " ")
		w.exprAt(e.Y, p+1)
	case *UnaryExpr:
		w.str(e.Op)
		w.exprAt(e.X, exprPrec(e))
	case *ParenExpr:
		w.str("(")
		w.expr(e.X)
		w.str(")")
	case *CallExpr:
		w.call(e.Call)
	case *ArrayExpr:
		w.list(e.Elems)
	case *SubQuery:
		if len(e.Pipeline.Steps) == 0 && len(e.Pipeline.EndComments) == 0 {
			w.str("{}")
			return
		}
		if !hasComments(e.Pipeline) {
			w.str("{ ")
			w.pipeline(e.Pipeline)
			w.str(" }")
			return
		}
		w.str("{")
		w.indent++
		w.newline()
		w.pipeline(e.Pipeline)
		w.indent--
		w.newline()
		w.str("}")
	case *CorrelateNode:
		w.str(e.Name + ": ")
		w.expr(e.Query)
		if e.Include != nil {
			w.str(" include: ")
			w.expr(e.Include)
		}
	case nil:
	default:
		w.str(e.String())
	}
}
