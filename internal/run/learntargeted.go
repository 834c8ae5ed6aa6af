package run

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// A search whose prefilter keeps few lines (an indicator looked for in a
// large input) spent most of its time learning every process start and
// logon for the enrichment of a handful of events, or of none. Such a
// search first reads without learning (deferring it). When it kept no
// line needing enrichment, nothing is learned; when it kept a few, it
// learns only from the lines holding the keys their enrichment looks up
// (learnTargeted). Past maxDeferredLines kept lines, or when the input's
// teaching lines are too few to be worth sparing (teachShare.pays),
// it starts again, learning as it reads.

// learnMode says when a search learns.
type learnMode int

const (
	// learnAuto defers learning, and learns as it reads when deferring
	// does not pay (teachShare.pays)
	learnAuto learnMode = iota
	// learnAsRead learns as it reads: a read deferring it kept too many
	// lines (and the tests of the learning read)
	learnAsRead
	// learnDeferred defers learning unless more than maxDeferredLines
	// lines are kept, whatever it costs (tests)
	learnDeferred
	// learnDeferredHolding is learnDeferred looking for keys in every
	// teaching line (learnHolding) however few they are (tests)
	learnDeferredHolding
)

// keyLearner is an enricher that can tell which keys enriching an event
// looks up (enrich.Enricher.LookupKeys).
type keyLearner interface {
	LookupKeys(ev *event.Event, add func(key string))
	Needs() event.Needs
}

const (
	// maxDeferredLines: past it a search learns as it reads; past
	// fewDeferredLines the keys are likely too many for a scan of whole
	// chunks, and are looked for in every teaching line (learnHolding)
	maxDeferredLines = 1 << 13
	fewDeferredLines = 1 << 10
	// maxTargetKeys bounds the keys a targeted read looks for, and
	// minTargetKey their length: a shorter key ("0", a UID) is in most
	// lines, and all are learned in one read instead.
	maxTargetKeys = 1024
	minTargetKey  = 4
	// deferProbeLines: lines counted before the share of teaching lines
	// is trusted, each line as it comes (a read that learns as it reads
	// after all starts again sooner)
	deferProbeLines = 1 << 12
	// shareSample: past the probe, one line in shareSample is counted
	shareSample = 4
)

// teachShare tallies the lines a read deferring learning passed once it
// kept one (seen), and of those counted, how many teach and how many of
// those are process starts, of how many lines and bytes (pays).
type teachShare struct {
	seen, lines, bytes, teaching, starts int64
}

// tally counts line, whose event name is name.
func (d *teachShare) tally(line []byte, name engine.EventName, teach *teachCache) {
	d.lines++
	d.bytes += int64(len(line)) + 1
	if v, ok := name.Plain(); teach.teaches(line, v, ok) {
		d.teaching++
		if ok && enrich.IsProcessStart(v) {
			d.starts++
		}
	}
}

func (d *teachShare) add(o teachShare) {
	d.seen += o.seen
	d.lines += o.lines
	d.bytes += o.bytes
	d.teaching += o.teaching
	d.starts += o.starts
}

// pays reports whether deferring learning still looks cheaper than
// learning as the input is read, kept lines having been kept so far:
// learning nothing costs nothing, while a few kept lines cost up to two
// targeted reads (their processes and users, then the parents those lead
// to). Measured here on three generators' data: learning from a process
// start about 2 µs, from another teaching line 0.3 µs; a targeted read
// 0.35–0.7 ns a byte. The share of teaching lines is trusted from
// deferProbeLines counted lines on. Past maxDeferredLines kept, or on
// the way there by their rate over the first readBytes of inputBytes
// (keepsTooMany), it never pays.
func (d *teachShare) pays(kept, readBytes, inputBytes int64, mode learnMode) bool {
	switch {
	case kept > maxDeferredLines || keepsTooMany(kept, readBytes, inputBytes):
		return false
	case kept == 0 || d.lines < deferProbeLines || mode == learnDeferred || mode == learnDeferredHolding:
		return true
	}
	// in ns over the lines counted, d.lines of d.seen
	learning := d.starts*2000 + (d.teaching-d.starts)*300
	read := d.bytes / 2 // about 0.5 ns a byte
	held := int64(0)
	if kept > fewDeferredLines {
		read += d.lines * holdingLineNs
		held = kept * heldLineNs * d.lines / max(d.seen, d.lines)
	}
	return learning > 2*read+held // a read, and one for the parents
}

// keepsTooMany reports whether a read deferring learning, having kept
// kept lines of the first read bytes of an input of total bytes, will
// keep more than maxDeferredLines by its end at the same rate, halved
// (kept lines bunch). Giving up then, rather than when the count is
// reached, wastes less of the read: over linked (734 MB) the count was
// reached 46 MB in.
func keepsTooMany(kept, read, total int64) bool {
	if kept < minProjectedLines || read <= 0 || total <= read {
		return false
	}
	return float64(kept)*float64(total)/float64(read)/2 > maxDeferredLines
}

// minProjectedLines is how many kept lines a projection needs.
const minProjectedLines = 64

const (
	// holdingLineNs is what learnHolding spends on a line beyond reading
	// it, and heldLineNs what a kept line costs before it (decoded, its
	// keys looked up) beyond what a search learning as it reads spends.
	holdingLineNs = 40
	heldLineNs    = 1000
)

