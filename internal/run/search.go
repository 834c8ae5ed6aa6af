// Package run wires ingest, decoding, enrichment and compiled programs into
// one parallel pass over the input.
package run

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"sync"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/parallel"
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
	// HoldBytes bounds the candidate lines a search that also learns
	// (a file-mode enricher from PrepareEnricher) keeps in memory until the
	// input is read; more go to a temporary file. 0: DefaultHoldBytes.
	HoldBytes int64
	// InputBytes is the input's size, when known (0: not; compressed
	// files count as stored): a read deferring learning projects the
	// lines it kept over it, to give up early on keeping too many.
	InputBytes int64
	// learning: when a search that learns does it (learnTargeted)
	learning learnMode
	// noRunAhead: a search learning as it reads holds its kept lines
	// until the read is done, running none ahead (tests)
	noRunAhead bool
	// noStarts: a read deferring learning counted deferProbeLines lines
	// and no process start among them (settler.betOn's baseless)
	noStarts bool
}

// Stats describes a finished search.
type Stats struct {
	Lines   int64 // lines read (telemetry chunks)
	Bytes   int64 // bytes read
	Decoded int64 // lines that passed the prefilter and were decoded
	Held    int64 // candidate lines a learning read held until learning was done
	// RanAhead counts the held lines whose results, made as the input was
	// read on the bet that nothing would teach, stood (speculate.go)
	RanAhead int64
	// TargetedReads counts the reads that learned only from lines holding
	// what the held lines' enrichment looks up (learnTargeted)
	TargetedReads int
	// ReadsAgain says why a learning search read the whole input again,
	// one ReadAgain reason a read (targeted reads aside)
	ReadsAgain []ReadAgain
	Warnings   [][]string // per program: truncation and similar notes
}

// chunkResult is what one worker produced from one chunk.
type chunkResult struct {
	seq      int64
	rows     []programRows     // of the programs that emitted, detached
	partials []*engine.Partial // per program whose aggregate splits (nil when empty)
	cut      []int             // per program, rows the worker cut (RowCutter); nil when none
	lines    int64
	bytes    int64
	decoded  int64
}

// programRows are the rows one program emitted from a chunk. A chunk's
// result lists the programs that emitted: a slot for each of a thousand
// rules, in every chunk, was 24 KB to clear (a hunt's every MiB, twice).
type programRows struct {
	prog int
	rows []*event.Event
}

// Search runs every program over src in one pass. Rows reach opts.Emit in
// the order a single-threaded run would produce, whatever the worker count.
// A file-mode enricher whose learn pass is pending (PrepareEnricher) learns
// in the same read of src (searchLearning).
func Search(ctx context.Context, progs []*engine.Program, src Source, opts Options) (*Stats, error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if l, ok := opts.Enricher.(pendingLearner); ok && l.LearnPending() {
		if !hasPrepass(progs) {
			return searchLearning(ctx, progs, src, opts, workers, l)
		}
		// The sub-queries' passes enrich every event: learning comes first.
		if err := learnFirst(ctx, l, opts, workers); err != nil {
			return nil, err
		}
	}
	passWarns, err := runPrepasses(ctx, progs, opts)
	if err != nil {
		return nil, err
	}
	plan := newPlan(progs, opts.Enricher)
	plan.passWarns = passWarns
	return plan.run(ctx, opts, workers, feedSource(src))
}

// strictFreeText is derived without free text: its literals are tested on
// the raw line.
func strictFreeText(derived func(string) bool) func(string) bool {
	return func(f string) bool { return f != "" && derived(f) }
}

// feedSource sends src's telemetry chunks as jobs, numbered from 0.
func feedSource(src Source) func(context.Context, chan<- job) error {
	return func(ctx context.Context, jobs chan<- job) error {
		var seq int64 // our own numbering: skipped chunks leave no gaps
		sent := &inFlight{}
		for {
			c, err := src.Next()
			if err != nil {
				if errors.Is(err, io.EOF) {
					return nil
				}
				return err
			}
			if c.Kind != event.KindTelemetry {
				continue // lookup tables feed enrichment, not queries
			}
			c.Seq = seq
			seq++
			sent.add()
			select {
			case jobs <- job{c: c, pooled: true, applied: sent}:
			case <-ctx.Done():
				return nil
			}
			if c.Barrier && !sent.wait(ctx) {
				return nil
			}
		}
	}
}

