package cql

import (
	"sort"
	"strings"
)

// Parse parses a whole query. It always returns a Query (possibly partial
// after errors) plus every diagnostic found, dialect warnings included, in
// source order. It never panics.
func Parse(src string) (*Query, Diagnostics) {
	q, p := parse(src)
	return q, p.diags
}

// parse is Parse, also returning the parser for the comments it saw.
func parse(src string) (*Query, *parser) {
	p := &parser{src: src}
	pl := p.parsePipeline(ctxTop)
	p.consume(p.peek(modeFilter)) // EOF: reports an unclosed trailing comment
	sort.SliceStable(p.diags, func(i, j int) bool { return p.diags[i].Span.Start < p.diags[j].Span.Start })
	q := &Query{Pipeline: pl}
	if len(p.comments) > 0 {
		attachComments(q, src, p.comments)
	}
	return q, p
}

// pipeCtx says where a pipeline sits, which decides what ends it.
type pipeCtx int

const (
	ctxTop   pipeCtx = iota // whole query: ends at EOF
	ctxSub                  // { ... } argument: ends at }
	ctxCase                 // case clause: ends at ; or }, may contain a dialect =>
	ctxMatch                // match clause body: ends at ; or }
)

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 200

type parser struct {
	src     string
	pos     int // byte offset of the next unread byte
	lastEnd Pos // end of the last consumed token
	diags   Diagnostics
	depth   int
	tooDeep bool
	errAt   map[Pos]bool // lexical errors already reported
	// comments in source order, gathered as tokens are consumed (each gap
	// between tokens is consumed once, so none is seen twice).
	comments []*Comment
}

func (p *parser) peek(mode scanMode) token { return scan(p.src, p.pos, mode) }

// after scans the token that follows t.
func (p *parser) after(t token, mode scanMode) token { return scan(p.src, int(t.end), mode) }

func (p *parser) next(mode scanMode) token {
	t := p.peek(mode)
	p.consume(t)
	return t
}

func (p *parser) consume(t token) {
	if t.err != nil {
		if p.errAt == nil {
			p.errAt = map[Pos]bool{}
		}
		if !p.errAt[t.err.Span.Start] {
			p.errAt[t.err.Span.Start] = true
			p.diags = append(p.diags, t.err)
		}
	}
	if int(t.start) > p.pos && strings.IndexByte(p.src[p.pos:t.start], '/') >= 0 {
		p.comments = scanComments(p.src, p.pos, int(t.start), p.comments)
	}
	if t.kind == tEOF {
		p.pos = len(p.src)
		return
	}
	p.pos = int(t.end)
	p.lastEnd = t.end
}

func (p *parser) errorf(sp Span, code, hint, msg string) {
	p.diags = append(p.diags, &Diagnostic{Span: sp, Severity: SeverityError, Code: code, Message: msg, Hint: hint})
}

func (p *parser) warn(sp Span, code, hint, msg string) {
	p.diags = append(p.diags, &Diagnostic{Span: sp, Severity: SeverityWarning, Code: code, Message: msg, Hint: hint})
}

func (p *parser) unexpected(t token, what string) {
	if t.err != nil {
		p.consume(t) // the lexical error says it better
		return
	}
	if t.kind == tEOF {
		p.errorf(Span{t.start, t.start}, "syntax-unexpected-eof", "", "query ends where "+what+" was expected")
		return
	}
	p.errorf(Span{t.start, t.end}, "syntax-unexpected-token", "", "unexpected "+describe(t)+", expected "+what)
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of query"
	case tString:
		return "string " + t.text
	case tRegex:
		return "regex " + t.text
	case tNumber:
		return "number " + t.text
	case tParam:
		return "parameter " + t.text
	case tPunct:
		return "\"" + t.text + "\""
	}
	return "\"" + t.text + "\""
}

// enter guards recursion depth; callers must call leave when it returns true.
func (p *parser) enter(t token) bool {
	if p.depth >= maxDepth {
		if !p.tooDeep {
			p.tooDeep = true
			p.errorf(Span{t.start, t.end}, "syntax-too-deep", "", "query is nested too deeply")
		}
		return false
	}
	p.depth++
	return true
}

func (p *parser) leave() { p.depth-- }

