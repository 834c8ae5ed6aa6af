package sigma

import (
	"net/netip"
	"path"
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Example is an event derived from a rule's detection logic, with the
// verdict Sigma's semantics give it.
type Example struct {
	Fields map[string]string // Falcon fields (event_simpleName, not the tag)
	Match  bool
	Why    string
}

// constraint asks a leaf to be true or false.
type constraint struct {
	m    *leafMatch
	want bool
}

const maxAlternatives = 48

// solve lists alternative constraint sets under which e evaluates to want.
func solve(e expr, want bool) [][]constraint {
	switch e := e.(type) {
	case exConst:
		if bool(e) == want {
			return [][]constraint{nil}
		}
		return nil
	case exLeaf:
		return [][]constraint{{{e.m, want}}}
	case exNot:
		return solve(e.x, !want)
	case exAnd, exOr:
		var xs []expr
		isAnd := false
		if a, ok := e.(exAnd); ok {
			xs, isAnd = a, true
		} else {
			xs = e.(exOr)
		}
		if isAnd == want { // every child must take want: product
			alts := [][]constraint{nil}
			for _, x := range xs {
				sub := solve(x, want)
				var next [][]constraint
				for _, a := range alts {
					for _, s := range sub {
						next = append(next, append(append([]constraint(nil), a...), s...))
						if len(next) >= maxAlternatives {
							break
						}
					}
				}
				alts = next
			}
			return alts
		}
		var alts [][]constraint // one child suffices: union
		for _, x := range xs {
			alts = append(alts, solve(x, want)...)
		}
		if len(alts) > maxAlternatives*4 {
			alts = alts[:maxAlternatives*4]
		}
		return alts
	}
	return nil
}

// Examples derives matching events and near misses from a converted rule:
// up to n of each, every one checked against the rule's Sigma meaning.
func (q *Query) Examples(n int) (pos, neg []Example) {
	base := q.baseEvent()
	seen := map[string]bool{}
	add := func(list *[]Example, ev map[string]string, match bool, why string) {
		if len(*list) >= n {
			return
		}
		k := eventKey(ev)
		if seen[k] || q.matches(ev) != match {
			return
		}
		seen[k] = true
		*list = append(*list, Example{Fields: ev, Match: match, Why: why})
	}
	alts := solve(q.expr, true)
	for variant := 0; variant < 3 && len(pos) < n; variant++ {
		for _, alt := range alts {
			ev, ok := synthesize(base, alt, false, variant)
			if !ok {
				continue
			}
			add(&pos, ev, true, "matches the detection")
			if up, ok := synthesize(base, alt, true, variant); ok {
				add(&pos, up, true, "matches with the values' letters in another case")
			}
			if len(pos) >= n {
				break
			}
		}
	}
	// The same matches on the logsource's other event types
	// (SyntheticProcessRollup2, the IPv6 network events ...).
	for _, p := range append([]Example(nil), pos...) {
		for _, name := range q.logsource.Events[1:] {
			if strings.ContainsAny(name, "*?") {
				continue
			}
			ev := clone(p.Fields)
			ev["event_simpleName"] = name
			add(&pos, ev, true, "matches as "+name)
		}
	}
	// Near misses, most telling first: the match on another platform or
	// event type, an event that meets the rule's selections but also one of
	// its filters (or misses one selection), then a match with one value
	// slightly changed or removed.
	for _, p := range pos {
		if q.matchPlatform {
			ev := clone(p.Fields)
			ev["event_platform"] = otherPlatform(ev["event_platform"])
			add(&neg, ev, false, "near miss: another platform")
		}
		ev := clone(p.Fields)
		ev["event_simpleName"] = "EndOfProcess"
		add(&neg, ev, false, "near miss: another event type")
		break
	}
	for _, alt := range solve(q.expr, false) {
		if len(neg) >= n/2+1 {
			break
		}
		if ev, ok := synthesize(base, alt, false, 0); ok {
			add(&neg, ev, false, "does not satisfy the detection")
		}
	}
	for round := 0; round < 6; round++ {
		for _, p := range pos {
			for _, f := range sortedKeys(p.Fields) {
				if f == "event_simpleName" || f == "event_platform" {
					continue
				}
				muts := mutations(p.Fields[f])
				ev := clone(p.Fields)
				if round < len(muts) {
					ev[f] = muts[round]
				} else {
					delete(ev, f)
				}
				add(&neg, ev, false, "near miss: "+f+" changed")
			}
		}
	}
	return pos, neg
}

// matches is the rule's Sigma meaning including its logsource.
func (q *Query) matches(ev map[string]string) bool {
	ok := false
	for _, e := range q.logsource.Events {
		if m, _ := path.Match(e, ev["event_simpleName"]); m {
			ok = true
		}
	}
	if !ok {
		return false
	}
	if q.matchPlatform && ev["event_platform"] != q.platform() {
		return false
	}
	tagged := clone(ev)
	tagged["#event_simpleName"] = ev["event_simpleName"]
	return evalExpr(q.expr, tagged)
}

func (q *Query) platform() string {
	return q.platformName
}

func (q *Query) baseEvent() map[string]string {
	ev := map[string]string{}
	name := q.logsource.Events[0]
	if strings.ContainsAny(name, "*?") {
		name = strings.ReplaceAll(strings.ReplaceAll(name, "*", "Pe"), "?", "x")
	}
	ev["event_simpleName"] = name
	if q.matchPlatform {
		ev["event_platform"] = q.platform()
	}
	return ev
}

func otherPlatform(p string) string {
	if p == "Win" {
		return "Lin"
	}
	return "Win"
}

func clone(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func eventKey(ev map[string]string) string {
	var b strings.Builder
	for _, k := range sortedKeys(ev) {
		b.WriteString(k + "\x00" + ev[k] + "\x01")
	}
	return b.String()
}

// mutations are small changes to a value: one character replaced (first,
// middle, last letter or digit), one character dropped at either end.
func mutations(v string) []string {
	var out []string
	r := []rune(v)
	if len(r) == 0 {
		return []string{"x"}
	}
	for _, i := range []int{len(r) - 1, len(r) / 2, 0} {
		c := r[i]
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) {
			continue
		}
		m := append([]rune(nil), r...)
		switch {
		case c == 'q' || c == 'Q':
			m[i] = 'z'
		case unicode.IsDigit(c):
			m[i] = '0' + (c-'0'+1)%10
		default:
			m[i] = 'q'
		}
		out = append(out, string(m))
	}
	out = append(out, string(r[:len(r)-1]), string(r[1:]))
	return out
}

// synthesize builds an event meeting the constraints, or reports failure.
// upper writes case-insensitive literals in another case.
func synthesize(base map[string]string, cs []constraint, upper bool, variant int) (map[string]string, bool) {
	ev := clone(base)
	byField := map[string][]constraint{}
	var order []string
	var keywords []constraint
	for _, c := range cs {
		if c.m.kind == leafKeyword {
			keywords = append(keywords, c)
			continue
		}
		f := c.m.field
		if c.m.kind == leafFieldRef && c.want {
			ev[c.m.field], ev[c.m.other] = "same-value", "same-value"
			continue
		}
		if _, ok := byField[f]; !ok {
			order = append(order, f)
		}
		byField[f] = append(byField[f], c)
	}
	for _, f := range order {
		v, present, ok := fieldValue(byField[f], upper, ev[jsonName(f)], variant)
		if !ok {
			return nil, false
		}
		name := jsonName(f)
		if present {
			ev[name] = v
		} else if name != "event_simpleName" {
			delete(ev, name)
		}
	}
	var kw []string
	for _, c := range keywords {
		if c.want {
			kw = append(kw, sample(c.m.p, variant, upper))
		}
	}
	if len(kw) > 0 {
		ev["Message"] = strings.Join(kw, " ")
	}
	return ev, true
}

func jsonName(f string) string { return strings.TrimPrefix(f, "#") }

// fieldValue finds one value for a field meeting its constraints.
func fieldValue(cs []constraint, upper bool, current string, variant int) (v string, present, ok bool) {
	var pos []*leafMatch
	needPresent := false
	for _, c := range cs {
		if c.want {
			pos = append(pos, c.m)
		}
		if c.m.kind == leafExists && c.want {
			needPresent = true
		}
	}
	check := func(v string) bool {
		ev := map[string]string{cs[0].m.field: v}
		for _, c := range cs {
			if c.m.eval(ev) != c.want {
				return false
			}
		}
		return true
	}
	var samples [][]string
	for _, m := range pos {
		samples = append(samples, leafSamples(m, upper))
	}
	var cands []string
	if current != "" {
		cands = append(cands, current)
	}
	if len(pos) == 0 {
		if !needPresent {
			// Leaving the field out makes every pattern false; also try a value.
			ev := map[string]string{}
			allFalse := true
			for _, c := range cs {
				if c.m.eval(ev) != c.want {
					allFalse = false
				}
			}
			if allFalse {
				return "", false, true
			}
		}
		cands = append(cands, "zzz-other", "0", "other.exe")
	}
	// One sample per positive leaf, combined start/middle/end by anchoring.
	for k := variant; k < variant+3; k++ {
		var start, mid, end []string
		for i, m := range pos {
			s := samples[i][k%len(samples[i])]
			switch {
			case m.kind == leafPattern && !m.p.startsStar():
				start = append(start, s)
			case m.kind == leafPattern && !m.p.endsStar():
				end = append(end, s)
			default:
				mid = append(mid, s)
			}
		}
		all := append(append(append([]string(nil), start...), mid...), end...)
		cands = append(cands, strings.Join(all, ""), strings.Join(all, " "))
		for _, s := range all {
			cands = append(cands, s)
		}
	}
	for _, c := range cands {
		if check(c) {
			return c, true, true
		}
	}
	return "", false, false
}

// leafSamples are values that make a leaf true.
func leafSamples(m *leafMatch, upper bool) []string {
	switch m.kind {
	case leafPattern:
		return []string{sample(m.p, 0, upper), sample(m.p, 1, upper), sample(m.p, 2, upper)}
	case leafRegex:
		re, err := syntax.Parse(m.re.String(), syntax.Perl)
		if err != nil {
			return []string{"x"}
		}
		return []string{regexSample(re, 0), regexSample(re, 1), " " + regexSample(re, 0) + " "}
	case leafCIDR:
		var out []string
		for _, n := range m.nets {
			a := n.Addr().Next()
			if !n.Contains(a) {
				a = n.Addr()
			}
			out = append(out, addrText(a))
		}
		return out
	case leafCmp:
		x := m.num
		switch m.op {
		case ">":
			x++
		case "<":
			x--
		}
		return []string{strconv.FormatFloat(x, 'f', -1, 64)}
	case leafIn:
		return m.values
	case leafExists:
		return []string{"present"}
	}
	return []string{"x"}
}

// addrText prints IPv6 as Falcon does: uncompressed groups.
func addrText(a netip.Addr) string {
	if a.Is4() {
		return a.String()
	}
	b := a.As16()
	var parts []string
	for i := 0; i < 16; i += 2 {
		parts = append(parts, strconv.FormatUint(uint64(b[i])<<8|uint64(b[i+1]), 16))
	}
	return strings.Join(parts, ":")
}

// sample writes a value a pattern matches; variant picks filler text and
// class alternatives, upper swaps the case of letters when matching ignores it.
func sample(p pattern, variant int, upper bool) string {
	var b strings.Builder
	fill := []string{"", "abc", "X1 "}[variant%3]
	for _, x := range p {
		switch x.kind {
		case partLit:
			b.WriteString(x.text)
		case partStar:
			b.WriteString(fill)
		case partOne:
			b.WriteString("x")
		case partClass:
			b.WriteString(x.alts[variant%len(x.alts)])
		case partRegex:
			b.WriteString(x.alts[variant%len(x.alts)])
		}
	}
	s := b.String()
	if upper {
		s = swapCase(s)
	}
	return s
}

func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsUpper(r) {
			return unicode.ToLower(r)
		}
		return unicode.ToUpper(r)
	}, s)
}