// inFlight counts the chunks a feeder sent that workers have not applied
// yet, for a source that learns as it is read (event.Chunk.Barrier).
type inFlight struct {
	mu   sync.Mutex
	n    int
	zero chan struct{} // closed when n falls to 0, while wait waits
}

func (f *inFlight) add() {
	f.mu.Lock()
	f.n++
	f.mu.Unlock()
}

// done is a worker's: one chunk applied.
func (f *inFlight) done() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n--; f.n == 0 && f.zero != nil {
		close(f.zero)
		f.zero = nil
	}
}

// wait waits until every chunk sent is applied, or ctx is done (false).
func (f *inFlight) wait(ctx context.Context) bool {
	f.mu.Lock()
	if f.n == 0 {
		f.mu.Unlock()
		return true
	}
	zero := make(chan struct{})
	f.zero = zero
	f.mu.Unlock()
	select {
	case <-zero:
		return true
	case <-ctx.Done():
		return false
	}
}

// job is one unit of a search worker's work: a chunk of raw lines, or the
// candidate lines a learning search kept from one chunk (lineNos set).
type job struct {
	c       event.Chunk
	lineNos []int  // candidates: each line's number in c.Source
	settled []bool // candidates the learning read settled (with lineNos)
	pooled  bool   // c.Data goes back to the reader's pool once done
	// applied, when set, is told once the chunk's lines are enriched and
	// run (the feeder waits for it at a Barrier)
	applied *inFlight
	// done is what a worker would make of the job, made ahead
	// (speculation)
	done *chunkResult
}

// run runs the plan's programs over the jobs feed sends, in seq order
// 0, 1, 2..., and feeds their rows to the programs' tails in that order.
func (p *plan) run(ctx context.Context, opts Options, workers int, feed func(context.Context, chan<- job) error) (*Stats, error) {
	emit := opts.Emit
	if emit == nil {
		emit = func(int, *event.Event) {}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan job, workers*queuedPerWorker)
	results := make(chan *chunkResult, workers*2)

	var readErr error
	go func() {
		defer close(jobs)
		readErr = feed(ctx, jobs)
	}()

	// A tail whose table() or sort() keeps its first rows tells the
	// workers which rows it would cut (engine.RowCut).
	cuts := make([]*engine.RowCut, len(p.progs))
	for i, prog := range p.progs {
		cuts[i] = prog.NewRowCut()
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var problems problemSink
			if opts.Problems != nil {
				problems = opts.Problems
			}
			w := p.newWorker(problems)
			w.cutWith(cuts)
			for j := range jobs {
				r := j.done
				if r == nil {
					r = w.chunk(j)
				}
				if j.applied != nil {
					j.applied.done()
				}
				if j.pooled {
					ingest.Recycle(j.c.Data) // rows and events keep copies, not the chunk
				}
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
	tails := make([]*engine.Tail, len(p.progs))
	outs := make([]func(*event.Event), len(p.progs)) // where tail i's rows go (finishTails redirects them)
	owned := make([]bool, len(p.progs))              // the workers' copies are the tail's (tailCopy)
	for i, prog := range p.progs {
		i := i
		outs[i] = func(row *event.Event) { emit(i, row) }
		tails[i] = prog.NewTail(func(row *event.Event) { outs[i](row) })
		tails[i].ShareCut(cuts[i])
		_, owned[i] = tailCopy(prog)
	}
	pending := map[int64]*chunkResult{}
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
			for _, pr := range cur.rows {
				i := pr.prog
				for _, row := range pr.rows {
					if owned[i] {
						tails[i].AddOwned(row)
					} else {
						tails[i].Add(row)
					}
				}
			}
			for i, pa := range cur.partials {
				if pa != nil {
					tails[i].AddPartial(pa)
				}
			}
			for i, n := range cur.cut {
				tails[i].AddCut(n)
			}
			if limitErr = progsErr(p.progs); limitErr != nil {
				cancel()
				break
			}
		}
	}
	if limitErr != nil {
		for _, t := range tails {
			t.Discard() // other programs' rows too: a shared row budget outlives this search
		}
		return stats, limitErr
	}
	// Interrupted: the tails still finish, so the rows of what was read
	// so far come out before the error.
	interrupted := ctx.Err()
	finishTails(tails, outs, emit, workers)
	for i, t := range tails {
		var w []string
		if p.passWarns != nil {
			w = append(w, p.passWarns[i]...)
		}
		stats.Warnings = append(stats.Warnings, append(w, t.Warnings()...))
	}
	if err := progsErr(p.progs); err != nil {
		return stats, err
	}
	if interrupted != nil {
		return stats, interrupted
	}
	return stats, readErr
}