// sync skips to the next `|`, `;`, `}` or `)` outside brackets opened while
// skipping (or EOF), so parsing can resume after an error.
func (p *parser) sync() {
	depth := 0
	for {
		t := p.peek(modeFilter)
		switch {
		case t.kind == tEOF:
			return
		case t.kind == tPunct:
			switch t.text {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				if depth == 0 {
					return
				}
				depth--
			case "|", ";":
				if depth == 0 {
					return
				}
			}
		}
		p.consume(t)
	}
}

func (p *parser) ends(t token, ctx pipeCtx) bool {
	switch {
	case t.kind == tEOF:
		return true
	case ctx == ctxTop:
		return false
	case t.is("}"):
		return true
	case t.is(";"):
		return ctx == ctxCase || ctx == ctxMatch
	}
	return false
}

// ---------------------------------------------------------------------------
// Pipelines and steps

func (p *parser) parsePipeline(ctx pipeCtx) *Pipeline {
	pl, _, _ := p.parseClausePipeline(ctx)
	return pl
}

// parseClausePipeline parses steps until the context's end; in a case clause
// it also records a dialect `=>` (its position and the index of the step after it).
func (p *parser) parseClausePipeline(ctx pipeCtx) (pl *Pipeline, arrow Pos, arrowAt int) {
	arrow = NoPos
	pl = &Pipeline{}
	start := p.peek(modeFilter)
	pl.Sp = Span{start.start, start.start}
	if start.is("|") { // a leading pipe is harmless
		p.consume(start)
	}
	needStep := false // after `|` or `=>`
	sawStep := false  // a step (even a broken one) was seen
	for {
		t := p.peek(modeFilter)
		if p.ends(t, ctx) {
			// A trailing `|` before the end of the whole query is tolerated.
			if needStep && !(ctx == ctxTop && t.kind == tEOF) {
				p.errorf(Span{p.lastEnd, p.lastEnd}, "syntax-missing-step", "remove the trailing `|`", "expected a step after \"|\"")
			}
			break
		}
		if t.is("=>") && ctx == ctxCase {
			p.consume(t)
			if arrow != NoPos {
				p.errorf(Span{t.start, t.end}, "syntax-unexpected-token", "", "a case clause has at most one \"=>\"")
				continue
			}
			arrow, arrowAt = t.start, len(pl.Steps)
			p.warn(Span{t.start, t.end}, "dialect-case-arrow", "LogScale writes case clauses as `condition | steps`",
				"\"=>\" in a case clause is a tiercel extension")
			if len(pl.Steps) == 0 {
				p.errorf(Span{t.start, t.end}, "syntax-missing-step", "", "expected a condition before \"=>\"")
			}
			needStep = true
			continue
		}
		if t.is("|") {
			p.consume(t)
			if needStep || !sawStep {
				p.errorf(Span{t.start, t.end}, "syntax-missing-step", "", "empty step between pipes")
			}
			needStep = true
			continue
		}
		if t.kind == tPunct && strings.Contains(")]},;=><", t.text[:1]) {
			p.unexpected(t, "a pipeline step")
			p.consume(t)
			continue
		}
		before := p.pos
		if s := p.parseStep(); s != nil {
			pl.Steps = append(pl.Steps, s)
		} else {
			p.sync()
			// Closers of the broken step's own brackets cannot end a pipeline.
			for t := p.peek(modeFilter); t.is(")") || t.is("]"); t = p.peek(modeFilter) {
				p.consume(t)
				p.sync()
			}
		}
		needStep, sawStep = false, true
		if p.pos == before { // no progress: drop one token
			t := p.peek(modeFilter)
			if t.kind == tEOF {
				break
			}
			p.consume(t)
		}
		if p.tooDeep {
			p.pos = len(p.src)
		}
	}
	if arrow != NoPos && arrowAt == len(pl.Steps) && len(pl.Steps) > 0 {
		p.errorf(Span{arrow, arrow + 2}, "syntax-missing-step", "", "expected steps after \"=>\"")
	}
	pl.Sp.End = max(p.lastEnd, pl.Sp.Start)
	return pl, arrow, arrowAt
}

