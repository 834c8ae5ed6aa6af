package engine

import (
	"slices"

	"github.com/tiercel/tiercel/internal/event"
)

// LogScale row limits (spec §10).
const (
	defaultRowLimit = 200
	maxRowLimit     = 200_000
)

var timeOrder = []sortKey{{field: event.Timestamp, typ: "number"}}

func init() {
	registerFunc("table", &funcImpl{params: []string{"fields", "limit", "sortby", "order", "type", "reverse"}, agg: compileTable})
	registerFunc("sort", &funcImpl{params: []string{"field", "order", "type", "limit", "reverse"}, agg: compileSort})
	registerFunc("head", &funcImpl{params: []string{"limit"}, agg: func(c *compiler, a *args) (aggSpec, error) { return compileHeadTail(c, a, true) }})
	registerFunc("tail", &funcImpl{params: []string{"limit"}, agg: func(c *compiler, a *args) (aggSpec, error) { return compileHeadTail(c, a, false) }})
}

// rowsSpec keeps up to limit rows ordered by keys (or by time for head and
// tail). keep lists the fields to keep (nil: all).
type rowsSpec struct {
	name     string
	keep     []string
	fields   []string // table() with fields: rowFields
	keys     []sortKey
	limit    int  // 0 with unlimited
	explicit bool // the limit was written in the query: no truncation warning
	mode     rowsMode
}

type rowsMode int

const (
	rowsSorted rowsMode = iota // table, sort: best `limit` rows by keys
	rowsHead                   // oldest first
	rowsTail                   // newest
)

// rowLimit resolves a limit argument. In unlimited (hunt) mode the default
// limit does not cap output; an explicit limit is the rule author's intent and
// still applies.
func rowLimit(c *compiler, a *args, param string) (limit int, explicit bool, err error) {
	explicit = a.has(param)
	limit, err = a.limit(param, defaultRowLimit, maxRowLimit)
	if !explicit && c.opts.Unlimited {
		limit = 0
	}
	return limit, explicit, err
}

func compileTable(c *compiler, a *args) (aggSpec, error) {
	fields, err := a.readFields("fields")
	if err != nil {
		return nil, err
	}
	keys, err := parseSortKeys(a, "sortby", event.Timestamp, "desc")
	if err != nil {
		return nil, err
	}
	limit, explicit, err := rowLimit(c, a, "limit")
	if err != nil {
		return nil, err
	}
	c.projected = fields
	if len(fields) == 1 && fields[0] == "*" {
		fields = nil
		c.projected = nil
		c.needs.All = true // every field is output
	}
	s := &rowsSpec{name: "table", keep: fields, keys: keys, limit: limit, explicit: explicit}
	if fields != nil {
		s.fields = s.rowFields()
	}
	return s, nil
}

func compileSort(c *compiler, a *args) (aggSpec, error) {
	keys, err := parseSortKeys(a, "field", "_count", "desc")
	if err != nil {
		return nil, err
	}
	limit, explicit, err := rowLimit(c, a, "limit")
	if err != nil {
		return nil, err
	}
	return &rowsSpec{name: "sort", keys: keys, limit: limit, explicit: explicit}, nil
}

func compileHeadTail(c *compiler, a *args, head bool) (aggSpec, error) {
	limit, explicit, err := rowLimit(c, a, "limit")
	if err != nil {
		return nil, err
	}
	c.read(event.Timestamp)
	s := &rowsSpec{name: "tail", limit: limit, explicit: explicit, mode: rowsTail}
	if head {
		s.name, s.mode = "head", rowsHead
	}
	if explicit && limit == 0 {
		s.limit = -1 // head(0): keep nothing
	}
	return s, nil
}

func (s *rowsSpec) newAgg(x *exec) collector { return &rowsCollector{spec: s, x: x} }

