package engine

import (
	"bytes"
	"encoding/binary"
	"regexp/syntax"
	"strings"
	"unsafe"
)

// plainRegex is a regex that is one literal, maybe anchored at the start
// or end of the value, maybe ignoring case: what Sigma's contains,
// startswith, endswith and plain values convert to (/\\cmd\.exe$/i). Such
// a pattern is decided with string comparisons instead of a regex run, on
// ASCII values; others go to the regex, so that Unicode case folding (the
// Kelvin sign is a k) stays the engine's.
type plainRegex struct {
	lit        []byte  // lower-cased when fold
	first      [2]byte // lit's first byte in both cases (containsFold)
	fold       bool
	start, end bool // anchored at the start, at the end of the value
}

// plainOf returns the plain form of an RE2 pattern's simplified tree, or
// nil.
func plainOf(tree *syntax.Regexp) *plainRegex {
	subs := []*syntax.Regexp{tree}
	if tree.Op == syntax.OpConcat {
		subs = tree.Sub
	}
	p := &plainRegex{}
	if len(subs) > 0 && subs[0].Op == syntax.OpBeginText {
		p.start, subs = true, subs[1:]
	}
	if n := len(subs); n > 0 && subs[n-1].Op == syntax.OpEndText {
		p.end, subs = true, subs[:n-1]
	}
	if len(subs) != 1 || subs[0].Op != syntax.OpLiteral {
		return nil
	}
	lit := subs[0]
	p.fold = lit.Flags&syntax.FoldCase != 0
	for _, r := range lit.Rune {
		if r >= 0x80 {
			return nil
		}
	}
	text := string(lit.Rune)
	if p.fold {
		text = strings.ToLower(text)
	}
	p.lit = []byte(text)
	p.first = [2]byte{p.lit[0], upperByte(p.lit[0])}
	return p
}

// match decides s, an ASCII value.
func (p *plainRegex) match(s string) bool {
	v, n := unsafe.Slice(unsafe.StringData(s), len(s)), len(p.lit)
	switch {
	case len(v) < n:
		return false
	case p.start && p.end:
		return len(v) == n && p.equal(v)
	case p.start:
		return p.equal(v[:n])
	case p.end:
		return p.equal(v[len(v)-n:])
	case !p.fold:
		return bytes.Contains(v, p.lit)
	}
	return containsFold(v, p.lit, p.first)
}

// equal compares v, as long as the literal, with it.
func (p *plainRegex) equal(v []byte) bool {
	if !p.fold {
		return bytes.Equal(v, p.lit)
	}
	return equalFoldBytes(v, p.lit)
}

// IsASCII reports whether b has no byte of 0x80 or more.
func IsASCII(b []byte) bool { return isASCII(unsafe.String(unsafe.SliceData(b), len(b))) }

// isASCII reports whether s has no byte of 0x80 or more, eight bytes at a
// time.
func isASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
