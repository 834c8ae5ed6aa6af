package engine

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

// An OR chain's tests of one field become one anyOfTester wherever they
// stand, when every alternative is pure; the rows stay those of the chain
// as written.
func TestOrChainsMergeTestsOfOneField(t *testing.T) {
	events := []*event.Event{
		ev("id", "1", "f", "alpha", "g", "x"),
		ev("id", "2", "f", "BETA"),
		ev("id", "3", "g", "gamma", "h", "7"),
		ev("id", "4", "f", "delta"),
		ev("id", "5", "ip", "10.1.2.3"),
	}
	tests := []struct {
		query string
		want  []string
		// shape: each alternative of the compiled chain, a field's name
		// with its number of tests (f:2), or "-" for another kind
		shape string
	}{
		{`f=/alpha/ or g=gamma or f=/beta/i | select([id])`, []string{"id=1", "id=2", "id=3"}, "f:2 g:1"},
		{`(f=/alpha/ or g=gamma) or (h=7 or f=/delta/) | select([id])`, []string{"id=1", "id=3", "id=4"}, "f:2 g:1 h:1"},
		{`f=/alpha/ or not g=* or f=/delta/ or g=x | select([id])`, []string{"id=1", "id=2", "id=4", "id=5"}, "f:2 - g:1"},
		// a backtracking regex may time out: the order it is tried in counts
		{`f=/alpha/ or g=/(?=g)gam/ or f=/delta/ | select([id])`, []string{"id=1", "id=3", "id=4"}, "f:1 g:1 f:1"},
		// neighbours are one test all the same
		{`f=/alpha/ or f=/delta/ or g=/(?=g)gam/ | select([id])`, []string{"id=1", "id=3", "id=4"}, "f:2 g:1"},
		{`f=/alpha/ or cidr(ip, subnet="10.0.0.0/8") or f=/delta/ | select([id])`, []string{"id=1", "id=4", "id=5"}, "f:2 -"},
		// a test of a kind not known to be pure is left where it is, and so
		// is the chain
		{`f=/alpha/ or text:contains(string=g, substring="amm") or f=/delta/ | select([id])`, []string{"id=1", "id=3", "id=4"}, "f:1 - f:1"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			expect(t, tt.query, events, tt.want)
			q, diags := cql.Parse(tt.query)
			if diags != nil {
				t.Fatal(diags)
			}
			tester, err := (&compiler{}).compileFilter(q.Pipeline.Steps[0].(*cql.FilterStep).Filter)
			if err != nil {
				t.Fatal(err)
			}
			var shape []string
			for _, alt := range orAlternatives(tester, nil) {
				if f, ms, ok := fieldAlternatives(alt); ok {
					shape = append(shape, fmt.Sprintf("%s:%d", f, len(ms)))
				} else {
					shape = append(shape, "-")
				}
			}
			if got := strings.Join(shape, " "); got != tt.shape {
				t.Errorf("compiled to %s, want %s", got, tt.shape)
			}
		})
	}
}

// Whatever the values, an anyOfTester that scans for its matchers'
// literals first answers as trying every matcher does: regexes and globs
// needing literals or not, ignoring case or not, anchored, alternations,
// numbers, homoglyphs (a Cyrillic Ј, с), and values spelling k or s as
// KELVIN SIGN or LONG S.
func TestMatcherNeedsAnswerAsEveryMatcher(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	words := []string{"svchost", "powershell", "Kerberos", "\\windows\\", "task", "mimikatz", "\\appdata\\", "dll", "x", "Ј", "сmd"}
	pick := func() string { return words[r.IntN(len(words))] }
	quote := func() string { return regexp.QuoteMeta(pick()) }
	patterns := func() [][2]string { // pattern, flags
		var ps [][2]string
		for range 4 + r.IntN(8) {
			w := quote()
			switch r.IntN(6) {
			case 0:
				ps = append(ps, [2]string{w, "i"})
			case 1:
				ps = append(ps, [2]string{"^" + w, ""})
			case 2:
				ps = append(ps, [2]string{w + "$", "i"})
			case 3:
				ps = append(ps, [2]string{"(" + w + "|" + quote() + ")", "i"})
			case 4:
				ps = append(ps, [2]string{w + `\d+` + quote(), "i"})
			default:
				ps = append(ps, [2]string{`\d{3}`, ""}) // needs no literal
			}
		}
		return ps
	}
	globs := func() []valueMatcher {
		var gs []valueMatcher
		for range r.IntN(4) {
			switch w := pick(); r.IntN(4) {
			case 0:
				gs = append(gs, newGlobMatcher("*"+w+"*", true, true))
			case 1:
				gs = append(gs, newGlobMatcher(w, true, false)) // the whole value
			case 2:
				gs = append(gs, newGlobMatcher("123", true, false)) // a number
			default:
				gs = append(gs, newGlobMatcher(w+"*"+pick(), true, true))
			}
		}
		return gs
	}
	built := 0
	for round := range 300 {
		var ms []valueMatcher
		for _, p := range patterns() {
			re, err := compileRegex(p[0], p[1])
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			ms = append(ms, regexMatcher{re})
		}
		ms = append(ms, globs()...)
		r.Shuffle(len(ms), func(i, j int) { ms[i], ms[j] = ms[j], ms[i] })
		needs := newMatcherNeeds(ms)
		if needs == nil {
			continue
		}
		built++
		for range 40 {
			var b strings.Builder
			for range r.IntN(5) {
				w := pick()
				switch r.IntN(5) {
				case 0:
					w = strings.ToUpper(w)
				case 1:
					w = strings.NewReplacer("k", "\u212a", "s", "\u017f").Replace(w)
				}
				b.WriteString(w)
				b.WriteString([]string{"", " ", "123", "-"}[r.IntN(4)])
			}
			v := b.String()
			if got, want := needs.anyMatch(ms, v), anyMatches(ms, v); got != want {
				t.Fatalf("round %d: %q against %d patterns: %v, want %v", round, v, len(ms), got, want)
			}
		}
	}
	if built < 100 {
		t.Fatalf("only %d of 300 rounds had enough matchers needing literals: the test tests little", built)
	}
}

// Fewer than minNeeded matchers needing literals: each tries its own.
func TestMatcherNeedsOnlyForManyMatchers(t *testing.T) {
	var ms []valueMatcher
	for _, p := range [][2]string{{"svchost", "i"}, {"powershell", "i"}, {`\d+`, ""}, {"mimikatz", ""}} {
		re, err := compileRegex(p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, regexMatcher{re})
	}
	if n := newMatcherNeeds(ms); n != nil {
		t.Errorf("three matchers need literals: got needs, want none")
	}
	re, err := compileRegex("lsass", "i")
	if err != nil {
		t.Fatal(err)
	}
	if n := newMatcherNeeds(append(ms, regexMatcher{re})); n == nil {
		t.Errorf("four matchers need literals: got no needs")
	}
	// a homoglyph counts: every match holds a byte past ASCII
	re, err = compileRegex("Ј", "i")
	if err != nil {
		t.Fatal(err)
	}
	if n := newMatcherNeeds(append(ms, regexMatcher{re})); n == nil || !n.past[len(ms)] {
		t.Errorf("three matchers need literals and one a byte past ASCII: got %+v", n)
	}
}