// learnTargeted teaches l what enriching the kept lines of store needs:
// reads of the input learning only from lines holding a key their
// enrichment looks up, again with the keys that what was learned leads to
// (a process's parent), until no new key appears. Every record
// of a key holds its text, or a \u escape that may spell it, so the kept
// lines are enriched as after learning from every line. Keys too short or
// too many to look for make it learn from every line in one read
// (learnFirst). It returns the reads it made.
func learnTargeted(ctx context.Context, l pendingLearner, kl keyLearner, opts Options, workers int, store *candStore) (int, error) {
	dec := ingest.NewDecoder(kl.Needs())
	var ev event.Event
	sought := map[string]bool{}
	for reads := 0; ; reads++ {
		var fresh []string
		add := func(key string) {
			if !sought[key] {
				key = strings.Clone(key) // it may point into the decoder's buffer
				sought[key] = true
				fresh = append(fresh, key)
			}
		}
		for _, r := range store.chunks {
			if r == nil {
				continue
			}
			data, err := store.data(r)
			if err != nil {
				return reads, fmt.Errorf("reading back candidate lines: %w", err)
			}
			for len(data) > 0 {
				i := bytes.IndexByte(data, '\n')
				if dec.Decode(data[:i], &ev) == nil {
					kl.LookupKeys(&ev, add)
				}
				data = data[i+1:]
			}
		}
		if len(fresh) == 0 {
			return reads, nil
		}
		var learn func(Source)
		if targetable(sought) && opts.learning != learnDeferredHolding {
			learn = func(src Source) { learnMarked(ctx, l, src, workers, engine.NewLiteralSet(fresh)) }
		} else if keys, ok := newKeySet(fresh); ok {
			learn = func(src Source) { learnHolding(ctx, l, src, workers, keys) }
		} else {
			return reads + 1, learnFirst(ctx, l, opts, workers)
		}
		src, err := readAgain(opts)
		if err != nil {
			return reads, err
		}
		// Read errors are the search's to report: it read the same input.
		learn(src)
		closeSource(src)
		if err := ctx.Err(); err != nil {
			return reads + 1, err
		}
	}
}

// learnMarked learns from the telemetry lines holding one of marks' keys,
// found in each chunk as a whole with the lines holding a \u escape
// (which may spell one): the lines between are not looked at. Lookup
// tables are left (the search's read learned them whole).
func learnMarked(ctx context.Context, l Learner, src Source, workers int, marks *engine.LiteralSet) error {
	return teachTelemetry(ctx, l, src, workers, func(t *teacher, c event.Chunk) {
		eachMarkedLine(c.Data, marks, func(line []byte) {
			if holdsKey(line, marks.In, &t.scratch) {
				t.learn(line, nil)
			}
		})
	})
}

// learnHolding learns from the teaching telemetry lines holding one of
// keys, every line looked at.
func learnHolding(ctx context.Context, l Learner, src Source, workers int, keys *keySet) error {
	return teachTelemetry(ctx, l, src, workers, func(t *teacher, c event.Chunk) {
		ingest.LinesAnchored(c, engine.EventNameAnchor, func(line []byte, _ int, anchors *ingest.LineAnchors) bool {
			name, hasName := engine.FindEventNameAnchored(line, anchors).Plain()
			if t.teach.teaches(line, name, hasName) && holdsKey(line, keys.heldBy, &t.scratch) {
				t.learnTeaching(line, name, hasName)
			}
			return true
		})
	})
}

// teachTelemetry runs teach on every telemetry chunk of src, with a
// teacher for each of workers goroutines.
func teachTelemetry(ctx context.Context, l Learner, src Source, workers int, teach func(*teacher, event.Chunk)) error {
	lits, needs := l.LearnPrefilter(), l.LearnNeeds()
	keep := func(c *event.Chunk) bool { return c.Kind == event.KindTelemetry }
	return eachChunk(ctx, src, workers, keep, func(jobs <-chan event.Chunk) {
		t := newTeacher(l, lits, needs)
		for c := range jobs {
			teach(t, c)
			t.endChunk()
			ingest.Recycle(c.Data)
		}
	})
}

// holdsKey reports whether line holds a key as in says, read with its \u
// escapes resolved as the decoder resolves them when it has any (a key
// may be spelled in them). buf is scratch.
func holdsKey(line []byte, in func([]byte) bool, buf *[]byte) bool {
	if in(line) {
		return true
	}
	if engine.IndexUnicodeEscape(line) < 0 {
		return false
	}
	*buf = ingest.AppendUnescaped((*buf)[:0], line)
	return in(*buf)
}

// eachMarkedLine calls fn with every line of data holding one of marks'
// keys or a \u escape.
func eachMarkedLine(data []byte, marks *engine.LiteralSet, fn func(line []byte)) {
	// the next of each at or after pos, or past the end when none is
	nextKey, nextEsc := -1, -1
	for pos := 0; pos < len(data); {
		if nextKey < pos {
			nextKey = indexFrom(data, pos, marks.Index)
		}
		if nextEsc < pos {
			nextEsc = indexFrom(data, pos, engine.IndexUnicodeEscape)
		}
		at := min(nextKey, nextEsc)
		if at >= len(data) {
			return
		}
		start := bytes.LastIndexByte(data[:at], '\n') + 1
		end := bytes.IndexByte(data[at:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += at
		}
		fn(data[start:end])
		pos = end + 1
	}
}

// indexFrom is index of data from pos, as an index of data; len(data)
// when there is none.
func indexFrom(data []byte, pos int, index func([]byte) int) int {
	if i := index(data[pos:]); i >= 0 {
		return pos + i
	}
	return len(data)
}

// targetable reports whether looking for keys learns from few lines:
// not too many, none short, none JSON may write otherwise than as it
// reads but with \u escapes (quotes, backslashes, slashes, control
// characters).
func targetable(keys map[string]bool) bool {
	if len(keys) > maxTargetKeys {
		return false
	}
	for k := range keys {
		if len(k) < minTargetKey || strings.ContainsAny(k, "\"\\/") || strings.ContainsFunc(k, func(r rune) bool { return r < 0x20 }) {
			return false
		}
	}
	return true
}
