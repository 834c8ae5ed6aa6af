package engine

import (
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
	lit        string // lower-cased when fold
	fold       bool
	start, end bool // anchored at the start, at the end of the value
}

// plainOf returns the plain form of a compiled RE2 pattern, or nil.
func plainOf(goSrc string) *plainRegex {
	tree, err := syntax.Parse(goSrc, syntax.Perl)
	if err != nil {
		return nil
	}
	tree = tree.Simplify()
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
	p.lit = string(lit.Rune)
	if p.fold {
		p.lit = strings.ToLower(p.lit)
	}
	return p
}

// match decides s, an ASCII value.
func (p *plainRegex) match(s string) bool {
	n := len(p.lit)
	switch {
	case len(s) < n:
		return false
	case p.start && p.end:
		return len(s) == n && p.equal(s)
	case p.start:
		return p.equal(s[:n])
	case p.end:
		return p.equal(s[len(s)-n:])
	case !p.fold:
		return strings.Contains(s, p.lit)
	}
	return indexFoldASCII(s, p.lit) >= 0
}

// equal compares s, as long as the literal, with it.
func (p *plainRegex) equal(s string) bool {
	if !p.fold {
		return s == p.lit
	}
	for i := 0; i < len(s); i++ {
		if lowerByte(s[i]) != p.lit[i] {
			return false
		}
	}
	return true
}

// indexFoldASCII finds lit, lower-case ASCII, in the ASCII string s,
// ignoring case: each place its first byte occurs, in either case, is
// compared.
func indexFoldASCII(s, lit string) int {
	if lit == "" {
		return 0
	}
	c, up := lit[0], upperByte(lit[0])
	for i := 0; i+len(lit) <= len(s); {
		j := strings.IndexByte(s[i:len(s)-len(lit)+1], c)
		if up != c {
			if k := strings.IndexByte(s[i:len(s)-len(lit)+1], up); k >= 0 && (j < 0 || k < j) {
				j = k
			}
		}
		if j < 0 {
			return -1
		}
		i += j
		if equalFoldLower(s[i+1:i+len(lit)], lit[1:]) {
			return i
		}
		i++
	}
	return -1
}

// equalFoldLower compares s with lit, lower-case ASCII, ignoring case.
func equalFoldLower(s, lit string) bool {
	for i := 0; i < len(lit); i++ {
		if lowerByte(s[i]) != lit[i] {
			return false
		}
	}
	return true
}

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
