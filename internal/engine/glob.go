package engine

import (
	"strings"
	"unicode/utf8"
)

// glob is a LogScale wildcard pattern: `*` matches any run of characters,
// everything else is literal. Anchored globs must match the whole value
// (`field = pattern`); unanchored ones match anywhere (free text, like).
type glob struct {
	parts    []string // literal pieces between stars
	leading  bool     // pattern starts with *
	trailing bool     // pattern ends with *
	fold     bool     // case-insensitive
	all      bool     // pattern is only stars: matches everything
}

func newGlob(pattern string, anchored, fold bool) *glob {
	g := &glob{fold: fold}
	if fold {
		pattern = strings.ToLower(pattern)
	}
	if !anchored {
		pattern = "*" + pattern + "*"
	}
	g.leading = strings.HasPrefix(pattern, "*")
	g.trailing = strings.HasSuffix(pattern, "*")
	for _, p := range strings.Split(pattern, "*") {
		if p != "" {
			g.parts = append(g.parts, p)
		}
	}
	g.all = len(g.parts) == 0 && (g.leading || g.trailing)
	return g
}

// literal reports the pattern's text when it has no wildcard.
func (g *glob) literal() (string, bool) {
	if g.leading || g.trailing || len(g.parts) > 1 {
		return "", false
	}
	if len(g.parts) == 0 {
		return "", true
	}
	return g.parts[0], true
}

func (g *glob) match(s string) bool {
	if g.all {
		return true
	}
	if len(g.parts) == 0 {
		return s == ""
	}
	parts := g.parts
	if !g.leading {
		if !hasPrefixFold(s, parts[0], g.fold) {
			return false
		}
		s = s[len(parts[0]):]
		parts = parts[1:]
		if len(parts) == 0 {
			return g.trailing || s == ""
		}
	}
	last := len(parts) - 1
	for i, p := range parts {
		if i == last && !g.trailing {
			if len(s) < len(p) {
				return false
			}
			return hasPrefixFold(s[len(s)-len(p):], p, g.fold)
		}
		j := indexFold(s, p, g.fold)
		if j < 0 {
			return false
		}
		s = s[j+len(p):]
	}
	return true
}

func hasPrefixFold(s, prefix string, fold bool) bool {
	if len(s) < len(prefix) {
		return false
	}
	if !fold {
		return s[:len(prefix)] == prefix
	}
	return equalLowerASCII(s[:len(prefix)], prefix)
}

// indexFold finds sub in s; with fold, sub is lower case and s is compared
// case-insensitively (ASCII fast path, Unicode via strings.EqualFold).
func indexFold(s, sub string, fold bool) int {
	if !fold {
		return strings.Index(s, sub)
	}
	if sub == "" {
		return 0
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		if lowerByte(s[i]) == sub[0] && equalLowerASCII(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// equalLowerASCII compares s with an already lower-cased t ignoring case.
func equalLowerASCII(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || t[i] >= utf8.RuneSelf {
			return strings.EqualFold(s[i:], t[i:])
		}
		if lowerByte(c) != t[i] {
			return false
		}
	}
	return true
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
