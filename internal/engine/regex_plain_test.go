package engine

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// A pattern that is one literal is decided without the regex, with the
// regex's answer on every value; other patterns are not taken.
func TestPlainRegexAgreesWithTheRegex(t *testing.T) {
	tests := []struct {
		pattern, flags string
		plain          bool
	}{
		{`cmd\.exe`, "i", true},
		{`\\cmd\.exe$`, "i", true},
		{`^C:\\Windows\\`, "i", true},
		{`^whoami$`, "", true},
		{`mimikatz`, "", true},
		{`^$`, "", false}, // no literal
		{`a|b`, "i", false},
		{`cmd.exe`, "i", false}, // a dot is any byte
		{`^cmd$`, "m", false},   // ^ and $ at every line
		{`(?<x>cmd)`, "", false},
		{`k`, "i", true},      // the Kelvin sign folds to k: such values go to the regex
		{`straße`, "i", true}, // ASCII values only: no ASCII byte folds to ß
		{`straße`, "", true},  // byte for byte on any value
		{`😀`, "", true},
		{`😮‍💨`, "i", true}, // runes without other cases: ignoring case changes nothing
		{`cmd😀$`, "i", true},
		{`é`, "i", true},      // É: the regex's, on values past ASCII
		{`Ј`, "i", true},      // a Cyrillic Je, written where a J is expected
		{"\u212a", "i", true}, // the Kelvin sign, parsed as its smallest case: K, a k on ASCII values
		{"\u017f", "i", true}, // the long s, parsed as S
		{"�", "", false},      // what the regex makes of bytes that are not UTF-8
	}
	values := []string{
		"", "cmd.exe", "CMD.EXE", "c:\\windows\\system32\\cmd.exe", "C:\\Windows\\", "whoami", "WHOAMI",
		"whoami /all", "xcmd.exe", "cmd.ex", "Mimikatz", "mimikatz", "a\nwhoami", "\u212a", "K", "STRASSE",
		"cmd\u00e9.exe", "\\cmd.exe\n", "cmdaexe", "straße", "STRAßE", "a😀b", "CMD😀", "cmd😀 ", "😮‍💨",
		"😮💨", "é", "É", "\xf0\x9f\x98", "\xf0\x9f\x98\x80", "\xff😀\xf0", "x\xc3", "\xe2\xc3\xa9",
	}
	for _, tt := range tests {
		assertTakenAndAgrees(t, tt.pattern, tt.flags, "plain", func(r *lsRegex) bool { return r.plain != nil }, tt.plain, values)
	}
}

// assertTakenAndAgrees compiles a pattern, checks that a fast form (form,
// told by taken) is taken as want says, and that matchString answers as
// the regex does on every value.
func assertTakenAndAgrees(t *testing.T, pattern, flags, form string, taken func(*lsRegex) bool, want bool, values []string) {
	t.Helper()
	r, err := compileRegexNow(pattern, flags)
	if err != nil {
		t.Fatalf("%s: %v", pattern, err)
	}
	if got := taken(r); got != want {
		t.Errorf("/%s/%s: %s %v, want %v", pattern, flags, form, got, want)
	}
	for _, v := range values {
		if got, want := r.matchString(v), r.rx().MatchString(v); got != want {
			t.Errorf("/%s/%s on %q: %v, the regex says %v", pattern, flags, v, got, want)
		}
	}
}

// Random literals, anchors and case against random ASCII values.
func TestPlainRegexRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	word := randomWords(rng, "abcXYZ.\\-_ 01")
	for range 300 {
		lit := word(1 + rng.IntN(4))
		pattern := regexpQuote(lit)
		if rng.IntN(2) == 0 {
			pattern = "^" + pattern
		}
		if rng.IntN(2) == 0 {
			pattern += "$"
		}
		flags := randomFlags(rng)
		r := mustTake(t, pattern, flags, "plain", func(r *lsRegex) bool { return r.plain != nil })
		for range 50 {
			v := word(rng.IntN(10))
			if rng.IntN(3) == 0 {
				v = word(rng.IntN(3)) + strings.ToUpper(lit) + word(rng.IntN(3))
			}
			if got, want := r.matchString(v), r.rx().MatchString(v); got != want {
				t.Fatalf("/%s/%s on %q: %v, the regex says %v", pattern, flags, v, got, want)
			}
		}
	}
}

// randomFlags is "i" or none.
func randomFlags(rng *rand.Rand) string {
	if rng.IntN(2) == 0 {
		return "i"
	}
	return ""
}

// mustTake compiles a pattern that must take a fast form (form, told by
// taken).
func mustTake(t *testing.T, pattern, flags, form string, taken func(*lsRegex) bool) *lsRegex {
	t.Helper()
	r, err := compileRegexNow(pattern, flags)
	if err != nil {
		t.Fatalf("%s: %v", pattern, err)
	}
	if !taken(r) {
		t.Fatalf("/%s/%s not taken as %s", pattern, flags, form)
	}
	return r
}

