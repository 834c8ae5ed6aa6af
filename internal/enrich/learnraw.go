package enrich

import (
	"unsafe"

	"github.com/tiercel/tiercel/internal/ingest"
)

// RawLearner learns process starts straight from their raw NDJSON lines.
// Decoding a process start into an event only to read ten fields back out
// of it was most of what learning cost; this walks the line's members once
// and reads those fields where they lie. One per goroutine.
type RawLearner struct {
	e    *Enricher
	sc   ingest.ObjectScanner
	bufs [numProcFields][]byte
}

// NewRawLearner returns a RawLearner feeding e.
func (e *Enricher) NewRawLearner() *RawLearner { return &RawLearner{e: e} }

// Learn learns line, a process start named name (its event_simpleName as
// written, without escapes), as Learn would learn its decoded event, and
// reports true. It reports false, having learned nothing, for any line it
// leaves to the decoder: another event type, invalid JSON, escaped keys,
// and starts that name their user (identity learning reads the event
// time).
func (r *RawLearner) Learn(name, line []byte) bool {
	if !isProcessStart(string(name)) || !r.sc.Reset(line) {
		return false
	}
	var f procFields
	var m ingest.Member
	for r.sc.Next(&m) {
		if m.KeyEscaped {
			return false
		}
		slot := procFieldSlot(m.Key)
		if slot < 0 {
			continue
		}
		if slot == pfUserName {
			return false
		}
		// as the decoder: null, objects and arrays set nothing, and the
		// last value of a repeated key wins
		switch m.Kind {
		case ingest.KindNull, ingest.KindObject, ingest.KindArray:
			continue
		}
		v := m.Raw
		if m.Kind == ingest.KindString && m.Escaped {
			r.bufs[slot] = ingest.AppendUnescaped(r.bufs[slot][:0], m.Raw)
			v = r.bufs[slot]
		}
		// borrowed from line or bufs: the tables copy what they keep
		f[slot] = unsafe.String(unsafe.SliceData(v), len(v))
	}
	if r.sc.Err() != nil {
		return false
	}
	r.e.learnProcessFields(&f, false, nil)
	return true
}

// procFieldSlot returns the index in procFields of a top-level key, or -1.
// A switch: it runs on every member of every process start.
func procFieldSlot(key []byte) int {
	switch string(key) {
	case fAid:
		return pfAid
	case fTargetProcessId:
		return pfPID
	case fUserSid:
		return pfUserSid
	case fAuthID:
		return pfAuthID
	case fUID:
		return pfUID
	case FieldUserName:
		return pfUserName
	case fImageFileName:
		return pfImage
	case fCommandLine:
		return pfCmdline
	case fParentBaseFile:
		return pfParentBase
	case fParentProcessId:
		return pfParentPID
	}
	return -1
}
