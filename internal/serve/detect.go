package serve

import (
	"context"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/tiercel/tiercel/internal/alert"
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/funcs"
	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/rules"
	"github.com/tiercel/tiercel/internal/run"
)

// Throttle is LogScale's filter-alert throttling for one rule.
type Throttle struct {
	Seconds int    // throttleTimeSeconds
	Field   string // throttleField ("" throttles the whole rule)
}

// Detector runs the loaded rules over batches of raw lines through the
// same engine, enrichment and runner `tiercel hunt -` uses. Filter rules
// (no aggregation beyond table/sort/select) run on every batch: one alert
// per matching event. Aggregating rules run as scheduled searches over the
// event store instead (scheduler.go).
type Detector struct {
	Progs     []*rules.Program
	filter    []int // indexes into Progs of the filter rules
	engines   []*engine.Program
	Enricher  *enrich.Enricher
	Throttles map[string]Throttle // by rule id
	Actions   map[string][]string // by rule id: actions other than the default
	Workers   int
	window    *corrWindow // recent lines for join()/correlate() sub-queries
	late      *lateHold   // context events waiting for their process start
	corr      []int       // indexes into Progs of filter rules with sub-queries
	plain     []int       // the other filter rules
	corrAny   *engine.Prefilter
	recheck   []recheckPart
	mu        sync.Mutex // one batch at a time: enrichment learns in order
}

// NewDetector classifies progs and builds the stream enricher (nil
// enrichment when noEnrich).
func NewDetector(progs []*rules.Program, noEnrich bool, corr CorrelationOptions, late LateOptions) *Detector {
	d := &Detector{Progs: progs, Throttles: map[string]Throttle{}, Actions: map[string][]string{}}
	prepass := false
	for i, p := range progs {
		if FilterRule(p) {
			d.filter = append(d.filter, i)
			d.engines = append(d.engines, p.Engine)
			if len(p.Engine.Prepass()) > 0 {
				prepass = true
				d.corr = append(d.corr, i)
			} else {
				d.plain = append(d.plain, i)
			}
		}
	}
	if !noEnrich {
		all := make([]*engine.Program, len(progs))
		for i, p := range progs {
			all[i] = p.Engine
		}
		d.Enricher = run.NewStreamEnricher(all)
	}
	if prepass {
		d.window = newCorrWindow(corr)
	}
	var provided []string
	if d.Enricher != nil {
		provided = d.Enricher.Provides()
		d.late = newLateHold(d.engines, provided, late)
	}
	if prepass {
		corr := make([]*engine.Program, len(d.corr))
		for i, j := range d.corr {
			corr[i] = progs[j].Engine
		}
		d.corrAny = anyPrefilter(corr, provided)
	}
	return d
}

// FilterRule reports whether a rule alerts per event (LogScale's filter
// alert): its top-level pipeline aggregates with nothing but table(),
// sort() and select(), which only shape the rows.
func FilterRule(p *rules.Program) bool {
	q, diags := cql.Parse(p.Query)
	if diags.HasErrors() {
		return false
	}
	for _, st := range q.Pipeline.Steps {
		c, ok := st.(*cql.CallStep)
		if !ok {
			continue
		}
		name := strings.ToLower(c.Call.Name)
		if name == "table" || name == "sort" || name == "select" {
			continue
		}
		if spec, ok := funcs.Lookup(c.Call.Name); ok && spec.Kind == funcs.Aggregate {
			return false
		}
	}
	return true
}

// FilterRules and AggregateRules list the rules by kind.
func (d *Detector) FilterRules() []*rules.Program {
	out := make([]*rules.Program, len(d.filter))
	for i, j := range d.filter {
		out[i] = d.Progs[j]
	}
	return out
}