// parseStep parses one step; nil after an error (already reported).
func (p *parser) parseStep() Step {
	t := p.peek(modeFilter)
	if !p.enter(t) {
		return nil
	}
	defer p.leave()
	switch {
	case t.is("["):
		return p.parseStats()
	case t.is("$"):
		return p.parseSaved()
	case t.isKeyword("case") && p.after(t, modeFilter).is("{"):
		return p.parseCase()
	}
	if t.kind == tWord || t.kind == tString || t.kind == tBacktick {
		nx := p.after(t, modeFilter)
		switch {
		case nx.is(":="):
			return p.parseAssign()
		case nx.is("=~"):
			return p.parseFieldOp()
		case nx.isKeyword("match") && p.after(nx, modeFilter).is("{"):
			return p.parseMatch()
		}
	}
	f := p.parseFilter(false)
	if f == nil {
		return nil
	}
	if cf, ok := f.(*CallFilter); ok {
		if strings.EqualFold(cf.Call.Name, "drop") && len(cf.Call.Args) == 0 {
			p.warn(cf.Call.Sp, "dialect-drop-event", "LogScale's drop() removes fields; use dropEvent() to drop the event",
				"drop() without fields drops the event (tiercel extension)")
		}
		return &CallStep{Call: cf.Call}
	}
	return &FilterStep{Filter: f}
}

// fieldName turns a word, string or back-quoted token into a field name.
func (p *parser) fieldName(t token) *FieldName {
	f := &FieldName{Name: t.text, Sp: Span{t.start, t.end}}
	switch t.kind {
	case tString:
		f.Name, f.Quoted = t.val, true
	case tBacktick:
		f.Name, f.Backtick = t.val, true
	case tWord:
		if i := strings.IndexAny(t.text, "-+*"); i >= 0 && t.text != "*" {
			p.errorf(f.Sp, "syntax-invalid-field-name",
				"`"+t.text+"` — field names with '"+t.text[i:i+1]+"' must be quoted: \""+t.text+"\"",
				"invalid field name "+quoteForMessage(t.text))
		}
	}
	return f
}

func (p *parser) parseAssign() Step {
	ft := p.next(modeFilter)
	field := p.fieldName(ft)
	p.next(modeFilter) // :=
	val := p.parseExpr()
	if val == nil {
		return nil
	}
	return &AssignStep{Field: field, Value: val, Sp: Span{ft.start, p.lastEnd}}
}

func (p *parser) parseFieldOp() Step {
	ft := p.next(modeFilter)
	field := p.fieldName(ft)
	p.next(modeFilter) // =~
	neg := false
	if t := p.peek(modeFilter); t.is("!") || t.isKeyword("not") {
		p.consume(t)
		neg = true
	}
	t := p.peek(modeFilter)
	if t.kind != tWord || !p.after(t, modeFilter).is("(") || p.after(t, modeFilter).start != t.end {
		p.unexpected(t, "a function call after \"=~\"")
		return nil
	}
	call := p.parseCall(t)
	if call == nil {
		return nil
	}
	return &FieldOpStep{Field: field, Negated: neg, Call: call, Sp: Span{ft.start, p.lastEnd}}
}

func (p *parser) parseStats() Step {
	open := p.next(modeFilter)
	st := &StatsStep{}
	elems, ok := p.parseList(open, "]")
	for _, e := range elems {
		switch e := e.(type) {
		case *CallExpr:
			st.Calls = append(st.Calls, e.Call)
		case *SubQuery:
		default:
			p.errorf(e.Span(), "syntax-expected-call", "", "the [ ... ] step takes function calls, e.g. [count(), max(x)]")
			ok = false
			continue
		}
		st.Items = append(st.Items, e)
	}
	if !ok {
		return nil
	}
	if len(st.Items) == 0 {
		p.errorf(Span{open.start, p.lastEnd}, "syntax-missing-argument", "", "the [ ... ] step needs at least one function call")
		return nil
	}
	st.Sp = Span{open.start, p.lastEnd}
	return st
}

func (p *parser) parseSaved() Step {
	dollar := p.next(modeFilter)
	t := p.next(modeFilter)
	s := &SavedQueryStep{}
	switch {
	case t.kind == tString:
		s.Name, s.Quoted = t.val, true
	case t.kind == tWord && t.start == dollar.end:
		s.Name = t.text
	default:
		p.unexpected(t, "a saved query name after \"$\"")
		return nil
	}
	open := p.peek(modeFilter)
	if !open.is("(") {
		p.unexpected(open, "\"(\" after the saved query name")
		return nil
	}
	p.consume(open)
	args, ok := p.parseArgs(open)
	if !ok {
		return nil
	}
	s.Args = args
	s.Sp = Span{dollar.start, p.lastEnd}
	return s
}