// plan is what every worker shares: needs, prefilters, programs.
type plan struct {
	progs     []*engine.Program
	passWarns [][]string          // per program: warnings of its join()/defineTable() passes
	filters   []*engine.Prefilter // per program
	any       *engine.Prefilter   // a line goes on if any program may want it
	// dispatch, with several programs, tells which of them may want a line
	// (one lookup by event name instead of every program's prefilter).
	dispatch *engine.Dispatch
	// namesLines: the dispatch or any looks at lines' event names, which
	// the workers then find as they cut the lines (ingest.LinesAnchored)
	namesLines bool
	// paired, for a raw plan (newPlanRaw): the prefilters its dispatch
	// pairs with its own, asked by MatchMask
	paired []*engine.Prefilter
	// gate, when set, gives each worker a test a line must also pass for
	// any program to see it (see lineGate).
	gate func() lineGate
	// derived reports the fields the enricher may add ("": free text too).
	derived func(field string) bool
	// bits: each program's bit in the masks of programs a learned value
	// may carry a literal to (carrierBits), for the dispatch and the
	// carriers alike
	bits     []uint64
	needs    event.Needs
	enricher Enricher
	// wants, per program, what enrichment adds that it reads, and tests
	// what its filters read (wantsOf), when the enricher can add that
	// alone (wantedApplier); allTests theirs together
	wants, tests []enrich.Wanted
	allTests     enrich.Wanted
	// learnLits: a stream-mode enricher learns from these lines even when
	// no program wants them (see StreamLearner).
	learnLits [][]byte
	// settleKept, for the lines a learning search kept, is its enricher
	// (learning done): the lines the ContextProcessName it adds rules out
	// are dropped undecoded (see settler).
	settleKept Learner
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
	p.derived = derived
	if derived == nil {
		p.derived = func(f string) bool { return f != "#event_simpleName" && f != "event_simpleName" }
	}
	p.filters = make([]*engine.Prefilter, len(progs))
	parallel.Each(len(progs), 0, func(i int) { p.filters[i] = progs[i].Prefilter(derived) })
	p.finish(nil)
	return p
}

// newPlanRaw is newPlan for a runner that learns what enrichment knows as
// it reads: its prefilters test fields enrichment adds (derived) and free
// text on the raw text the values would come from (PrefilterRaw), and the
// runner lets through itself the lines a learned value may carry a
// literal to.
//
// With several programs, its dispatch pairs each prefilter with base's
// (engine.NewDispatchPair), which let a line lacking an enriched field
// through: a line a learned value carries a literal to is asked of those
// without locating its keys again (secondReadGate). bits, when not nil,
// are the programs' carrier bits instead of base's (learnedCarrierBits).
func newPlanRaw(base *plan, seen *engine.GramCounts, bits []uint64) *plan {
	if bits == nil {
		bits = base.bits
	}
	p := &plan{progs: base.progs, enricher: base.enricher, derived: base.derived, paired: base.filters, bits: bits,
		wants: base.wants, tests: base.tests, allTests: base.allTests}
	p.filters = make([]*engine.Prefilter, len(p.progs))
	parallel.Each(len(p.progs), 0, func(i int) { p.filters[i] = p.progs[i].PrefilterRaw(strictFreeText(p.derived), inlineSources) })
	p.finish(seen)
	return p
}

// newPlanRawAsync starts making base's raw plan and returns what waits
// for it.
func newPlanRawAsync(base *plan, seen *engine.GramCounts, bits []uint64) func() *plan {
	made := make(chan *plan, 1)
	go func() { made <- newPlanRaw(base, seen, bits) }()
	return func() *plan { return <-made }
}

