package engine

// simpleNameKey is the JSON key of the event type, the field most queries
// and rules test first.
const simpleNameKey = "event_simpleName"

var simpleNameFinder = newKeyFinder(simpleNameKey)

// EventName is where FindEventName found a line's event_simpleName. A
// runner that needs the name for its own checks (what teaches enrichment)
// finds it once and hands it to MatchName, so a line's name is located
// once however many parts look at it.
type EventName struct {
	val   []byte // the raw value, when state is keyOnce
	plain bool   // val is a string without escapes
	state uint8
}

// FindEventName locates event_simpleName in a raw NDJSON line, as a
// prefilter would: found once, several times, or not at all.
func FindEventName(line []byte) EventName {
	v, end, ok := simpleNameFinder.next(line, 0)
	if !ok {
		return EventName{state: keyAbsent}
	}
	if _, _, more := simpleNameFinder.next(line, end); more {
		return EventName{state: keyMany}
	}
	return EventName{val: v, plain: isStringValue(line[end:]) && !hasEscape(v), state: keyOnce}
}

// Plain returns the name when the line holds it once, as a string without
// escapes: what decoding would give.
func (n EventName) Plain() ([]byte, bool) {
	return n.val, n.state == keyOnce && n.plain
}
