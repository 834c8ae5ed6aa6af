// Package engine compiles a checked CQL query into stages and runs them over
// events: a stateless part that many workers run at once, and a stateful tail
// (aggregates, table, sort, head, tail) fed in input order.
package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/funcs"
	"github.com/tiercel/tiercel/internal/saved"
)

// Options tune compilation.
type Options struct {
	LookupDir string // directory of lookup files for match(file=...)
	// NoLookupFiles compiles without reading lookup files when LookupDir
	// is empty (tiercel check without --lookups): each file is an empty
	// table with the columns the call names, so everything else in the
	// query is still compiled exactly as a search would.
	NoLookupFiles bool
	// Unlimited is hunt mode: the default 200-row limit of table/sort/head/
	// tail does not cap output. A limit written in the query still applies:
	// it is the rule author's intent (head(1) means one row).
	Unlimited bool
	Now       time.Time         // query time for now(); zero means time.Now()
	Params    map[string]string // values of ?param
	// SavedSearches are the searches $name() calls; nil makes such a call
	// an error. Inside a saved search, ?p takes the call's argument p, else
	// Params["p"], else the ?{p=default}.
	SavedSearches *saved.Library
	// Limits bound the query's memory, regex time, fields and values
	// (limits.go); zero values are the defaults.
	Limits Limits
	// Data is the outside data of ipLocation(), ioc:lookup(), rdns() ...
	Data DataSources
	// Rows, when set, is shared with other programs (a hunt's rules): what
	// their table() and sort() rows hold in memory together decides when
	// rows go to a temporary file. Nil: the program's own.
	Rows *RowBudget
	// Start and End are the search interval that start() and end() report:
	// zero Start is the beginning of time (an all-time search), zero End is Now.
	Start, End time.Time

	saved *savedFrame // the saved search being compiled inline (saved.go)
	g     *guard      // shared by the query and its sub-queries
}

// Program is a compiled query. It is immutable and safe to share between
// goroutines; NewWorker and NewTail make the per-goroutine parts.
type Program struct {
	opts  Options
	chain []segment // chain[0].pre is the stateless part; the rest is the tail
	needs event.Needs
	// filterNeeds: what the stateless part reads, when it only tests
	// (filters) and an aggregate follows (filterOnly)
	filterNeeds event.Needs
	filterOnly  bool
	lits        *litExpr // prefilter condition on raw lines, before enrichment facts
	columns     []string
	freeText    bool
	text        freeTextReads // what free text reads, apart from the rest (FreeTextReads)
	pre         *prepassState // sub-queries run before the main pass (prepass.go)
	g           *guard        // limits and their state, shared by all goroutines (limits.go)
}

// segment is a stateless pipeline followed by an aggregate (nil at the end).
type segment struct {
	pre *pipeline
	agg aggSpec
}

// Needs reports the fields the program reads.
func (p *Program) Needs() event.Needs { return p.needs.Clone() }

// Columns is the output column order when the query ends with table() or
// select(); nil otherwise.
func (p *Program) Columns() []string { return p.columns }

// Streaming reports whether the query has no aggregate: events the workers
// emit are the results, in input order. LogScale's UI appends an implicit
// tail(200) to such queries, but its exports return every event; tiercel
// search is an export, so no implicit limit is applied.
func (p *Program) Streaming() bool { return p.chain[0].agg == nil }

// compiler holds the state of one compilation.
type compiler struct {
	opts      Options
	needs     event.Needs
	freeText  bool
	textLits  []*litExpr // what each free-text filter requires of a value it matches
	caseDepth int        // nesting of case/match, for snapshot buffers
	projected []string   // fields of the table()/select() compiled last
	// streamNeeds is what the top-level steps before the first aggregate
	// read (streamKnown once it is compiled)
	streamNeeds event.Needs
	streamKnown bool
	columns     []string      // output columns of the top-level pipeline
	pre         *prepassState // defineTable/join sub-queries (prepass.go)
}

// diagError carries a diagnostic through error returns.
type diagError struct{ d *cql.Diagnostic }

