package cql

import "strings"

// Line wrapping for the canonical printer. Every construct is printed flat
// when it fits in the target width from the current column; only one that
// does not fit is broken, and then only where the grammar ignores line
// breaks (never inside a literal):
//
//   - an and/or chain puts one operand per line, each after the first led by
//     its operator, aligned with the chain's first operand; a chain nested
//     unparenthesised in another hangs one level deeper;
//   - a parenthesised group ends its line with "(", puts its operands on
//     their own lines one level deeper, and closes with ")" on a line of its
//     own, aligned with the line that opened it;
//   - argument lists and arrays fill lines, breaking after a comma, with
//     continuation lines one level deeper; a lone array or call argument
//     hugs its parentheses (`table([` ... `])`);
//   - a { ... } sub-query that does not fit opens onto its own lines, one
//     step per line;
//   - a case clause that does not fit puts each step on its own line; a
//     match clause puts its body's later steps on lines under the guard.
//
// Continuation lines hang from lineIndent, the indent level of the text a
// construct started on: a step after "| " counts as one level in.

// DefaultWidth is the line width Query.String wraps at.
const DefaultWidth = 100

// fits reports whether print's flat output, followed by tail more
// characters, stays within the width from the current column.
func (w *printer) fits(tail int, print func(f *printer)) (ok bool) {
	if w.width == 0 {
		return true
	}
	if w.col > w.width {
		return false
	}
	defer func() {
		if r := recover(); r != nil {
			if _, wide := r.(tooWide); !wide {
				panic(r)
			}
			ok = false
		}
	}()
	f := printer{indent: w.indent, col: w.col, maxCol: w.col, lineIndent: w.lineIndent, stopAt: w.width}
	print(&f)
	return f.col+tail <= w.width
}

// tooWide stops a measuring printer as soon as its output passes the width:
// without it, measuring each level of a deeply nested query would print
// everything below it again.
type tooWide struct{}

// wstep prints a step, wrapping it when it does not fit.
func (w *printer) wstep(s Step) {
	if w.fits(0, func(f *printer) { f.step(s) }) {
		w.step(s)
		return
	}
	L := w.lineIndent
	switch s := s.(type) {
	case *FilterStep:
		w.wfilter(s.Filter, L)
	case *CallStep:
		w.wcall(s.Call, L)
	case *AssignStep:
		w.str(s.Field.String())
		w.str(" := ")
		w.wexpr(s.Value, L)
	case *FieldOpStep:
		w.str(s.Field.String())
		w.str(" =~ ")
		if s.Negated {
			w.str("!")
		}
		w.wcall(s.Call, L)
	case *StatsStep:
		items := s.Items
		if len(items) == 0 {
			for _, c := range s.Calls {
				items = append(items, &CallExpr{Call: c})
			}
		}
		w.wlist(items, L)
	case *SavedQueryStep:
		w.str("$")
		if s.Quoted {
			w.str(quote(s.Name))
		} else {
			w.str(s.Name)
		}
		w.wargs(s.Args, L)
	default: // case and match lay out their own clauses
		w.step(s)
	}
}

// wfilter prints f, wrapping it when it does not fit; L is the indent level
// of the line f starts on.
func (w *printer) wfilter(f Filter, L int) {
	if w.fits(0, func(p *printer) { p.filter(f) }) {
		w.filter(f)
		return
	}
	switch f := f.(type) {
	case *AndFilter, *OrFilter:
		w.chain(f, L)
	case *ParenFilter:
		w.group(f.X, L)
	case *NotFilter:
		if f.Bang {
			w.str("!")
		} else {
			w.str("not ")
		}
		if filterPrec(f.X) < 3 {
			w.group(f.X, L)
		} else {
			w.wfilter(f.X, L)
		}
	case *CallFilter:
		w.wcall(f.Call, L)
	case *InFilter:
		w.str(f.Field.String())
		w.str(" in ")
		w.wlist(f.Values, L)
	default:
		w.filter(f)
	}
}

// chainLinks flattens a left-nested and/or chain into its operands, the
// joining words ("" for juxtaposition) and the precedence each operand
// needs to go without parentheses.
func chainLinks(f Filter) (operands []Filter, joins []string, need []int) {
	for done := false; !done; {
		done = true
		switch x := f.(type) {
		case *AndFilter:
			join := "and"
			if x.Implicit {
				join = ""
			}
			operands = append(operands, x.Y)
			joins = append(joins, join)
			need = append(need, 2)
			if _, same := x.X.(*AndFilter); same {
				f, done = x.X, false
				continue
			}
			operands, need = append(operands, x.X), append(need, 1)
		case *OrFilter:
			operands = append(operands, x.Y)
			joins = append(joins, "or")
			need = append(need, 3)
			if _, same := x.X.(*OrFilter); same {
				f, done = x.X, false
				continue
			}
			operands, need = append(operands, x.X), append(need, 2)
		}
	}
	reverse(operands)
	reverse(joins)
	reverse(need)
	return operands, joins, need
}

func reverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// chain prints an and/or chain one operand per line at indent level L.
func (w *printer) chain(f Filter, L int) {
	operands, joins, need := chainLinks(f)
	save := w.indent
	w.indent = L
	for i, x := range operands {
		if i > 0 {
			// A call next to a line break would start a new step, so
			// juxtaposed operands around a call stay on one line.
			if joins[i-1] == "" && (endsWithCall(operands[i-1]) || startsWithCall(x)) {
				w.str(" ")
			} else {
				w.newline()
				if joins[i-1] != "" {
					w.str(joins[i-1] + " ")
				}
			}
		}
		w.operand(x, need[i], L)
	}
	w.indent = save
}

// operand prints one operand of a chain started at level L.
func (w *printer) operand(x Filter, need, L int) {
	switch {
	case w.fits(0, func(p *printer) { p.filterAt(x, need) }):
		w.filterAt(x, need)
	case filterPrec(x) < need:
		w.group(x, L)
	case filterPrec(x) <= 2: // an unparenthesised chain of the other operator
		w.chain(x, L+1)
	default:
		w.wfilter(x, L)
	}
}

// group prints ( inner ) opened at the end of the line, inner's operands
// one level deeper and ) on its own line at level L.
func (w *printer) group(inner Filter, L int) {
	save := w.indent
	w.str("(")
	w.indent = L + 1
	w.newline()
	if filterPrec(inner) <= 2 {
		w.chain(inner, L+1)
	} else {
		w.wfilter(inner, L+1)
	}
	w.indent = L
	w.newline()
	w.str(")")
	w.indent = save
}

func endsWithCall(f Filter) bool {
	switch f := f.(type) {
	case *AndFilter:
		return endsWithCall(f.Y)
	case *OrFilter:
		return endsWithCall(f.Y)
	case *NotFilter:
		return endsWithCall(f.X)
	case *CallFilter:
		return true
	}
	return false
}

func startsWithCall(f Filter) bool {
	switch f := f.(type) {
	case *AndFilter:
		return startsWithCall(f.X)
	case *OrFilter:
		return startsWithCall(f.X)
	case *CallFilter:
		return true
	}
	return false
}

// wcall prints a call, wrapping its arguments when it does not fit.
func (w *printer) wcall(c *Call, L int) {
	if w.fits(0, func(p *printer) { p.call(c) }) {
		w.call(c)
		return
	}
	w.str(c.Name)
	w.wargs(c.Args, L)
}

func (w *printer) wargs(args []*Arg, L int) {
	if len(args) == 1 && args[0].Name == "" {
		switch args[0].Value.(type) {
		case *ArrayExpr, *CallExpr:
			w.str("(")
			w.wexpr(args[0].Value, L)
			w.str(")")
			return
		}
	}
	first := L + 1
	if len(args) > 0 {
		if _, sub := args[0].Value.(*SubQuery); sub {
			first = L // `f(query={` ... `}, ...)`: the braces mark the block
		}
	}
	w.str("(")
	w.fill(len(args), func(p *printer, i, L int) { p.warg(args[i], L) }, first, L+1, 1)
	w.str(")")
}

func (w *printer) warg(a *Arg, L int) {
	if a.Name == "" {
		w.wexpr(a.Value, L)
		return
	}
	if w.fits(0, func(p *printer) { p.arg(a) }) {
		w.arg(a)
		return
	}
	w.str(a.Name)
	w.str("=")
	if strings.HasPrefix(render(func(p *printer) { p.expr(a.Value) }), "~") {
		w.str(" ") // `x=~y` would read as the =~ operator
	}
	w.wexpr(a.Value, L)
}

func (w *printer) wexpr(e Expr, L int) {
	if w.fits(0, func(p *printer) { p.expr(e) }) {
		w.expr(e)
		return
	}
	switch e := e.(type) {
	case *CallExpr:
		w.wcall(e.Call, L)
	case *ArrayExpr:
		w.wlist(e.Elems, L)
	case *ParenExpr:
		w.str("(")
		w.wexpr(e.X, L)
		w.str(")")
	case *SubQuery:
		if len(e.Pipeline.Steps) == 0 {
			w.expr(e)
			return
		}
		// Opened onto its own lines, one step per line, as with comments.
		save := w.indent
		w.str("{")
		w.indent = L + 1
		w.newline()
		w.steps(e.Pipeline.Steps, -1, true)
		w.endComments(e.Pipeline)
		w.indent = L
		w.newline()
		w.str("}")
		w.indent = save
	default:
		w.expr(e)
	}
}

func (w *printer) wlist(elems []Expr, L int) {
	w.str("[")
	w.fill(len(elems), func(p *printer, i, L int) { p.wexpr(elems[i], L) }, L+1, L+1, 2)
	w.str("]")
}

// fill prints n comma-separated items, as many to a line as fit, breaking
// after a comma onto a line at level L. The first item shares the opening
// line and hangs from level first if it breaks. tail is the width of what
// closes the list, kept on the last item's line.
func (w *printer) fill(n int, item func(p *printer, i, L int), first, L, tail int) {
	save := w.indent
	w.indent = L
	for i := range n {
		after := 1 // the comma
		if i == n-1 {
			after = tail
		}
		if i > 0 {
			w.str(",")
			if w.fits(after, func(p *printer) { p.str(" "); item(p, i, 0) }) {
				w.str(" ")
				item(w, i, w.lineIndent)
				continue
			}
			w.newline()
			item(w, i, L)
			continue
		}
		item(w, i, first)
	}
	w.indent = save
}
