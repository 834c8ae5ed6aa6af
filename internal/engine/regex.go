package engine

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/dlclark/regexp2/v2"
)

// regexTimeout bounds one backtracking match (only patterns with lookaround
// or back-references use the backtracking engine).
const regexTimeout = 100 * time.Millisecond

// lsRegex is a compiled LogScale regex. Most patterns run on Go's RE2
// engine; lookaround and back-references need regexp2.
type lsRegex struct {
	src   string // the pattern as written
	flags string
	// re runs RE2 patterns (re2 is nil), compiled when first needed (rx),
	// with the fast forms below: a plain pattern decides most values
	// without it, most of a hunt's patterns never meet a value their
	// rule's prefilter lets through, the regexps of 1,801 Sigma rules
	// were a third of their memory, and compiling those of 999 a sixth of
	// their start
	re     *regexp.Regexp
	lazy   sync.Once
	re2    *regexp2.Regexp
	groups []namedGroup // named groups in pattern order
	goSrc  string       // the translated pattern handed to the engine
	// tree is goSrc parsed and simplified, for RE2 patterns: read once by
	// the prefilter's literals and each fast form below
	tree *syntax.Regexp
	// lits holds literals every match contains; checking them first is far
	// cheaper than running a (?i) alternation on a value that cannot match.
	lits *valueLits
	// plain, for a pattern that is one literal, decides ASCII values
	// without the regex (regex_plain.go)
	plain *plainRegex
	// starts, for a pattern every match of which begins with one of a few
	// literals, runs it only where they stand (regex_starts.go)
	starts *startsRegex
	// set, for a pattern matching whole values that are one of a few
	// literals, decides by a lookup (regex_set.go)
	set *setRegex
	// g is the program's guard: backtracking matches that time out count
	// as undecided and spend its regex time budget (limits.go).
	g         *guard
	undecided atomic.Int64
}

// regex compiles a pattern for the query being compiled, under its limits.
func (c *compiler) regex(pattern, flags string) (*lsRegex, error) {
	r, err := compileRegex(pattern, flags)
	if err != nil {
		return nil, err
	}
	if r.re2 != nil && c.opts.g != nil {
		r.g = c.opts.g
		c.opts.g.mu.Lock()
		c.opts.g.regexes = append(c.opts.g.regexes, r)
		c.opts.g.mu.Unlock()
	}
	return r, nil
}

// backtrack runs one backtracking match. A match that times out, or one
// not tried because the query spent its regex time, makes the event
// undecided: the panic unwinds to the event loop, which drops the event.
func (r *lsRegex) backtrack(match func() error) {
	g := r.g
	if g == nil {
		g = defaultGuard
	}
	if time.Duration(g.regexSpent.Load()) >= g.lim.RegexTime {
		r.undecided.Add(1)
		panic(undecided{r})
	}
	start := time.Now()
	if err := match(); err != nil {
		g.regexSpent.Add(int64(time.Since(start)))
		r.undecided.Add(1)
		panic(undecided{r})
	}
}

// namedGroup maps a LogScale group name (may contain . [ ] @ # -) to the
// safe name used inside the compiled pattern.
type namedGroup struct {
	field string
	safe  string
	index int // submatch index in the compiled regex
}

// compileRegex translates a LogScale pattern with flags (i, m, d, g, F) and
// compiles it.
func compileRegex(pattern, flags string) (*lsRegex, error) {
	r := &lsRegex{src: pattern, flags: flags}
	prefix := ""
	for _, f := range flags {
		switch f {
		case 'i':
			prefix += "i"
		case 'm':
			prefix += "m"
		case 'd', 's':
			prefix += "s"
		case 'g', 'F':
			// g is repeat (handled by the caller); F picks LogScale's v2
			// engine, whose syntax we already follow.
		default:
			return nil, fmt.Errorf("unknown regex flag %q (LogScale has i, m, d, g, F)", f)
		}
	}
	body, needsBacktrack, err := r.translate(pattern)
	if err != nil {
		return nil, err
	}
	if prefix != "" {
		body = "(?" + prefix + ")" + body
	}
	r.goSrc = body
	if needsBacktrack {
		re, err := regexp2.Compile(body, regexp2.None)
		if err != nil {
			return nil, fmt.Errorf("invalid regex: %v", err)
		}
		re.MatchTimeout = regexTimeout
		r.re2 = re
		for i := range r.groups {
			r.groups[i].index = re.GroupNumberFromName(r.groups[i].safe)
		}
		return r, nil
	}
	tree, err := syntax.Parse(body, syntax.Perl)
	if err != nil {
		return nil, invalidRegex(err)
	}
	// groups numbered as the regexp will number them (SubexpIndex: the
	// first of a name)
	names := tree.CapNames()
	for i := range r.groups {
		r.groups[i].index = slices.Index(names, r.groups[i].safe)
	}
	r.tree = tree.Simplify()
	if len(r.groups) == 0 {
		r.plain = plainOf(r.tree)
	}
	return r, nil // the regexp, its literals and fast forms when first needed (rx)
}

