package engine

import (
	"bytes"
	"encoding/binary"

	"github.com/tiercel/tiercel/internal/ingest"
)

// maxLocatedKeys bounds the distinct JSON keys whose value one Match
// remembers; nodes on further keys search the line themselves.
const maxLocatedKeys = 8

// What a line holds for a key, found on first use.
const (
	keyUnknown uint8 = iota
	keyOnce          // exactly one occurrence: val
	keyMany          // several (nested objects, duplicates): test them all
	keyAbsent        // none: test the whole line (the key may be escaped)
	// keyKnownAbsent: none, and enrichment is known to add none
	// (Matcher.MatchSettled): a field it may add fails its tests
	keyKnownAbsent
)

// keyCache remembers, for one line, what each located key holds, so the
// clauses of a case testing the same field find it once. It lives on the
// stack of Match.
type keyCache struct {
	state   [maxLocatedKeys]uint8
	val     [maxLocatedKeys][]byte
	str     [maxLocatedKeys]bool // val is a string's contents
	esc     uint8                // 0: not looked at; 1: the line has no \u escape; 2: it has
	kesc    uint8                // the same for a \u escape in a key (mayHideKeys)
	odd     uint8                // the same for mayHideEscaped
	buf     []byte               // a value rewritten by appendCanonical (matchValue)
	scratch []byte               // appendCanonical's
	line    []byte               // the line with its escapes resolved, when res is 1
	res     uint8
	memo    *NameMemo[*nameAnswers] // a Matcher's answers by event name, else nil
	answers *nameAnswers            // memo's entry for the line's event name, once looked up
	// LogScale's "#event_simpleName" key, located once a line lacking
	// event_simpleName is tested on it (locateTag)
	tag    uint8
	tagVal []byte
	tagStr bool
}

// resolvedLine returns line with its escapes resolved, once a line.
func (c *keyCache) resolvedLine(line []byte) []byte {
	if c.res == 0 {
		c.res = 1
		c.line = ingest.AppendUnescaped(c.line[:0], line)
	}
	return c.line
}

// reset forgets the last line. A value is read only where its state says
// it was located, so the values are left as they are: clearing them too
// showed in the profile of a learning search, once a line.
func (c *keyCache) reset() {
	c.state = [maxLocatedKeys]uint8{}
	c.esc, c.kesc, c.odd, c.res, c.tag = 0, 0, 0, 0, keyUnknown
	c.answers = nil
}

// locateTag finds LogScale's "#event_simpleName" key in line, once a
// line: found once, several times, or not at all.
func (c *keyCache) locateTag(line []byte) uint8 {
	if c.tag == keyUnknown {
		c.tag = keyAbsent
		if v, end, str, ok := tagNameFinder.next(line, 0); ok {
			c.tag, c.tagVal, c.tagStr = keyOnce, v, str
			if _, _, _, more := tagNameFinder.next(line, end); more {
				c.tag = keyMany
			}
		}
	}
	return c.tag
}

var tagNameFinder = newKeyFinder("#event_simpleName")

// locate finds what line holds for the key in slot, unless it was looked
// for already.
func (c *keyCache) locate(line []byte, slot int, finder *keyFinder) {
	if c.state[slot] != keyUnknown {
		return
	}
	c.state[slot] = keyAbsent
	if v, end, str, ok := finder.next(line, 0); ok {
		c.state[slot], c.val[slot], c.str[slot] = keyOnce, v, str
		if _, _, _, more := finder.next(line, end); more {
			c.state[slot] = keyMany
		}
	}
}

// hasEscape reports whether line holds a \u escape (HasUnicodeEscape).
func (c *keyCache) hasEscape(line []byte) bool {
	if c.esc == 0 {
		c.esc = 1
		if HasUnicodeEscape(line) {
			c.esc = 2
		}
	}
	return c.esc == 2
}

// mayHideKeys reports whether keys could be written with escapes in line:
// plain keys ([A-Za-z0-9_]) can only be escaped as \u sequences, and only
// a key holding one can be a plain key in disguise. Lines whose values
// hold \u escapes (non-ASCII text written by ensure_ascii encoders) thus
// still have their missing keys known missing.
func (c *keyCache) mayHideKeys(line []byte) bool {
	if c.kesc == 0 {
		c.kesc = 1
		if c.hasEscape(line) && escapedKey(line) {
			c.kesc = 2
		}
	}
	return c.kesc == 2
}