func (e *diagError) Error() string { return e.d.Message }

func (c *compiler) errAt(sp cql.Span, code, format string, a ...any) error {
	return &diagError{&cql.Diagnostic{Span: sp, Severity: cql.SeverityError, Code: code, Message: fmt.Sprintf(format, a...)}}
}

// read records that the query reads a field.
func (c *compiler) read(name string) {
	switch {
	case name == event.RawString:
		c.needs.Raw = true
	case strings.HasSuffix(name, "[]"):
		c.needs.AddPrefix(strings.TrimSuffix(name, "[]") + "[")
	default:
		c.needs.Add(name)
	}
}

func (c *compiler) param(p *cql.Param) (string, error) {
	if v, ok := c.savedParam(p.Name); ok {
		return v, nil
	}
	if v, ok := c.opts.Params[p.Name]; ok {
		return v, nil
	}
	if p.HasDefault {
		return p.Default, nil
	}
	err := c.errAt(p.Span(), "missing-parameter", "query parameter ?%s has no value", p.Name)
	err.(*diagError).d.Hint = fmt.Sprintf("give it one: --param %s=VALUE", p.Name)
	if f := c.opts.saved; f != nil {
		f.missing = p.Name
		err.(*diagError).d.Hint = fmt.Sprintf("pass it: $%s(%s=VALUE), or --param %s=VALUE", quoteSavedName(f.call), p.Name, p.Name)
	}
	return "", err
}

// Compile turns a parsed (and checked) query into a Program. Errors are
// diagnostics with spans into the query source.
func Compile(q *cql.Query, opts Options) (*Program, cql.Diagnostics) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.g == nil {
		opts.g = newGuard(opts.Limits, opts.Rows)
	}
	c := &compiler{opts: opts}
	if q == nil || q.Pipeline == nil {
		return nil, cql.Diagnostics{{Severity: cql.SeverityError, Code: "compile", Message: "empty query"}}
	}
	c.checkPreamble(q.Pipeline)
	chain, err := c.compileChain(q.Pipeline, true)
	if err != nil {
		return nil, toDiags(err)
	}
	p := &Program{opts: opts, chain: chain, needs: c.needs, freeText: c.freeText, pre: c.pre, g: opts.g}
	p.columns = c.columns
	if p.columns == nil && passesWholeEvents(chain) {
		// the output is the whole event (no aggregate, or only ones passing events)
		p.needs.All = true
	}
	if c.freeText {
		p.text = newFreeTextReads(p.needs, c.textLits)
		p.needs.All = true
		p.needs.Raw = true
	}
	p.lits = deriveLits(chain[0].pre)
	if c.streamKnown && !c.freeText && onlyTests(chain[0].pre) {
		p.filterNeeds, p.filterOnly = c.streamNeeds, true
	}
	return p, nil
}

// onlyTests reports whether every stage of p tests the event, writing
// nothing.
func onlyTests(p *pipeline) bool {
	for _, st := range p.stages {
		if _, ok := st.(testStep); !ok {
			return false
		}
	}
	return true
}

// FilterNeeds returns the fields the program's stateless part reads when
// that part only tests events (filters) and an aggregate follows: a field
// of Needs outside it is read only from the events that pass. ok is false
// for any other program.
func (p *Program) FilterNeeds() (n event.Needs, ok bool) {
	if !p.filterOnly {
		return event.Needs{}, false
	}
	return p.filterNeeds.Clone(), true
}

// passesWholeEvents reports whether every aggregate of the chain hands on
// input events as they are (passesEvents) rather than making new rows.
func passesWholeEvents(chain []segment) bool {
	for _, seg := range chain {
		if seg.agg != nil && !passesEvents(seg.agg) {
			return false
		}
	}
	return true
}

func toDiags(err error) cql.Diagnostics {
	if de, ok := err.(*diagError); ok {
		return cql.Diagnostics{de.d}
	}
	return cql.Diagnostics{{Severity: cql.SeverityError, Code: "compile", Message: err.Error()}}
}