// finish derives from the programs and their prefilters what every plan
// has; seen, when not nil, counts the grams of a sample of the input, for
// a paired dispatch's literal sets.
func (p *plan) finish(seen *engine.GramCounts) {
	for _, prog := range p.progs {
		p.needs.Merge(prog.Needs())
	}
	p.any = engine.AnyPrefilter(p.filters)
	if p.bits == nil { // a raw plan has its base's: the same programs and fields
		p.bits = carrierBits(p.progs, p.derived)
	}
	switch {
	case len(p.progs) > 1 && p.paired != nil:
		p.dispatch = engine.NewDispatchPair(p.filters, p.paired, p.bits, seen)
	case len(p.progs) > 1:
		p.dispatch = engine.NewDispatch(p.filters, p.bits)
	}
	p.namesLines = p.dispatch != nil || p.any.TestsEventName()
	if p.enricher != nil {
		p.needs.Merge(p.enricher.Needs())
	}
	if _, ok := p.enricher.(wantedApplier); ok && p.wants == nil { // a raw plan has its base's
		p.wants, p.tests, p.allTests = wantsOf(p.progs)
	}
	if sl, ok := p.enricher.(StreamLearner); ok && sl.Streaming() {
		p.learnLits = sl.LearnPrefilter()
	}
}

// lineGate is a worker's test of the line lineNo of source (not of a
// chunk: a read again may cut them elsewhere): pass says some program may
// want it. With several programs
// it may also tell which (decided: hits, appended to the hits given),
// sparing the plan's own dispatch.
type lineGate func(source string, lineNo int, line []byte, name engine.EventName, hits []int32) (pass bool, _ []int32, decided bool)

// emptyEvent stands for every event given to an aggregate that reads no
// field of them; aggregates never change the events they get.
var emptyEvent event.Event

// worker is one goroutine's decoder, events and program workers.
type worker struct {
	plan    *plan
	dec     *ingest.Decoder
	ev      event.Event
	scratch []event.Event // per program copy when there are several
	runners []*engine.Worker
	emits   []func(*event.Event) // per program, appending to cur (made once: no per-line closure)
	cur     *chunkResult
	// rowsAt: per program, 1 + the index of its rows in cur.rows (0: none yet)
	rowsAt   []int32
	problems problemSink
	dstate   *engine.DispatchState // with plan.dispatch
	match    *engine.Matcher       // plan.any's, without a dispatch
	gate     lineGate              // plan.gate's
	partials []*engine.Partial     // per program: this chunk's, for aggregates that split
	cutters  []*engine.RowCutter   // per program, when its tail shares its cutoff (plan.run)
	settle   *settler              // with plan.settleKept
	hits     []int32               // programs whose prefilters accept the line
	// applier adds what the programs a line goes to read (plan.wants),
	// when the enricher can: before they run what their filters read
	// (plan.tests), the rest to the events that pass (applied: what the
	// line was given)
	applier wantedApplier
	applied enrich.Wanted
}

// wantedApplier is an Enricher that can add only the fields some queries
// read (enrich.Enricher.ApplyWanted, AddWanted).
type wantedApplier interface {
	ApplyWanted(ev *event.Event, w enrich.Wanted)
	AddWanted(ev *event.Event, w, before enrich.Wanted)
}

// tailCopy returns how a worker copies an event for prog's tail, and
// whether the copy is the tail's to keep (a projection nothing else
// holds; the shared empty event and whole-event clones are not given
// away).
func tailCopy(prog *engine.Program) (keep func(*event.Event) *event.Event, owned bool) {
	names, ok := prog.TailReads()
	switch {
	case !ok:
		return (*event.Event).Clone, false
	case len(names) == 0:
		// an aggregate that reads nothing (count()): the same empty event
		return func(*event.Event) *event.Event { return &emptyEvent }, false
	}
	// an aggregate that reads only these: copy them alone
	return func(e *event.Event) *event.Event { return e.Project(names) }, true
}

// problemSink takes malformed-line reports: the search's, or a list held
// until it is known whether the lines will be read again.
type problemSink interface {
	Add(source string, lineNo int, err error)
}