// escapedKey reports whether a key of the JSON text raw may hold a \u
// escape: a string holding one is followed by a colon. Text JSON does
// not allow there (a lone backslash at the end, a string not closed)
// counts as a key.
func escapedKey(raw []byte) bool {
	for i := bytes.IndexByte(raw, '\\'); i >= 0; {
		if i+1 >= len(raw) {
			return true
		}
		next := i + 2 // past a two-byte escape
		if raw[i+1] == 'u' {
			end := closingQuote(raw, next)
			if end < 0 {
				return true
			}
			k := end + 1
			for k < len(raw) && isJSONSpace(raw[k]) {
				k++
			}
			if k < len(raw) && raw[k] == ':' {
				return true
			}
			next = end + 1
		}
		j := bytes.IndexByte(raw[next:], '\\')
		if j < 0 {
			return false
		}
		i = next + j
	}
	return false
}

// closingQuote returns the index of the first quote at or after from that
// no backslash escapes (-1: none): the end of the string from is in.
func closingQuote(raw []byte, from int) int {
	for from < len(raw) {
		q := bytes.IndexByte(raw[from:], '"')
		if q < 0 {
			return -1
		}
		q += from
		if !escaped(raw, q) {
			return q
		}
		from = q + 1
	}
	return -1
}

// keyFinder finds a key (`"name"` then a colon) in raw JSON. It scans for
// the key's rarest byte with IndexByte and checks the rest around it: a
// search led by the opening quote would stop at every string in the line.
type keyFinder struct {
	needle []byte // the key with its quotes
	anchor int    // offset in needle of the byte to scan for
	// words: the needle's bytes from 0, 8 and len-8, when it has 8 to 24
	// (most keys), compared as words (is)
	words [3]uint64
}

func newKeyFinder(key string) keyFinder {
	n := []byte(`"` + key + `"`)
	k := keyFinder{needle: n, anchor: KeyAnchor(n)}
	if len(n) >= 8 && len(n) <= 24 {
		k.words = [3]uint64{binary.LittleEndian.Uint64(n), binary.LittleEndian.Uint64(n[min(8, len(n)-8):]), binary.LittleEndian.Uint64(n[len(n)-8:])}
	}
	return k
}

// KeyAnchor returns the offset in a quoted key of the byte to scan for
// when looking for the key in raw NDJSON: its rarest byte. A search led by
// the opening quote would stop at every string in the line.
func KeyAnchor(quoted []byte) int {
	best := 0
	for i := 1; i < len(quoted)-1; i++ {
		if best == 0 || byteCommonness(quoted[i]) < byteCommonness(quoted[best]) {
			best = i
		}
	}
	return best
}

// byteCommonness ranks how often a byte occurs in Falcon NDJSON: structure
// and digits everywhere, lower-case letters and hex in most values,
// upper-case letters mostly at the start of CamelCase keys, C the most
// (Context..., Config...), then T, S, I, N and P (counted on FDR-shaped
// data: about 8, 4 and 3 a line), and '_' in two keys a line.
func byteCommonness(c byte) int {
	switch {
	case c == '"' || c == ':' || c == ',' || c == '.' || '0' <= c && c <= '9':
		return 9
	case 'a' <= c && c <= 'f':
		return 8
	case 'a' <= c && c <= 'z':
		return 7
	case c == 'C':
		return 6
	case bytes.IndexByte([]byte("TSINP"), c) >= 0:
		return 5
	case bytes.IndexByte([]byte("EFHRBDVA"), c) >= 0:
		return 4
	case 'A' <= c && c <= 'Z' || c == '_':
		return 3
	}
	return 2
}

// next finds the first occurrence of the key at or after from and returns
// its value (see jsonValueAfterKey: str when a string's contents) and the
// index just past the key.
func (k *keyFinder) next(line []byte, from int) (val []byte, end int, str, ok bool) {
	a := k.needle[k.anchor]
	for i := from + k.anchor; i < len(line); {
		j := bytes.IndexByte(line[i:], a)
		if j < 0 {
			break
		}
		i += j + 1
		if v, end, str, ok := k.at(line, i-1); ok {
			return v, end, str, true
		}
	}
	return nil, 0, false, false
}

// at reports whether the anchor byte at i of line is the key's, followed
// by a colon, and returns its value, where the key ends, and whether the
// value is a string's contents (str).
func (k *keyFinder) at(line []byte, i int) (val []byte, end int, str, ok bool) {
	start := i - k.anchor
	end = start + len(k.needle)
	if start < 0 || end > len(line) || !k.is(line[start:end]) || escaped(line, start) {
		return nil, 0, false, false
	}
	if v, str, ok := jsonValueAfterKey(line[end:]); ok {
		return v, end, str, true
	}
	return nil, 0, false, false
}

