package engine

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// A pattern matching whole values that are one of a few literals is
// decided by a lookup, with the regex's answer on every value; other
// patterns are not taken.
func TestSetRegexAgreesWithTheRegex(t *testing.T) {
	tests := []struct {
		pattern, flags string
		set            bool
	}{
		{`^(ProcessRollup2|DnsRequest|NetworkConnectIP4)$`, "", true},
		{`^(ProcessRollup2|SyntheticProcessRollup2)$`, "i", true},
		{`^(cmd|powershell)(\.exe)?$`, "i", true},
		{`^python[23]?\.exe$`, "i", true},
		{`^(?i:cmd)\.exe$`, "", false}, // case ignored in one part, not in another
		{`^(?i:cmd)\.(?i:EXE)$`, "", true},
		{`^(?i:cmd)\.[0-9]$`, "", true}, // no letter where case counts
		{`^[a-c]x$`, "i", true},
		{`^[aB]$`, "", true},
		{`^(k|x)$`, "i", true}, // the Kelvin sign folds to k: such values go to the regex
		{`^(s|t)$`, "i", true},
		{`^$`, "", true},
		{`^(a|b)`, "", false},   // not anchored at the end
		{`(a|b)$`, "", false},   // nor at the start
		{`^a.c$`, "", false},    // a dot is any byte
		{`^a+$`, "", false},     // not a finite set
		{`^(a|b)$`, "m", false}, // ^ and $ at every line
		{`^straße$`, "i", false},
		{`^[a-z]{3}$`, "", false}, // too many words
	}
	values := []string{
		"", "ProcessRollup2", "processrollup2", "DnsRequest", "NetworkConnectIP4", "NetworkConnectIP4x",
		"SyntheticProcessRollup2", "SYNTHETICPROCESSROLLUP2", "cmd", "CMD.EXE", "cmd.exe", "Cmd.Exe", "powershell.exe",
		"cmd.EXE", "python.exe", "PYTHON3.EXE", "python4.exe", "ax", "Cx", "dx", "a", "B", "b", "k", "K", "\u212a",
		"s", "\u017f", "T", "straße", "STRASSE", "aaa", "abc", "a\nb", "\u212ax", "python\u212a.exe",
	}
	for _, tt := range tests {
		assertTakenAndAgrees(t, tt.pattern, tt.flags, "set", func(r *lsRegex) bool { return r.set != nil }, tt.set, values)
	}
}

// Random alternations of words, with optional tails and classes, against
// the words themselves, their case changed, cut or extended.
func TestSetRegexRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	word := randomWords(rng, "abkKsSXY.-_01")
	for range 400 {
		var alts []string
		for range 1 + rng.IntN(5) {
			alts = append(alts, word(1+rng.IntN(5)))
		}
		var quoted []string
		for _, a := range alts {
			quoted = append(quoted, regexpQuote(a))
		}
		pattern := "^(" + strings.Join(quoted, "|") + ")"
		switch rng.IntN(3) {
		case 0:
			pattern += `(\.exe)?`
		case 1:
			pattern += `[0-2Xx]`
		}
		pattern += "$"
		flags := randomFlags(rng)
		r := mustTake(t, pattern, flags, "a set", func(r *lsRegex) bool { return r.set != nil })
		for range 60 {
			v := alts[rng.IntN(len(alts))]
			switch rng.IntN(6) {
			case 0:
				v = strings.ToUpper(v)
			case 1:
				v += ".EXE"
			case 2:
				v += string("0x3Z"[rng.IntN(4)])
			case 3:
				v = strings.NewReplacer("k", "\u212a", "s", "\u017f").Replace(v)
			case 4:
				v = word(rng.IntN(8))
			}
			if got, want := r.matchString(v), r.rx().MatchString(v); got != want {
				t.Fatalf("/%s/%s on %q: %v, the regex says %v", pattern, flags, v, got, want)
			}
		}
	}
}

// FuzzSetRegex: an alternation of two literals, anchored, ignoring case or
// not, decides any value as the regex does.
func FuzzSetRegex(f *testing.F) {
	f.Add("cmd", "powershell", true, "CMD")
	f.Add("k", "s", true, "\u212a")
	f.Add("a", "", false, "")
	f.Fuzz(func(t *testing.T, a, b string, fold bool, value string) {
		pattern := "^(" + regexp.QuoteMeta(a) + "|" + regexp.QuoteMeta(b) + ")$"
		flags := ""
		if fold {
			flags = "i"
		}
		fuzzAgreesWithRegex(t, pattern, flags, value)
	})
}

// BenchmarkSetRegex: the seed's event-type filter on the three names it
// takes and one it does not, by lookup and by the regex.
func BenchmarkSetRegex(b *testing.B) {
	r, err := compileRegexNow(`^(ProcessRollup2|DnsRequest|NetworkConnectIP4)$`, "")
	if err != nil || r.set == nil {
		b.Fatal("not a set")
	}
	values := []string{"ProcessRollup2", "DnsRequest", "NetworkConnectIP4", "NetworkListenIP4"}
	b.Run("set", func(b *testing.B) {
		for b.Loop() {
			for _, v := range values {
				r.matchString(v)
			}
		}
	})
	b.Run("regexp", func(b *testing.B) {
		for b.Loop() {
			for _, v := range values {
				r.rx().MatchString(v)
			}
		}
	})
}
