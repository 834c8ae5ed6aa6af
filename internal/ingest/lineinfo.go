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
	var texts [3][]byte // @timestamp, timestamp, ContextTimeStamp: the §5 order
	var m Member
	for sc.Next(&m) {
		key := m.Key
		if m.KeyEscaped {
			key = AppendUnescaped(nil, key) // as the decoder reads it (rare)
		}
		switch string(key) {
		case "@timestamp":
			texts[0] = timeText(&m)
		case "timestamp":
			texts[1] = timeText(&m)
		case "ContextTimeStamp":
			texts[2] = timeText(&m)
		case "id":
			if m.Kind == KindString || m.Kind == KindNumber {
				info.ID = m.Raw
			}
		case "event_simpleName":
			if m.Kind == KindString {
				info.Simple = m.Raw
			}
		}
	}
	if sc.Err() != nil {
		return false
	}
	for _, t := range texts {
		if t == nil {
			continue
		}
		if ms, ok := parseMillis(t); ok {
			info.Time = ms
			break
		}
	}
	return true
}

// timeText is a time member's text as the decoder reads it: a string
// written with escapes unescaped (rare).
func timeText(m *Member) []byte {
	if m.Escaped {
		return AppendUnescaped(nil, m.Raw)
	}
	return m.Raw
}
