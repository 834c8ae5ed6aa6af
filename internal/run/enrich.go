package run

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// Learner is an enricher with a first "learn" pass (file mode): it reads
// process starts, identities and lookup records before any Apply.
type Learner interface {
	LearnPrefilter() [][]byte // a line lacking all of these teaches nothing
	LearnNeeds() event.Needs  // fields Learn reads
	Learn(ev *event.Event)    // safe for concurrent use
}

// StreamLearner is an enricher whose Apply also learns (stream mode). The
// search pass then decodes and applies lines matching LearnPrefilter even
// when no program wants them, or the enricher would never see them.
type StreamLearner interface {
	LearnPrefilter() [][]byte
	Streaming() bool
}

// LearnStats describes a learn pass.
type LearnStats struct {
	Lines   int64 // lines read
	Decoded int64 // lines decoded and learned from
}

// Learn runs l's learn pass over every chunk of src on workers goroutines
// (0: GOMAXPROCS). Telemetry lines are decoded only when they contain a
// LearnPrefilter literal; aidmaster and userinfo chunks are lookup tables
// and are always learned from. Other lookups are skipped. Learn keeps no
// per-line state, so the outcome does not depend on chunk order.
func Learn(ctx context.Context, l Learner, src Source, workers int) (LearnStats, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	lits := l.LearnPrefilter()
	needs := l.LearnNeeds()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan event.Chunk, workers*2)
	var lines, decoded atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dec := ingest.NewDecoder(needs)
			var ev event.Event
			var n, d int64
			for c := range jobs {
				lookup := c.Kind == event.KindAidmaster || c.Kind == event.KindUserinfo
				ingest.Lines(c, func(line []byte, _ int) bool {
					n++
					if !lookup && !containsAny(line, lits) {
						return true
					}
					if dec.Decode(line, &ev) == nil {
						d++
						l.Learn(&ev)
					}
					return true
				})
			}
			lines.Add(n)
			decoded.Add(d)
		}()
	}
	var readErr error
	func() {
		defer close(jobs)
		for {
			c, err := src.Next()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					readErr = err
				}
				return
			}
			if c.Kind == event.KindOtherLookup {
				continue
			}
			select {
			case jobs <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	st := LearnStats{Lines: lines.Load(), Decoded: decoded.Load()}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	return st, readErr
}

func containsAny(line []byte, lits [][]byte) bool {
	for _, l := range lits {
		if bytes.Contains(line, l) {
			return true
		}
	}
	return false
}

// EnrichInput names what a search or hunt reads, for PrepareEnricher.
type EnrichInput struct {
	Paths     []string  // as given to ingest.Open; empty or "-" means stdin
	Aidmaster []string  // --aidmaster files or directories
	Stdin     io.Reader // replaces os.Stdin (tests)
	Workers   int       // learn-pass workers (0: GOMAXPROCS)
}

// PrepareEnricher builds the Falcon enricher for a search over in. Files
// get file mode: a parallel learn pass over every input (lookups included),
// so results do not depend on event order. Standard input can be read only
// once, so it gets stream mode; aidmaster and userinfo files among the
// inputs are learned first all the same. The returned stats cover the learn
// pass (zero when there was nothing to learn from).
func PrepareEnricher(ctx context.Context, in EnrichInput) (*enrich.Enricher, LearnStats, error) {
	stream := len(in.Paths) == 0 || slices.Contains(in.Paths, ingest.Stdin)
	opts := ingest.Options{Aidmaster: in.Aidmaster, Stdin: in.Stdin, OnError: func(error) {}}
	var en *enrich.Enricher
	if stream {
		en = enrich.NewStream(enrich.Options{})
		opts.Kinds = []event.Kind{event.KindAidmaster, event.KindUserinfo}
		if len(in.Paths) == 0 {
			in.Paths = []string{ingest.Stdin}
		}
	} else {
		en = enrich.New(enrich.Options{})
	}
	// Read errors are the search pass's to report: it reads the same files.
	reader, err := ingest.Open(in.Paths, opts)
	if err != nil {
		return nil, LearnStats{}, err
	}
	defer reader.Close()
	if len(reader.Files()) == 0 {
		return en, LearnStats{}, nil
	}
	st, err := Learn(ctx, en, reader, in.Workers)
	if err != nil {
		return nil, st, err
	}
	return en, st, nil
}
