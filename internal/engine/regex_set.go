package engine

import (
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
)

// setRegex is a regex whose every match is the whole value and one of a
// few literals: /^(ProcessRollup2|DnsRequest|NetworkConnectIP4)$/,
// /^(cmd|powershell)(\.exe)?$/i. Event-type filters are written so; such a
// pattern is decided by a map lookup instead of a regex run. Ignoring case,
// only ASCII values are: Unicode case folding (the Kelvin sign is a k)
// stays the regex's.
type setRegex struct {
	words          map[string]struct{} // lower-cased when fold
	fold           bool
	minLen, maxLen int
}

const (
	// maxSetWords bounds the strings a pattern may expand to.
	maxSetWords = 256
	// maxSetWord bounds their length: a value is lower-cased on the stack.
	maxSetWord = 64
)

// setOf returns the set form of an RE2 pattern's simplified tree, or nil.
func setOf(tree *syntax.Regexp) *setRegex {
	if tree.Op != syntax.OpConcat || len(tree.Sub) < 2 {
		return nil
	}
	subs := tree.Sub
	if subs[0].Op != syntax.OpBeginText || subs[len(subs)-1].Op != syntax.OpEndText {
		return nil
	}
	inner := &syntax.Regexp{Op: syntax.OpConcat, Sub: subs[1 : len(subs)-1]}
	fold := foldsLetters(inner)
	words, ok := expandWords(inner, fold)
	if !ok || len(words) == 0 {
		return nil
	}
	s := &setRegex{words: make(map[string]struct{}, len(words)), fold: fold, minLen: maxSetWord}
	for _, w := range words {
		s.words[w] = struct{}{}
		s.minLen, s.maxLen = min(s.minLen, len(w)), max(s.maxLen, len(w))
	}
	return s
}

// foldsLetters reports whether some part of re with a letter ignores case:
// the set then holds lower-cased words, and every other part must agree
// (expandWords).
func foldsLetters(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral, syntax.OpCharClass:
		if re.Flags&syntax.FoldCase != 0 && hasLetter(re) {
			return true
		}
	}
	for _, sub := range re.Sub {
		if foldsLetters(sub) {
			return true
		}
	}
	return false
}

// hasLetter reports whether a literal or class holds an ASCII letter.
func hasLetter(re *syntax.Regexp) bool {
	if re.Op == syntax.OpLiteral {
		return strings.ContainsFunc(string(re.Rune), isASCIILetter)
	}
	for i := 0; i+1 < len(re.Rune); i += 2 {
		for r := re.Rune[i]; r <= re.Rune[i+1] && r < 0x80; r++ {
			if isASCIILetter(r) {
				return true
			}
		}
	}
	return false
}

func isASCIILetter(r rune) bool { return r < 0x80 && unicode.IsLetter(r) }

// expandWords returns every string re matches, lower-cased when fold, and
// ok false when they are not a few short ASCII strings or when case is
// ignored in one part and not in another.
func expandWords(re *syntax.Regexp, fold bool) ([]string, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return []string{""}, true
	case syntax.OpLiteral:
		lit := string(re.Rune)
		for _, r := range re.Rune {
			if r >= 0x80 {
				return nil, false
			}
		}
		if hasLetter(re) && (re.Flags&syntax.FoldCase != 0) != fold {
			return nil, false
		}
		if fold {
			lit = strings.ToLower(lit)
		}
		return []string{lit}, true
	case syntax.OpCharClass:
		if hasLetter(re) && (re.Flags&syntax.FoldCase != 0) != fold {
			return nil, false
		}
		return classWords(re.Rune, fold)
	case syntax.OpCapture:
		return expandWords(re.Sub[0], fold)
	case syntax.OpQuest:
		words, ok := expandWords(re.Sub[0], fold)
		return dedupe(append(words, "")), ok
	case syntax.OpAlternate:
		var words []string
		for _, sub := range re.Sub {
			w, ok := expandWords(sub, fold)
			if !ok {
				return nil, false
			}
			words = append(words, w...)
		}
		words = dedupe(words)
		return words, len(words) <= maxSetWords
	case syntax.OpConcat:
		words := []string{""}
		for _, sub := range re.Sub {
			next, ok := expandWords(sub, fold)
			if !ok || len(words)*len(next) > maxSetWords {
				return nil, false
			}
			words = dedupe(concatEach(words, next))
			if slices.ContainsFunc(words, func(w string) bool { return len(w) > maxSetWord }) {
				return nil, false
			}
		}
		return words, true
	}
	return nil, false
}

// classWords takes a small ASCII class as one-byte words. Ignoring case
// (the parser gave the class both cases of its letters) its non-ASCII
// members, such as the Kelvin sign beside k, are left to the regex, which
// decides every non-ASCII value then.
func classWords(ranges []rune, fold bool) ([]string, bool) {
	var in [128]bool
	n := 0
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		if hi >= 0x80 {
			if !fold {
				return nil, false
			}
			if lo >= 0x80 {
				continue
			}
			hi = 0x7f
		}
		if int(hi-lo)+n >= 32 {
			return nil, false
		}
		for r := lo; r <= hi; r++ {
			in[r], n = true, n+1
		}
	}
	var words []string
	for r := range rune(128) {
		if !in[r] {
			continue
		}
		if fold {
			r = unicode.ToLower(r)
		}
		words = append(words, string(r))
	}
	words = dedupe(words)
	return words, len(words) > 0
}

// match decides s, and decided is false when the regex must: a value
// with non-ASCII bytes while case is ignored. Such a value may match a
// shorter word (the Kelvin sign is three bytes), never a longer one.
func (st *setRegex) match(s string) (matched, decided bool) {
	switch {
	case len(s) < st.minLen:
		return false, true
	case !st.fold:
		_, ok := st.words[s]
		return ok, true
	case len(s) > st.maxLen:
		return false, isASCII(s)
	}
	var buf [maxSetWord]byte
	b := buf[:len(s)]
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false, false
		}
		b[i] = lowerByte(s[i])
	}
	_, ok := st.words[string(b)]
	return ok, true
}