// is reports whether b, as long as the needle, is it: as three words for
// a needle of 8 to 24 bytes (a call to compare them cost more than this).
func (k *keyFinder) is(b []byte) bool {
	n := len(k.needle)
	if n < 8 || n > 24 || len(b) != n {
		return string(b) == string(k.needle)
	}
	return binary.LittleEndian.Uint64(b) == k.words[0] &&
		binary.LittleEndian.Uint64(b[min(8, n-8):]) == k.words[1] &&
		binary.LittleEndian.Uint64(b[n-8:]) == k.words[2]
}

// escaped reports whether the quote at q is preceded by an odd number of
// backslashes.
func escaped(line []byte, q int) bool {
	n := 0
	for k := q - 1; k >= 0 && line[k] == '\\'; k-- {
		n++
	}
	return n%2 == 1
}

// mayHide reports whether line may hold a free-text literal its raw text
// does not: through \u escapes, and for a literal with a backslash or a
// control character (esc) as mayHideEscaped tells.
func (c *keyCache) mayHide(line []byte, esc bool) bool {
	if c.hasEscape(line) {
		return true
	}
	if !esc {
		return false
	}
	if c.odd == 0 {
		c.odd = 1
		if mayHideEscaped(line) {
			c.odd = 2
		}
	}
	return c.odd == 2
}

// matchField tests the key's value. A line where the key occurs several
// times (nested objects) has every occurrence tested. A line without it
// fails, unless its keys could be escaped or named otherwise; it is then
// tested whole (absent reports which).
func (n *pfNode) matchField(line []byte, c *keyCache) bool {
	if n.key < 0 {
		return n.matchEvery(line, c)
	}
	c.locate(line, n.key, &n.finder)
	switch c.state[n.key] {
	case keyOnce:
		if n.nameBit != 0 && c.memo != nil && c.str[n.key] {
			return n.matchName(c)
		}
		return n.matchValue(c.val[n.key], c.str[n.key], c)
	case keyMany:
		return n.matchEvery(line, c)
	}
	// absent: a field enrichment may add passes, unless it is known to add none
	return n.orAbsent && c.state[n.key] != keyKnownAbsent || n.absentMatch(line, c)
}

// matchValue tests one value of the key (str: a string's contents). An
// escape may spell any character of a literal: a string holding \u
// escapes, or one that may spell a backslash or control character in
// another way than a literal's raw text does (mayHideEscaped), is tested
// rewritten as literals are written (appendCanonical); other values
// holding one pass.
func (n *pfNode) matchValue(v []byte, str bool, c *keyCache) bool {
	if n.kids[0].match(v, c) {
		return true
	}
	if !spelledOtherwise(v, n.esc) {
		return false
	}
	if !str {
		return true
	}
	c.buf = appendCanonical(c.buf[:0], &c.scratch, v)
	return n.kids[0].match(c.buf, c)
}

// absentMatch tests a line lacking the plain key. Its keys may be written
// with \u escapes: it is tested whole. For event_simpleName it may carry
// LogScale's "#event_simpleName" instead (events exported from LogScale,
// a table() of tiercel's JSON output), which decoding reads as the tag:
// the value of that key, when the line has it once, is tested like the
// plain key's. A test of the raw event_simpleName field fails on such a
// line anyway, and prefilters hold no negated tests, so no line that
// matches is rejected.
func (n *pfNode) absentMatch(line []byte, c *keyCache) bool {
	if c.mayHideKeys(line) {
		return c.esc == 2 || n.kids[0].match(line, c)
	}
	if string(n.finder.needle) != `"event_simpleName"` {
		return false
	}
	switch c.locateTag(line) {
	case keyOnce:
		return n.matchValue(c.tagVal, c.tagStr, c)
	case keyMany:
		return c.esc == 2 || n.kids[0].match(line, c)
	}
	return false
}

// matchEvery tests the value of every occurrence of the key, or the whole
// line when there is none.
func (n *pfNode) matchEvery(line []byte, c *keyCache) bool {
	found := false
	for from := 0; ; {
		v, end, str, ok := n.finder.next(line, from)
		if !ok {
			break
		}
		found = true
		if n.matchValue(v, str, c) {
			return true
		}
		from = end
	}
	return !found && (n.orAbsent || n.absentMatch(line, c))
}
