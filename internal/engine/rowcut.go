package engine

import (
	"slices"
	"sync/atomic"

	"github.com/tiercel/tiercel/internal/event"
)

// RowCut carries the cutoff of a table() or sort() with a limit from its
// tail to the workers that feed it. Past twice its limit the tail keeps
// its first limit rows (rowsCollector.trim); a row sorting after the last
// of them can never be shown, and a worker that drops it spares copying
// it and handing it over: `sort(CommandLine, type=string, limit=100)`
// copied every one of 134,000 process starts, a fifth of the query's CPU.
type RowCut struct {
	keys []sortKey
	cut  atomic.Pointer[[]sortVal]
}

// NewRowCut returns a cutoff for one run of p's tail (Tail.ShareCut), or
// nil when p's first aggregate is not a table() or sort() with a limit.
func (p *Program) NewRowCut() *RowCut {
	if len(p.chain) == 0 {
		return nil
	}
	s, ok := p.chain[0].agg.(*rowsSpec)
	if !ok || s.mode != rowsSorted || s.limit <= 0 {
		return nil
	}
	return &RowCut{keys: s.keys}
}

// publish makes cutoff the one workers test against; the tail's only
// tightens.
func (c *RowCut) publish(cutoff []sortVal) {
	own := slices.Clone(cutoff)
	c.cut.Store(&own)
}

// RowCutter tests a worker's rows against a RowCut; one per goroutine.
type RowCutter struct {
	c    *RowCut
	vals []sortVal
}

// NewCutter returns a cutter for c, nil for a nil c.
func (c *RowCut) NewCutter() *RowCutter {
	if c == nil {
		return nil
	}
	return &RowCutter{c: c, vals: make([]sortVal, len(c.keys))}
}

// Cuts reports whether ev, on its way to the tail, sorts after the
// cutoff the tail published: the tail would drop it. A row tying with the
// cutoff goes on (the tail decides ties by input order).
func (k *RowCutter) Cuts(ev *event.Event) bool {
	if k == nil {
		return false
	}
	cut := k.c.cut.Load()
	if cut == nil {
		return false
	}
	sortValsOf(ev, k.c.keys, k.vals)
	return compareVals(k.c.keys, k.vals, *cut) > 0
}

// ShareCut has t publish the cutoff of its first aggregate to c as it
// tightens. c must be new (NewRowCut) for each tail.
func (t *Tail) ShareCut(c *RowCut) {
	if r, ok := t.run.aggs[0].(*rowsCollector); ok && c != nil {
		r.shared = c
	}
}

// AddCut counts n rows workers cut before they reached t (RowCutter), as
// the rows its warnings say were cut.
func (t *Tail) AddCut(n int) {
	if r, ok := t.run.aggs[0].(*rowsCollector); ok {
		r.seen += n
	}
}