// randomWords returns a maker of random words of n bytes from alphabet.
func randomWords(rng *rand.Rand, alphabet string) func(n int) string {
	return func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
}

// regexpQuote escapes the characters the test's alphabet has that are
// special in a regex.
func regexpQuote(s string) string {
	r := strings.NewReplacer(`.`, `\.`, `\`, `\\`, `-`, `\-`)
	return r.Replace(s)
}

// FuzzPlainRegex: a literal, anchored or not, ignoring case or not, decides
// any value as the regex does.
func FuzzPlainRegex(f *testing.F) {
	f.Add(`cmd.exe`, uint8(0), `C:\Windows\CMD.EXE`)
	f.Add(`k`, uint8(3), "\u212a")
	f.Add(`ab`, uint8(7), "xaBy")
	f.Fuzz(func(t *testing.T, lit string, shape uint8, value string) {
		pattern := regexp.QuoteMeta(lit)
		if shape&1 != 0 {
			pattern = "^" + pattern
		}
		if shape&2 != 0 {
			pattern += "$"
		}
		flags := ""
		if shape&4 != 0 {
			flags = "i"
		}
		fuzzAgreesWithRegex(t, pattern, flags, value)
		if shape&8 != 0 {
			flags += "m" // replace()'s default
		}
		if diff := replacedAsTheRegex(t, pattern, flags, value); diff != "" {
			t.Fatal(diff)
		}
	})
}

// replacedAsTheRegex replaces the matches of a pattern in value with the
// literal replacer, when it takes the pattern and decides the value, and
// with the regex; it describes any difference.
func replacedAsTheRegex(t *testing.T, pattern, flags, value string) string {
	t.Helper()
	r, err := compileRegex(pattern, flags)
	if err != nil || r.re2 != nil {
		return ""
	}
	l := literalReplacerOf(r, "<R>")
	if l == nil {
		return ""
	}
	if got, ok := l.replace(value); ok {
		if want := r.rx().ReplaceAllString(value, "<R>"); got != want {
			return fmt.Sprintf("replace /%s/%s in %q: %q, the regex gives %q", pattern, flags, value, got, want)
		}
	}
	return ""
}

// A replace() of one literal is done by comparisons, with the regex's
// result on every value it decides; values with a newline and line
// anchors, or non-ASCII values ignoring case, are the regex's.
func TestLiteralReplaceAgreesWithTheRegex(t *testing.T) {
	tests := []struct {
		pattern, flags string
		taken          bool
	}{
		{`^\\REGISTRY\\MACHINE`, "im", true},
		{`^\\REGISTRY\\MACHINE`, "i", true},
		{`\\USER$`, "m", true},
		{`^abc$`, "im", true},
		{`ab`, "i", true},
		{`aa`, "", true}, // matches do not overlap
		{`😀`, "m", true},
		{`a|b`, "", false},
		{`(?<x>ab)`, "", false},
	}
	values := []string{
		"", `\REGISTRY\MACHINE\SOFTWARE`, `\registry\machine`, `x\REGISTRY\MACHINE`, "\\REGISTRY\\MACHINE\nx",
		"x\n\\REGISTRY\\MACHINE", `HKU\S-1\USER`, "a\\USER\n", "abc", "ABC", "abcabc", "aaaaa", "xAbyaBzab",
		"a😀b😀", "\u212a", "ab\u00e9AB", "abc\n",
	}
	for _, tt := range tests {
		r, err := compileRegex(tt.pattern, tt.flags)
		if err != nil {
			t.Fatal(err)
		}
		if got := literalReplacerOf(r, "<R>") != nil; got != tt.taken {
			t.Errorf("/%s/%s: taken %v, want %v", tt.pattern, tt.flags, got, tt.taken)
		}
		for _, v := range values {
			if diff := replacedAsTheRegex(t, tt.pattern, tt.flags, v); diff != "" {
				t.Error(diff)
			}
		}
	}
	r, _ := compileRegex(`ab`, "")
	if literalReplacerOf(r, "$1") != nil || literalReplacerOf(r, "$$") != nil {
		t.Error("a replacement with $ taken: the regex expands it")
	}
}

// fuzzAgreesWithRegex checks that a pattern this engine runs with RE2
// decides value as the regex does; other patterns are passed over.
func fuzzAgreesWithRegex(t *testing.T, pattern, flags, value string) {
	t.Helper()
	r, err := compileRegex(pattern, flags)
	if err != nil || r.re2 != nil {
		return // not a pattern this engine takes, or one for the backtracker
	}
	if got, want := r.matchString(value), r.rx().MatchString(value); got != want {
		t.Fatalf("/%s/%s on %q: %v, the regex says %v", pattern, flags, value, got, want)
	}
}
