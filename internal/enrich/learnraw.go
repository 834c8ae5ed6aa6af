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

const numProcFields = 10

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
		var dst *string
		var slot int
		switch string(m.Key) {
		case fAid:
			dst, slot = &f.aid, 0
		case fTargetProcessId:
			dst, slot = &f.pid, 1
		case fUserSid:
			dst, slot = &f.userSid, 2
		case fAuthID:
			dst, slot = &f.authID, 3
		case fUID:
			dst, slot = &f.uid, 4
		case fImageFileName:
			dst, slot = &f.image, 5
		case fCommandLine:
			dst, slot = &f.cmdline, 6
		case fParentBaseFile:
			dst, slot = &f.parentBase, 7
		case fParentProcessId:
			dst, slot = &f.parentPID, 8
		case FieldUserName:
			return false
		default:
			continue
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
		*dst = unsafe.String(unsafe.SliceData(v), len(v))
	}
	if r.sc.Err() != nil {
		return false
	}
	r.e.learnProcessFields(&f, nil)
	return true
}