func (p *parser) parseCase() Step {
	kw := p.next(modeFilter)
	open := p.next(modeFilter)
	cs := &CaseStep{}
	for {
		t := p.peek(modeFilter)
		if t.is("}") {
			p.consume(t)
			break
		}
		if t.kind == tEOF {
			p.errorf(Span{open.start, open.end}, "syntax-unclosed-brace", "add } to close the case", "case { is never closed")
			return nil
		}
		if t.is(";") {
			p.consume(t)
			p.errorf(Span{t.start, t.end}, "syntax-empty-clause", "", "empty case clause")
			continue
		}
		pl, arrow, arrowAt := p.parseClausePipeline(ctxCase)
		if len(pl.Steps) > 0 {
			cs.Clauses = append(cs.Clauses, &CaseClause{Pipeline: pl, Arrow: arrow, ArrowAt: arrowAt})
		}
		if t := p.peek(modeFilter); t.is(";") {
			p.consume(t)
		}
	}
	cs.Sp = Span{kw.start, p.lastEnd}
	return cs
}

func (p *parser) parseMatch() Step {
	ft := p.next(modeFilter)
	field := p.fieldName(ft)
	p.next(modeFilter) // match
	open := p.next(modeFilter)
	ms := &MatchStep{Field: field}
	for {
		t := p.peek(modeFilter)
		if t.is("}") {
			p.consume(t)
			break
		}
		if t.kind == tEOF {
			p.errorf(Span{open.start, open.end}, "syntax-unclosed-brace", "add } to close the match", "match { is never closed")
			return nil
		}
		if t.is(";") {
			p.consume(t)
			continue
		}
		before := p.pos
		if c := p.parseMatchClause(); c != nil {
			ms.Clauses = append(ms.Clauses, c)
		} else {
			p.sync()
			if p.pos == before { // no progress: drop one token
				if t := p.peek(modeFilter); !t.is("}") && t.kind != tEOF {
					p.consume(t)
				}
			}
		}
		if t := p.peek(modeFilter); t.is(";") {
			p.consume(t)
		}
	}
	ms.Sp = Span{ft.start, p.lastEnd}
	return ms
}

func (p *parser) parseMatchClause() *MatchClause {
	t := p.peek(modeFilter)
	var guard Guard
	switch {
	case t.kind == tWord && p.after(t, modeFilter).is("(") && p.after(t, modeFilter).start == t.end:
		c := p.parseCall(t)
		if c == nil {
			return nil
		}
		guard = c
	case t.isKeyword("true") || t.isKeyword("false"):
		p.consume(t)
		guard = &BoolFilter{Value: strings.EqualFold(t.text, "true"), Sp: Span{t.start, t.end}}
	default:
		pat := p.parsePattern("a match guard")
		if pat == nil {
			return nil
		}
		guard = pat
	}
	arrow := p.peek(modeFilter)
	if !arrow.is("=>") {
		p.unexpected(arrow, "\"=>\" after the match guard")
		return nil
	}
	p.consume(arrow)
	mc := &MatchClause{Guard: guard}
	body := p.peek(modeFilter)
	if body.kind == tWord && body.text == "*" {
		if nx := p.after(body, modeFilter); nx.is(";") || nx.is("}") {
			p.consume(body)
			mc.Sp = Span{t.start, body.end}
			return mc
		}
	}
	mc.Body = p.parsePipeline(ctxMatch)
	if len(mc.Body.Steps) == 0 {
		p.errorf(Span{arrow.start, arrow.end}, "syntax-missing-step", "write `*` to pass events through", "expected steps after \"=>\"")
		return nil
	}
	mc.Sp = Span{t.start, p.lastEnd}
	return mc
}

// ---------------------------------------------------------------------------
// Filters: precedence not > or > and/juxtaposition.

// parseFilter parses an and-level filter. inParen is set inside ( ... ),
// where a call on a new line still joins the filter.
func (p *parser) parseFilter(inParen bool) Filter {
	x := p.parseOr()
	if x == nil {
		return nil
	}
	for {
		t := p.peek(modeFilter)
		implicit := true
		if t.isKeyword("and") {
			p.consume(t)
			implicit = false
		} else if !p.startsFilter(t) || p.startsOtherStep(t, inParen) {
			return x
		} else if _, isCall := x.(*CallFilter); isCall && t.nl && !inParen {
			return x // `groupBy(x)` newline `a=1`: two steps
		}
		y := p.parseOr()
		if y == nil {
			return nil
		}
		x = &AndFilter{X: x, Y: y, Implicit: implicit, Sp: Span{x.Span().Start, y.Span().End}}
	}
}

