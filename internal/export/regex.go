package export

import (
	"fmt"
	"regexp/syntax"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// maxLiterals bounds the expansion of a regex into literal strings.
const maxLiterals = 256

// litSet is a regex rewritten as literals: the regex matches a value iff the
// value contains (starts with, ends with, equals: by the anchors) one of lits.
type litSet struct {
	lits          []string
	anchoredStart bool
	anchoredEnd   bool
	fold          bool // case-insensitive; lits are lower case
}

// parseRegex parses a CQL regex (pattern and flags) with Go's RE2 parser.
func parseRegex(pattern, flags string) (*syntax.Regexp, error) {
	return syntax.Parse(goFlags(flags)+pattern, syntax.Perl)
}

// canon is the case-insensitive representative of r.
func canon(r rune) rune { return unicode.ToLower(unicode.ToUpper(r)) }

func hasCase(r rune) bool { return unicode.SimpleFold(r) != r }

// regexLiterals expands a regex into a finite set of literal strings when it
// is exactly equivalent to "contains/startswith/endswith/equals one of them".
func regexLiterals(pattern, flags string) (litSet, bool) {
	re, err := parseRegex(pattern, flags)
	if err != nil {
		return litSet{}, false
	}
	var set litSet
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	if len(subs) > 0 && subs[0].Op == syntax.OpBeginText {
		set.anchoredStart = true
		subs = subs[1:]
	}
	if len(subs) > 0 && subs[len(subs)-1].Op == syntax.OpEndText {
		set.anchoredEnd = true
		subs = subs[:len(subs)-1]
	}
	e := &expander{}
	lits := []string{""}
	for _, s := range subs {
		next, ok := e.expand(s)
		if !ok {
			return litSet{}, false
		}
		lits = product(lits, next)
		if len(lits) > maxLiterals {
			return litSet{}, false
		}
	}
	if e.fold && e.cased {
		return litSet{}, false // partly case-sensitive
	}
	set.fold = e.fold
	seen := map[string]bool{}
	for _, l := range lits {
		if set.fold {
			l = strings.Map(canon, l)
		}
		if l == "" {
			return litSet{}, false // matches everything at that anchor
		}
		if !seen[l] {
			seen[l] = true
			set.lits = append(set.lits, l)
		}
	}
	set.lits = minimize(set.lits, set.anchoredStart, set.anchoredEnd)
	return set, true
}

// minimize drops literals implied by a shorter one: for "contains", a literal
// containing another; for "startswith", one with another as prefix; for
// "endswith", one with another as suffix.
func minimize(lits []string, start, end bool) []string {
	if start && end {
		return lits
	}
	implied := func(long, short string) bool {
		switch {
		case start:
			return strings.HasPrefix(long, short)
		case end:
			return strings.HasSuffix(long, short)
		}
		return strings.Contains(long, short)
	}
	var out []string
	for i, l := range lits {
		drop := false
		for j, s := range lits {
			if i != j && len(s) < len(l) && implied(l, s) {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, l)
		}
	}
	return out
}

func product(a, b []string) []string {
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return out
}

type expander struct {
	fold  bool // saw a case-insensitive letter
	cased bool // saw a case-sensitive letter
}

func (e *expander) note(r rune, fold bool) {
	if !hasCase(r) {
		return
	}
	if fold {
		e.fold = true
	} else {
		e.cased = true
	}
}

func (e *expander) expand(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return []string{""}, true
	case syntax.OpLiteral:
		fold := re.Flags&syntax.FoldCase != 0
		for _, r := range re.Rune {
			if r < 0x20 || r == 0x7f {
				return nil, false // no control characters in literal values
			}
			e.note(r, fold)
		}
		return []string{string(re.Rune)}, true
	case syntax.OpCharClass:
		chars, fold, ok := classChars(re)
		if !ok {
			return nil, false
		}
		out := make([]string, len(chars))
		for i, r := range chars {
			e.note(r, fold)
			out[i] = string(r)
		}
		return out, true
	case syntax.OpCapture:
		return e.expand(re.Sub[0])
	case syntax.OpQuest:
		sub, ok := e.expand(re.Sub[0])
		if !ok {
			return nil, false
		}
		return append([]string{""}, sub...), true
	case syntax.OpConcat:
		out := []string{""}
		for _, s := range re.Sub {
			next, ok := e.expand(s)
			if !ok {
				return nil, false
			}
			out = product(out, next)
			if len(out) > maxLiterals {
				return nil, false
			}
		}
		return out, true
	case syntax.OpAlternate:
		var out []string
		for _, s := range re.Sub {
			next, ok := e.expand(s)
			if !ok {
				return nil, false
			}
			out = append(out, next...)
			if len(out) > maxLiterals {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

// classChars lists a small character class. A class is case-insensitive
// when it is closed under case folding and holds letters; its characters
// are then returned once per case.
func classChars(re *syntax.Regexp) ([]rune, bool, bool) {
	var chars []rune
	for i := 0; i < len(re.Rune); i += 2 {
		lo, hi := re.Rune[i], re.Rune[i+1]
		if hi-lo > 16 {
			return nil, false, false
		}
		for r := lo; r <= hi; r++ {
			if r < 0x20 || r == 0x7f {
				return nil, false, false // no control characters in literal values
			}
			chars = append(chars, r)
		}
		if len(chars) > 32 {
			return nil, false, false
		}
	}
	closed, letters := true, false
	for _, r := range chars {
		if !hasCase(r) {
			continue
		}
		letters = true
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if !slices.Contains(chars, f) {
				closed = false
			}
		}
	}
	if !letters || !closed {
		return chars, false, true
	}
	var out []rune
	for _, r := range chars {
		c := canon(r)
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out, true, true
}

// goSpaceClass is the character class of Go's (RE2's) \s.
var goSpaceClass = []rune{'\t', '\n', '\f', '\r', ' ', ' '}

// lucene renders a CQL regex as a Lucene regular expression (ES|QL RLIKE):
// whole-string match, so an unanchored side gets `.*`. lower reports that
// the regex is case-insensitive and was written for a lower-cased value.
type luceneOut struct {
	re       string
	lower    bool
	warnings []string
}

func luceneRegex(pattern, flags string) (luceneOut, error) {
	// A regex that is a set of literals prints as their alternation: the
	// same language, easier to read than the parser's factored tree.
	if set, ok := regexLiterals(pattern, flags); ok {
		p := &lucenePrinter{fold: set.fold}
		var b strings.Builder
		if !set.anchoredStart {
			b.WriteString(".*")
		}
		if len(set.lits) > 1 {
			b.WriteByte('(')
		}
		for i, l := range set.lits {
			if i > 0 {
				b.WriteByte('|')
			}
			for _, r := range l {
				p.char(&b, r)
			}
		}
		if len(set.lits) > 1 {
			b.WriteByte(')')
		}
		if !set.anchoredEnd {
			b.WriteString(".*")
		}
		if p.err == nil {
			return luceneOut{re: b.String(), lower: set.fold}, nil
		}
	}
	re, err := parseRegex(pattern, flags)
	if err != nil {
		return luceneOut{}, fmt.Errorf("regex does not parse as RE2: %v", err)
	}
	var out luceneOut
	e := &expander{}
	walkCase(re, e)
	if e.fold && e.cased {
		return luceneOut{}, fmt.Errorf("regex mixes case-sensitive and case-insensitive parts; RLIKE has no case flag")
	}
	p := &lucenePrinter{fold: e.fold}
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	start, end := false, false
	if len(subs) > 0 && subs[0].Op == syntax.OpBeginText {
		start, subs = true, subs[1:]
	}
	if len(subs) > 0 && subs[len(subs)-1].Op == syntax.OpEndText {
		end, subs = true, subs[:len(subs)-1]
	}
	var b strings.Builder
	if !start {
		b.WriteString(".*")
	}
	for _, s := range subs {
		p.print(&b, s, true)
	}
	if !end {
		b.WriteString(".*")
	}
	if p.err != nil {
		return luceneOut{}, p.err
	}
	out.re = b.String()
	out.lower = e.fold
	out.warnings = p.warnings
	return out, nil
}

func walkCase(re *syntax.Regexp, e *expander) {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			e.note(r, re.Flags&syntax.FoldCase != 0)
		}
	case syntax.OpCharClass:
		if chars, fold, ok := classChars(re); ok {
			for _, r := range chars {
				e.note(r, fold)
			}
		}
	}
	for _, s := range re.Sub {
		walkCase(s, e)
	}
}

type lucenePrinter struct {
	fold     bool
	err      error
	warnings []string
}

func (p *lucenePrinter) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf(format, args...)
	}
}

