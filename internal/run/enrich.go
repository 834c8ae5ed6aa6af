package run

import (
	"bytes"
	"context"
	"io"
	"slices"
	"sync/atomic"

	"github.com/tiercel/tiercel/internal/engine"
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
	Skipped bool  // enrichment was moot: the input already has what the queries read
}

// Learn runs l's learn pass over every chunk of src on workers goroutines
// (0: GOMAXPROCS). Telemetry lines are decoded only when they contain a
// LearnPrefilter literal; aidmaster and userinfo chunks are lookup tables
// and are always learned from. Other lookups are skipped. Learn keeps no
// per-line state, so the outcome does not depend on chunk order.
func Learn(ctx context.Context, l Learner, src Source, workers int) (LearnStats, error) {
	lits := l.LearnPrefilter()
	needs := l.LearnNeeds()
	var lines, decoded atomic.Int64
	keep := func(c *event.Chunk) bool { return c.Kind != event.KindOtherLookup }
	readErr := eachChunk(ctx, src, workers, keep, func(jobs <-chan event.Chunk) {
		t := newTeacher(l, lits, needs)
		var n, d int64
		for c := range jobs {
			lookup := c.Kind == event.KindAidmaster || c.Kind == event.KindUserinfo
			ingest.LinesAnchored(c, engine.EventNameAnchor, func(line []byte, _ int, anchors *ingest.LineAnchors) bool {
				n++
				if lookup && t.learnDecoded(line) || !lookup && t.learn(line, anchors) {
					d++
				}
				return true
			})
			t.endChunk()
			ingest.Recycle(c.Data)
		}
		lines.Add(n)
		decoded.Add(d)
	})
	st := LearnStats{Lines: lines.Load(), Decoded: decoded.Load()}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	return st, readErr
}

// teacher learns from lines, for one goroutine.
type teacher struct {
	l       Learner
	teach   *teachCache
	raw     *enrich.RawLearner
	dec     *ingest.Decoder
	ev      event.Event
	scratch []byte // a line's escapes resolved (holdsKey)
}

func newTeacher(l Learner, lits [][]byte, needs event.Needs) *teacher {
	return &teacher{l: l, teach: newTeachCache(lits), raw: newRawLearner(l), dec: ingest.NewDecoder(needs)}
}

// endChunk learns what the raw learner holds of a chunk's lines (its
// identities, handed over in batches): call it once done with a chunk.
func (t *teacher) endChunk() {
	if t.raw != nil {
		t.raw.Flush()
	}
}

// learn learns from a telemetry line that may teach, whose event name
// key's anchors are listed in anchors (nil: not listed), reporting whether
// it was read.
func (t *teacher) learn(line []byte, anchors *ingest.LineAnchors) bool {
	name, hasName := engine.FindEventNameAnchored(line, anchors).Plain()
	return t.teach.teaches(line, name, hasName) && t.learnTeaching(line, name, hasName)
}

// learnTeaching learns from a line that teaches, whose event name is name
// when hasName: from its raw members, or decoded when the raw learner
// leaves it.
func (t *teacher) learnTeaching(line, name []byte, hasName bool) bool {
	if t.raw != nil && hasName && t.raw.Learn(name, line) {
		return true
	}
	return t.learnDecoded(line)
}

// learnDecoded learns from line decoded (a lookup record's, or one the
// raw learner left).
func (t *teacher) learnDecoded(line []byte) bool {
	if t.dec.Decode(line, &t.ev) != nil {
		return false
	}
	t.l.Learn(&t.ev) // learns from ev's copies, never from line
	return true
}

// teachCache tells whether a telemetry line may teach the enricher. On an
// event (a line with event_simpleName) only its name counts: process starts
// and identity events. A line without one is a lookup record (aidmaster,
// userinfo) mixed into telemetry, recognised by the literals anywhere. So
// events that merely carry ComputerName, as newer sensors' and LogScale
// exports' do, are not decoded for learning.
// The verdict is remembered for each event name: a line's name is one of a
// few hundred, and one map lookup costs less than looking for every
// literal in it. One per goroutine.
type teachCache struct {
	lits   [][]byte
	byName engine.NameMemo[bool]
}

func newTeachCache(lits [][]byte) *teachCache {
	return &teachCache{lits: lits}
}

// teaches reports whether line, whose event_simpleName is name when
// hasName, may teach.
func (t *teachCache) teaches(line, name []byte, hasName bool) bool {
	if !hasName {
		return containsAny(line, t.lits)
	}
	return t.byName.Get(name, func() bool { return containsAny(name, t.lits) })
}

