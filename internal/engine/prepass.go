package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

// Sub-queries that LogScale runs as separate searches over the same input
// (defineTable's query=, join's query=) cannot ride along the single main
// pass: the main pass needs their complete result before its first event.
// They run in passes over the whole input before the main pass. Pass n
// holds the sub-queries that read tables filled by passes < n (a
// defineTable built from another table), so most queries need one pass.
//
// A program with a prepass is filled in place by its passes: run it once at
// a time (Program.Run does the passes itself).

// prepassState is shared by a compiler and the compilers of its sub-queries.
type prepassState struct {
	tables   map[string]*adhocTable
	order    []string // table names in definition order
	subs     []*subQuery
	stack    []*subQuery               // sub-queries being compiled, innermost last
	preamble map[*cql.Call]bool        // the defineTable() calls standing in the preamble
	rebuild  map[*lookupTable][]func() // match() indexes to rebuild once a table is filled
}

// adhocTable is a defineTable() result: a lookup table filled by a pass.
type adhocTable struct {
	name  string
	t     *lookupTable
	all   bool     // include=*: columns come from the rows
	level int      // pass that fills it
	span  cql.Span // the defineTable call, for messages
}

// subQuery is one sub-query and what receives its result rows.
type subQuery struct {
	chain    []segment
	needs    event.Needs
	freeText bool
	level    int
	sink     func(rows []*event.Event)
	done     bool // its result is in place
}

func (c *compiler) prepass() *prepassState {
	if c.pre == nil {
		c.pre = &prepassState{tables: map[string]*adhocTable{}, rebuild: map[*lookupTable][]func(){}}
	}
	return c.pre
}

// checkPreamble records the defineTable() calls that stand at the start of
// the top-level pipeline (after setTimeInterval(), if any); any other
// defineTable() is an error when compiled.
func (c *compiler) checkPreamble(p *cql.Pipeline) {
	for _, s := range p.Steps {
		cs, ok := s.(*cql.CallStep)
		if !ok {
			return
		}
		switch strings.ToLower(cs.Call.Name) {
		case "definetable":
			pre := c.prepass()
			if pre.preamble == nil {
				pre.preamble = map[*cql.Call]bool{}
			}
			pre.preamble[cs.Call] = true
		case "settimeinterval":
		default:
			return
		}
	}
}

// compileSubQuery compiles a { sub-query } that runs over the whole input in
// a pass before the main one; sink receives its result rows (owned).
func (c *compiler) compileSubQuery(sq *cql.SubQuery, sink func(rows []*event.Event)) (*subQuery, error) {
	pre := c.prepass()
	s := &subQuery{sink: sink}
	pre.stack = append(pre.stack, s)
	sub := &compiler{opts: c.opts, pre: pre}
	chain, err := sub.compileChain(sq.Pipeline, false)
	pre.stack = pre.stack[:len(pre.stack)-1]
	if err != nil {
		return nil, err
	}
	s.chain = chain
	s.needs = sub.needs
	s.freeText = sub.freeText
	if s.freeText {
		s.needs.All = true
		s.needs.Raw = true
	}
	if n := len(pre.stack); n > 0 {
		// the enclosing sub-query reads this one's result
		pre.stack[n-1].level = max(pre.stack[n-1].level, s.level+1)
	}
	// the input must be decoded with what the sub-query reads too
	c.needs.Merge(s.needs)
	pre.subs = append(pre.subs, s)
	return s, nil
}

// reads records that a sub-query's result rows are read for fields (all
// of them with all): the input must carry them.
func (c *compiler) subReads(s *subQuery, fields []string, all bool) {
	if all {
		s.needs.All = true
		c.needs.All = true
	}
	for _, f := range fields {
		s.needs.Add(f)
		c.read(f)
	}
}

// useTable notes that the query being compiled reads an ad-hoc table.
func (c *compiler) useTable(t *adhocTable) {
	pre := c.prepass()
	if n := len(pre.stack); n > 0 {
		pre.stack[n-1].level = max(pre.stack[n-1].level, t.level+1)
	}
}

// adhoc finds an ad-hoc table by name.
func (c *compiler) adhoc(name string) (*adhocTable, bool) {
	if c.pre == nil {
		return nil, false
	}
	t, ok := c.pre.tables[name]
	return t, ok
}

// matchTableName is match()'s table: file=, or its alias table=.
func (c *compiler) matchTableName(a *args) (string, error) {
	if a.has("table") {
		if a.has("file") {
			return "", a.errorf("table", "give file= or table=, not both")
		}
		return a.required("table")
	}
	return a.required("file")
}

// matchTable resolves match()'s table: an ad-hoc table defined earlier in
// the query, else a lookup file. columns are the columns match() will read;
// an include=* table gains them now and is filled by name later.
func (c *compiler) matchTable(a *args, name string, columns []string) (*lookupTable, error) {
	if t, ok := c.adhoc(name); ok {
		c.useTable(t)
		if t.all {
			for _, col := range columns {
				if t.t.column(col) < 0 {
					t.t.columns = append(t.t.columns, col)
				}
			}
		}
		return t.t, nil
	}
	if a.has("table") {
		return nil, a.errorf("table", "no table %q is defined by defineTable() before this point", name)
	}
	if c.opts.NoLookupFiles && c.opts.LookupDir == "" {
		return &lookupTable{name: name, columns: columns}, nil
	}
	return loadLookupTable(c.opts.LookupDir, name)
}