func (p *plan) newWorker(problems problemSink) *worker {
	w := &worker{plan: p, dec: ingest.NewDecoder(p.needs), problems: problems}
	if p.gate != nil {
		w.gate = p.gate()
	}
	w.partials = make([]*engine.Partial, len(p.progs))
	for _, prog := range p.progs {
		w.runners = append(w.runners, prog.NewWorker())
		i := len(w.emits)
		if pa := prog.NewPartial(); pa != nil {
			// an aggregate that splits: each chunk's events fold into a
			// partial the tail merges, and no event crosses goroutines
			w.partials[i] = pa
			w.emits = append(w.emits, func(out *event.Event) { w.partials[i].Add(out) })
			continue
		}
		keep, _ := tailCopy(prog)
		w.emits = append(w.emits, func(out *event.Event) {
			if w.cutters != nil && w.cutters[i].Cuts(out) {
				w.cur.countCut(i, len(w.plan.progs))
				return
			}
			w.addRow(i, keep(out))
		})
	}
	if len(p.progs) > 1 {
		w.scratch = make([]event.Event, len(p.progs))
	}
	if p.dispatch != nil {
		w.dstate = p.dispatch.NewState()
	} else {
		w.match = p.any.NewMatcher()
	}
	if p.settleKept != nil {
		w.settle = newSettler(p.settleKept, p, true)
	}
	if a, ok := p.enricher.(wantedApplier); ok {
		w.applier = a
		for i, want := range p.wants {
			if p.tests[i] != want {
				// an event that passes gets the rest before the aggregate reads it
				emit := w.emits[i]
				w.emits[i] = func(out *event.Event) {
					if want&^w.applied != 0 {
						w.applier.AddWanted(out, want, w.applied)
					}
					emit(out)
				}
			}
		}
	}
	return w
}

// wantsOf returns, per program, the fields enrichment adds that it reads
// and those its filters read (engine.Program.FilterNeeds; all it reads
// when it does not only filter), and the latter of all together.
func wantsOf(progs []*engine.Program) (wants, tests []enrich.Wanted, allTests enrich.Wanted) {
	wants, tests = make([]enrich.Wanted, len(progs)), make([]enrich.Wanted, len(progs))
	for i, prog := range progs {
		wants[i] = enrich.WantedBy(prog.Needs())
		tests[i] = wants[i]
		if n, ok := prog.FilterNeeds(); ok {
			tests[i] = enrich.WantedBy(n)
		}
		allTests |= tests[i]
	}
	return wants, tests, allTests
}

// apply enriches the decoded line, for the programs it goes to when wanted
// (else for the enricher to learn from: everything): what their filters
// read.
func (w *worker) apply(wanted bool) {
	if w.applier == nil {
		w.plan.enricher.Apply(&w.ev)
		return
	}
	tests := w.plan.allTests
	switch {
	case !wanted:
		tests = enrich.AllWanted
	case w.dstate != nil:
		tests = 0
		for _, i := range w.hits {
			tests |= w.plan.tests[i]
		}
	}
	w.applied = tests
	w.applier.ApplyWanted(&w.ev, tests)
}

// acceptsFunc returns a matcher telling whether some program's prefilter
// accepts a line whose event name is located, for one goroutine.
func (p *plan) acceptsFunc() func(line []byte, name engine.EventName) bool {
	if p.dispatch == nil {
		return p.any.NewMatcher().Match
	}
	ds, hits := p.dispatch.NewState(), []int32(nil)
	return func(line []byte, name engine.EventName) bool {
		hits = ds.MatchName(line, name, hits[:0])
		return len(hits) > 0
	}
}

func (w *worker) chunk(j job) *chunkResult {
	c := j.c
	res := &chunkResult{seq: c.Seq}
	w.cur = res
	defer func() { // the partials go out with res
		for _, pr := range res.rows {
			w.rowsAt[pr.prog] = 0
		}
		w.cur = nil
		for i, pa := range w.partials {
			if pa != nil && pa.Len() > 0 {
				if res.partials == nil {
					res.partials = make([]*engine.Partial, len(w.partials))
				}
				res.partials[i] = pa
				w.partials[i] = w.plan.progs[i].NewPartial()
			}
		}
	}()
	if j.lineNos != nil {
		// Candidates a learning search kept: every one passed the prefilter.
		data := c.Data
		for k, lineNo := range j.lineNos {
			i := bytes.IndexByte(data, '\n')
			// a line the learning read settled is asked again only when
			// this settler knows more (UserName)
			settled := k < len(j.settled) && j.settled[k] && (w.settle == nil || w.settle.us == nil)
			switch line := data[:i]; {
			case w.settle == nil || settled:
				w.line(c.Source, line, lineNo, engine.EventName{}, true)
			default:
				if name := engine.FindEventName(line); !w.settle.rejects(line, name) {
					w.line(c.Source, line, lineNo, name, true)
				} else {
					w.checkShape(c.Source, line, lineNo)
				}
			}
			data = data[i+1:]
		}
		return res
	}
	if !c.Replayed {
		res.bytes = int64(len(c.Data)) // a held line's bytes stayed in its chunk, blanked
	}
	if !w.plan.namesLines {
		ingest.Lines(c, func(line []byte, lineNo int) bool {
			if !c.Replayed {
				res.lines++
			}
			w.line(c.Source, line, lineNo, engine.EventName{}, false)
			return true
		})
		return res
	}
	ingest.LinesAnchored(c, engine.EventNameAnchor, func(line []byte, lineNo int, anchors *ingest.LineAnchors) bool {
		if !c.Replayed {
			res.lines++
		}
		w.line(c.Source, line, lineNo, engine.FindEventNameAnchored(line, anchors), false)
		return true
	})
	return res
}

