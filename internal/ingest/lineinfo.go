package ingest

// LineInfo is what the event store and the server read of a raw line
// without decoding it into an event: its time, Falcon id and event type.
type LineInfo struct {
	Time   int64  // @timestamp in epoch ms as design §5 derives it; 0 when none
	ID     []byte // the Falcon "id" (a slice of the line; escaped as written)
	Simple []byte // event_simpleName, likewise
}

// ReadLineInfo scans the top-level members of one NDJSON line. It reports
// false when the line is not one well-formed JSON object. The slices in
// info point into line.
func ReadLineInfo(line []byte, info *LineInfo) bool {
	*info = LineInfo{}
	var sc ObjectScanner
	if !sc.Reset(line) {
		return false
	}
	// the time comes from the members the decoder derives @timestamp from
	var texts, bufs [numSources][]byte
	var has [numSources]bool
	var m Member
	for sc.Next(&m) {
		key := m.Key
		if m.KeyEscaped {
			key = AppendUnescaped(nil, key) // as the decoder reads it (rare)
		}
		switch src := sourceOf(key); {
		case src >= srcISO && src <= srcContext:
			texts[src], has[src] = sourceText(&m, &bufs[src])
		case src == srcSimpleName:
			if m.Kind == KindString {
				info.Simple = m.Raw
			}
		case string(key) == "id":
			if m.Kind == KindString || m.Kind == KindNumber {
				info.ID = m.Raw
			}
		}
	}
	if sc.Err() != nil {
		return false
	}
	info.Time, _ = sourcesMillis(&texts, &has)
	return true
}
