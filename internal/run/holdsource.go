package run

import (
	"errors"
	"io"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// HoldForEnrichment puts a stream-mode enricher's Holder in front of src
// (standard input): context events that arrive before their process start
// wait for it, within opts' bounds, so stream results match file mode on
// input shuffled within a bounded window. Held lines are blanked in their
// chunk (keeping line numbers for error messages) and come back in an extra
// chunk once released, so the search's line count includes them twice.
// The Holder learns a block of holdBlockChunks chunks before any of them
// goes on, the last marked Barrier: the search applies the block before it
// reads on, so every event of a block is enriched with what the stream
// taught up to the block's end, whatever the workers' timing (a user
// mapping learned later varied between runs). With a nil or file-mode
// enricher src is returned as it is.
//
// The source is read ahead, and what the Holder reads of each line without
// its state is found then, while the Holder learns and the search applies
// (readPart): the Holder's own goroutine is what a stream's search waits
// for.
func HoldForEnrichment(src Source, en *enrich.Enricher, opts enrich.HoldOptions) Source {
	if en == nil || !en.Streaming() {
		return src
	}
	h := en.NewHolder(opts)
	s := &holdSource{src: src, h: h, dec: ingest.NewDecoder(h.LearnNeeds()), teach: newTeachCache(h.LearnPrefilter()),
		block: holdBlockChunks, ahead: make(chan readPart, 1), factsFree: make(chan []lineFacts, 2*HoldReadAhead)}
	s.release = func(line []byte) {
		// the Holder's own copy, never reused: kept until queuePending
		s.pending = append(s.pending, line)
		s.pendBytes += len(line) + 1
	}
	return s
}

// holdBlockChunks: the chunks (a megabyte each from stdin) the Holder learns
// from before they go on together; the workers wait for the Holder at each
// block's end, and it for them.
const holdBlockChunks = 8

type holdSource struct {
	src       Source
	h         *enrich.Holder
	dec       *ingest.Decoder
	ev        event.Event
	pending   [][]byte // lines released, for the next chunk (queuePending)
	pendBytes int
	source    string
	done      bool
	err       error         // the source's, once the block before it is out
	block     int           // chunks of telemetry a block learns from
	queue     []event.Chunk // the block learned, going out
	ahead     chan readPart // the next part, being read (cap 1)
	teach     *teachCache   // readPart's, one goroutine at a time
	// factsFree: facts slices the Holder is done with, for readPart
	factsFree chan []lineFacts
	release   func([]byte)
	reading   bool // readPart was started: on the first Next, not before
}

// readPart is a part of the source as read ahead: its chunks, with what
// admit reads of each telemetry line, then the source's error, if it gave
// one (io.EOF at the end).
type readPart struct {
	chunks  []factChunk
	err     error
	damaged bool // the last chunk came with err: what was read before the damage
}

type factChunk struct {
	c     event.Chunk
	facts []lineFacts // telemetry's, one per line
}

// lineFacts is what the Holder reads of a line without its state: where
// the line ends in its chunk, and whether it teaches (decoded for Admit),
// is a context event with a plain sensor and process id (AdmitContext), or
// neither.
type lineFacts struct {
	end      int32 // in the chunk's data
	aid, pid span  // in the line
	t        float64
	key      enrich.ContextKey // its process, for the prefetch and AdmitContextKey
	kind     uint8
	ends     bool // a context event ending its process
}

// span is where a value lies in its line.
type span struct{ at, end int32 }

// spanIn returns where v, a part of line made by slicing it, lies in it.
func spanIn(line, v []byte) span {
	at := int32(cap(line) - cap(v))
	return span{at, at + int32(len(v))}
}

func (sp span) of(line []byte) []byte { return line[sp.at:sp.end] }

const (
	factsNone uint8 = iota
	factsDecode
	factsContext
)

func (s *holdSource) Next() (event.Chunk, error) {
	if len(s.queue) == 0 {
		s.learnBlock()
	}
	if len(s.queue) == 0 {
		if s.err != nil {
			return event.Chunk{}, s.err
		}
		return event.Chunk{}, io.EOF
	}
	c := s.queue[0]
	s.queue = s.queue[1:]
	return c, nil
}

// learnBlock learns from the next block of the source, holding what waits
// for a process, into s.queue; its last chunk of telemetry is the Barrier.
// The source is read a part ahead: the next part while this one is
// learned, and the next block's first while the search applies this one.
func (s *holdSource) learnBlock() {
	if !s.reading {
		s.reading = true
		go s.readPart()
	}
	for n := 0; n < s.block && !s.done; {
		p := <-s.ahead
		if p.err == nil {
			// One goroutine at a time reads the source: the next starts
			// once this part's reader is done with it.
			go s.readPart()
		}
		for i, fc := range p.chunks {
			if fc.c.Kind != event.KindTelemetry {
				s.queue = append(s.queue, fc.c)
				continue
			}
			n++
			s.source = fc.c.Source
			s.admitChunk(fc.c.Data, fc.facts)
			s.queue = append(s.queue, fc.c)
			if !p.damaged || i < len(p.chunks)-1 {
				s.queuePending()
			}
		}
		if p.err != nil {
			s.done = true
			if errors.Is(p.err, io.EOF) {
				s.h.Flush(s.release)
			} else {
				s.err = p.err
			}
			s.queuePending()
		}
	}
	for i := len(s.queue) - 1; i >= 0; i-- {
		if s.queue[i].Kind == event.KindTelemetry {
			s.queue[i].Barrier = true
			break
		}
	}
}

// HoldReadAhead: the chunks of telemetry the source is read ahead by. A
// whole block (8) took the peak memory of free text over 1.8 GB on
// standard input from 197 to 216 MB, and was no faster than two.
const HoldReadAhead = 2

// partChunks is how many chunks of telemetry a part holds: blocks are
// made of whole parts.
func (s *holdSource) partChunks() int {
	if s.block%HoldReadAhead == 0 {
		return HoldReadAhead
	}
	return 1
}

// readPart reads the next part of the source into s.ahead, finding each
// telemetry line's facts. It stops at the source's error: a chunk given
// with it is kept when it is telemetry (what came before the damage).
func (s *holdSource) readPart() {
	var p readPart
	for n := 0; n < s.partChunks(); {
		c, err := s.src.Next()
		if err != nil {
			if len(c.Data) > 0 && c.Kind == event.KindTelemetry {
				p.chunks = append(p.chunks, factChunk{c, s.factsOf(c.Data)})
				p.damaged = true
			}
			p.err = err
			break
		}
		if c.Kind != event.KindTelemetry {
			p.chunks = append(p.chunks, factChunk{c: c})
			continue
		}
		p.chunks = append(p.chunks, factChunk{c, s.factsOf(c.Data)})
		n++
	}
	s.ahead <- p
}

// factsOf finds the facts of each line of data, in a slice the Holder
// gives back (s.factsFree) once it has used them.
func (s *holdSource) factsOf(data []byte) []lineFacts {
	var facts []lineFacts
	select {
	case facts = <-s.factsFree:
	default:
	}
	var anchors ingest.LineAnchors
	for at := 0; at < len(data); {
		end := len(data)
		if i := ingest.IndexLineAnchored(data[at:], engine.EventNameAnchor, &anchors); i >= 0 {
			end = at + i
		}
		f := s.lineFactsOf(data[at:end], &anchors)
		f.end = int32(end)
		facts = append(facts, f)
		at = end + 1
	}
	return facts
}

// lineFactsOf finds the facts of line, whose event name key's anchors
// anchors lists.
func (s *holdSource) lineFactsOf(line []byte, anchors *ingest.LineAnchors) lineFacts {
	name, hasName := engine.FindEventNameAnchored(line, anchors).Plain()
	if s.teach.teaches(line, name, hasName) {
		return lineFacts{kind: factsDecode}
	}
	pid, found, plainPID := rawField(line, ctxProcessKey)
	if !found {
		return lineFacts{kind: factsNone}
	}
	aid, plainAid := stringField(line, aidKey)
	if !plainAid || !plainPID {
		return lineFacts{kind: factsDecode}
	}
	ends := string(name) == "EndOfProcess" || string(name) == "TerminateProcess"
	return lineFacts{kind: factsContext, ends: ends, t: lineTime(line), aid: spanIn(line, aid), pid: spanIn(line, pid),
		key: s.h.ContextKeyOf(aid, pid)}
}

// prefetchLines: how many lines ahead the Holder prefetches a context
// event's process entry.
const prefetchLines = 8

// queuePending queues the lines released so far as a chunk of their own,
// made once their size is known: appended as they came, its buffer grew by
// doubling, up to twice the lines (15 MB of free text's peak heap over 5.7
// GB on standard input, where a file without process starts has every
// context event released by the Holder's bound).
func (s *holdSource) queuePending() {
	if len(s.pending) > 0 {
		data := make([]byte, 0, s.pendBytes)
		for _, line := range s.pending {
			data = append(append(data, line...), '\n')
		}
		clear(s.pending)
		s.pending, s.pendBytes = s.pending[:0], 0
		s.queue = append(s.queue, event.Chunk{Source: s.source, FirstLine: 1, Data: data, Kind: event.KindTelemetry, Replayed: true})
	}
}

// admitChunk passes each line of data to the Holder and blanks the held
// ones in place (the chunk's buffer is ours: readers hand out fresh ones).
func (s *holdSource) admitChunk(data []byte, facts []lineFacts) {
	at := int32(0)
	for i := range facts {
		if ahead := i + prefetchLines; ahead < len(facts) && facts[ahead].kind == factsContext {
			s.h.PrefetchContext(facts[ahead].key)
		}
		f := &facts[i]
		line := data[at:f.end]
		if s.admit(line, f) {
			for j := range line {
				line[j] = ' '
			}
		}
		at = f.end + 1
	}
	select {
	case s.factsFree <- facts[:0]:
	default:
	}
}

func (s *holdSource) admit(line []byte, f *lineFacts) bool {
	switch f.kind {
	case factsNone:
		return false
	case factsContext:
		return s.h.AdmitContextKey(f.key, f.aid.of(line), f.pid.of(line), f.t, f.ends, line, s.release)
	}
	if s.dec.Decode(line, &s.ev) != nil {
		return false // the search reports malformed lines
	}
	return s.h.Admit(&s.ev, line, s.release)
}
