package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/scratch"
)

// pendingLearner is a file-mode enricher whose learn pass has not run yet
// (PrepareEnricher leaves it to the search's own read of the input).
type pendingLearner interface {
	Learner
	Enricher
	LearnPending() bool
	SetLearnPending(bool)
}

// textRelearner is an enricher that may drop details only free text
// reads and have to learn some of them again (enrich.Enricher.TextLost).
type textRelearner interface {
	TextLost() bool
	BeginTextRelearn()
	EndTextRelearn()
}

// confirmAfter is how many kept lines in a row must already hold the
// enriched fields the queries read before learning stops (see
// searchLearning).
const confirmAfter = 256

// DefaultHoldBytes is how many bytes of candidate lines a learning search
// keeps in memory before it spills the rest to a temporary file. At 16 MiB
// a hunt of the SigmaHQ rules over 1 GB peaked at 161 MB, at 8 MiB at 146,
// no slower: what is spilled is read back from the page cache.
const DefaultHoldBytes = 8 << 20

func hasPrepass(progs []*engine.Program) bool {
	for _, p := range progs {
		if len(p.Prepass()) > 0 {
			return true
		}
	}
	return false
}

// learnFirst runs l's learn pass over a fresh read of the input, for
// searches whose join()/defineTable() passes enrich every event.
func learnFirst(ctx context.Context, l pendingLearner, opts Options, workers int) error {
	if opts.Reopen == nil {
		return errors.New("enrichment of files needs the input read twice here (join() or defineTable()), and this input cannot be re-read")
	}
	src, err := opts.Reopen()
	if err != nil {
		return fmt.Errorf("re-reading the input to learn enrichment: %w", err)
	}
	defer closeSource(src)
	// Read errors are the search pass's to report: it reads the same files.
	if _, err := Learn(ctx, l, src, workers); err != nil && ctx.Err() != nil {
		return err
	}
	l.SetLearnPending(false)
	return nil
}

// readAgain opens the input again; the caller closes it (closeSource).
func readAgain(opts Options) (Source, error) {
	again, err := opts.Reopen()
	if err != nil {
		return nil, fmt.Errorf("re-reading the input: %w", err)
	}
	return again, nil
}

// closeSource closes src when it is a file (or several).
func closeSource(src Source) {
	if c, ok := src.(io.Closer); ok {
		c.Close()
	}
}

// candChunk is what the learning read kept of one telemetry chunk: the
// lines some prefilter accepts (each followed by '\n') and their numbers.
type candChunk struct {
	seq     int64
	source  string
	data    []byte // nil once spilled
	lineNos []int
	// settled marks the lines the settler decided while learning (their
	// process was known): the second stage does not settle them again.
	// Settling only spares decoding: the query decides the rows.
	settled []bool
	lines   int64 // lines read in the chunk
	// share is its teaching lines, counted once a read deferring learning
	// kept a line (teachShare.pays)
	share   teachShare
	bytes   int64
	spilled bool
	off     int64 // in the spill file
	size    int
	// ahead is the second stage's result for the kept lines, made while
	// the input was read (speculation)
	ahead *chunkResult
}