// newRawLearner returns l's reader of raw lines (what process starts,
// identities and DNS answers teach; the user an event gets), or nil.
func newRawLearner(l Learner) *enrich.RawLearner {
	if m, ok := l.(interface{ NewRawLearner() *enrich.RawLearner }); ok {
		return m.NewRawLearner()
	}
	return nil
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
	// Programs, when given, are what the search will run: the enricher then
	// keeps only the process details they read, or is not needed at all.
	Programs []*engine.Program
	// MaxLine is the search's --max-line, so the learn pass skips the lines
	// the search skips (0: ingest.DefaultMaxLine).
	MaxLine int
	// ProcessMemory is enrich.Options.ProcessMemory for files.
	ProcessMemory int
	// ScaleProcessMemory: a hunt's default budget (ProcessMemory 0) grows
	// with the process details its rules read (enrich.ScaledProcessMemory).
	ScaleProcessMemory bool
}

// programReads merges what progs read, their join()/defineTable()
// sub-queries included.
func programReads(progs []*engine.Program) *event.Needs {
	if len(progs) == 0 {
		return nil
	}
	var n event.Needs
	for _, p := range progs {
		n.Merge(p.Needs())
		for _, ps := range p.Prepass() {
			n.Merge(ps.Needs())
		}
	}
	return &n
}

// programTextReads is programReads without what free text reads, with
// the literals one of which every value a free-text filter matches holds
// (engine.Program.FreeTextReads); nil when some filter matches values
// without any.
func programTextReads(progs []*engine.Program) (*event.Needs, []string) {
	if len(progs) == 0 {
		return nil, nil
	}
	var n event.Needs
	var lits []string
	for _, p := range progs {
		b, l, ok := p.FreeTextReads()
		if !ok {
			return nil, nil
		}
		n.Merge(b)
		lits = append(lits, l...)
		for _, ps := range p.Prepass() {
			n.Merge(ps.Needs())
		}
	}
	return &n, lits
}