// invalidRegex words RE2's complaint about a pattern.
func invalidRegex(err error) error {
	return fmt.Errorf("invalid regex: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
}

// rx returns the regexp of an RE2 pattern (nil for one that backtracks),
// compiling it, its literals (for mayMatch) and, but for a plain one, its
// fast forms the first time. Safe for concurrent use.
func (r *lsRegex) rx() *regexp.Regexp {
	if r.re2 != nil {
		return nil
	}
	r.lazy.Do(func() {
		r.re = regexp.MustCompile(r.goSrc) // parsed already: it compiles
		r.lits = newValueLits(valueRegexLits(r))
		if r.plain == nil {
			r.set = setOf(r.tree)
			r.starts = startsOf(r.tree, r.goSrc)
		}
	})
	return r.re
}

// mayMatch is the cheap literal test run before the regex itself.
func (r *lsRegex) mayMatch(s string) bool {
	return r.lits == nil || r.lits.match(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// valueRegexLits is what every match of an RE2 pattern holds, as regexLits
// without dropping short literals: a line holds every byte, but a value
// seldom holds fourteen plus signs (a Sigma rule's /\+.*\+.*.../ ran
// the regex on every command line).
func valueRegexLits(r *lsRegex) *litExpr {
	if r.tree == nil {
		return litAlways
	}
	return analyze(r.tree).cond("")
}

// valueLits tests literals on the text a regex reads. Unlike a line's
// Prefilter it has no JSON escapes to allow for: tested as a line, a
// Windows path's \D or \W looked like an escape that might hide the
// literal, and every image path passed to the regex.
type valueLits struct{ node pfNode }

func newValueLits(l *litExpr) *valueLits {
	if l.op == litTrue {
		return nil
	}
	return &valueLits{node: compilePF(l, map[string]int{}, false)}
}

// match needs no key cache: a regex's literals are texts, ANDs and ORs of
// no field, and none of them reads it within a value (zeroing one was
// a quarter of the test).
func (v *valueLits) match(text []byte) bool {
	return v.node.match(text, nil)
}

// translate rewrites named groups to safe names and detects constructs that
// need backtracking or that no engine here supports.
func (r *lsRegex) translate(p string) (string, bool, error) {
	var b strings.Builder
	backtrack := false
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			n := p[i+1]
			if inClass {
				if n == 'p' || n == 'P' {
					return "", false, unsupportedRegex(`\p{...} character classes`)
				}
				b.WriteByte(c)
				b.WriteByte(n)
				i++
				continue
			}
			switch n {
			case 'p', 'P':
				return "", false, unsupportedRegex(`\p{...} character classes`)
			case 'k':
				return "", false, unsupportedRegex(`\k<name> back-references`)
			case 'h', 'H', 'v', 'V', 'R', 'X', 'G', 'e', 'C', 'N':
				return "", false, unsupportedRegex(`\` + string(n))
			case 'Q':
				// copy \Q...\E verbatim: both engines understand it
				end := strings.Index(p[i+2:], `\E`)
				if end < 0 {
					b.WriteString(p[i:])
					i = len(p)
					continue
				}
				b.WriteString(p[i : i+2+end+2])
				i += 1 + end + 2
				continue
			}
			if n >= '1' && n <= '9' {
				backtrack = true
			}
			b.WriteByte(c)
			b.WriteByte(n)
			i++
		case inClass:
			if c == ']' {
				inClass = false
			} else if c == '[' && i+1 < len(p) && (p[i+1] == ':' || isClassStart(p, i)) {
				return "", false, unsupportedRegex("POSIX classes and nested class union/intersection")
			}
			b.WriteByte(c)
		case c == '[':
			inClass = true
			b.WriteByte(c)
			// a ']' or '^]' right after '[' is literal
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				b.WriteByte(']')
				i++
			}
		case c == '(' && strings.HasPrefix(p[i:], "(?<") && i+3 < len(p) && p[i+3] != '=' && p[i+3] != '!':
			end := strings.IndexByte(p[i+3:], '>')
			if end < 0 {
				return "", false, fmt.Errorf("invalid regex: unterminated group name")
			}
			name := p[i+3 : i+3+end]
			if name == "" {
				return "", false, fmt.Errorf("invalid regex: empty group name")
			}
			if len(r.groups) == MaxRegexGroups {
				return "", false, fmt.Errorf("too many named groups: at most %d (each becomes a field)", MaxRegexGroups)
			}
			safe := "g" + strconv.Itoa(len(r.groups)) + "_" + safeName(name)
			r.groups = append(r.groups, namedGroup{field: name, safe: safe})
			b.WriteString("(?<" + safe + ">")
			i += 3 + end
		case c == '(' && strings.HasPrefix(p[i:], "(?<"):
			return "", false, unsupportedRegex("lookbehind")
		case c == '(' && (strings.HasPrefix(p[i:], "(?=") || strings.HasPrefix(p[i:], "(?!")):
			backtrack = true
			b.WriteByte(c)
		case c == '(' && strings.HasPrefix(p[i:], "(?P<"):
			return "", false, fmt.Errorf("invalid regex: (?P<name>...) is not LogScale syntax; write (?<name>...)")
		case (c == '+') && i > 0 && isQuantifierEnd(p, i):
			return "", false, unsupportedRegex("possessive quantifiers")
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), backtrack, nil
}

// isQuantifierEnd reports whether the '+' at i follows a quantifier, making
// it possessive (a*+, a++, a?+, a{2}+).
func isQuantifierEnd(p string, i int) bool {
	prev := p[i-1]
	if i >= 2 && p[i-2] == '\\' {
		return false
	}
	return prev == '*' || prev == '+' || prev == '?' || prev == '}'
}

func isClassStart(p string, i int) bool {
	// `[a-d[m-p]]` style nested classes
	return i+1 < len(p) && p[i+1] != ']'
}

func safeName(name string) string {
	var b strings.Builder
	for _, c := range name {
		if c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

func unsupportedRegex(what string) error {
	return fmt.Errorf("unsupported regex construct: %s (not supported by LogScale's engine or by tiercel)", what)
}

// matchString reports whether s contains a match.
func (r *lsRegex) matchString(s string) bool {
	if r.plain != nil && r.plain.decides(s) {
		return r.plain.match(s)
	}
	if r.re2 == nil {
		re := r.rx()
		if r.set != nil {
			if matched, decided := r.set.match(s); decided {
				return matched
			}
		}
		if !r.mayMatch(s) {
			return false
		}
		if r.starts != nil && isASCII(s) {
			return r.starts.match(s, re)
		}
		return re.MatchString(s)
	}
	if !r.mayMatch(s) {
		return false
	}
	var ok bool
	r.backtrack(func() (err error) { ok, err = r.re2.MatchString(s); return })
	return ok
}

// submatch returns the value of each named group for the first match in s
// (ok false when there is none). A group that did not take part yields
// present=false.
func (r *lsRegex) submatch(s string, fn func(field, value string, present bool)) bool {
	if r.re2 == nil {
		r.rx()
	}
	if !r.mayMatch(s) {
		return false
	}
	if r.re2 == nil {
		var loc []int
		if r.starts != nil && isASCII(s) {
			loc = r.starts.find(s, r.re)
		} else {
			loc = r.re.FindStringSubmatchIndex(s)
		}
		if loc == nil {
			return false
		}
		r.emitGo(s, loc, fn)
		return true
	}
	var m *regexp2.Match
	r.backtrack(func() (err error) { m, err = r.re2.FindStringMatch(s); return })
	if m == nil {
		return false
	}
	r.emitRe2(m, fn)
	return true
}

// allSubmatches calls fn for each non-overlapping match, up to limit.
func (r *lsRegex) allSubmatches(s string, limit int, fn func(g func(func(field, value string, present bool)))) int {
	n := 0
	if r.re2 == nil {
		for _, loc := range r.rx().FindAllStringSubmatchIndex(s, limit) {
			fn(func(f func(string, string, bool)) { r.emitGo(s, loc, f) })
			n++
		}
		return n
	}
	var m *regexp2.Match
	r.backtrack(func() (err error) { m, err = r.re2.FindStringMatch(s); return })
	for m != nil && n < limit {
		cur := m
		fn(func(f func(string, string, bool)) { r.emitRe2(cur, f) })
		n++
		r.backtrack(func() (err error) { m, err = r.re2.FindNextMatch(cur); return })
	}
	return n
}

func (r *lsRegex) emitGo(s string, loc []int, fn func(field, value string, present bool)) {
	for _, g := range r.groups {
		if g.index < 0 || 2*g.index+1 >= len(loc) || loc[2*g.index] < 0 {
			fn(g.field, "", false)
			continue
		}
		fn(g.field, s[loc[2*g.index]:loc[2*g.index+1]], true)
	}
}

func (r *lsRegex) emitRe2(m *regexp2.Match, fn func(field, value string, present bool)) {
	for _, g := range r.groups {
		grp := m.GroupByNumber(g.index)
		if grp == nil || len(grp.Captures) == 0 {
			fn(g.field, "", false)
			continue
		}
		fn(g.field, grp.String(), true)
	}
}