// lucenePlain are the characters Lucene never treats specially.
func lucenePlain(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r > 0x7f && unicode.IsLetter(r)
}

// luceneReserved are the characters Lucene's RegExp gives a meaning
// outside a class (with all optional syntax on, as Elasticsearch parses it).
const luceneReserved = `.?+*|{}[]()"\#@&<>~`

func (p *lucenePrinter) char(b *strings.Builder, r rune) {
	if p.fold {
		r = canon(r)
	}
	switch {
	case lucenePlain(r), r == '\n', r == '\t', r == '\r', r >= 0x20 && r < 0x7f && !strings.ContainsRune(luceneReserved, r):
		b.WriteRune(r)
	case r < 0x20 || r == 0x7f:
		p.fail("control character %U cannot be written in an ES|QL string", r)
	default:
		b.WriteByte('\\')
		b.WriteRune(r)
	}
}

func isAtom(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune) == 1
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL, syntax.OpCapture:
		return true
	}
	return false
}

func (p *lucenePrinter) print(b *strings.Builder, re *syntax.Regexp, top bool) {
	switch re.Op {
	case syntax.OpEmptyMatch:
		b.WriteString("()")
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			p.char(b, r)
		}
	case syntax.OpCharClass:
		p.class(b, re)
	case syntax.OpAnyChar:
		b.WriteString(".")
	case syntax.OpAnyCharNotNL:
		b.WriteString("[^\n]")
	case syntax.OpCapture:
		b.WriteByte('(')
		p.print(b, re.Sub[0], true)
		b.WriteByte(')')
	case syntax.OpConcat:
		for _, s := range re.Sub {
			p.print(b, s, false)
		}
	case syntax.OpAlternate:
		if !top {
			b.WriteByte('(')
		}
		for i, s := range re.Sub {
			if i > 0 {
				b.WriteByte('|')
			}
			p.print(b, s, false)
		}
		if !top {
			b.WriteByte(')')
		}
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		sub := re.Sub[0]
		if isAtom(sub) {
			p.print(b, sub, false)
		} else {
			b.WriteByte('(')
			p.print(b, sub, true)
			b.WriteByte(')')
		}
		switch re.Op {
		case syntax.OpStar:
			b.WriteByte('*')
		case syntax.OpPlus:
			b.WriteByte('+')
		case syntax.OpQuest:
			b.WriteByte('?')
		case syntax.OpRepeat:
			switch {
			case re.Max == re.Min:
				fmt.Fprintf(b, "{%d}", re.Min)
			case re.Max < 0:
				fmt.Fprintf(b, "{%d,}", re.Min)
			default:
				fmt.Fprintf(b, "{%d,%d}", re.Min, re.Max)
			}
		}
	case syntax.OpBeginText, syntax.OpEndText, syntax.OpBeginLine, syntax.OpEndLine:
		p.fail("an anchor inside the pattern has no RLIKE equivalent (RLIKE matches the whole value)")
	case syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		p.fail(`\b has no RLIKE equivalent`)
	default:
		p.fail("regex construct %v has no RLIKE equivalent", re.Op)
	}
}