// PrepareEnricher builds the Falcon enricher for a search over in. Files
// get file mode, whose learning over every input (lookups included) makes
// results independent of event order; it is left pending, to be done by
// Search in the same read of the input that it filters (searchLearning), so
// the input is read once. Only --aidmaster files are learned here. Standard
// input can be read only once, so it gets stream mode; aidmaster and
// userinfo files among the inputs are learned first all the same. When the
// programs read no field enrichment adds, there is no enricher at all
// (Skipped). The returned stats cover what was learned here.
func PrepareEnricher(ctx context.Context, in EnrichInput) (*enrich.Enricher, LearnStats, error) {
	stream := len(in.Paths) == 0 || slices.Contains(in.Paths, ingest.Stdin)
	opts := ingest.Options{Aidmaster: in.Aidmaster, Stdin: in.Stdin, OnError: func(error) {}, MaxLine: in.MaxLine}
	eopts := enrich.Options{Reads: programReads(in.Programs), ProcessMemory: in.ProcessMemory}
	if in.ProcessMemory == 0 && in.ScaleProcessMemory {
		eopts.ProcessMemory = enrich.ScaledProcessMemory(eopts.Reads)
	}
	eopts.ReadsBesideText, _ = programTextReads(in.Programs)
	if !stream {
		en := enrich.New(eopts)
		if readsNoEnrichedField(in.Programs, en) {
			return nil, LearnStats{Skipped: true}, nil
		}
		en.SetLearnPending(true)
		// A missing input is an error here as before (nothing is read).
		check, err := ingest.Open(in.Paths, ingest.Options{Kinds: []event.Kind{event.KindAidmaster}})
		if err != nil {
			return nil, LearnStats{}, err
		}
		check.Close()
		if len(in.Aidmaster) == 0 {
			return en, LearnStats{}, nil
		}
		// Only the --aidmaster files (nil paths: stdin, filtered out by kind).
		opts.Kinds = []event.Kind{event.KindAidmaster}
		reader, err := ingest.Open(nil, opts)
		if err != nil {
			return nil, LearnStats{}, err
		}
		defer reader.Close()
		st, err := Learn(ctx, en, reader, in.Workers)
		if err != nil {
			return nil, st, err
		}
		return en, st, nil
	}
	en := enrich.NewStream(eopts)
	opts.Kinds = []event.Kind{event.KindAidmaster, event.KindUserinfo}
	if len(in.Paths) == 0 {
		in.Paths = []string{ingest.Stdin}
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

// readsNoEnrichedField reports whether the programs (given, with no
// join()/defineTable() sub-queries, each output field known) read no field
// en adds: enrichment could then change no result.
func readsNoEnrichedField(progs []*engine.Program, en *enrich.Enricher) bool {
	if len(progs) == 0 || hasPrepass(progs) {
		return false
	}
	provided := map[string]bool{}
	for _, f := range en.Provides() {
		provided[f] = true
	}
	checks, checkable := enrichedReads(progs, provided)
	return checkable && len(checks) == 0
}

// enrichedCheck is one enriched field the programs read: its JSON key and
// the keys of the raw fields it is derived from.
type enrichedCheck struct {
	key     []byte
	sources [][]byte
}

// enrichedReads lists the enriched fields the programs read. checkable is
// false when that cannot be told from raw keys (a program outputs whole
// events, or a field has no known sources).
func enrichedReads(progs []*engine.Program, provided map[string]bool) (checks []enrichedCheck, checkable bool) {
	reads := programReads(progs)
	if reads == nil || reads.All {
		return nil, false
	}
	for _, f := range reads.Fields {
		if !provided[f] {
			continue
		}
		srcs := enrich.Sources(f)
		if len(srcs) == 0 {
			return nil, false
		}
		// key and colon: a string value equal to the name is not the key
		c := enrichedCheck{key: []byte(`"` + f + `":`)}
		for _, s := range srcs {
			c.sources = append(c.sources, []byte(`"`+s+`"`))
		}
		checks = append(checks, c)
	}
	return checks, true
}

// hasEnrichedReads reports whether enrichment could add nothing the
// programs read to this line: each such field is there, or none of its
// sources is. A quoted key cannot occur unescaped inside a JSON string.
func hasEnrichedReads(line []byte, checks []enrichedCheck) bool {
	for _, c := range checks {
		if !bytes.Contains(line, c.key) && containsAny(line, c.sources) {
			return false
		}
	}
	return true
}

var (
	ctxProcessKey = newRawKey("ContextProcessId")
	aidKey        = newRawKey("aid")
	ctxTimeKey    = newRawKey("ContextTimeStamp")
	timestampKey  = newRawKey("timestamp")
)

// stringField finds a top-level "key":"value" in a raw NDJSON line without
// decoding it, for plain values (ids, names, numbers as strings). It fails
// on escaped values; callers then decode. A quoted key cannot match inside
// a string value, where its quotes would be escaped.
func stringField(line []byte, key rawKey) ([]byte, bool) {
	v, _, plain := rawField(line, key)
	return v, plain
}

// rawField is stringField also telling, from the same search, whether the
// key is there: a found value that is not plain (escaped, not a string)
// cannot be told from the raw text.
func rawField(line []byte, key rawKey) (v []byte, found, plain bool) {
	i := indexKey(line, key)
	if i < 0 {
		return nil, false, false
	}
	rest := line[i+len(key.quoted):]
	j := 0
	for j < len(rest) && (rest[j] == ' ' || rest[j] == '\t') {
		j++
	}
	if j >= len(rest) || rest[j] != ':' {
		// a quoted key not followed by a colon is a value, not this key:
		// as before, the line is not read as having it plainly
		return nil, true, false
	}
	j++
	for j < len(rest) && (rest[j] == ' ' || rest[j] == '\t') {
		j++
	}
	if j >= len(rest) || rest[j] != '"' {
		return nil, true, false
	}
	rest = rest[j+1:]
	for k, b := range rest {
		switch b {
		case '"':
			return rest[:k], true, true
		case '\\':
			return nil, true, false
		}
	}
	return nil, true, false
}

// rawKey is a JSON key with its quotes, as it is looked for in raw lines,
// and the offset of its rarest byte (engine.KeyAnchor).
type rawKey struct {
	quoted []byte
	anchor int
}

func newRawKey(name string) rawKey {
	q := []byte(`"` + name + `"`)
	return rawKey{quoted: q, anchor: engine.KeyAnchor(q)}
}

// indexKey is bytes.Index(line, key.quoted), found by the key's rarest byte.
func indexKey(line []byte, key rawKey) int { return ingest.IndexKey(line, key.quoted, key.anchor) }

// secondsOf parses "sec[.frac]" without allocating.
func secondsOf(b []byte) (float64, bool) {
	var whole, frac, scale float64 = 0, 0, 1
	seenDot, digits := false, 0
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			digits++
			if seenDot {
				scale /= 10
				frac += float64(c-'0') * scale
			} else {
				whole = whole*10 + float64(c-'0')
			}
		case c == '.' && !seenDot:
			seenDot = true
		default:
			return 0, false
		}
	}
	return whole + frac, digits > 0
}

// lineTime reads an event's time in seconds: sensor time, else cloud ms.
func lineTime(line []byte) float64 {
	if v, ok := stringField(line, ctxTimeKey); ok {
		if t, ok := secondsOf(v); ok {
			return t
		}
	}
	if v, ok := stringField(line, timestampKey); ok {
		if t, ok := secondsOf(v); ok {
			return t / 1000
		}
	}
	return 0
}