func (p *parser) parseOr() Filter {
	x := p.parseNot()
	if x == nil {
		return nil
	}
	for {
		t := p.peek(modeFilter)
		if !t.isKeyword("or") {
			return x
		}
		p.consume(t)
		y := p.parseNot()
		if y == nil {
			return nil
		}
		x = &OrFilter{X: x, Y: y, Sp: Span{x.Span().Start, y.Span().End}}
	}
}

func (p *parser) parseNot() Filter {
	t := p.peek(modeFilter)
	if t.is("!") || (t.isKeyword("not") && !p.isComparison(t)) {
		if !p.enter(t) {
			return nil
		}
		defer p.leave()
		p.consume(t)
		x := p.parseNot()
		if x == nil {
			return nil
		}
		return &NotFilter{X: x, Bang: t.is("!"), Sp: Span{t.start, x.Span().End}}
	}
	return p.parsePrimary()
}

// startsFilter reports whether t can begin another juxtaposed filter.
func (p *parser) startsFilter(t token) bool {
	switch t.kind {
	case tWord:
		return !t.isKeyword("or") && !t.isKeyword("and")
	case tString, tRegex, tParam, tBacktick:
		return true
	case tPunct:
		return t.text == "(" || t.text == "!"
	}
	return false
}

// startsOtherStep reports whether t, juxtaposed after a filter, begins a
// step of another kind (assignment, case, a call on its own line, ...).
func (p *parser) startsOtherStep(t token, inParen bool) bool {
	if t.kind == tWord || t.kind == tString || t.kind == tBacktick {
		nx := p.after(t, modeFilter)
		if nx.is(":=") || nx.is("=~") || (nx.isKeyword("match") && p.after(nx, modeFilter).is("{")) {
			return true
		}
		if t.isKeyword("case") && nx.is("{") {
			return true
		}
		if !inParen && t.nl && t.kind == tWord && nx.is("(") && nx.start == t.end {
			return true
		}
	}
	return false
}

// isComparison reports whether the token t is a field compared by an operator.
func (p *parser) isComparison(t token) bool {
	nx := p.after(t, modeFilter)
	if nx.kind == tPunct {
		switch nx.text {
		case "=", "!=", "<", "<=", ">", ">=", "<=>":
			return true
		}
	}
	if nx.isKeyword("like") {
		return true
	}
	return nx.isKeyword("in") && p.after(nx, modeFilter).is("[")
}

func (p *parser) parsePrimary() Filter {
	t := p.peek(modeFilter)
	switch {
	case t.is("("):
		if !p.enter(t) {
			return nil
		}
		defer p.leave()
		p.consume(t)
		x := p.parseFilter(true)
		if x == nil {
			return nil
		}
		cl := p.peek(modeFilter)
		if !cl.is(")") {
			p.errorf(Span{t.start, t.end}, "syntax-unclosed-paren", "add the missing )", "\"(\" is never closed")
			return nil
		}
		p.consume(cl)
		return &ParenFilter{X: x, Sp: Span{t.start, cl.end}}
	case t.kind == tWord || t.kind == tString || t.kind == tBacktick:
		if p.isComparison(t) {
			return p.parseComparison()
		}
		if t.kind == tWord {
			if nx := p.after(t, modeFilter); nx.is("(") && nx.start == t.end {
				c := p.parseCall(t)
				if c == nil {
					return nil
				}
				return &CallFilter{Call: c}
			}
			if t.isKeyword("true") || t.isKeyword("false") {
				p.consume(t)
				return &BoolFilter{Value: strings.EqualFold(t.text, "true"), Sp: Span{t.start, t.end}}
			}
			if t.isKeyword("and") || t.isKeyword("or") {
				p.errorf(Span{t.start, t.end}, "syntax-unexpected-keyword", "quote it to search for the word: \""+t.text+"\"",
					"\""+t.text+"\" needs a filter before it")
				return nil
			}
		}
	}
	pat := p.parsePattern("a filter")
	if pat == nil {
		return nil
	}
	return &FreeTextFilter{Value: pat}
}