// regexSample writes a string the regex matches (alternative picks which
// branch of alternations to take).
func regexSample(re *syntax.Regexp, alt int) string {
	var b strings.Builder
	var walk func(r *syntax.Regexp)
	walk = func(r *syntax.Regexp) {
		switch r.Op {
		case syntax.OpLiteral:
			b.WriteString(string(r.Rune))
		case syntax.OpCharClass:
			b.WriteRune(classRune(r.Rune))
		case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
			b.WriteByte('a')
		case syntax.OpCapture:
			walk(r.Sub[0])
		case syntax.OpPlus:
			walk(r.Sub[0])
		case syntax.OpRepeat:
			for i := 0; i < r.Min; i++ {
				walk(r.Sub[0])
			}
		case syntax.OpConcat:
			for _, s := range r.Sub {
				walk(s)
			}
		case syntax.OpAlternate:
			walk(r.Sub[alt%len(r.Sub)])
		}
	}
	walk(re)
	return b.String()
}

// classRune picks a printable rune of a character class, preferring
// letters and digits.
func classRune(ranges []rune) rune {
	for _, pref := range []func(rune) bool{unicode.IsLetter, unicode.IsDigit, unicode.IsPrint} {
		for i := 0; i+1 < len(ranges); i += 2 {
			for r := ranges[i]; r <= ranges[i+1] && r < ranges[i]+128; r++ {
				if pref(r) && r < 0x7f && r != '\n' {
					return r
				}
			}
		}
	}
	if len(ranges) > 0 {
		return ranges[0]
	}
	return 'a'
}
