package run

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/event"
)

// A search learning as it reads runs the lines it kept only once the read
// is done: a record later in the input may change what enrichment gives
// them. On input that teaches nothing (no process start with its ids, no
// identity or lookup record: enrichment can only fall back on the
// sensor's file name) that wait cost a fifth of the search, the kept
// lines running after the read while a core idled during it. A
// speculation runs them as they are kept, enriched with what is known
// then. If learning recorded nothing by the time they would have run
// (enrich.Enricher.Changes), what was known then is what is known: the
// results stand, as made. Otherwise they are dropped, and the kept lines
// run after the read as they would have.

// speculation runs a learning read's kept lines ahead (see above).
type speculation struct {
	plan    *plan // the second stage's: the enricher's, settling kept lines
	learner changeCounter
	changes int64 // learner's Changes when the read began
	// budget bounds the kept bytes run ahead: their rows are held until
	// the read ends
	budget      int64
	used, lines atomic.Int64 // kept bytes and lines run ahead
	problems    problemList  // the kept lines' reports, for when they stand
	rewind      applyRewinder
	mark        enrich.ApplyMark
	dropped     bool
	wg          sync.WaitGroup
}

// applyRewinder is an enricher whose Apply counters can be set back
// (enrich.Enricher.RewindApplied): lines run ahead and then again are
// counted once.
type applyRewinder interface {
	MarkApplied() enrich.ApplyMark
	RewindApplied(enrich.ApplyMark)
}

// changeCounter is an enricher counting what learning recorded
// (enrich.Enricher.Changes).
type changeCounter interface{ Changes() int64 }

// speculateBudgetShare: the kept bytes run ahead are at most this many
// times the bytes held in memory (Options.HoldBytes).
const speculateBudgetShare = 4

// newSpeculation returns a speculation for the kept lines of a read
// learning as it reads with l, or nil when its results could not be
// dropped without a trace: an enricher whose counters cannot be set back,
// or a backtracking regex, whose time-outs the programs count.
func newSpeculation(p *plan, l pendingLearner, holdBytes int64) *speculation {
	rw, ok := l.(applyRewinder)
	cc, counts := l.(changeCounter)
	if !ok || !counts {
		return nil
	}
	if anyBacktracks(p.progs) {
		return nil
	}
	sp := *p
	sp.settleKept = l
	return &speculation{plan: &sp, learner: cc, changes: cc.Changes(), rewind: rw, mark: rw.MarkApplied(),
		budget: holdBytes * speculateBudgetShare}
}

func anyBacktracks(progs []*engine.Program) bool {
	for _, p := range progs {
		if p.Backtracks() {
			return true
		}
	}
	return false
}

// learned reports whether learning recorded something since the read
// began: no result made ahead stands.
func (s *speculation) learned() bool { return s.learner.Changes() != s.changes }

// start runs n goroutines passing the chunks in sends to out, each with
// its kept lines run ahead (candChunk.ahead) while nothing was learned
// and the budget lasts. out is closed once in is closed and drained.
func (s *speculation) start(ctx context.Context, in <-chan *candChunk, out chan<- *candChunk, n int) {
	for range n {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			w := s.plan.newWorker(&s.problems)
			for r := range in {
				if len(r.lineNos) > 0 && !s.learned() && s.used.Add(int64(len(r.data))) <= s.budget {
					r.ahead = w.chunk(job{c: event.Chunk{Seq: r.seq, Source: r.source, Data: r.data}, lineNos: r.lineNos, settled: r.settled})
					s.lines.Add(int64(len(r.lineNos)))
				}
				select {
				case out <- r:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { s.wg.Wait(); close(out) }()
}

// stands reports whether the results made ahead stand: learning
// recorded nothing, and the second stage enriches (incomplete: else it
// runs the kept lines unenriched, counting no Apply).
func (s *speculation) stands(incomplete bool) bool {
	return s != nil && !s.dropped && incomplete && !s.learned()
}

// drop voids the results made ahead, once: Apply's counters go back to
// where they were before the read. Called before anything else applies.
func (s *speculation) drop() {
	if s == nil || s.dropped {
		return
	}
	s.dropped = true
	s.rewind.RewindApplied(s.mark)
}
