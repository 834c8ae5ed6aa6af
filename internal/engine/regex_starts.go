package engine

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unsafe"
)

// startsRegex runs a regex only where a match can begin. When every match
// begins with one of a few literals (a (?i) alternation of tool or domain
// names, a path prefix), the value is scanned for them and the regex runs
// anchored at each one found. Go's unanchored backtracker otherwise runs the
// whole program from every byte of the value: a (?i) alternation of eight
// tool names cost about a microsecond on a 50-byte image path. ASCII values
// only: Unicode case folding (the Kelvin sign is a k) stays the regex's.
type startsRegex struct {
	anchored *regexp.Regexp
	lits     [][]byte      // lower-cased: a superset of what may begin a match
	byFirst  [256][]uint16 // indexes into lits by first byte, in both cases
	minLen   int
	// sure: a literal found is a match, the rest of the pattern matching
	// nothing (`(curl|python[23]?)`), so match runs no regex
	sure bool
}

const (
	// maxStarts bounds the literals a pattern may begin with; more, and
	// the scan costs what the regex does.
	maxStarts = 128
	// maxStartTries bounds anchored runs per value: a value with many
	// hits of a short literal goes to the unanchored regex, which shares
	// its work between start positions.
	maxStartTries = 8
)

// startsOf returns the scanner for an RE2 pattern (goSrc, its simplified tree), or nil when some
// match may begin other than with a literal (an anchor, a class, a repeat
// that may be empty).
func startsOf(tree *syntax.Regexp, goSrc string) *startsRegex {
	found, ok := matchStarts(tree)
	if !ok || len(found.lits) == 0 {
		return nil
	}
	anchored, err := regexp.Compile(`^(?:` + goSrc + `)`)
	if err != nil {
		return nil
	}
	s := &startsRegex{anchored: anchored, minLen: len(found.lits[0]), sure: found.sure}
	for i, l := range found.lits {
		s.lits = append(s.lits, []byte(l))
		s.minLen = min(s.minLen, len(l))
		lo := l[0]
		s.byFirst[lo] = append(s.byFirst[lo], uint16(i))
		if up := upperByte(lo); up != lo {
			s.byFirst[up] = append(s.byFirst[up], uint16(i))
		}
	}
	return s
}

// litStarts is what matchStarts knows of a pattern: lower-cased literals
// one of which begins every match; exact when they are its whole
// matches; sure when one found at a position, ASCII case ignored, is a
// match there.
type litStarts struct {
	lits        []string
	exact, sure bool
}

// matchStarts returns the literals one of which begins every match of re,
// and ok false when no such set is known.
func matchStarts(re *syntax.Regexp) (litStarts, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if r >= 0x80 {
				return litStarts{}, false
			}
		}
		if len(re.Rune) == 0 {
			return litStarts{}, false
		}
		sure := re.Flags&syntax.FoldCase != 0 || !hasLetter(re)
		return litStarts{[]string{strings.ToLower(string(re.Rune))}, true, sure}, true
	case syntax.OpCharClass:
		return classStarts(re.Rune)
	case syntax.OpCapture:
		return matchStarts(re.Sub[0])
	case syntax.OpPlus, syntax.OpRepeat:
		if re.Op == syntax.OpRepeat && re.Min < 1 {
			return litStarts{}, false
		}
		sub, ok := matchStarts(re.Sub[0])
		// one repeat found is a match only when one is enough
		sure := sub.sure && (re.Op == syntax.OpPlus || re.Min == 1)
		return litStarts{sub.lits, false, sure}, ok
	case syntax.OpAlternate:
		all := litStarts{exact: true, sure: true}
		for _, sub := range re.Sub {
			s, ok := matchStarts(sub)
			if !ok {
				return litStarts{}, false
			}
			all.lits = append(all.lits, s.lits...)
			all.exact, all.sure = all.exact && s.exact, all.sure && s.sure
		}
		all.lits = dedupe(all.lits)
		if len(all.lits) > maxStarts {
			return litStarts{}, false
		}
		return all, true
	case syntax.OpConcat:
		return concatStarts(re.Sub)
	}
	return litStarts{}, false
}