// rowFields are the fields a table() row keeps, in its column order: its
// fields, then sort keys outside them (they still order the rows), each
// once.
func (s *rowsSpec) rowFields() []string {
	out := make([]string, 0, len(s.keep)+len(s.keys))
	for _, f := range s.keep {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	for _, k := range s.keys {
		if !slices.Contains(out, k.field) {
			out = append(out, k.field)
		}
	}
	return out
}

type rowsCollector struct {
	spec  *rowsSpec
	x     *exec
	rows  []*event.Event
	seen  int
	timed bool      // every row so far has a numeric @timestamp
	held  int64     // bytes charged for rows
	spill *rowSpill // runs written past the row budget (table, sort)
	// cutoff, once the rows held or the runs were cut to the first limit,
	// is the keys of the last of them: a later row not sorting before it
	// is cut.
	cutoff []sortVal
	vals   []sortVal
	// sorter keeps the rows in order since the last trim, and their keys
	// (table, sort)
	sorter rowSorter
	shared *RowCut // the workers' copy of cutoff, when they cut too
}

func (r *rowsCollector) add(ev *event.Event) { r.keep(ev, false) }

// addOwned keeps ev itself, narrowed to the row's fields: a copy of a
// row the search already made for the tail.
func (r *rowsCollector) addOwned(ev *event.Event) { r.keep(ev, true) }

func (r *rowsCollector) keep(ev *event.Event, owned bool) {
	if r.seen == 0 {
		r.timed = true
	}
	r.seen++
	if r.cutoff != nil {
		if r.vals == nil {
			r.vals = make([]sortVal, len(r.spec.keys))
		}
		sortValsOf(ev, r.spec.keys, r.vals)
		if !lessVals(r.spec.keys, r.vals, r.cutoff) {
			return // after the limit-th row, or tied with it and later
		}
	}
	row := ev
	switch {
	case owned && r.spec.keep != nil:
		row.Narrow(r.spec.fields)
	case owned:
	case r.spec.keep != nil:
		row = ev.Pick(r.spec.fields)
	default:
		row = ev.Clone()
	}
	if r.spec.mode != rowsSorted && r.timed {
		if v, ok := row.Get(event.Timestamp); !ok {
			r.timed = false
		} else if _, ok := event.ParseNumber(v); !ok {
			r.timed = false
		}
	}
	n := eventSize(row)
	r.x.charge(r.spec.name, n)
	r.held += n
	r.x.guard().rows.held.Add(n) // given back by giveBack
	r.rows = append(r.rows, row)
	if r.spec.limit > 0 && len(r.rows) >= 2*r.spec.limit+64 {
		r.trim()
	}
	r.spillIfOver()
}

// spillIfOver writes the rows held to a run when rows are over their
// budget (rowMemory) or the program over half its --max-memory.
func (r *rowsCollector) spillIfOver() {
	if r.spec.mode != rowsSorted || r.held < minRowSpill || r.spill != nil && r.spill.failed != nil {
		return
	}
	if g := r.x.guard(); g.rows.held.Load() <= rowMemory && g.used.Load() <= g.lim.Memory/2 {
		return
	}
	r.trim() // the rows past a limit can never be shown
	if r.spill == nil {
		r.spill = &rowSpill{}
	}
	if err := r.spill.write(r.rows); err != nil {
		r.spill.failed = err
		r.x.warn.addf("%s(): rows stay in memory: writing them to a temporary file failed (%v); set TMPDIR to a writable directory", r.spec.name, err)
		return
	}
	r.releaseRows(r.rows)
	clear(r.rows)
	r.rows = r.rows[:0]
	r.sorter.keep(0, len(r.spec.keys))
	if r.spec.limit > 0 && r.spill.rows() >= 2*r.spec.limit {
		// runs past twice the limit: keep only the first limit rows, so
		// the file stays small and later rows can be cut on arrival
		compacted, cutoff, err := r.spill.compact(r.spec.keys, r.spec.limit)
		if err != nil {
			r.spill.failed = err // the runs stand; later rows stay in memory
			r.x.warn.addf("%s(): rows stay in memory: compacting their temporary file failed (%v); set TMPDIR to a writable directory", r.spec.name, err)
			return
		}
		r.spill, r.cutoff = compacted, cutoff
		if r.shared != nil {
			r.shared.publish(r.cutoff)
		}
	}
}

// order sorts the kept rows into output order.
func (r *rowsCollector) order() {
	switch r.spec.mode {
	case rowsSorted:
		r.sorter.sort(r.rows, r.spec.keys)
	default:
		// head/tail follow time order when every row has a time; otherwise
		// (e.g. after groupBy) the input order
		if r.timed {
			sortRows(r.rows, timeOrder)
		}
	}
}

// trim orders the rows and keeps only those that can still be in the
// result: all of them without a limit.
func (r *rowsCollector) trim() {
	r.order()
	if r.spec.limit == 0 {
		return
	}
	n := r.spec.limit
	if n < 0 {
		n = 0
	}
	if len(r.rows) <= n {
		return
	}
	if r.spec.mode == rowsTail {
		drop := len(r.rows) - n
		r.releaseRows(r.rows[:drop])
		clear(r.rows[:drop])
		r.rows = append(r.rows[:0], r.rows[drop:]...)
		return
	}
	r.releaseRows(r.rows[n:])
	clear(r.rows[n:])
	r.rows = r.rows[:n]
	if r.spec.mode == rowsSorted {
		k := len(r.spec.keys)
		r.sorter.keep(n, k)
		// A later row that does not sort before the last row kept can never
		// be shown: cut it as it arrives instead of sorting it in again
		// (a table() of 200 rows over 200,000 matches sorted 464 rows every
		// 264, a seventh of the query's CPU).
		r.cutoff = append(r.cutoff[:0], r.sorter.vals[(n-1)*k:n*k]...)
		if r.shared != nil {
			r.shared.publish(r.cutoff)
		}
	}
}

func (r *rowsCollector) releaseRows(rows []*event.Event) {
	var n int64
	for _, row := range rows {
		n += eventSize(row)
	}
	r.giveBack(n)
}

func (r *rowsCollector) finish(emit func(*event.Event)) {
	if r.spill != nil && len(r.spill.runs) > 0 {
		r.finishSpilled(emit)
		return
	}
	r.trim()
	if r.spec.limit != 0 {
		r.warnCut(len(r.rows))
	}
	r.giveBack(r.held)
	for _, row := range r.rows {
		r.emit(row, emit)
	}
	r.rows = nil
}

// finishSpilled merges the runs with the rows still held.
func (r *rowsCollector) finishSpilled(emit func(*event.Event)) {
	defer r.spill.close()
	r.trim()
	r.giveBack(r.held)
	shown, err := r.spill.merge(r.spec.keys, r.rows, r.spec.limit, func(row *event.Event) { r.emit(row, emit) })
	r.rows = nil
	if err != nil {
		r.x.warn.addf("%s(): %d rows are missing: %v", r.spec.name, r.seen-shown, err)
		return
	}
	if r.spec.limit != 0 {
		r.warnCut(shown)
	}
}

func (r *rowsCollector) discard() {
	r.giveBack(r.held)
	r.rows = nil
	if r.spill != nil {
		r.spill.close()
	}
}

// giveBack releases n of the bytes charged for rows held: from the
// program's memory and from the row budget.
func (r *rowsCollector) giveBack(n int64) {
	r.x.release(n)
	r.x.guard().rows.held.Add(-n)
	r.held -= n
}

func (r *rowsCollector) emit(row *event.Event, emit func(*event.Event)) {
	if r.spec.keep != nil {
		row.Keep(r.spec.keep)
	}
	emit(row)
}

// warnCut says how many rows the limit cut, shown being those kept.
func (r *rowsCollector) warnCut(shown int) {
	cut := r.seen - shown
	if cut <= 0 {
		return
	}
	switch {
	case !r.spec.explicit:
		r.x.warn.addf("%s(): %d rows, only the first %d are shown, %d cut (LogScale's default limit; use limit=max for up to %d)",
			r.spec.name, r.seen, shown, cut, maxRowLimit)
	case r.spec.limit == maxRowLimit:
		r.x.warn.addf("%s(): %d rows, only the first %d are shown, %d cut (limit=max: %d is the most LogScale returns)",
			r.spec.name, r.seen, shown, cut, maxRowLimit)
	default:
		r.x.warn.addf("%s(): %d rows, %d shown, %d cut by limit=%d", r.spec.name, r.seen, shown, cut, max(r.spec.limit, 0))
	}
}
