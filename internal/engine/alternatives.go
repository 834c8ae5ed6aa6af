package engine

import (
	"slices"
	"unsafe"

	"github.com/tiercel/tiercel/internal/cql"
)

// orFilterAlternatives appends the alternatives of an OR chain to out, in
// order, through parentheses: (a or b) or c is a, b, c.
func orFilterAlternatives(f cql.Filter, out []cql.Filter) []cql.Filter {
	switch f := f.(type) {
	case *cql.OrFilter:
		return orFilterAlternatives(f.Y, orFilterAlternatives(f.X, out))
	case *cql.ParenFilter:
		if _, ok := f.X.(*cql.OrFilter); ok {
			return orFilterAlternatives(f.X, out)
		}
	}
	return append(out, f)
}

// orOfAll is the OR of alts, tests of one field made one anyOfTester: the
// field is read once for all of them. Tests standing next to each other
// always are; tests of a field wherever they stand in the chain when every
// alternative is a pure test (none has a side effect or a time-out, so
// the order they are tried in changes nothing): a Sigma rule's exclusions
// name a field, another, then the first again.
func orOfAll(alts []tester) tester {
	alts = mergeFieldTests(alts, len(alts) > 2 && allPure(alts))
	t := alts[0]
	for _, a := range alts[1:] {
		t = orTester{t, a}
	}
	return t
}

// mergeFieldTests merges each test of a field into the test of it just
// before, or, anywhere, into the first. The testers are new (compileFilter
// builds every one anew), so an anyOfTester grows in place: a Sigma rule's
// 3,660 alternatives were copied 3,660 times.
func mergeFieldTests(alts []tester, anywhere bool) []tester {
	out := alts[:0:0]
	at := map[string]int{} // the index in out of each field's last test
	for _, a := range alts {
		f, ms, ok := fieldAlternatives(a)
		if !ok {
			out = append(out, a)
			continue
		}
		i, seen := at[f]
		if !seen || !anywhere && i != len(out)-1 {
			at[f] = len(out)
			out = append(out, a)
			continue
		}
		if group, ok := out[i].(*anyOfTester); ok {
			group.ms = append(group.ms, ms...)
			continue
		}
		_, first, _ := fieldAlternatives(out[i])
		out[i] = &anyOfTester{field: f, ms: append(slices.Clip(first), ms...)}
	}
	return out
}

// allPure reports whether every test is of a kind with no side effect
// and no time-out: field values, their presence, numbers, subnets, free
// text, and their negations and combinations.
func allPure(ts []tester) bool {
	for _, t := range ts {
		if !pure(t) {
			return false
		}
	}
	return true
}

func pure(t tester) bool {
	switch t := t.(type) {
	case andTester:
		return pure(t.x) && pure(t.y)
	case orTester:
		return pure(t.x) && pure(t.y)
	case notTester:
		return pure(t.x)
	case constTester, existsTester, *numCompareTester, *cidrTester:
		return true
	case *fieldTester:
		return pureMatcher(t.m)
	case *freeTextTester:
		return pureMatcher(t.m)
	case *anyOfTester:
		for _, m := range t.ms {
			if !pureMatcher(m) {
				return false
			}
		}
		return true
	}
	return false
}

func pureMatcher(m valueMatcher) bool {
	switch m := m.(type) {
	case *globMatcher:
		return true
	case regexMatcher:
		return m.re.re2 == nil // a backtracking one may time out
	}
	return false
}

// matcherNeeds tells which of an anyOfTester's matchers a value may
// match: by the literals each needs, all found in one scan of the value,
// and, for those every match of which holds a byte past ASCII (a Sigma
// rule's homoglyphs, /Ј/i), by one look at whether the value has one.
type matcherNeeds struct {
	ls   *litSet   // nil: no matcher needs a literal it finds
	need [][]int32 // per matcher: ids of literals one of which it needs; nil: none known
	past []bool    // per matcher: every match holds a byte past ASCII
	// pastAny: some matcher is past ASCII
	pastAny bool
}

// minNeeded is how many matchers must need literals (or bytes past ASCII)
// for one scan of a value to pay over each matcher's own test.
const minNeeded = 4

// newMatcherNeeds returns the needs of ms, or nil when fewer than
// minNeeded have any.
func newMatcherNeeds(ms []valueMatcher) *matcherNeeds {
	n := &matcherNeeds{need: make([][]int32, len(ms)), past: make([]bool, len(ms))}
	covers := make([][]*litExpr, len(ms))
	found, total := 0, 0
	for i, m := range ms {
		// a backtracking regex, a number, a glob of wildcards alone: no
		// literal, tried on every value
		if lits := requiredLits(matcherLits(m, "")); findable(lits) {
			covers[i] = lits
			found++
			total += len(lits)
		} else if pastASCII(m) {
			n.past[i], n.pastAny = true, true
			found++
		}
	}
	if found < minNeeded {
		return nil
	}
	if total > 0 {
		n.ls = newSmallLitSet(total)
	}
	for i, lits := range covers {
		for _, l := range lits {
			d := n.ls.compile(&litExpr{op: litText, text: l.text, fold: l.fold})
			n.need[i] = append(n.need[i], d.lit)
		}
	}
	return n
}

// findable reports whether a small litSet finds each of lits in a value
// exactly: ASCII (it folds ASCII letters only), and long enough to be
// listed under a gram (no pair table).
func findable(lits []*litExpr) bool {
	for _, l := range lits {
		if len(l.text) < gramLen || !isASCII(l.text) {
			return false
		}
	}
	return lits != nil
}

// pastASCII reports whether every value m matches holds a byte past
// ASCII: a regex of one literal holding one (ignoring case, its runes are
// none an ASCII letter folds to: plainLiteral).
func pastASCII(m valueMatcher) bool {
	rm, ok := m.(regexMatcher)
	return ok && rm.re.plain != nil && !isASCII(unsafe.String(unsafe.SliceData(rm.re.plain.lit), len(rm.re.plain.lit)))
}

// anyMatch reports whether one of ms matches v, trying in order only
// those whose needed literals, or bytes past ASCII, v holds.
func (n *matcherNeeds) anyMatch(ms []valueMatcher, v string) bool {
	b := unsafe.Slice(unsafe.StringData(v), len(v))
	var small [4]uint64
	bits := small[:]
	if n.ls != nil {
		if n.ls.ks && hasOddRunes(b) {
			// KELVIN SIGN or LONG S spell a folded k or s another way
			return anyMatches(ms, v)
		}
		if words := (len(n.ls.lits) + 63) / 64; words > len(small) {
			bits = make([]uint64, words)
		}
		n.ls.match(b, bits)
	}
	ascii := n.pastAny && isASCII(v)
	for i, m := range ms {
		if need := n.need[i]; need != nil && !anyBitOf(bits, need) || ascii && n.past[i] {
			continue
		}
		if m.matchValue(v) {
			return true
		}
	}
	return false
}

// anyMatches reports whether one of ms matches v.
func anyMatches(ms []valueMatcher, v string) bool {
	for _, m := range ms {
		if m.matchValue(v) {
			return true
		}
	}
	return false
}

func anyBitOf(bits []uint64, ids []int32) bool {
	for _, id := range ids {
		if bits[id>>6]&(1<<(id&63)) != 0 {
			return true
		}
	}
	return false
}
