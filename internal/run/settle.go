package run

import (
	"bytes"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/jsonenc"
)

// contextNameSettler is an enricher that can tell, during the learning
// read, the ContextProcessName it will add to an event.
type contextNameSettler interface {
	SettledContextProcessName(name, aid, pid, base []byte, final bool) (string, bool)
}

// settler lets the learning read drop candidates early. A prefilter passes
// lines that lack a field enrichment adds (the value is not known yet), so
// every network event without ContextProcessName is a candidate until
// learning ends. Once the acting process has been learned the value is
// known: written into the line, it lets the same prefilter decide, and a
// line it rejects is not kept. Lines whose value is still open are kept, as
// before, so results do not change.
type settler struct {
	s       contextNameSettler
	final   bool // learning is over: see SettledContextProcessName
	accepts func(line []byte, name engine.EventName) bool
	buf     []byte
}

var (
	backslashU = []byte(`\u`)
	ctxNameKey = newRawKey(enrich.FieldContextProcessName)
	ctxBaseKey = newRawKey("ContextBaseFileName")
)

// newSettler returns nil when no prefilter tests ContextProcessName or l
// cannot tell it early.
func newSettler(l Learner, filters []*engine.Prefilter, accepts func([]byte, engine.EventName) bool) *settler {
	s, ok := l.(contextNameSettler)
	if !ok {
		return nil
	}
	for _, f := range filters {
		if f.TestsAbsent(enrich.FieldContextProcessName) {
			return &settler{s: s, accepts: accepts}
		}
	}
	return nil
}

// rejects reports whether line, which the prefilter accepted, is rejected
// once the ContextProcessName enrichment will give it is written in.
func (st *settler) rejects(line []byte, name engine.EventName) bool {
	nameVal, ok := name.Plain()
	if !ok || indexKey(line, ctxNameKey) >= 0 || bytes.Contains(line, backslashU) {
		return false // no plain name, has the field, or keys may be escaped: decode it
	}
	pid, ok1 := stringField(line, ctxProcessKey)
	aid, ok2 := stringField(line, aidKey)
	if !ok1 || !ok2 {
		return false
	}
	var base []byte
	if st.final {
		base, _ = stringField(line, ctxBaseKey)
	}
	v, ok := st.s.SettledContextProcessName(nameVal, aid, pid, base, st.final)
	if !ok {
		return false
	}
	end := bytes.LastIndexByte(line, '}')
	if end < 0 || len(bytes.TrimSpace(line[:end])) <= 1 {
		return false // not an object, or an empty one
	}
	b := append(st.buf[:0], line[:end]...)
	b = append(b, ',')
	b = append(b, ctxNameKey.quoted...)
	b = append(b, ':')
	b = jsonenc.AppendString(b, v)
	b = append(b, line[end:]...)
	st.buf = b
	return !st.accepts(b, name)
}