// AggregateRules lists the rules that run as scheduled searches.
func (d *Detector) AggregateRules() []*rules.Program {
	var out []*rules.Program
	for i, p := range d.Progs {
		if !containsInt(d.filter, i) {
			out = append(out, p)
		}
	}
	return out
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// chunkTarget is the size batches are cut into for the workers.
const chunkTarget = 256 << 10

// Detect runs the filter rules over lines (one JSON event each) and
// returns the alert candidates, in input order per rule.
func (d *Detector) Detect(ctx context.Context, lines [][]byte) ([]alert.Candidate, error) {
	if len(d.engines) == 0 || len(lines) == 0 {
		return nil, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	batch := lines
	chunks := cutChunks(lines)
	if d.Enricher != nil {
		// Learn the batch's process starts, identities and lookup records
		// before applying: within a batch, enrichment then does not depend
		// on event order, as in hunt's file mode. What earlier batches
		// taught stays in the (bounded) stream-mode tables.
		if _, err := run.Learn(ctx, d.Enricher, &chunkSource{chunks: chunks}, d.Workers); err != nil {
			return nil, err
		}
		lines = d.late.admit(lines, d.Enricher.KnowsProcess)
		chunks = cutChunks(lines)
	}
	if d.window == nil {
		return d.detect(ctx, d.filter, chunks)
	}
	d.window.add(batch)
	// Rules with sub-queries re-read the window for every run: run them
	// only over lines their main query may select (none, mostly).
	cands, err := d.detect(ctx, d.plain, chunks)
	if err != nil {
		return nil, err
	}
	cand := d.corrCandidates(lines)
	more, err := d.detect(ctx, d.corr, cutChunks(cand))
	if err != nil {
		return nil, err
	}
	cands = append(cands, more...)
	more, err = d.recheckReady(ctx, cand, false)
	return append(cands, more...), err
}

// corrCandidates keeps the lines some rule with sub-queries may select.
func (d *Detector) corrCandidates(lines [][]byte) [][]byte {
	var out [][]byte
	for _, l := range lines {
		if d.corrAny.Match(l) {
			out = append(out, l)
		}
	}
	return out
}

// recheckPart is a batch (as detected) whose correlation rules run again
// once the stream has moved half a correlation window past it.
type recheckPart struct {
	lines   [][]byte
	maxTime int64
	bytes   int64
}

// recheckReady queues lines for a second pass of the correlation rules and
// runs that pass over the parts whose partners have had time to arrive
// (all of them with all). A rule like the browser-prefetch tuning keeps an
// alert when some event follows within a minute: the first pass, right
// away, cannot see that event if it comes in a later request; the second
// one can. Alerts of both passes share their ids, so one alert results.
func (d *Detector) recheckReady(ctx context.Context, lines [][]byte, all bool) ([]alert.Candidate, error) {
	if len(lines) > 0 {
		part := recheckPart{lines: lines}
		var info ingest.LineInfo
		for _, l := range lines {
			if ingest.ReadLineInfo(l, &info) {
				part.maxTime = max(part.maxTime, info.Time)
			}
			part.bytes += int64(len(l)) + 1
		}
		d.recheck = append(d.recheck, part)
	}
	half := d.window.opts.Window.Milliseconds() / 2
	var queued int64
	for _, p := range d.recheck {
		queued += p.bytes
	}
	var ready [][]byte
	for len(d.recheck) > 0 {
		p := d.recheck[0]
		due := all || p.maxTime == 0 || d.window.newestTime()-p.maxTime >= half || queued > d.window.opts.MaxBytes
		if !due {
			break
		}
		ready = append(ready, p.lines...)
		queued -= p.bytes
		d.recheck = d.recheck[1:]
	}
	if len(ready) == 0 {
		return nil, nil
	}
	return d.detect(ctx, d.corr, cutChunks(ready))
}

// Flush detects over every held context event (shutdown).
func (d *Detector) Flush(ctx context.Context) ([]alert.Candidate, error) {
	if d.late == nil || len(d.engines) == 0 {
		return nil, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	held := d.late.flush()
	cands, err := d.detect(ctx, d.filter, cutChunks(held))
	if err != nil || d.window == nil {
		return cands, err
	}
	more, err := d.recheckReady(ctx, d.corrCandidates(held), true)
	return append(cands, more...), err
}

// Held is how many context events wait for their process start.
func (d *Detector) Held() int {
	if d.late == nil {
		return 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.late.held()
}

// Rechecking is how many lines wait for the correlation rules' second pass.
func (d *Detector) Rechecking() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, p := range d.recheck {
		n += len(p.lines)
	}
	return n
}

// detect runs the rules Progs[idx...] over chunks. Sub-queries read the
// correlation window (which holds the batch already) and chunks.
func (d *Detector) detect(ctx context.Context, idx []int, chunks []event.Chunk) ([]alert.Candidate, error) {
	if len(chunks) == 0 || len(idx) == 0 {
		return nil, nil
	}
	engines := make([]*engine.Program, len(idx))
	for i, j := range idx {
		engines[i] = d.Progs[j].Engine
	}
	var src run.Source = &chunkSource{chunks: chunks}
	var cands []alert.Candidate
	opts := run.Options{
		Workers: d.Workers,
		Emit: func(i int, row *event.Event) {
			p := d.Progs[idx[i]]
			cands = append(cands, d.Candidate(p, p.NewAlert(row)))
		},
	}
	if d.Enricher != nil {
		opts.Enricher = d.Enricher
	}
	if d.window != nil {
		recent := d.window.chunks()
		opts.Reopen = func() (run.Source, error) {
			return &chunkSource{chunks: append(recent, chunks...)}, nil
		}
	}
	if _, err := run.Search(ctx, engines, src, opts); err != nil {
		return nil, err
	}
	return cands, nil
}

// Candidate turns an alert of p into a store candidate with its stable id.
func (d *Detector) Candidate(p *rules.Program, a rules.Alert) alert.Candidate {
	c := CandidateOf(p, a)
	if acts, ok := d.Actions[p.Rule.ID]; ok {
		c.Actions = acts
	}
	if th, ok := d.Throttles[p.Rule.ID]; ok && th.Seconds > 0 {
		c.ThrottleFor = time.Duration(th.Seconds) * time.Second
		if th.Field != "" {
			c.ThrottleKey = a.Get(th.Field)
		}
	}
	return c
}

// CandidateOf is a rule's alert as the store takes it, with its stable id
// (design §8), before any throttling or action routing.
func CandidateOf(p *rules.Program, a rules.Alert) alert.Candidate {
	body := a.AppendJSON(nil)
	c := alert.Candidate{Alert: alert.Alert{
		Rule: p.Rule.ID, Title: p.Rule.DisplayName(), Branch: a.Branch(), Severity: p.Rule.Severity,
		Tactic: p.Rule.Attack.Tactic.ID, Technique: p.Rule.Attack.Technique.ID,
		EventID: a.Get("id"), JSON: body,
	}}
	if ms, ok := event.ParseNumber(a.Get(event.Timestamp)); ok {
		c.EventTime = int64(ms)
	}
	// Without a Falcon id, the alert's own rendering stands for the raw
	// line: the same event gives the same row.
	c.ID = alert.ID(c.Rule, c.Branch, c.EventID, string(body))
	return c
}

// cutChunks joins lines into chunks of about chunkTarget bytes, so every
// worker gets a share of a batch. Buffers are sized so the ingest buffer
// pool never takes them (run.Search recycles chunk buffers).
func cutChunks(lines [][]byte) []event.Chunk {
	var out []event.Chunk
	first := 1
	for start := 0; start < len(lines); {
		size, end := 0, start
		for end < len(lines) && (size < chunkTarget || end == start) {
			size += len(lines[end]) + 1
			end++
		}
		buf := make([]byte, 0, size+1)
		if size == ingest.DefaultChunkSize {
			buf = make([]byte, 0, size+2)
		}
		for _, l := range lines[start:end] {
			buf = append(buf, l...)
			buf = append(buf, '\n')
		}
		out = append(out, event.Chunk{Source: "ingest", FirstLine: first, Data: buf, Kind: event.KindTelemetry})
		first += end - start
		start = end
	}
	return out
}

// chunkSource yields fixed chunks.
type chunkSource struct {
	chunks []event.Chunk
}

func (s *chunkSource) Next() (event.Chunk, error) {
	if len(s.chunks) == 0 {
		return event.Chunk{}, io.EOF
	}
	c := s.chunks[0]
	s.chunks = s.chunks[1:]
	return c, nil
}

// CorrelationOptions bound the state kept for rules whose sub-queries
// (join(), correlate()) look across batches.
type CorrelationOptions struct {
	// Window is the event time lines stay behind the newest seen (default
	// 2 min); make it twice the longest correlate() within= of the rules.
	Window   time.Duration
	MaxBytes int64 // at most this much is kept (default 16 MiB)
}

// corrWindow holds recent lines: a join()/correlate() sub-query of a
// batch runs over them and the batch, so events that pair up across
// batches still match. Lines leave once the newest event time seen is
// more than Window past theirs, or when MaxBytes is reached, oldest first
// (an event's partner arriving later than that is missed).
type corrWindow struct {
	opts   CorrelationOptions
	mu     sync.Mutex
	parts  []windowPart
	bytes  int64
	newest int64 // newest event time seen, ms
}

type windowPart struct {
	maxTime int64 // newest event time in the chunk, ms (0: none known)
	chunk   event.Chunk
}

func newCorrWindow(o CorrelationOptions) *corrWindow {
	if o.Window <= 0 {
		o.Window = 2 * time.Minute
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 16 << 20
	}
	return &corrWindow{opts: o}
}

func (w *corrWindow) add(lines [][]byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var info ingest.LineInfo
	for _, c := range cutChunks(lines) {
		var maxTime int64
		ingest.Lines(c, func(line []byte, _ int) bool {
			if ingest.ReadLineInfo(line, &info) {
				maxTime = max(maxTime, info.Time)
			}
			return true
		})
		w.newest = max(w.newest, maxTime)
		w.parts = append(w.parts, windowPart{maxTime: maxTime, chunk: c})
		w.bytes += int64(len(c.Data))
	}
	span := w.opts.Window.Milliseconds()
	for len(w.parts) > 0 {
		p := w.parts[0]
		old := p.maxTime > 0 && w.newest-p.maxTime > span
		if w.bytes <= w.opts.MaxBytes && !old {
			break
		}
		w.bytes -= int64(len(p.chunk.Data))
		w.parts = w.parts[1:]
	}
}

// newestTime is the newest event time the window has seen (ms).
func (w *corrWindow) newestTime() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.newest
}

// chunks returns the window's chunks (shared, read-only: the sub-query
// pass does not write or recycle them).
func (w *corrWindow) chunks() []event.Chunk {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]event.Chunk, len(w.parts))
	for i, p := range w.parts {
		out[i] = p.chunk
	}
	return out
}