func (p *lucenePrinter) class(b *strings.Builder, re *syntax.Regexp) {
	rs := re.Rune
	if slices.Equal(rs, goSpaceClass) {
		b.WriteString(`\s`)
		p.warnings = append(p.warnings, `\s: Lucene's \s is [ \t\n\r]; Go's (tiercel's) also holds form feed`)
		return
	}
	if slices.Equal(rs, []rune{'0', '9'}) {
		b.WriteString(`\d`)
		return
	}
	neg := len(rs) > 0 && rs[0] == 0 && rs[len(rs)-1] == unicode.MaxRune
	if neg {
		// print the complement
		var comp []rune
		prev := rune(0)
		for i := 0; i < len(rs); i += 2 {
			if rs[i] > prev {
				comp = append(comp, prev, rs[i]-1)
			}
			prev = rs[i+1] + 1
		}
		rs = comp
	}
	if p.fold {
		rs = foldRanges(rs)
	}
	b.WriteByte('[')
	if neg {
		b.WriteByte('^')
	}
	for i := 0; i < len(rs); i += 2 {
		p.classChar(b, rs[i])
		if rs[i+1] != rs[i] {
			b.WriteByte('-')
			p.classChar(b, rs[i+1])
		}
	}
	b.WriteByte(']')
}

func (p *lucenePrinter) classChar(b *strings.Builder, r rune) {
	switch {
	case lucenePlain(r), r == '\n', r == '\t', r == '\r':
		b.WriteRune(r)
	case r < 0x20 || r == 0x7f:
		p.fail("control character %U cannot be written in an ES|QL string", r)
	default:
		b.WriteByte('\\')
		b.WriteRune(r)
	}
}

// foldRanges keeps the lower-case side of a case-insensitive class, for a
// value that was lower-cased before matching.
func foldRanges(rs []rune) []rune {
	var chars []rune
	small := true
	for i := 0; i < len(rs); i += 2 {
		if rs[i+1]-rs[i] > 256 {
			small = false
			break
		}
		for r := rs[i]; r <= rs[i+1]; r++ {
			chars = append(chars, r)
		}
	}
	if !small {
		return rs
	}
	set := map[rune]bool{}
	for _, r := range chars {
		set[canon(r)] = true
	}
	var sorted []rune
	for r := range set {
		sorted = append(sorted, r)
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	var out []rune
	for _, r := range sorted {
		if n := len(out); n > 0 && out[n-1]+1 == r {
			out[n-1] = r
			continue
		}
		out = append(out, r, r)
	}
	return out
}