// searchLearning is Search with a file-mode enricher still to learn, in
// one read of the input. Workers learn from the lines that teach (process
// starts, identities, lookup records) and keep the lines some prefilter
// accepts, few after the prefilter, in memory up to opts.HoldBytes and
// then in a temporary file. When the input has been read, learning is
// complete, and the kept lines are decoded, enriched and run in input
// order, exactly as a learn pass followed by a search pass would. If every
// kept line already has what the programs read of the enriched fields, they
// run unenriched: enrichment could change no result.
func searchLearning(ctx context.Context, progs []*engine.Program, src Source, opts Options, workers int, l pendingLearner) (*Stats, error) {
	plan := newPlan(progs, l)
	// Free text searches enriched fields too, so a prefilter could reject
	// no line before learning is done. When the input can be read again,
	// the learning read filters strictly on the raw text instead (derived
	// fields, too, tested where their values come from on the line
	// itself), and keeps beside them the lines of processes watched to
	// carry a literal; should a line rejected before its process was known
	// turn out to need one, the input is read again. Without free text the
	// plan's prefilter (and the settler) keep few lines already: strict
	// filtering measured no faster there.
	filter := plan
	carrierer, _ := l.(carrierEnricher)
	var lits enrich.CarrierLiterals
	if opts.Reopen != nil && carrierer != nil {
		var freeText bool
		lits, freeText = carrierLiterals(progs, plan.derived, plan.bits)
		if freeText {
			filter = newPlanRaw(plan, nil, nil)
		}
	}
	kl, _ := Enricher(l).(keyLearner)
	deferring := kl != nil && opts.learning != learnAsRead && opts.Reopen != nil && plan.dispatch == nil
	// Deferred, free text keeps the lines whose raw text may hold it; no
	// other line can get a value holding it from enrichment while no
	// record that teaches holds a literal in a field Apply copies
	// (carrierSeen; after the read, the lookup tables and well-known
	// accounts: TextCarriers). Else it starts again, learning as it reads.
	var carrierText *enrich.LiteralMatcher
	var carrierLits []string
	if deferring && filter != plan {
		carrierLits = lits.All()
		carrierText = enrich.NewLiteralMatcher(carrierLits)
	}
	var carrierSeen atomic.Bool
	// A hunt's second read, if it comes to one, lists its rules' literals
	// under grams its first chunk seldom holds (engine.GramCounts).
	sample := plan.dispatch != nil
	var sampled atomic.Pointer[engine.GramCounts]
	var keeper *carrierKeeper
	if filter != plan && !deferring {
		// The free-text filters' literals are watched too, negated ones
		// included: the enricher then keeps details only free text reads
		// for the processes marked alone (enrich.Options.ReadsBesideText).
		watched := lits.Process
		besides, textLits := programTextReads(progs)
		covers := besides != nil
		if covers {
			watched = unionLits(watched, textLits)
		}
		keeper = &carrierKeeper{watch: carrierer.WatchText(watched, covers), order: newSeqOrder()}
		defer keeper.close()
	}
	var provided map[string]bool
	if fp, ok := Enricher(l).(FieldProvider); ok {
		provided = map[string]bool{}
		for _, f := range fp.Provides() {
			provided[f] = true
		}
	}
	checks, checkable := enrichedReads(progs, provided)
	var incomplete atomic.Bool
	incomplete.Store(!checkable || provided == nil)
	// Input exported from LogScale already has what enrichment adds. Once
	// confirmAfter kept lines in a row had it, learning stops, on the bet
	// that none will need it; if one does after all (incomplete), what was
	// skipped is learned in a read of its own before the kept lines run.
	// A query keeping few lines learns after the read, only what they
	// need (learntargeted.go).
	var countShare atomic.Bool // a line was kept: the workers count what teaches
	var probed atomic.Bool     // deferProbeLines were counted: one line in shareSample is
	bet := opts.Reopen != nil && !incomplete.Load() && !deferring
	var complete atomic.Int64
	var betting, skipped atomic.Bool
	teachLits, lneeds := l.LearnPrefilter(), l.LearnNeeds()
	// Lines whose acting process is not known yet are rejected on a bet
	// when the input can be read again should it be lost (processBets).
	var bets *processBets
	if opts.Reopen != nil && filter == plan && !deferring {
		bets = &processBets{}
	}
	store := &candStore{budget: opts.HoldBytes, canDrop: opts.Reopen != nil, dropShare: 4}
	if len(progs) > 1 {
		// A hunt's kept lines are settled by matching every rule again
		// (twice: while learning and after); keeping a fifth of the input
		// cost the SigmaHQ hunt twice what a second read does.
		store.dropShare = 8
	}
	if store.budget <= 0 {
		store.budget = DefaultHoldBytes
	}
	defer store.close()
	// Learning as it reads, the kept lines may run as they are kept, on
	// the bet that nothing will teach (speculate.go).
	var spec *speculation
	if !deferring && filter == plan && !opts.noRunAhead {
		spec = newSpeculation(plan, l, store.budget)
	}

	// Malformed lines are reported as found, or once no second read of the
	// input can report them again.
	var report problemSink
	var held *problemList
	if opts.Problems != nil {
		report = opts.Problems
		if opts.Reopen != nil {
			held = &problemList{}
			report = held
		}
	}

	outer := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan event.Chunk, workers*queuedPerWorker)
	results := make(chan *candChunk, workers*2)
	kept := results // where the workers send their chunks
	if spec != nil {
		kept = make(chan *candChunk, workers*2)
		spec.start(ctx, kept, results, workers)
	}
	var readErr error
	fed := make(chan struct{}) // the feeder is done with src
	go func() {
		defer close(fed)
		defer close(jobs)
		var seq int64
		readErr = feedChunks(ctx, src, jobs, func(c *event.Chunk) bool {
			if c.Kind == event.KindOtherLookup {
				return false
			}
			if c.Kind == event.KindTelemetry {
				c.Seq = seq
				seq++
			}
			return true
		})
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := newTeacher(l, teachLits, lneeds)
			accepts := filter.acceptsFunc()
			var loose func([]byte, engine.EventName) bool // plan's, when filter is strict
			rejected := pidLog{keeper: keeper}
			if filter != plan {
				loose = plan.acceptsFunc()
			}
			if keeper != nil {
				defer keeper.done(&rejected)
			}
			var carries *textTeacher
			if carrierText != nil {
				carries = newTextTeacher(carrierText, carrierLits)
			}
			// names: a prefilter looks at lines' event names, found at the
			// anchors the cut lists rather than by its own scan of the line
			names := filter.namesLines || filter != plan && plan.namesLines
			settle := newSettler(l, filter, false)
			if settle != nil && opts.Reopen == nil {
				settle.withoutLearned()
			}
			if settle != nil {
				accepts = settle.match
				if bets != nil && settle.betOn(bets, opts.noStarts) {
					defer settle.bets.close()
				}
			}
			matchFirst := !deferring && loose == nil && keeper == nil && settle != nil && settle.locates()
			keptBytes := 0 // the last chunk's
			var held []heldLine
			for c := range jobs {
				if c.Kind != event.KindTelemetry {
					// aidmaster and userinfo: lookup tables, learned whole
					ingest.Lines(c, func(line []byte, _ int) bool {
						t.learnDecoded(line)
						return true
					})
					ingest.Recycle(c.Data)
					continue
				}
				if sample && c.Seq == 0 {
					var g engine.GramCounts
					g.Add(c.Data)
					sampled.Store(&g)
				}
				r := &candChunk{seq: c.Seq, source: c.Source, bytes: int64(len(c.Data))}
				if keptBytes > 0 {
					r.data = make([]byte, 0, keptBytes) // chunks keep alike: grown once, not log n times
				}
				// The first deferProbeLines lines are counted whatever is
				// kept (a few hundred microseconds), so that the share is
				// known when a line is: a search that restarts learning as
				// it reads wasted less of the read it gives up.
				probing := deferring && !probed.Load()
				counting := probing || deferring && countShare.Load()
				// teach learns from line, whose event name is name.
				teach := func(line []byte, name engine.EventName) {
					nameVal, hasName := name.Plain()
					// Once a teaching line was skipped on the bet, nothing
					// this read learns is needed: a lost bet learns all in
					// a read of its own.
					if !skipped.Load() && t.teach.teaches(line, nameVal, hasName) {
						if betting.Load() && !incomplete.Load() {
							skipped.Store(true)
						} else {
							t.learnTeaching(line, nameVal, hasName)
						}
					}
				}
				learn := func(line []byte, anchors *ingest.LineAnchors) engine.EventName {
					r.lines++
					if deferring {
						// Nothing is learned: the name is only looked for
						// to count what teaches once some line is kept (every
						// line until the share is known, then one line of
						// shareSample), and with free text to see whether a
						// line that teaches holds a literal.
						if counting {
							r.share.seen++
						}
						tally := probing || counting && r.lines%shareSample == 0
						if carrierText == nil && !tally {
							if names {
								return engine.FindEventNameAnchored(line, anchors)
							}
							return engine.EventName{}
						}
						name := engine.FindEventNameAnchored(line, anchors)
						if carrierText != nil {
							if v, ok := name.Plain(); t.teach.teaches(line, v, ok) && carries.carries(line) {
								carrierSeen.Store(true)
							}
						}
						if tally {
							r.share.tally(line, name, t.teach)
						}
						return name
					}
					// the event name, located once for all that follows
					name := engine.FindEventNameAnchored(line, anchors)
					teach(line, name)
					return name
				}
				// keeps says whether a line goes on to the second stage.
				// Strictly filtered, a line the plan's own prefilter
				// accepts (few) is kept when the raw text holds what it
				// looks for or a watched process may carry it.
				settled := false // by the settler, for the line keeps says it keeps
				// settles says whether a line the plan's prefilter accepts
				// is kept once the settler has looked at what was learned.
				settles := func(line []byte, name engine.EventName) bool {
					if settle == nil {
						return true
					}
					if !name.Located() {
						name = settle.located(line)
					}
					if settle.rejects(line, name) {
						// A line bet on lacks what enrichment adds: with
						// learning skipped, its process may go unlearned.
						if settle.betted && skipped.Load() && !incomplete.Load() && !hasEnrichedReads(line, checks) {
							incomplete.Store(true)
						}
						return false
					}
					settled = !settle.open
					return true
				}
				keeps := func(line []byte, name engine.EventName) bool {
					settled = false
					if loose == nil {
						return accepts(line, name) && settles(line, name)
					}
					if !loose(line, name) {
						return false
					}
					if accepts(line, name) || keeper != nil && keeper.keeps(line, name, &rejected) {
						return true
					}
					// With learning skipped on the bet, the strict filter
					// cannot tell what a line lacking the enriched fields
					// would get: the bet is lost.
					if skipped.Load() && !incomplete.Load() && !hasEnrichedReads(line, checks) {
						incomplete.Store(true)
					}
					return false
				}
				// keep stores line, or reports it when it is no object.
				keep := func(line []byte, lineNo int, kept bool) {
					if !kept {
						if err := ingest.CheckShape(line); err != nil && err != ingest.ErrBlank && report != nil {
							report.Add(c.Source, lineNo, err)
						}
						return
					}
					if !incomplete.Load() {
						if !hasEnrichedReads(line, checks) {
							incomplete.Store(true)
						} else if bet && complete.Add(1) == confirmAfter {
							betting.Store(true)
						}
					}
					r.data = append(append(r.data, line...), '\n')
					r.lineNos = append(r.lineNos, lineNo)
					r.settled = append(r.settled, settled)
				}
				sift := func(line []byte, lineNo int, name engine.EventName) {
					if store.dropped.Load() {
						return // only learning is left to this read
					}
					keep(line, lineNo, keeps(line, name))
				}
				switch {
				case matchFirst:
					// The event name is found where the line's cut listed
					// its key's anchor, and the settler's prefilter is given
					// it, as is learning: it is located once, without a scan
					// of the line. The line is learned from before the
					// settler looks at what was learned.
					ingest.LinesAnchored(c, engine.EventNameAnchor, func(line []byte, lineNo int, anchors *ingest.LineAnchors) bool {
						if store.dropped.Load() {
							learn(line, anchors) // only learning is left to this read
							return true
						}
						r.lines++
						settled = false
						name := engine.FindEventNameAnchored(line, anchors)
						matched := settle.match(line, name)
						teach(line, name)
						keep(line, lineNo, matched && settles(line, name))
						return true
					})
					t.endChunk()
				case keeper == nil:
					ingest.LinesAnchored(c, engine.EventNameAnchor, func(line []byte, lineNo int, anchors *ingest.LineAnchors) bool {
						sift(line, lineNo, learn(line, anchors))
						return true
					})
					t.endChunk()
				default:
					// Learn the whole chunk, wait until every earlier chunk
					// has been learned, then filter: a process started
					// before its events in the input is marked before they
					// are looked at, whichever worker reads them.
					held = held[:0]
					ingest.LinesAnchored(c, engine.EventNameAnchor, func(line []byte, lineNo int, anchors *ingest.LineAnchors) bool {
						held = append(held, heldLine{line, lineNo, learn(line, anchors)})
						return true
					})
					t.endChunk()
					if !keeper.order.learned(ctx, c.Seq) {
						return
					}
					for _, h := range held {
						sift(h.line, h.lineNo, h.name)
					}
				}
				ingest.Recycle(c.Data)
				keptBytes = len(r.data)
				to := kept
				if spec != nil && spec.learned() {
					// nothing more runs ahead: one goroutine hand-off less
					to = results
				}
				select {
				case to <- r:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(kept) // and results, once spec has passed them on
	}()
	var lines, nbytes int64
	var share teachShare
	restart := false
	for r := range results {
		lines += r.lines
		nbytes += r.bytes
		share.add(r.share)
		if restart {
			continue
		}
		store.put(r, nbytes)
		if !deferring {
			continue
		}
		if store.lines > 0 {
			countShare.Store(true)
		}
		if share.lines >= deferProbeLines {
			probed.Store(true)
		}
		if !share.pays(store.lines, nbytes, opts.InputBytes, opts.learning) || carrierSeen.Load() {
			restart = true
			cancel()
		}
	}
	if restart {
		// The workers stopped early: the feeder may still be in src.Next,
		// and src is the caller's again once the search returns. (The
		// input can be read again, so it is no stream that may block.)
		<-fed
		for c := range jobs {
			ingest.Recycle(c.Data) // for the read that starts again
		}
		// The read given up would otherwise hold what it read ahead (a
		// compressed file's chunks and its decoder) until the caller
		// closes it after the search: 20 MB of live heap over linked.zst,
		// which the heap's limit grows for.
		closeSource(src)
	}
	why := AgainLearningAsRead
	if carrierSeen.Load() {
		why = AgainCarrier
	}
	if !restart && carrierText != nil && ctx.Err() == nil && !carrierer.Carriers(lits, workers).None() {
		restart, why = true, AgainCarrier // a lookup table or a well-known account holds a literal
	}
	if restart && outer.Err() == nil {
		// Too many lines kept, or too few teaching lines to spare: start
		// again, learning as the input is read.
		store.close()
		again, err := readAgain(opts)
		if err != nil {
			return nil, err
		}
		defer closeSource(again)
		opts.learning = learnAsRead
		opts.noStarts = share.lines >= deferProbeLines && share.starts == 0
		stats, err := searchLearning(outer, progs, again, opts, workers, l)
		if stats != nil {
			stats.ReadsAgain = append([]ReadAgain{why}, stats.ReadsAgain...)
		}
		return stats, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if store.err != nil {
		return nil, fmt.Errorf("keeping candidate lines: %w", store.err)
	}
	targetedReads := 0
	var readsAgain []ReadAgain
	if deferring {
		switch {
		case store.dropped.Load():
			readsAgain = append(readsAgain, AgainTooMany)
			if err := learnFirst(ctx, l, opts, workers); err != nil {
				return nil, err
			}
		case incomplete.Load():
			n, err := learnTargeted(ctx, l, kl, opts, workers, store)
			if err != nil {
				return nil, err
			}
			targetedReads = n
		}
	}
	if skipped.Load() && (incomplete.Load() || store.dropped.Load()) {
		// the bet lost: some kept line needs what was not learned
		readsAgain = append(readsAgain, AgainEnrichedAfterAll)
		if err := learnFirst(ctx, l, opts, workers); err != nil {
			return nil, err
		}
	}
	if tr, ok := l.(textRelearner); ok && tr.TextLost() {
		// records of a process disagreed on a detail only free text
		// reads, dropped from one: all are learned again
		readsAgain = append(readsAgain, AgainTextLost)
		tr.BeginTextRelearn()
		err := learnFirst(ctx, l, opts, workers)
		tr.EndTextRelearn()
		if err != nil {
			return nil, err
		}
	}
	l.SetLearnPending(false)
	var carriers *enrich.TextCarriers
	var gateFilter *engine.Prefilter
	var gateDispatch *engine.Dispatch // with several programs
	switch {
	case filter != plan:
		carriers = carrierer.Carriers(lits, workers)
		gateFilter, gateDispatch = filter.any, filter.dispatch
	case store.dropped.Load() && carrierer != nil:
		// Most lines were candidates because a field enrichment may add was
		// missing from them. Now that learning is done, only lines whose
		// raw fields hold the literals, or that may get a learned value
		// holding them (carried), can match.
		// the raw plan (a hunt's dispatch, built on one core) is made
		// while the carriers are found on all; the carrier bits its
		// dispatch masks programs by (with several) are made again by
		// what the processes learned hold
		var bits []uint64
		if sh, ok := carrierer.(literalSharer); ok && plan.dispatch != nil {
			if bits = learnedCarrierBits(progs, plan.derived, sh); bits != nil {
				lits, _ = carrierLiterals(progs, plan.derived, bits)
			}
		}
		rawPlan := newPlanRawAsync(plan, sampled.Load(), bits)
		carriers = carrierer.Carriers(lits, workers)
		raw := rawPlan()
		gateFilter, gateDispatch = raw.any, raw.dispatch
	}
	var again ReadAgain // the first reason found, if any
	switch {
	case store.dropped.Load():
		again = AgainTooMany
	case keeper != nil && !carriers.None() && keeper.missed(carriers):
		again = AgainCarrierMissed
	case betLost(bets, l, plan):
		again = AgainBetLost
	case opts.Reopen != nil && settledChanged(l, filter):
		again = AgainSettledChanged
	}
	if again != "" {
		spec.drop()
		// Too many candidates to keep, or enrichment may add a value holding
		// a literal to lines the strict prefilter rejected before their
		// process was known, or a bet on such lines was lost, or a value
		// candidates were settled by changed: a second read, as a learn
		// pass then a search.
		store.close()
		reread, err := readAgain(opts)
		if err != nil {
			return nil, err
		}
		defer closeSource(reread)
		if carriers != nil && gateFilter != nil {
			plan.gate = secondReadGate(store.chunks, gateFilter, gateDispatch, carriers)
		}
		if plan.dispatch == nil {
			// learning is over: settle before decoding (a hunt's settler
			// matches a rewritten copy of the line again: it cost more
			// than the decoding it spared)
			plan.settleKept = l
		}
		stats, err := plan.run(ctx, opts, workers, feedSource(reread))
		if stats != nil {
			stats.ReadsAgain = append(readsAgain, again)
		}
		return stats, err
	}
	if held != nil {
		held.replay(opts.Problems)
	}
	ahead := spec.stands(incomplete.Load())
	if !ahead {
		spec.drop()
	} else if opts.Problems != nil {
		spec.problems.replay(opts.Problems)
	}

	// Second stage: the kept lines, in input order.
	if !incomplete.Load() {
		plan = newPlan(progs, nil)
	} else {
		plan.settleKept = l
	}
	stats, err := plan.run(ctx, opts, workers, func(ctx context.Context, jobs chan<- job) error {
		for seq := range store.chunks {
			r := store.chunks[seq]
			j := job{c: event.Chunk{Seq: int64(seq)}, lineNos: []int{}}
			if r != nil && ahead && r.ahead != nil {
				j.done = r.ahead
			} else if r != nil {
				data, err := store.data(r)
				if err != nil {
					return fmt.Errorf("reading back candidate lines: %w", err)
				}
				j.c.Source, j.c.Data, j.lineNos, j.settled = r.source, data, r.lineNos, r.settled
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return nil
			}
			store.chunks[seq] = nil
		}
		return nil
	})
	if stats != nil {
		stats.Lines += lines
		stats.Bytes += nbytes
		stats.Held = store.lines
		if ahead {
			stats.RanAhead = spec.lines.Load()
		}
		stats.TargetedReads = targetedReads
		stats.ReadsAgain = readsAgain
	}
	if err == nil {
		err = readErr
	}
	return stats, err
}

// candStore keeps candChunks by seq: in memory up to budget bytes, then in
// a temporary file removed by close. When candidates are more than
// 1/dropShare of the input (a query with little to prefilter on; a
// quarter for a search, an eighth for a hunt), reading the input again
// costs less than writing them out: with canDrop they are then dropped,
// and the search reads the input a second time.
type candStore struct {
	chunks  []*candChunk
	mem     int64
	budget  int64
	spill   *scratch.File
	off     int64
	err     error
	canDrop bool
	// dropShare: candidates past 1/dropShare of the bytes read are dropped
	dropShare int64
	// dropped is set by put; the workers read it to stop filtering for
	// nothing: the second read does it again
	dropped atomic.Bool
	lines   int64 // kept
}

// put stores r; read is how many input bytes have been read so far.
func (s *candStore) put(r *candChunk, read int64) {
	if s.dropped.Load() {
		return
	}
	for int64(len(s.chunks)) <= r.seq {
		s.chunks = append(s.chunks, nil)
	}
	s.chunks[r.seq] = r
	if len(r.lineNos) == 0 {
		r.data, r.lineNos, r.settled = nil, []int{}, nil
		return
	}
	r.data = slices.Clip(r.data)
	s.lines += int64(len(r.lineNos))
	if kept := s.mem + s.off + int64(len(r.data)); s.canDrop && s.dropsAt(kept, read) {
		s.dropped.Store(true)
		s.chunks = nil
		s.close()
		return
	}
	if s.mem+int64(len(r.data)) <= s.budget || s.err != nil {
		s.mem += int64(len(r.data))
		return
	}
	if s.spill == nil {
		if s.spill, s.err = scratch.New("tiercel-candidates-*"); s.err != nil {
			return
		}
	}
	if _, err := s.spill.WriteAt(r.data, s.off); err != nil {
		s.err = err
		return
	}
	r.spilled, r.off, r.size = true, s.off, len(r.data)
	s.off += int64(len(r.data))
	r.data = nil
}

// dropsAt reports whether kept bytes of candidates, read bytes into the
// input, are too many to keep: past the budget and 1/dropShare of what
// was read, or, at a quarter of the budget, past 3/(2 dropShare). Kept
// at such a share, they would pass the budget a few chunks later all the
// same, and every line matched until then is matched again by the second
// read: the SigmaHQ hunt over mix1g kept a quarter of the first 33 MB.
func (s *candStore) dropsAt(kept, read int64) bool {
	share := max(s.dropShare, 1)
	return kept > s.budget && kept > read/share ||
		kept > s.budget/4 && 2*share*kept > 3*read
}

// data returns r's lines, read back from the spill file if need be.
func (s *candStore) data(r *candChunk) ([]byte, error) {
	if !r.spilled {
		return r.data, nil
	}
	b := make([]byte, r.size)
	if _, err := s.spill.ReadAt(b, r.off); err != nil {
		return nil, err
	}
	return b, nil
}

func (s *candStore) close() {
	if s.spill != nil {
		s.spill.Close()
		s.spill = nil
	}
}

// problemList holds malformed-line reports until it is known that the
// lines will not be read again. It keeps the first maxHeldProblems (far
// more than a report prints) and counts the others.
type problemList struct {
	mu    sync.Mutex
	items []heldProblem
	more  int
}

const maxHeldProblems = 4096

type heldProblem struct {
	source string
	lineNo int
	err    error
}

func (p *problemList) Add(source string, lineNo int, err error) {
	p.mu.Lock()
	if len(p.items) < maxHeldProblems {
		p.items = append(p.items, heldProblem{source, lineNo, err})
	} else {
		p.more++
	}
	p.mu.Unlock()
}

// replay hands the reports to dst; the uncounted rest repeat the last one
// kept, for the count.
func (p *problemList) replay(dst *ingest.Problems) {
	for _, h := range p.items {
		dst.Add(h.source, h.lineNo, h.err)
	}
	for range p.more {
		h := p.items[len(p.items)-1]
		dst.Add(h.source, h.lineNo, h.err)
	}
}
