package engine

import (
	"fmt"

	"github.com/tiercel/tiercel/internal/event"
)

// aggSpec is a compiled aggregate; newAgg makes one running instance (one
// per query, or one per group inside groupBy).
type aggSpec interface {
	newAgg(x *exec) collector
}

// collector is a running aggregate. add borrows ev: copy what you keep.
// finish emits the result rows, which the caller then owns.
type collector interface {
	add(ev *event.Event)
	finish(emit func(*event.Event))
}

// warnings collects run-time notes (truncation), de-duplicated, in order.
type warnings struct {
	seen map[string]bool
	list []string
}

func (w *warnings) addf(format string, a ...any) {
	if w == nil {
		return
	}
	msg := fmt.Sprintf(format, a...)
	if w.seen == nil {
		w.seen = map[string]bool{}
	}
	if !w.seen[msg] {
		w.seen[msg] = true
		w.list = append(w.list, msg)
	}
}

// chainRun runs segments one after another on a single goroutine.
type chainRun struct {
	x    *exec
	segs []segment
	aggs []collector
	out  func(*event.Event)
}

func newChainRun(x *exec, segs []segment, out func(*event.Event)) *chainRun {
	r := &chainRun{x: x, segs: segs, aggs: make([]collector, len(segs)), out: out}
	for i, s := range segs {
		if s.agg != nil {
			r.aggs[i] = s.agg.newAgg(x)
		}
	}
	return r
}

// push runs ev through segment i's stateless steps, then its aggregate. A
// row whose regex match times out is dropped alone (recoverEvent).
func (r *chainRun) push(i int, ev *event.Event) {
	defer func() {
		if v := recover(); v != nil {
			if _, ok := v.(undecided); !ok {
				panic(v)
			}
		}
	}()
	r.segs[i].pre.run(r.x, ev, 0, func(e *event.Event) { r.toAgg(i, e) })
}

func (r *chainRun) toAgg(i int, ev *event.Event) {
	if r.aggs[i] == nil {
		r.out(ev)
		return
	}
	r.aggs[i].add(ev)
}

// ownedAdder is a collector that can keep an event it is given to keep
// instead of a copy of it.
type ownedAdder interface{ addOwned(ev *event.Event) }

// discarder is a collector that can let go of what it holds unfinished.
type discarder interface{ discard() }

// discard drops what the aggregates hold.
func (r *chainRun) discard() {
	for _, a := range r.aggs {
		if d, ok := a.(discarder); ok {
			d.discard()
		}
	}
}

// finish flushes every aggregate in order.
func (r *chainRun) finish() {
	for i, a := range r.aggs {
		if a == nil {
			continue
		}
		next := i + 1
		a.finish(func(e *event.Event) { r.push(next, e) })
	}
}

// chainAgg wraps a whole sub-pipeline ({...} in groupBy's function=) as
// an aggregate.
type chainAgg struct{ segs []segment }

func (s *chainAgg) newAgg(x *exec) collector { return &chainCollector{spec: s, x: x} }

type chainCollector struct {
	spec *chainAgg
	x    *exec
	run  *chainRun
	rows []*event.Event
	held int64 // bytes charged for rows
}

func (c *chainCollector) add(ev *event.Event) {
	if c.run == nil {
		c.run = newChainRun(c.x, c.spec.segs, c.keep)
	}
	c.run.push(0, ev)
}

func (c *chainCollector) keep(e *event.Event) {
	n := eventSize(e)
	c.x.charge("groupBy", n)
	c.held += n
	c.rows = append(c.rows, e.Clone())
}

func (c *chainCollector) discard() {
	if c.run != nil {
		c.run.discard()
	}
	c.x.release(c.held)
	c.held = 0
	c.rows = nil
}

func (c *chainCollector) finish(emit func(*event.Event)) {
	if c.run == nil {
		c.run = newChainRun(c.x, c.spec.segs, c.keep)
	}
	c.run.finish()
	c.x.release(c.held)
	c.held = 0
	for _, r := range c.rows {
		emit(r)
	}
}

// Tail is the stateful part of a program on one goroutine. Feed it the
// events the workers emit, in input order, then call Finish.
type Tail struct {
	x   *exec
	run *chainRun
	p   *Program
}

// NewTail makes the stateful part; out receives the result rows (it borrows
// each event for the duration of the call).
func (p *Program) NewTail(out func(*event.Event)) *Tail {
	x := &exec{now: p.opts.Now, warn: &warnings{}, g: p.g}
	p.warnUnprepared(x.warn)
	t := &Tail{x: x, p: p}
	t.run = newChainRun(x, p.chain, out)
	return t
}

// Add feeds one event that left the stateless part (Worker.Process). The
// tail copies what it keeps.
func (t *Tail) Add(ev *event.Event) {
	if t.p.g.failed.Load() != nil {
		return
	}
	defer func() { recoverEvent(recover()) }()
	t.run.toAgg(0, ev)
}

// AddOwned is Add for an event the caller gives away: nothing else holds
// it, and the tail may keep it instead of a copy.
func (t *Tail) AddOwned(ev *event.Event) {
	if t.p.g.failed.Load() != nil {
		return
	}
	defer func() { recoverEvent(recover()) }()
	if a, ok := t.run.aggs[0].(ownedAdder); ok {
		a.addOwned(ev)
		return
	}
	t.run.toAgg(0, ev)
}

// Finish flushes aggregates and emits the remaining rows. After a limit
// stopped the query (Program.Err) it emits nothing and lets go of what the
// aggregates hold (Discard).
func (t *Tail) Finish() {
	if t.p.g.failed.Load() != nil {
		t.Discard()
		return
	}
	defer func() { recoverEvent(recover()) }()
	t.run.finish()
}

// Discard lets go of the rows the tail holds without emitting them: their
// memory, their count in a shared RowBudget, their temporary file. For a
// tail that will not be finished.
func (t *Tail) Discard() { t.run.discard() }

// Warnings lists run-time notes such as row-limit truncation.
func (t *Tail) Warnings() []string { return t.x.warn.list }

// Worker runs the stateless part of a program; one per goroutine.
type Worker struct {
	p *Program
	x exec
}

// NewWorker makes the per-goroutine state for the stateless part.
func (p *Program) NewWorker() *Worker {
	return &Worker{p: p, x: exec{now: p.opts.Now, g: p.g}}
}

// Process runs the stateless part on ev (which it may change) and calls emit
// for each event that comes out; emitted events are only valid during the
// call.
func (w *Worker) Process(ev *event.Event, emit func(*event.Event)) {
	if w.p.g.failed.Load() != nil {
		return // a limit stopped the query
	}
	defer func() { recoverEvent(recover()) }()
	if w.p.freeText {
		w.x.orig = ev.AppendFields(w.x.orig[:0])
	}
	w.p.chain[0].pre.run(&w.x, ev, 0, emit)
}

// Run evaluates the program over events on the calling goroutine and returns
// the result rows and warnings. Tests and small inputs use it; large inputs go
// through internal/run.
func (p *Program) Run(events []*event.Event) ([]*event.Event, []string) {
	preWarns := p.runPrepass(events)
	var rows []*event.Event
	tail := p.NewTail(func(e *event.Event) { rows = append(rows, e.Clone()) })
	w := p.NewWorker()
	for _, ev := range events {
		in := ev.Clone()
		w.Process(in, func(e *event.Event) { tail.Add(e) })
	}
	tail.Finish()
	return rows, append(preWarns, tail.Warnings()...)
}
