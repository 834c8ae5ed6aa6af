package engine

import (
	"bytes"
	"encoding/binary"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// plainRegex is a regex that is one literal, maybe anchored at the start
// or end of the value, maybe ignoring case: what Sigma's contains,
// startswith, endswith and plain values convert to (/\\cmd\.exe$/i). Such
// a pattern is decided with string comparisons instead of a regex run;
// ignoring case, on ASCII values only, so that Unicode case folding (the
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
	if p, lines := plainLiteral(tree); !lines {
		return p
	}
	return nil
}

// plainLiteral is plainOf also taking the anchors of a line (multi-line
// mode's ^ and $), which lines reports: they are the value's own on a value
// without a newline.
func plainLiteral(tree *syntax.Regexp) (p *plainRegex, lines bool) {
	subs := []*syntax.Regexp{tree}
	if tree.Op == syntax.OpConcat {
		subs = tree.Sub
	}
	p = &plainRegex{}
	if len(subs) > 0 && (subs[0].Op == syntax.OpBeginText || subs[0].Op == syntax.OpBeginLine) {
		p.start, lines, subs = true, subs[0].Op == syntax.OpBeginLine, subs[1:]
	}
	if n := len(subs); n > 0 && (subs[n-1].Op == syntax.OpEndText || subs[n-1].Op == syntax.OpEndLine) {
		p.end, lines, subs = true, lines || subs[n-1].Op == syntax.OpEndLine, subs[:n-1]
	}
	if len(subs) != 1 || subs[0].Op != syntax.OpLiteral {
		return nil, false
	}
	lit := subs[0]
	p.fold = lit.Flags&syntax.FoldCase != 0
	for _, r := range lit.Rune {
		if r == utf8.RuneError || p.fold && foldsToASCII(r) {
			// U+FFFD is also what the regex makes of bytes that are not
			// UTF-8; ignoring case, the Kelvin sign is a k
			return nil, false
		}
	}
	text := string(lit.Rune)
	if p.fold {
		text = strings.ToLower(text)
	}
	p.lit = []byte(text)
	p.first = [2]byte{p.lit[0], upperByte(p.lit[0])}
	return p, lines
}

// decides reports whether match decides s: a value ignoring case only
// when ASCII (Unicode folding is the regex's; a rune past ASCII that no
// ASCII byte folds to, a Cyrillic Ј, is then in no such value), any other
// one byte for byte (UTF-8 keeps every rune's bytes apart: none starts
// inside another's, and bytes that are not UTF-8 never spell the literal's
// runes).
func (p *plainRegex) decides(s string) bool { return !p.fold || isASCII(s) }

// match decides s, a value decides accepts.
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

// literalReplacer is replace() with a pattern plainLiteral takes and a
// replacement without group references: what Sigma's registry rules
// convert to (replace("(?i)^\\\\REGISTRY\\\\MACHINE", with="HKLM")),
// each of 242 of them on every registry event. Decided by comparisons, it
// costs a regex run's tenth.
type literalReplacer struct {
	p     *plainRegex
	lines bool // the anchors are a line's: only values without a newline
	with  string
}

// literalReplacerOf returns the literalReplacer of r and with, or nil.
func literalReplacerOf(r *lsRegex, with string) *literalReplacer {
	if r.tree == nil || len(r.groups) > 0 || strings.Contains(with, "$") {
		return nil
	}
	p, lines := plainLiteral(r.tree)
	if p == nil {
		return nil
	}
	return &literalReplacer{p: p, lines: lines, with: with}
}

// replace returns v with every match of the literal replaced, as the
// regex's ReplaceAllString would; false when it cannot tell (the regex's
// to do).
func (l *literalReplacer) replace(v string) (string, bool) {
	if !l.p.decides(v) || l.lines && strings.IndexByte(v, '\n') >= 0 {
		return "", false
	}
	p, n := l.p, len(l.p.lit)
	b := unsafe.Slice(unsafe.StringData(v), len(v))
	switch {
	case len(b) < n:
		return v, true
	case p.start && p.end:
		if len(b) == n && p.equal(b) {
			return l.with, true
		}
		return v, true
	case p.start:
		if p.equal(b[:n]) {
			return l.with + v[n:], true
		}
		return v, true
	case p.end:
		if p.equal(b[len(b)-n:]) {
			return v[:len(v)-n] + l.with, true
		}
		return v, true
	}
	// leftmost matches, none overlapping the one before
	var out strings.Builder
	from := 0
	for {
		i := p.index(b[from:])
		if i < 0 {
			break
		}
		out.WriteString(v[from : from+i])
		out.WriteString(l.with)
		from += i + n
	}
	if from == 0 {
		return v, true
	}
	out.WriteString(v[from:])
	return out.String(), true
}

// index returns where the literal first occurs in v, or -1.
func (p *plainRegex) index(v []byte) int {
	if !p.fold {
		return bytes.Index(v, p.lit)
	}
	return indexFoldASCII(v, p.lit, p.first)
}

// foldsToASCII reports whether a rune past ASCII has an ASCII rune among
// its other cases (the Kelvin sign and k, the long s and s).
func foldsToASCII(r rune) bool {
	if r < utf8.RuneSelf {
		return false
	}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < utf8.RuneSelf {
			return true
		}
	}
	return false
}