// compileChain compiles a pipeline into segments split at aggregates.
func (c *compiler) compileChain(p *cql.Pipeline, top bool) ([]segment, error) {
	chain := []segment{{pre: &pipeline{}}}
	err := c.eachStep(p.Steps, func(s cql.Step) error {
		var before event.Needs
		if top && !c.streamKnown {
			before = c.needs.Clone()
		}
		st, agg, err := c.compileStep(s)
		if err != nil {
			return err
		}
		if top {
			c.trackColumns(s)
			if agg != nil && !c.streamKnown {
				c.streamNeeds, c.streamKnown = before, true
			}
		}
		cur := &chain[len(chain)-1]
		if agg != nil {
			cur.agg = agg
			chain = append(chain, segment{pre: &pipeline{}})
			return nil
		}
		if st != nil {
			cur.pre.stages = append(cur.pre.stages, st)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return chain, nil
}

// trackColumns follows which table()/select() fixes the output columns: the
// last one, when only sort/head/tail follow it.
func (c *compiler) trackColumns(s cql.Step) {
	cs, ok := s.(*cql.CallStep)
	if !ok {
		c.columns = nil
		return
	}
	switch strings.ToLower(cs.Call.Name) {
	case "table", "select":
		c.columns = c.projected
	case "sort", "head", "tail":
	default:
		c.columns = nil
	}
}

// compilePipeline compiles a sub-pipeline that must stay stateless (case
// and match clauses).
func (c *compiler) compilePipeline(p *cql.Pipeline, what string) (*pipeline, error) {
	out := &pipeline{}
	err := c.eachStep(p.Steps, func(s cql.Step) error {
		st, agg, err := c.compileStep(s)
		if err != nil {
			return err
		}
		if agg != nil {
			return c.errAt(s.Span(), "invalid-argument", "aggregate functions are not allowed inside %s", what)
		}
		if st != nil {
			out.stages = append(out.stages, st)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// compileStep compiles one pipeline step into a stateless stage or an
// aggregate.
func (c *compiler) compileStep(s cql.Step) (any, aggSpec, error) {
	switch s := s.(type) {
	case *cql.FilterStep:
		st, err := c.compileFilterStep(s)
		return st, nil, err
	case *cql.CallStep:
		return c.compileCallStep(s.Call, "")
	case *cql.AssignStep:
		return c.compileAssign(s)
	case *cql.FieldOpStep:
		call := withArg(s.Call, "field", &cql.FieldName{Name: s.Field.Name, Sp: s.Field.Sp})
		if s.Negated {
			t, err := c.compileTestCall(call)
			if err != nil {
				return nil, nil, err
			}
			return testStep{notTester{t}}, nil, nil
		}
		return c.compileCallStep(call, "")
	case *cql.CaseStep:
		st, err := c.compileCase(s)
		return st, nil, err
	case *cql.MatchStep:
		st, err := c.compileMatch(s)
		return st, nil, err
	case *cql.StatsStep:
		agg, err := c.compileStats(s.Calls, s.Span())
		return nil, agg, err
	case *cql.SavedQueryStep:
		// eachStep expands saved searches before steps get here
		return nil, nil, c.errAt(s.Span(), "compile", "saved search $%s was not expanded", s.Name)
	}
	return nil, nil, c.errAt(s.Span(), "compile", "unsupported step")
}

// withArg returns a copy of call with an extra named argument unless the
// call already has it (explicitly, or positionally for default param name).
func withArg(call *cql.Call, name string, v cql.Expr) *cql.Call {
	for _, a := range call.Args {
		if strings.EqualFold(a.Name, name) {
			return call
		}
	}
	cp := *call
	cp.Args = append([]*cql.Arg{{Name: name, NameSp: call.NameSp, Value: v}}, call.Args...)
	return &cp
}

func (c *compiler) compileAssign(s *cql.AssignStep) (any, aggSpec, error) {
	target := s.Field.Name
	if ce, ok := s.Value.(*cql.CallExpr); ok {
		// fn(args, as=target) for functions with an output; a pure filter
		// function gives its true/false as a value instead
		impl, found := lookupFunc(ce.Call.Name)
		if found && impl.value == nil && (impl.step != nil || impl.agg != nil || impl.evalLike) {
			return c.compileCallStep(ce.Call, target)
		}
	}
	e, err := c.compileExpr(s.Value)
	if err != nil {
		return nil, nil, err
	}
	name := ""
	if ce, ok := s.Value.(*cql.CallExpr); ok {
		name = ce.Call.Name
	}
	return &assignStep{field: target, e: e, name: name}, nil, nil
}

// assignStep sets a field to an expression's value; a null result neither
// creates nor overwrites the field (spec §4.1).
type assignStep struct {
	field string
	e     expr
	name  string // the function computing the value, if any
}

func (s *assignStep) apply(x *exec, ev *event.Event) bool {
	if v, ok := s.e.eval(x, ev); ok {
		if g := x.guard(); len(v) > g.lim.MaxValue {
			x.checkValue(s.fn(), len(v))
		}
		ev.Set(s.field, v)
	}
	return true
}

// fn names the function whose value is assigned, for limit errors.
func (s *assignStep) fn() string {
	if s.name != "" {
		return s.name
	}
	return s.field + " :="
}

func (s *assignStep) writes() []string { return []string{s.field} }

// compileCallStep compiles a function standing as a step (as is the target
// of `as := fn(...)`, or "").
func (c *compiler) compileCallStep(call *cql.Call, as string) (any, aggSpec, error) {
	impl, ok := lookupFunc(call.Name)
	if !ok {
		return nil, nil, c.unsupported(call)
	}
	if impl.evalLike {
		st, err := c.compileEvalCall(call)
		return st, nil, err
	}
	a, err := c.bind(call, impl, as)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case impl.agg != nil:
		agg, err := impl.agg(c, a)
		return nil, agg, err
	case impl.step != nil:
		st, err := impl.step(c, a)
		return st, nil, err
	case impl.test != nil:
		t, err := impl.test(c, a)
		if err != nil {
			return nil, nil, err
		}
		return testStep{t}, nil, nil
	case impl.value != nil:
		e, err := impl.value(c, a)
		if err != nil {
			return nil, nil, err
		}
		return &assignStep{field: a.asOr(impl.defaultAs), e: e, name: call.Name}, nil, nil
	}
	return nil, nil, c.unsupported(call)
}

// compileTestCall compiles a filter function used as a condition.
func (c *compiler) compileTestCall(call *cql.Call) (tester, error) {
	impl, ok := lookupFunc(call.Name)
	if !ok {
		return nil, c.unsupported(call)
	}
	if impl.test == nil {
		return nil, c.errAt(call.NameSp, "invalid-argument", "%s() is not a filter function and cannot be combined with and/or/not", call.Name)
	}
	a, err := c.bind(call, impl, "")
	if err != nil {
		return nil, err
	}
	return impl.test(c, a)
}

// compileValueCall compiles a function used inside an expression.
func (c *compiler) compileValueCall(call *cql.Call, as string) (expr, error) {
	impl, ok := lookupFunc(call.Name)
	if !ok {
		return nil, c.unsupported(call)
	}
	a, err := c.bind(call, impl, as)
	if err != nil {
		return nil, err
	}
	if impl.value != nil {
		return impl.value(c, a)
	}
	if impl.test != nil {
		// filter functions evaluate to true/false in expressions (§4.4)
		t, err := impl.test(c, a)
		if err != nil {
			return nil, err
		}
		return testExpr{t}, nil
	}
	return nil, c.errAt(call.NameSp, "invalid-argument", "%s() cannot be used inside an expression", call.Name)
}

type testExpr struct{ t tester }

func (e testExpr) eval(x *exec, ev *event.Event) (string, bool) {
	return boolString(e.t.test(x, ev)), true
}

func (c *compiler) unsupported(call *cql.Call) error {
	err := c.errAt(call.NameSp, "unsupported-function", "function %s() is not supported by tiercel's engine", call.Name)
	if s, ok := funcs.Lookup(call.Name); ok {
		err.(*diagError).d.Hint = s.NotRun
	}
	return err
}