func (p *parser) parseComparison() Filter {
	ft := p.next(modeFilter)
	n := len(p.diags)
	field := p.fieldName(ft)
	var bad *Diagnostic // an invalid-field-name error whose hint gets the whole comparison
	if len(p.diags) > n && p.diags[n].Code == "syntax-invalid-field-name" {
		bad = p.diags[n]
	}
	op := p.next(modeFilter)
	switch {
	case op.is("<=>"):
		t := p.peek(modeFilter)
		if t.kind != tWord && t.kind != tString && t.kind != tBacktick {
			p.unexpected(t, "a field name after \"<=>\"")
			return nil
		}
		p.consume(t)
		return &LinkFilter{X: field, Y: p.fieldName(t), Sp: Span{ft.start, t.end}}
	case op.isKeyword("in"):
		p.warn(Span{op.start, op.end}, "dialect-infix-in", "LogScale writes in(field="+field.String()+", values=[...])",
			"infix \"in [...]\" is a tiercel extension")
		open := p.next(modeFilter)
		vals, ok := p.parseList(open, "]")
		if !ok {
			return nil
		}
		return &InFilter{Field: field, Values: vals, Sp: Span{ft.start, p.lastEnd}}
	}
	opText := op.text
	if op.kind == tWord {
		opText = "like"
	}
	if vt := p.peek(modeFilter); vt.err == nil && vt.kind != tWord && vt.kind != tString && vt.kind != tRegex && vt.kind != tParam {
		p.errorf(Span{vt.start, vt.end}, "syntax-missing-value", "write `"+p.src[ft.start:op.end]+" *` to test that the field exists",
			"expected a value after \""+op.text+"\", found "+describe(vt))
		return nil
	}
	val := p.parsePattern("a value")
	if val == nil {
		return nil
	}
	if bad != nil {
		i := strings.IndexAny(ft.text, "-+*")
		bad.Hint = "`" + p.src[ft.start:val.Span().End] + "` — field names with '" + ft.text[i:i+1] +
			"' must be quoted: " + quote(field.Name) + p.src[ft.end:val.Span().End]
	}
	return &CompareFilter{Field: field, Op: opText, Value: val, Sp: Span{ft.start, val.Span().End}}
}

// parsePattern reads a Word, String, Regex or Param in filter position.
func (p *parser) parsePattern(what string) Pattern {
	t := p.peek(modeFilter)
	sp := Span{t.start, t.end}
	switch t.kind {
	case tWord:
		p.consume(t)
		return &Word{Text: t.text, Sp: sp}
	case tString:
		p.consume(t)
		return &String{Value: t.val, Sp: sp}
	case tRegex:
		p.consume(t)
		return &Regex{Pattern: t.val, Flags: t.flags, Sp: sp}
	case tParam:
		p.consume(t)
		return &Param{Name: t.val, Default: t.flags, HasDefault: t.hasDefault, Braced: t.braced, Sp: sp}
	}
	p.unexpected(t, what)
	return nil
}

// ---------------------------------------------------------------------------
// Calls and arguments

// parseCall parses `name(args)`; nt is the name token, not yet consumed.
func (p *parser) parseCall(nt token) *Call {
	p.consume(nt)
	open := p.next(modeFilter)
	if !p.enter(open) {
		return nil
	}
	defer p.leave()
	args, ok := p.parseArgs(open)
	if !ok {
		return nil
	}
	return &Call{Name: nt.text, NameSp: Span{nt.start, nt.end}, Args: args, Sp: Span{nt.start, p.lastEnd}}
}

// parseArgs parses arguments after `(` through `)`.
func (p *parser) parseArgs(open token) ([]*Arg, bool) {
	var args []*Arg
	t := p.peek(modeExprTerm)
	if t.is(")") {
		p.consume(t)
		return nil, true
	}
	for {
		a := p.parseArg()
		if a == nil {
			return nil, false
		}
		args = append(args, a)
		t := p.peek(modeExpr)
		switch {
		case t.is(","):
			p.consume(t)
			if nx := p.peek(modeExprTerm); nx.is(")") {
				p.errorf(Span{t.start, t.end}, "syntax-missing-argument", "remove the trailing comma", "expected an argument after \",\"")
				p.consume(nx)
				return nil, false
			}
		case t.is(")"):
			p.consume(t)
			return args, true
		case t.kind == tEOF || t.is("|") || t.is("}") || t.is(";"):
			p.errorf(Span{open.start, open.end}, "syntax-unclosed-paren", "add the missing )", "\"(\" is never closed")
			return nil, false
		default:
			p.unexpected(t, "\",\" or \")\" in the argument list")
			return nil, false
		}
	}
}

