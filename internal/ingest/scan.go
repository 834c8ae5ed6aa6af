package ingest

import (
	"bytes"
	"errors"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ValueKind is the JSON type of a scanned value.
type ValueKind uint8

const (
	KindString ValueKind = iota
	KindNumber
	KindTrue
	KindFalse
	KindNull
	KindObject
	KindArray
)

// Member is one top-level key and value of a JSON object line, as raw
// slices of the line: nothing is copied or unescaped.
type Member struct {
	Key        []byte // between the quotes, still escaped when KeyEscaped
	KeyEscaped bool
	Kind       ValueKind
	// Raw is a string's contents between the quotes (still escaped when
	// Escaped), or the whole text of any other value.
	Raw     []byte
	Escaped bool
}

// errScan means the line is not JSON the way fastjson reads it; callers
// re-parse with fastjson for a precise message.
var errScan = errors.New("invalid JSON")

// maxScanDepth matches fastjson's nesting limit, so both accept the same
// lines.
const maxScanDepth = 300

// ObjectScanner walks the top-level members of one JSON object without
// building a tree: nested objects and arrays are skipped (and checked) as
// raw text. It accepts exactly the lines fastjson.Parser accepts, which is
// more lenient than RFC 8259 (raw control characters in strings, numbers
// like "1-2", NaN and Inf).
type ObjectScanner struct {
	s    []byte
	i    int
	err  error
	done bool
}

// Reset starts scanning line, which must hold one JSON object (surrounding
// whitespace allowed). It returns false when line does not start with '{'.
func (sc *ObjectScanner) Reset(line []byte) bool {
	sc.s, sc.err, sc.done = line, nil, false
	sc.i = skipSpace(line, 0)
	if sc.i >= len(line) || line[sc.i] != '{' {
		sc.done = true
		sc.err = errScan
		return false
	}
	sc.i = skipSpace(line, sc.i+1)
	if sc.i < len(line) && line[sc.i] == '}' {
		sc.finish(sc.i + 1)
	}
	return true
}

// Err reports a syntax error met while scanning (nil at a clean end).
func (sc *ObjectScanner) Err() error { return sc.err }

func (sc *ObjectScanner) fail() bool {
	sc.err, sc.done = errScan, true
	return false
}

// finish checks that only whitespace follows the object's closing brace.
func (sc *ObjectScanner) finish(i int) {
	sc.done = true
	if skipSpace(sc.s, i) != len(sc.s) {
		sc.err = errScan
	}
}

// Next fills m with the next member and reports whether there was one. At
// the end, Err tells whether the whole line was well formed.
func (sc *ObjectScanner) Next(m *Member) bool {
	if sc.done {
		return false
	}
	s, i := sc.s, sc.i
	if i >= len(s) || s[i] != '"' {
		return sc.fail()
	}
	end, esc, ok := stringEnd(s, i+1)
	if !ok {
		return sc.fail()
	}
	m.Key, m.KeyEscaped = s[i+1:end], esc
	var next int
	if end+2 < len(s) && s[end+1] == ':' && s[end+2] == '"' {
		// `"key":"value"`, as Falcon writes nearly every member
		vend, vesc, ok := stringEnd(s, end+3)
		if !ok {
			return sc.fail()
		}
		m.Kind, m.Raw, m.Escaped = KindString, s[end+3:vend], vesc
		next = vend + 1
		if next+1 < len(s) && s[next] == ',' && s[next+1] == '"' {
			sc.i = next + 1
			return true
		}
	} else {
		i = skipSpace(s, end+1)
		if i >= len(s) || s[i] != ':' {
			return sc.fail()
		}
		i = skipSpace(s, i+1)
		if i >= len(s) {
			return sc.fail()
		}
		if next, ok = sc.value(m, i); !ok {
			return sc.fail()
		}
	}
	i = skipSpace(s, next)
	switch {
	case i >= len(s):
		return sc.fail()
	case s[i] == ',':
		sc.i = skipSpace(s, i+1)
	case s[i] == '}':
		sc.finish(i + 1)
	default:
		return sc.fail()
	}
	return true
}

// value classifies the value starting at s[i] (not whitespace) and returns
// the index just past it.
func (sc *ObjectScanner) value(m *Member, i int) (int, bool) {
	s := sc.s
	m.Escaped = false
	switch s[i] {
	case '"':
		end, esc, ok := stringEnd(s, i+1)
		if !ok {
			return 0, false
		}
		m.Kind, m.Raw, m.Escaped = KindString, s[i+1:end], esc
		return end + 1, true
	case '{', '[':
		end, ok := skipValue(s, i, 1)
		if !ok {
			return 0, false
		}
		m.Kind, m.Raw = KindArray, s[i:end]
		if s[i] == '{' {
			m.Kind = KindObject
		}
		return end, true
	}
	end, kind, ok := scalarEnd(s, i)
	if !ok {
		return 0, false
	}
	m.Kind, m.Raw = kind, s[i:end]
	return end, true
}

// scalarEnd reads a literal or number at s[i] the way fastjson does.
func scalarEnd(s []byte, i int) (int, ValueKind, bool) {
	rest := s[i:]
	switch s[i] {
	case 't':
		if bytes.HasPrefix(rest, []byte("true")) {
			return i + 4, KindTrue, true
		}
		return 0, 0, false
	case 'f':
		if bytes.HasPrefix(rest, []byte("false")) {
			return i + 5, KindFalse, true
		}
		return 0, 0, false
	case 'n':
		if bytes.HasPrefix(rest, []byte("null")) {
			return i + 4, KindNull, true
		}
		if len(rest) >= 3 && strings.EqualFold(string(rest[:3]), "nan") {
			return i + 3, KindNumber, true
		}
		return 0, 0, false
	}
	for j, c := range rest {
		if '0' <= c && c <= '9' || c == '.' || c == '-' || c == 'e' || c == 'E' || c == '+' {
			continue
		}
		if j == 0 || j == 1 && (rest[0] == '-' || rest[0] == '+') {
			if len(rest) >= j+3 {
				w := string(rest[j : j+3])
				if strings.EqualFold(w, "inf") || strings.EqualFold(w, "nan") {
					return i + j + 3, KindNumber, true
				}
			}
			return 0, 0, false
		}
		return i + j, KindNumber, true
	}
	return len(s), KindNumber, true
}

// skipValue skips the object or array at s[i] and everything nested in it,
// checking its syntax; depth counts enclosing containers (fastjson's limit).
func skipValue(s []byte, i, depth int) (int, bool) {
	depth++
	if depth > maxScanDepth {
		return 0, false
	}
	closing := byte('}')
	if s[i] == '[' {
		closing = ']'
	}
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == closing {
		return i + 1, true
	}
	for {
		if depth+1 > maxScanDepth { // fastjson counts scalars as a level too
			return 0, false
		}
		if closing == '}' {
			if i >= len(s) || s[i] != '"' {
				return 0, false
			}
			end, _, ok := stringEnd(s, i+1)
			if !ok {
				return 0, false
			}
			i = skipSpace(s, end+1)
			if i >= len(s) || s[i] != ':' {
				return 0, false
			}
			i = skipSpace(s, i+1)
		}
		if i >= len(s) {
			return 0, false
		}
		var ok bool
		switch s[i] {
		case '"':
			var end int
			end, _, ok = stringEnd(s, i+1)
			i = end + 1
		case '{', '[':
			i, ok = skipValue(s, i, depth)
		default:
			i, _, ok = scalarEnd(s, i)
		}
		if !ok {
			return 0, false
		}
		i = skipSpace(s, i)
		if i >= len(s) {
			return 0, false
		}
		switch s[i] {
		case ',':
			i = skipSpace(s, i+1)
		case closing:
			return i + 1, true
		default:
			return 0, false
		}
	}
}

func skipSpace(s []byte, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r') {
		i++
	}
	return i
}

