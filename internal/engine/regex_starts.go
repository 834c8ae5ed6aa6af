package engine

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
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
	lits, _, ok := matchStarts(tree)
	if !ok || len(lits) == 0 {
		return nil
	}
	anchored, err := regexp.Compile(`^(?:` + goSrc + `)`)
	if err != nil {
		return nil
	}
	s := &startsRegex{anchored: anchored, minLen: len(lits[0])}
	for i, l := range lits {
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

// matchStarts returns lower-cased literals one of which begins every match
// of re, whether they are its whole matches (exact), and ok false when no
// such set is known.
func matchStarts(re *syntax.Regexp) (lits []string, exact, ok bool) {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if r >= 0x80 {
				return nil, false, false
			}
		}
		if len(re.Rune) == 0 {
			return nil, false, false
		}
		return []string{strings.ToLower(string(re.Rune))}, true, true
	case syntax.OpCharClass:
		return classStarts(re.Rune)
	case syntax.OpCapture:
		return matchStarts(re.Sub[0])
	case syntax.OpPlus:
		lits, _, ok := matchStarts(re.Sub[0])
		return lits, false, ok
	case syntax.OpRepeat:
		if re.Min < 1 {
			return nil, false, false
		}
		lits, _, ok := matchStarts(re.Sub[0])
		return lits, false, ok
	case syntax.OpAlternate:
		exact = true
		for _, sub := range re.Sub {
			l, ex, ok := matchStarts(sub)
			if !ok {
				return nil, false, false
			}
			lits, exact = append(lits, l...), exact && ex
		}
		lits = dedupe(lits)
		if len(lits) > maxStarts {
			return nil, false, false
		}
		return lits, exact, true
	case syntax.OpConcat:
		return concatStarts(re.Sub)
	}
	return nil, false, false
}

// concatStarts extends the first element's literals by the next ones' while
// they are whole literals and their product stays small.
func concatStarts(subs []*syntax.Regexp) (lits []string, exact, ok bool) {
	if len(subs) == 0 {
		return nil, false, false
	}
	lits, exact, ok = matchStarts(subs[0])
	if !ok {
		return nil, false, false
	}
	for _, sub := range subs[1:] {
		if !exact {
			return lits, false, true
		}
		next, ex, ok := matchStarts(sub)
		if !ok || len(lits)*len(next) > maxStarts {
			return lits, false, true
		}
		lits, exact = dedupe(concatEach(lits, next)), ex
	}
	return lits, exact, true
}

// classStarts takes a small ASCII class ([Pp], [23]) as one-byte literals.
func classStarts(ranges []rune) (lits []string, exact, ok bool) {
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		if hi >= 0x80 || hi-lo >= 16 {
			return nil, false, false
		}
		for r := lo; r <= hi; r++ {
			lits = append(lits, strings.ToLower(string(r)))
		}
		if len(lits) > 16 {
			return nil, false, false
		}
	}
	return dedupe(lits), true, len(lits) > 0
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