func (p *parser) parseArg() *Arg {
	t := p.peek(modeExprTerm)
	if t.is("(") { // `(name=value)`: parentheses around a named argument are tolerated
		if w := p.after(t, modeExprTerm); w.kind == tWord && p.after(w, modeExpr).is("=") {
			if !p.enter(t) {
				return nil
			}
			defer p.leave()
			p.consume(t)
			a := p.parseArg()
			if a == nil {
				return nil
			}
			cl := p.peek(modeExpr)
			if !cl.is(")") {
				p.unexpected(cl, "\")\" after the argument")
				return nil
			}
			p.consume(cl)
			return a
		}
	}
	if t.kind == tWord {
		nx := p.after(t, modeExpr)
		if nx.is("=") {
			p.consume(t)
			p.consume(nx)
			if v := p.peek(modeExprTerm); v.is(",") || v.is(")") {
				p.errorf(Span{t.start, nx.end}, "syntax-missing-argument", "", "argument "+t.text+"= has no value")
				return nil
			}
			v := p.parseExpr()
			if v == nil {
				return nil
			}
			return &Arg{Name: t.text, NameSp: Span{t.start, t.end}, Value: v}
		}
		if nx.is(":") && p.after(nx, modeExpr).is("{") {
			return p.parseCorrelateNode()
		}
	}
	v := p.parseElem()
	if v == nil {
		return nil
	}
	return &Arg{Value: v}
}

func (p *parser) parseCorrelateNode() *Arg {
	name := p.next(modeExpr)
	p.next(modeExpr) // :
	open := p.next(modeExpr)
	sq := p.parseSubQueryBody(open)
	if sq == nil {
		return nil
	}
	n := &CorrelateNode{Name: name.text, Query: sq}
	if inc := p.peek(modeExpr); inc.isKeyword("include") && p.after(inc, modeExpr).is(":") {
		p.consume(inc)
		p.next(modeExpr)
		n.Include = p.parseExpr()
		if n.Include == nil {
			return nil
		}
	}
	n.Sp = Span{name.start, p.lastEnd}
	return &Arg{Value: n}
}

// parseElem parses an argument or array element. `name := f(args)` there
// means f(args, as=name) (as for a step, spec §4.1) and is stored that way.
func (p *parser) parseElem() Expr {
	t := p.peek(modeExprTerm)
	if t.kind != tWord && t.kind != tString {
		return p.parseExpr()
	}
	assign := p.after(t, modeExpr)
	if !assign.is(":=") {
		return p.parseExpr()
	}
	p.consume(t)
	p.consume(assign)
	name := p.peek(modeExprTerm)
	if nx := p.after(name, modeExpr); name.kind != tWord || !nx.is("(") || nx.start != name.end {
		p.unexpected(name, "a function call after \":=\" in an argument")
		return nil
	}
	c := p.parseCall(name)
	if c == nil {
		return nil
	}
	as := &FieldName{Name: t.text, Sp: Span{t.start, t.end}}
	if t.kind == tString {
		as.Name, as.Quoted = t.val, true
	}
	c.Args = append(c.Args, &Arg{Name: "as", NameSp: Span{t.start, assign.end}, Value: as})
	c.Sp.Start = t.start
	return &CallExpr{Call: c}
}

// parseList parses comma-separated expressions after open through close.
func (p *parser) parseList(open token, closer string) ([]Expr, bool) {
	if !p.enter(open) {
		return nil, false
	}
	defer p.leave()
	var elems []Expr
	if t := p.peek(modeExprTerm); t.is(closer) {
		p.consume(t)
		return nil, true
	}
	for {
		e := p.parseElem()
		if e == nil {
			return nil, false
		}
		elems = append(elems, e)
		t := p.peek(modeExpr)
		switch {
		case t.is(","):
			p.consume(t)
			if nx := p.peek(modeExprTerm); nx.is(closer) { // trailing comma
				p.consume(nx)
				return elems, true
			}
		case t.is(closer):
			p.consume(t)
			return elems, true
		case t.kind == tEOF || t.is("|") || t.is(";") || (t.kind == tPunct && strings.Contains(")]}", t.text)):
			p.errorf(Span{open.start, open.end}, "syntax-unclosed-bracket", "add the missing "+closer, "\""+open.text+"\" is never closed")
			return nil, false
		default:
			p.unexpected(t, "\",\" or \""+closer+"\"")
			return nil, false
		}
	}
}