// whenFilled runs fn after the pass that fills t (no-op for lookup files).
func (c *compiler) whenFilled(t *lookupTable, fn func()) {
	if c.pre == nil {
		return
	}
	for _, at := range c.pre.tables {
		if at.t == t {
			c.pre.rebuild[t] = append(c.pre.rebuild[t], fn)
			return
		}
	}
}

// Pass is one pass over the whole input that a program needs before its
// main pass. Feed it every input event in order on one goroutine, then call
// Finish; after the last pass's Finish the program is ready.
type Pass struct {
	pre   *prepassState
	level int
	runs  []*subRun
	x     *exec
	tmp   event.Event
}

type subRun struct {
	s    *subQuery
	run  *chainRun
	rows []*event.Event
}

// Prepass lists the passes the program needs before its main pass, in
// order; nil when it needs none. Each call makes fresh passes.
func (p *Program) Prepass() []*Pass {
	if p.pre == nil || len(p.pre.subs) == 0 {
		return nil
	}
	top := 0
	for _, s := range p.pre.subs {
		top = max(top, s.level)
	}
	out := make([]*Pass, 0, top+1)
	for lvl := 0; lvl <= top; lvl++ {
		ps := &Pass{pre: p.pre, level: lvl, x: &exec{now: p.opts.Now, warn: &warnings{}}}
		for _, s := range p.pre.subs {
			if s.level != lvl {
				continue
			}
			r := &subRun{s: s}
			r.run = newChainRun(ps.x, s.chain, func(e *event.Event) { r.rows = append(r.rows, e.Clone()) })
			ps.runs = append(ps.runs, r)
		}
		if len(ps.runs) > 0 {
			out = append(out, ps)
		}
	}
	return out
}

// Needs reports the fields the pass reads.
func (ps *Pass) Needs() event.Needs {
	var n event.Needs
	for _, r := range ps.runs {
		n.Merge(r.s.needs)
	}
	return n
}

// Add feeds one input event; the pass copies what it keeps and leaves ev
// unchanged.
func (ps *Pass) Add(ev *event.Event) {
	for _, r := range ps.runs {
		ps.tmp.CopyFrom(ev)
		if r.s.freeText {
			ps.x.orig = ps.tmp.AppendFields(ps.x.orig[:0])
		}
		r.run.push(0, &ps.tmp)
	}
}

// Finish ends the pass: sub-query results go to their tables and joins.
func (ps *Pass) Finish() {
	for _, r := range ps.runs {
		r.run.finish()
		r.s.sink(r.rows)
		r.s.done = true
		r.rows = nil
	}
	for _, name := range ps.pre.order {
		t := ps.pre.tables[name]
		if t.level != ps.level {
			continue
		}
		for _, fn := range ps.pre.rebuild[t.t] {
			fn()
		}
	}
}

// warnUnprepared notes, on a tail started before the program's passes
// finished, that join()/defineTable() results are missing.
func (p *Program) warnUnprepared(w *warnings) {
	if p.pre == nil || len(p.pre.subs) == 0 {
		return
	}
	for _, s := range p.pre.subs {
		if !s.done {
			w.addf("join()/defineTable() sub-queries did not run before the main pass (the runner must run Program.Prepass() first): results are incomplete")
			return
		}
	}
}

// Warnings lists run-time notes of the pass's sub-queries.
func (ps *Pass) Warnings() []string { return ps.x.warn.list }

// runPrepass runs every pass over events (tests and in-memory inputs).
func (p *Program) runPrepass(events []*event.Event) []string {
	var warns []string
	for _, ps := range p.Prepass() {
		for _, ev := range events {
			ps.Add(ev)
		}
		ps.Finish()
		warns = append(warns, ps.Warnings()...)
	}
	return warns
}

// fillTable stores sub-query rows in an ad-hoc table: its include columns,
// or for include=* every field in order of first appearance; a row lacking
// a column gets "".
func fillTable(t *adhocTable, rows []*event.Event) {
	lt := t.t
	if t.all {
		for _, r := range rows {
			for _, f := range r.Fields() {
				if lt.column(f.Name) < 0 {
					lt.columns = append(lt.columns, f.Name)
				}
			}
		}
	}
	lt.rows = lt.rows[:0]
	for _, r := range rows {
		row := make([]string, len(lt.columns))
		for i, col := range lt.columns {
			row[i], _ = r.Get(col)
		}
		lt.rows = append(lt.rows, row)
	}
}

// tableNames lists the defined tables, for messages.
func (pre *prepassState) tableNames() string {
	if pre == nil || len(pre.order) == 0 {
		return "none"
	}
	return fmt.Sprint(slices.Clone(pre.order))
}