// accepts reports whether some program's prefilter accepts line, whose
// event name is located unless name is the zero EventName, noting which
// in w.hits when several programs run.
func (w *worker) accepts(source string, line []byte, lineNo int, name engine.EventName) bool {
	if w.gate != nil {
		pass, hits, decided := w.gate(source, lineNo, line, name, w.hits[:0])
		if !pass {
			return false
		}
		if decided {
			w.hits = hits
			return true
		}
	}
	if w.dstate != nil {
		if !name.Located() {
			name = engine.FindEventName(line)
		}
		w.hits = w.dstate.MatchName(line, name, w.hits[:0])
		return len(w.hits) > 0
	}
	return w.match.Match(line, name)
}

// checkShape reports a line that is not decoded if it cannot be JSON.
func (w *worker) checkShape(source string, line []byte, lineNo int) {
	if err := ingest.CheckShape(line); err != nil && err != ingest.ErrBlank && w.problems != nil {
		w.problems.Add(source, lineNo, err)
	}
}

// line runs the programs on one line, whose event name is located unless
// name is the zero EventName; known says that some program's prefilter is
// known to accept it.
func (w *worker) line(source string, line []byte, lineNo int, name engine.EventName, known bool) {
	wanted := known && w.dstate == nil || w.accepts(source, line, lineNo, name)
	if wanted && !known && w.settle != nil {
		if !name.Located() {
			name = engine.FindEventName(line)
		}
		// a read of the whole input once learning is over: see settler
		wanted = !w.settle.rejects(line, name)
	}
	if !wanted && (w.plan.learnLits == nil || !containsAny(line, w.plan.learnLits)) {
		w.checkShape(source, line, lineNo)
		return
	}
	w.cur.decoded++
	if err := w.dec.Decode(line, &w.ev); err != nil {
		if !errors.Is(err, ingest.ErrBlank) && w.problems != nil {
			w.problems.Add(source, lineNo, err)
		}
		return
	}
	if w.plan.enricher != nil {
		w.apply(wanted)
	}
	if !wanted {
		return // decoded only for the stream enricher to learn from
	}
	if w.dstate == nil {
		for i, r := range w.runners {
			r.Process(&w.ev, w.emits[i])
		}
		return
	}
	last := len(w.hits) - 1
	for j, i := range w.hits {
		ev := &w.ev
		if j < last { // programs change the events they get: the last gets the decoded one
			w.scratch[i].CopyFrom(&w.ev)
			ev = &w.scratch[i]
		}
		w.runners[i].Process(ev, w.emits[i])
	}
}

// addRow adds row, of program i, to the chunk's result.
func (w *worker) addRow(i int, row *event.Event) {
	if w.rowsAt == nil {
		w.rowsAt = make([]int32, len(w.plan.progs))
	}
	j := w.rowsAt[i]
	if j == 0 {
		w.cur.rows = append(w.cur.rows, programRows{prog: i})
		j = int32(len(w.cur.rows))
		w.rowsAt[i] = j
	}
	pr := &w.cur.rows[j-1]
	pr.rows = append(pr.rows, row)
}

// cutWith has w drop the rows the tails sharing cuts would cut.
func (w *worker) cutWith(cuts []*engine.RowCut) {
	for i, c := range cuts {
		if c == nil {
			continue
		}
		if w.cutters == nil {
			w.cutters = make([]*engine.RowCutter, len(cuts))
		}
		w.cutters[i] = c.NewCutter()
	}
}

// countCut counts a row of program i (of n) a worker cut.
func (r *chunkResult) countCut(i, n int) {
	if r.cut == nil {
		r.cut = make([]int, n)
	}
	r.cut[i]++
}
