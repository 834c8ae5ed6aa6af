package engine

import "github.com/tiercel/tiercel/internal/ingest"

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
	v, end, str, ok := simpleNameFinder.next(line, 0)
	if !ok {
		return EventName{state: keyAbsent}
	}
	if _, _, _, more := simpleNameFinder.next(line, end); more {
		return EventName{state: keyMany}
	}
	return nameOnce(v, str)
}

// nameOnce is the EventName of a line holding the key once, its value v
// (str: a string's contents).
func nameOnce(v []byte, str bool) EventName {
	return EventName{val: v, plain: str && !hasEscape(v), state: keyOnce}
}

// EventNameAnchor is the byte the event name key is looked for by (its
// anchor, KeyAnchor), for a line's cut to list (ingest.LinesAnchored).
var EventNameAnchor = simpleNameFinder.needle[simpleNameFinder.anchor]

// FindEventNameAnchored is FindEventName for a line whose EventNameAnchor
// bytes anchors lists, as found in the pass that found the line's end:
// the key is checked there alone, without a scan of the line (which took
// a tenth of a search's time on one core). Unlisted anchors (nil, or too
// many) have the line scanned.
func FindEventNameAnchored(line []byte, anchors *ingest.LineAnchors) EventName {
	if !anchors.Known() {
		return FindEventName(line)
	}
	k := &simpleNameFinder
	name := EventName{state: keyAbsent}
	from := 0 // past the key found: a second one there makes the name keyMany
	for _, p := range anchors.Positions() {
		if int(p) < from {
			continue
		}
		if v, end, str, ok := k.at(line, int(p)); ok {
			if name.state == keyOnce {
				return EventName{state: keyMany}
			}
			name = nameOnce(v, str)
			from = end + k.anchor
		}
	}
	return name
}

// Located reports whether FindEventName made n: the zero EventName is
// not looked for yet, and a prefilter given it looks for itself.
func (n EventName) Located() bool { return n.state != keyUnknown }

// Plain returns the name when the line holds it once, as a string without
// escapes: what decoding would give.
func (n EventName) Plain() ([]byte, bool) {
	return n.val, n.state == keyOnce && n.plain
}

// Matcher is a Prefilter keeping what it located in the last line it
// matched, for one goroutine. A runner that learns, while matching, the
// value enrichment will give a field the line lacks can match the line
// again with that value (MatchSettled) without locating anything twice.
type Matcher struct {
	f    *Prefilter
	line []byte
	c    keyCache
	// names remembers the prefilter's tests of event names by name
	names NameMemo[*nameAnswers]
}

// NewMatcher returns a Matcher for f; a nil Prefilter's, nil, accepts
// all as f does.
func (f *Prefilter) NewMatcher() *Matcher {
	if f == nil {
		return nil
	}
	m := &Matcher{f: f.compiled()}
	m.c.memo = &m.names
	return m
}

// KeySlot returns the slot of field's key in f's per-line cache, or -1 when
// f does not cache it (MatchSettled cannot give it).
func (f *Prefilter) KeySlot(field string) int {
	if f == nil {
		return -1
	}
	k, ok := f.compiled().keys[field]
	if !ok {
		return -1
	}
	return k
}

// Match is MatchName, remembering the line and what was located in it.
func (m *Matcher) Match(line []byte, name EventName) bool {
	if m == nil {
		return true
	}
	m.line = line
	m.c.reset()
	m.f.seedName(&m.c, name)
	return m.f.node.match(line, &m.c)
}

// Name returns the event name of the last line Match was given, as
// FindEventName would find it, when Match was given it or located it;
// else the zero EventName (not Located).
func (m *Matcher) Name() EventName {
	k := m.f.nameKey
	if k < 0 {
		return EventName{}
	}
	switch st := m.c.state[k]; st {
	case keyOnce:
		v := m.c.val[k]
		return EventName{val: v, plain: m.c.str[k] && !hasEscape(v), state: keyOnce}
	case keyMany, keyAbsent:
		return EventName{state: st}
	}
	return EventName{}
}

// Absent reports whether the last line lacks the key in slot (looking
// for it when Match did not need to): it is not there, and no key of the
// line is written with a \u escape that could hide it (values may hold
// escapes: readers of the line's values resolve them or leave it).
func (m *Matcher) Absent(slot int) bool {
	if slot < 0 {
		return false
	}
	m.c.locate(m.line, slot, &m.f.finders[slot])
	return m.c.state[slot] == keyAbsent && !m.c.mayHideKeys(m.line)
}

// Settled is what enrichment is known to give a field the last line
// lacks (Absent), at its slot: Value (raw JSON string contents, escaped as
// in a line), or, Absent, nothing.
type Settled struct {
	Slot   int
	Value  []byte
	Absent bool
}

// MatchSettled matches the last line again as if it held the settled
// fields: once with their values, or known absent (tests of such a field
// fail instead of passing for want of it).
func (m *Matcher) MatchSettled(settled ...Settled) bool {
	c := m.c
	for _, s := range settled {
		if s.Slot == m.f.nameKey {
			c.answers = nil // found for the line's own name
		}
		if s.Absent {
			c.state[s.Slot] = keyKnownAbsent
		} else {
			c.state[s.Slot], c.val[s.Slot], c.str[s.Slot] = keyOnce, s.Value, true
		}
	}
	return m.f.node.match(m.line, &c)
}
