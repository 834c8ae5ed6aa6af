// Package run wires ingest, decoding, enrichment and compiled programs into
// one parallel pass over the input.
package run

import (
	"context"
	"errors"
	"runtime"
	"sync"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// Source yields chunks of NDJSON lines in input order (*ingest.Reader).
type Source interface {
	Next() (event.Chunk, error)
}

// Enricher adds fields to decoded events (host names, process context).
// Apply runs on many workers at once and must be safe for that.
type Enricher interface {
	Needs() event.Needs
	Apply(ev *event.Event)
}

// FieldProvider is implemented by an Enricher that can list the fields Apply
// may add. Prefilters then keep using literals about every other field;
// without it, only free-text and #event_simpleName literals are used, since
// any field could come from enrichment rather than the raw line.
type FieldProvider interface {
	Provides() []string
}

// Options tune a search.
type Options struct {
	Workers  int      // 0: GOMAXPROCS
	Enricher Enricher // nil: none
	// Problems receives malformed lines (file:line); nil discards them. Lines
	// the prefilter rejects are never parsed, only checked for shape (one
	// '{'...'}' object), which reports garbage and cut-off lines; a line with
	// that shape but broken inside is reported only if it is decoded.
	Problems *ingest.Problems
	// Emit receives each result row of program i, on a single goroutine, in
	// result order. The row is only valid during the call.
	Emit func(prog int, row *event.Event)
	// Reopen reads the input again from the start; programs whose queries
	// use join() or defineTable() need it for their first passes (prepass.go).
	Reopen func() (Source, error)
	// For files, run the enricher's learn pass (Learn, PrepareEnricher)
	// before Search; a stream-mode enricher learns inside Search.
}

// Stats describes a finished search.
type Stats struct {
	Lines    int64      // lines read (telemetry chunks)
	Bytes    int64      // bytes read
	Decoded  int64      // lines that passed the prefilter and were decoded
	Warnings [][]string // per program: truncation and similar notes
}

// chunkResult is what one worker produced from one chunk.
type chunkResult struct {
	seq     int64
	rows    [][]*event.Event // per program, detached
	lines   int64
	bytes   int64
	decoded int64
}

// Search runs every program over src in one pass. Rows reach opts.Emit in
// the order a single-threaded run would produce, whatever the worker count.
func Search(ctx context.Context, progs []*engine.Program, src Source, opts Options) (*Stats, error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	emit := opts.Emit
	if emit == nil {
		emit = func(int, *event.Event) {}
	}
	passWarns, err := runPrepasses(ctx, progs, opts)
	if err != nil {
		return nil, err
	}
	plan := newPlan(progs, opts.Enricher)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan event.Chunk, workers*2)
	results := make(chan chunkResult, workers*2)

	var readErr error
	go func() {
		defer close(jobs)
		var seq int64 // our own numbering: skipped chunks leave no gaps
		readErr = feedChunks(ctx, src, jobs, func(c *event.Chunk) bool {
			if c.Kind != event.KindTelemetry {
				return false // lookup tables feed enrichment, not queries
			}
			c.Seq = seq
			seq++
			return true
		})
	}()

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := plan.newWorker(opts.Problems)
			for c := range jobs {
				r := w.chunk(c)
				ingest.Recycle(c.Data) // rows and events keep copies, not the chunk
				select {
				case results <- r:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	// The tails run here, fed in chunk order.
	stats := &Stats{}
	tails := make([]*engine.Tail, len(progs))
	for i, p := range progs {
		i := i
		tails[i] = p.NewTail(func(row *event.Event) { emit(i, row) })
	}
	pending := map[int64]chunkResult{}
	var next int64
	var limitErr error // a program went over a limit: the search stops
	for r := range results {
		if limitErr != nil {
			continue // draining
		}
		pending[r.seq] = r
		for {
			cur, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			stats.Lines += cur.lines
			stats.Bytes += cur.bytes
			stats.Decoded += cur.decoded
			for i, rows := range cur.rows {
				for _, row := range rows {
					tails[i].Add(row)
				}
			}
			if limitErr = progsErr(progs); limitErr != nil {
				cancel()
				break
			}
		}
	}
	if limitErr != nil {
		return stats, limitErr
	}
	// Interrupted: the tails still finish, so the rows of what was read
	// so far come out before the error.
	interrupted := ctx.Err()
	for i, t := range tails {
		t.Finish()
		var w []string
		if passWarns != nil {
			w = append(w, passWarns[i]...)
		}
		stats.Warnings = append(stats.Warnings, append(w, t.Warnings()...))
	}
	if err := progsErr(progs); err != nil {
		return stats, err
	}
	if interrupted != nil {
		return stats, interrupted
	}
	return stats, readErr
}

// plan is what every worker shares: needs, prefilters, programs.
type plan struct {
	progs    []*engine.Program
	filters  []*engine.Prefilter // per program
	any      *engine.Prefilter   // a line goes on if any program may want it
	needs    event.Needs
	enricher Enricher
	// learnLits: a stream-mode enricher learns from these lines even when
	// no program wants them (see StreamLearner).
	learnLits [][]byte
}

func newPlan(progs []*engine.Program, enr Enricher) *plan {
	p := &plan{progs: progs, enricher: enr}
	var derived func(string) bool // nil: any field may be enriched
	switch e := enr.(type) {
	case nil:
		derived = func(string) bool { return false }
	case FieldProvider:
		set := map[string]bool{}
		for _, f := range e.Provides() {
			set[f] = true
		}
		// "" stands for free text, which also searches enriched fields
		derived = func(f string) bool { return set[f] || f == "" && len(set) > 0 }
	}
	for _, prog := range progs {
		p.filters = append(p.filters, prog.Prefilter(derived))
		p.needs.Merge(prog.Needs())
	}
	p.any = engine.AnyPrefilter(p.filters)
	if enr != nil {
		p.needs.Merge(enr.Needs())
	}
	if sl, ok := enr.(StreamLearner); ok && sl.Streaming() {
		p.learnLits = sl.LearnPrefilter()
	}
	return p
}

// worker is one goroutine's decoder, events and program workers.
type worker struct {
	plan     *plan
	dec      *ingest.Decoder
	ev       event.Event
	scratch  []event.Event // per program copy when there are several
	runners  []*engine.Worker
	emits    []func(*event.Event) // per program, appending to cur (made once: no per-line closure)
	cur      *chunkResult
	problems *ingest.Problems
}

func (p *plan) newWorker(problems *ingest.Problems) *worker {
	w := &worker{plan: p, dec: ingest.NewDecoder(p.needs), problems: problems}
	for _, prog := range p.progs {
		w.runners = append(w.runners, prog.NewWorker())
		i := len(w.emits)
		w.emits = append(w.emits, func(out *event.Event) { w.cur.rows[i] = append(w.cur.rows[i], out.Clone()) })
	}
	if len(p.progs) > 1 {
		w.scratch = make([]event.Event, len(p.progs))
	}
	return w
}

func (w *worker) chunk(c event.Chunk) chunkResult {
	res := chunkResult{seq: c.Seq, rows: make([][]*event.Event, len(w.plan.progs)), bytes: int64(len(c.Data))}
	w.cur = &res
	defer func() { w.cur = nil }()
	ingest.Lines(c, func(line []byte, lineNo int) bool {
		if !c.Replayed {
			res.lines++
		}
		wanted := w.plan.any.Match(line)
		if !wanted && (w.plan.learnLits == nil || !containsAny(line, w.plan.learnLits)) {
			// Not decoded, yet a line that cannot be JSON is still reported.
			if err := ingest.CheckShape(line); err != nil && err != ingest.ErrBlank && w.problems != nil {
				w.problems.Add(c.Source, lineNo, err)
			}
			return true
		}
		res.decoded++
		if err := w.dec.Decode(line, &w.ev); err != nil {
			if !errors.Is(err, ingest.ErrBlank) && w.problems != nil {
				w.problems.Add(c.Source, lineNo, err)
			}
			return true
		}
		if w.plan.enricher != nil {
			w.plan.enricher.Apply(&w.ev)
		}
		if !wanted {
			return true // decoded only for the stream enricher to learn from
		}
		for i, r := range w.runners {
			ev := &w.ev
			if w.scratch != nil {
				if !w.plan.filters[i].Match(line) {
					continue
				}
				w.scratch[i].CopyFrom(&w.ev)
				ev = &w.scratch[i]
			}
			r.Process(ev, w.emits[i])
		}
		return true
	})
	return res
}