// concatStarts extends the first element's literals by the next ones' while
// they are whole literals and their product stays small. They are sure
// when what was not taken into them may match nothing.
func concatStarts(subs []*syntax.Regexp) (litStarts, bool) {
	if len(subs) == 0 {
		return litStarts{}, false
	}
	s, ok := matchStarts(subs[0])
	if !ok {
		return litStarts{}, false
	}
	for i, sub := range subs[1:] {
		var next litStarts
		if s.exact {
			next, ok = matchStarts(sub)
		}
		if !s.exact || !ok || len(s.lits)*len(next.lits) > maxStarts {
			s.exact, s.sure = false, s.sure && allEmptyable(subs[1+i:])
			return s, true
		}
		s = litStarts{dedupe(concatEach(s.lits, next.lits)), next.exact, s.sure && next.sure}
	}
	return s, true
}

// allEmptyable reports whether each of res matches the empty string
// wherever it is tried: no assertion (an anchor, a word boundary) in the
// way.
func allEmptyable(res []*syntax.Regexp) bool {
	for _, re := range res {
		if !emptyable(re) {
			return false
		}
	}
	return true
}

func emptyable(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpQuest, syntax.OpStar:
		return true
	case syntax.OpLiteral:
		return len(re.Rune) == 0
	case syntax.OpRepeat:
		return re.Min == 0 || emptyable(re.Sub[0])
	case syntax.OpCapture, syntax.OpPlus:
		return emptyable(re.Sub[0])
	case syntax.OpConcat:
		return allEmptyable(re.Sub)
	case syntax.OpAlternate:
		return slices.ContainsFunc(re.Sub, emptyable)
	}
	return false
}

// classStarts takes a small ASCII class ([Pp], [23]) as one-byte literals,
// sure when it holds both cases of each of its letters.
func classStarts(ranges []rune) (litStarts, bool) {
	var lits []string
	in := func(r rune) bool {
		for i := 0; i+1 < len(ranges); i += 2 {
			if ranges[i] <= r && r <= ranges[i+1] {
				return true
			}
		}
		return false
	}
	sure := true
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		if hi >= 0x80 || hi-lo >= 16 {
			return litStarts{}, false
		}
		for r := lo; r <= hi; r++ {
			lits = append(lits, strings.ToLower(string(r)))
			sure = sure && in(unicode.ToLower(r)) && in(unicode.ToUpper(r))
		}
		if len(lits) > 16 {
			return litStarts{}, false
		}
	}
	return litStarts{dedupe(lits), true, sure}, len(lits) > 0
}

// concatEach is every string of a followed by one of b.
func concatEach(a, b []string) []string {
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return out
}

func dedupe(lits []string) []string {
	slices.Sort(lits)
	return slices.Compact(lits)
}

// next returns the first position from from on where one of the literals
// stands in v, or -1.
func (st *startsRegex) next(v []byte, from int) int {
	for p := from; p+st.minLen <= len(v); p++ {
		for _, i := range st.byFirst[v[p]] {
			lit := st.lits[i]
			if len(lit) <= len(v)-p && equalFoldBytes(v[p:p+len(lit)], lit) {
				return p
			}
		}
	}
	return -1
}

// match decides s, an ASCII value, as the unanchored regex re would.
func (st *startsRegex) match(s string, re *regexp.Regexp) bool {
	v := unsafe.Slice(unsafe.StringData(s), len(s))
	if st.sure {
		return st.next(v, 0) >= 0
	}
	for p, tries := st.next(v, 0), 0; p >= 0; p, tries = st.next(v, p+1), tries+1 {
		if tries == maxStartTries {
			return re.MatchString(s)
		}
		if st.anchored.MatchString(s[p:]) {
			return true
		}
	}
	return false
}

// find returns the leftmost-first match of re in s, an ASCII value, as
// re.FindStringSubmatchIndex does: at the first position where the
// anchored regex matches, its preferred match is the unanchored one's.
func (st *startsRegex) find(s string, re *regexp.Regexp) []int {
	v := unsafe.Slice(unsafe.StringData(s), len(s))
	for p, tries := st.next(v, 0), 0; p >= 0; p, tries = st.next(v, p+1), tries+1 {
		if tries == maxStartTries {
			return re.FindStringSubmatchIndex(s)
		}
		if loc := st.anchored.FindStringSubmatchIndex(s[p:]); loc != nil {
			for i := range loc {
				if loc[i] >= 0 {
					loc[i] += p
				}
			}
			return loc
		}
	}
	return nil
}