// appendUnescaped appends the JSON string contents raw to dst with escapes
// resolved. Like fastjson, it keeps malformed escapes as written rather
// than failing, so both decoders produce the same text.
func appendUnescaped(dst, raw []byte) []byte {
	for {
		n := bytes.IndexByte(raw, '\\')
		if n < 0 || n+1 >= len(raw) { // a lone trailing backslash stays as written
			return append(dst, raw...)
		}
		dst = append(dst, raw[:n]...)
		c := raw[n+1]
		raw = raw[n+2:]
		switch c {
		case '"', '\\', '/':
			dst = append(dst, c)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			dst, raw = appendUnicodeEscape(dst, raw)
		default:
			dst = append(dst, '\\', c)
		}
	}
}

// appendUnicodeEscape resolves the XXXX of a \uXXXX escape (raw starts at
// XXXX), pairing surrogates; malformed escapes stay as written.
func appendUnicodeEscape(dst, raw []byte) ([]byte, []byte) {
	x, ok := hex4(raw)
	if !ok {
		return append(dst, `\u`...), raw
	}
	hi := raw[:4]
	raw = raw[4:]
	if !utf16.IsSurrogate(rune(x)) {
		return utf8.AppendRune(dst, rune(x)), raw
	}
	if len(raw) < 6 || raw[0] != '\\' || raw[1] != 'u' {
		return append(append(dst, `\u`...), hi...), raw
	}
	lo, ok := hex4(raw[2:])
	if !ok {
		return append(append(dst, `\u`...), hi...), raw
	}
	return utf8.AppendRune(dst, utf16.DecodeRune(rune(x), rune(lo))), raw[6:]
}

// hex4 parses exactly four hex digits (what strconv.ParseUint(s, 16, 16)
// accepts for a 4-byte s), without allocating.
func hex4(b []byte) (uint32, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var x uint32
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		x = x<<4 | uint32(c)
	}
	return x, true
}

// AppendUnescaped appends the JSON string contents raw, unescaped, to dst,
// as the decoder reads them.
func AppendUnescaped(dst, raw []byte) []byte { return appendUnescaped(dst, raw) }