func (p *parser) parseSubQueryBody(open token) *SubQuery {
	if !p.enter(open) {
		return nil
	}
	defer p.leave()
	pl := p.parsePipeline(ctxSub)
	cl := p.peek(modeFilter)
	if !cl.is("}") {
		p.errorf(Span{open.start, open.end}, "syntax-unclosed-brace", "add the missing }", "\"{\" is never closed")
		return nil
	}
	p.consume(cl)
	return &SubQuery{Pipeline: pl, Sp: Span{open.start, cl.end}}
}

// ---------------------------------------------------------------------------
// Expressions: comparison < additive < multiplicative < unary (spec §4.3).

var exprLevels = [][]string{
	{"==", "!=", "<", "<=", ">", ">="},
	{"+", "-"},
	{"*", "/", "%"},
}

func (p *parser) parseExpr() Expr { return p.parseBinary(0) }

func (p *parser) parseBinary(level int) Expr {
	if level == len(exprLevels) {
		return p.parseUnary()
	}
	x := p.parseBinary(level + 1)
	if x == nil {
		return nil
	}
	for {
		t := p.peek(modeExpr)
		if t.kind != tPunct || !contains(exprLevels[level], t.text) {
			return x
		}
		p.consume(t)
		y := p.parseBinary(level + 1)
		if y == nil {
			return nil
		}
		x = &BinaryExpr{Op: t.text, X: x, Y: y, Sp: Span{x.Span().Start, y.Span().End}}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *parser) parseUnary() Expr {
	t := p.peek(modeExprTerm)
	if t.is("-") || t.is("!") {
		if !p.enter(t) {
			return nil
		}
		defer p.leave()
		p.consume(t)
		x := p.parseUnary()
		if x == nil {
			return nil
		}
		return &UnaryExpr{Op: t.text, X: x, Sp: Span{t.start, x.Span().End}}
	}
	return p.parseTerm()
}

func (p *parser) parseTerm() Expr {
	t := p.peek(modeExprTerm)
	sp := Span{t.start, t.end}
	switch t.kind {
	case tNumber:
		p.consume(t)
		return &NumberLit{Text: t.text, Sp: sp}
	case tString:
		p.consume(t)
		return &StringLit{Value: t.val, Sp: sp}
	case tRegex:
		p.consume(t)
		return &RegexExpr{Regex: &Regex{Pattern: t.val, Flags: t.flags, Sp: sp}}
	case tParam:
		p.consume(t)
		return &ParamExpr{Param: &Param{Name: t.val, Default: t.flags, HasDefault: t.hasDefault, Braced: t.braced, Sp: sp}}
	case tBacktick:
		p.consume(t)
		return &FieldName{Name: t.val, Backtick: true, Sp: sp}
	case tWord:
		if nx := p.after(t, modeExpr); nx.is("(") && nx.start == t.end {
			c := p.parseCall(t)
			if c == nil {
				return nil
			}
			return &CallExpr{Call: c}
		}
		p.consume(t)
		if t.isKeyword("true") || t.isKeyword("false") {
			return &BoolLit{Value: strings.EqualFold(t.text, "true"), Sp: sp}
		}
		return &FieldName{Name: t.text, Sp: sp}
	case tPunct:
		switch t.text {
		case "(":
			if !p.enter(t) {
				return nil
			}
			defer p.leave()
			p.consume(t)
			x := p.parseExpr()
			if x == nil {
				return nil
			}
			cl := p.peek(modeExpr)
			if !cl.is(")") {
				if cl.kind == tEOF || cl.is("|") || cl.is(";") || cl.is("}") || cl.is("]") {
					p.errorf(Span{t.start, t.end}, "syntax-unclosed-paren", "add the missing )", "\"(\" is never closed")
				} else {
					p.unexpected(cl, "\")\"")
				}
				return nil
			}
			p.consume(cl)
			return &ParenExpr{X: x, Sp: Span{t.start, cl.end}}
		case "[":
			p.consume(t)
			elems, ok := p.parseList(t, "]")
			if !ok {
				return nil
			}
			return &ArrayExpr{Elems: elems, Sp: Span{t.start, p.lastEnd}}
		case "{":
			p.consume(t)
			if sq := p.parseSubQueryBody(t); sq != nil {
				return sq
			}
			return nil
		}
	}
	if t.kind == tEOF || t.is("|") || t.is(")") || t.is(",") || t.is("}") || t.is(";") {
		p.errorf(Span{t.start, t.end}, "syntax-missing-expression", "", "expected a value or expression before "+describe(t))
		return nil
	}
	p.unexpected(t, "a value or expression")
	return nil
}
