package engine

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// A literal set notes every literal a value holds, compared a word at a
// time: literals shorter and longer than a word, ignoring case or not,
// at the value's start and end, with the value alone (its capacity ends
// with it) or read within its line (bytes follow it, never read).
func TestLitSetMatch(t *testing.T) {
	lits := []setLit{
		{"ab", false}, {"cmd.exe", true}, {`\\windows\\`, true}, {"Invoke-Mimikatz", false},
		{"powershell.exe", true}, {"x[y", true}, {"😀", false}, {"12345678", false},
	}
	ls := newLitSet("v", nil)
	for _, l := range lits {
		ls.compile(&litExpr{op: litText, text: l.text, fold: l.fold})
	}
	tests := []struct {
		value string
		want  []string
	}{
		{`ab`, []string{"ab"}},
		{`aB`, nil},
		{`C:\\WINDOWS\\System32\\CMD.EXE`, []string{`\\windows\\`, "cmd.exe"}},
		{`CMD.EX`, nil},
		{`Invoke-Mimikatz`, []string{"Invoke-Mimikatz"}},
		{`invoke-mimikatz`, nil},
		{`Invoke-Mimikat`, nil},
		{`PowerShell.EXE -c ab`, []string{"powershell.exe", "ab"}},
		{`PowerShell.EXF`, nil},
		{`X[Y`, []string{"x[y"}},
		{`x{y`, nil}, // { is [ with 0x20 set: not a letter, compared as it is
		{`x😀`, []string{"😀"}},
		{`0123456789`, []string{"12345678"}},
		{`1234567`, nil},
	}
	for _, tc := range tests {
		for _, v := range [][]byte{
			[]byte(tc.value)[:len(tc.value):len(tc.value)],
			[]byte(`{"v":"` + tc.value + `","w":"cmd.exe ab"}`)[6 : 6+len(tc.value)],
		} {
			bits := make([]uint64, 1)
			ls.match(v, bits)
			var got []string
			for id, l := range ls.lits {
				if bits[0]&(1<<id) != 0 {
					got = append(got, l.text)
				}
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(got, want) {
				t.Errorf("%s (capacity %d): %q, want %q", tc.value, cap(v), got, want)
			}
		}
	}
}

// A literal of four bytes or more is listed under its least likely gram:
// not the separators of a path or a command line.
func TestAnchorGram(t *testing.T) {
	tests := []struct {
		text, gram string
	}{
		{`\\cmd.exe`, `\cmd`},
		{` -encodedcommand `, `dedc`},
		{`mimikatz`, `mimi`},
		{`.exe`, `.exe`},
		{`\\windows\\fonts\\`, `wind`},
	}
	for _, tc := range tests {
		at := anchorGram(tc.text, nil)
		if got := tc.text[at : at+gramLen]; got != tc.gram {
			t.Errorf("anchorGram(%q) = %q, want %q", tc.text, got, tc.gram)
		}
	}
}

// Literals sharing a word are listed under grams of their own where
// their texts allow: a value holding the word is not compared with all of
// them there.
func TestAnchorGramSpreadsLiterals(t *testing.T) {
	ls := newLitSet("CommandLine", nil)
	texts := []string{"powershell -enc", "powershell -nop", "powershell -w hidden", "powershell.exe -c"}
	slots := map[uint32]bool{}
	for _, text := range texts {
		ls.compile(&litExpr{op: litText, text: text, fold: true})
	}
	for _, list := range ls.gramLists {
		for _, a := range list {
			slots[gramSlot([]byte(texts[a.id][a.at:]))] = true
		}
	}
	if len(slots) != len(texts) {
		t.Errorf("%d literals listed in %d slots, want one each", len(texts), len(slots))
	}
	if alone := anchorGram(texts[1], nil); alone != anchorGram(texts[0], nil) {
		t.Fatalf("without a load the literals' rarest grams differ (%d, %d): the case tests nothing", alone, anchorGram(texts[0], nil))
	}
}

// Given a sample of the input, a literal is listed under a gram of it the
// sample seldom holds, and still found wherever it is.
func TestAnchorGramAvoidsGramsTheSampleHolds(t *testing.T) {
	const text = "powershell -encodedcommand"
	var seen GramCounts
	for range 200 {
		seen.Add([]byte(`"CommandLine":"powershell.exe -nop -w hidden -c powershell"`))
	}
	alone := anchorGram(text, nil)
	ls := newLitSet("CommandLine", &seen)
	ls.compile(&litExpr{op: litText, text: text, fold: true})
	at := ls.gramLists[0][0].at
	if seen.n[gramSlot([]byte(text[at:]))] != 0 {
		t.Errorf("listed under %q, which the sample holds", text[at:int(at)+gramLen])
	}
	if seen.n[gramSlot([]byte(text[alone:]))] == 0 {
		t.Fatalf("by its bytes alone listed under %q, which the sample lacks: the case tests nothing", text[alone:alone+gramLen])
	}
	bits := make([]uint64, 1)
	for _, v := range []string{text, "x POWERSHELL -EncodedCommand y", "powershell -encoded"} {
		ls.match([]byte(v), bits)
		if got, want := bits[0] != 0, strings.Contains(strings.ToLower(v), text); got != want {
			t.Errorf("%q: noted %v, want %v", v, got, want)
		}
	}
}

// Whatever the literals (2 to 12 bytes, case ignored or not, bytes that
// fold alike with b|0x20 without being letters: [ and {, @ and `), a
// value holds a literal exactly when match notes it, in a set of the
// dispatch's size and in a small one (newSmallLitSet, every other round).
func TestLitSetMatchesAsContains(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const alphabet = "abAB[{@`\\ -.x"
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	for round := range 200 {
		ls := newLitSet("v", nil)
		if round%2 == 1 {
			ls = newSmallLitSet(1)
		}
		for range 1 + r.IntN(12) {
			text, fold := word(2+r.IntN(11)), r.IntN(2) == 0
			if fold {
				text = string(bytes.ToLower([]byte(text)))
			}
			ls.compile(&litExpr{op: litText, text: text, fold: fold})
		}
		bits := make([]uint64, 1)
		for range 50 {
			v := []byte(word(r.IntN(40)))
			ls.match(v[:len(v):len(v)], bits)
			for id, l := range ls.lits {
				want := bytes.Contains(v, []byte(l.text))
				if l.fold {
					want = bytes.Contains(bytes.ToLower(v), []byte(l.text))
				}
				if got := bits[0]&(1<<id) != 0; got != want {
					t.Fatalf("round %d: %q in %q (fold %v): %v, want %v", round, l.text, v, l.fold, got, want)
				}
			}
		}
	}
}

// BenchmarkLitSetCommandLines matches command lines against a set of 250
// literals, short and long, as a thousand rules' CommandLine tests make.
func BenchmarkLitSetCommandLines(b *testing.B) {
	ls := newLitSet("CommandLine", nil)
	for i, w := range strings.Fields(`mimikatz sekurlsa procdump whoami nmap curl shodan ipinfo lsass kerberos -enc -nop bypass hidden downloadstring iex invoke-expression certutil -urlcache bitsadmin /transfer regsvr32 /i:http scrobj.dll rundll32 javascript: mshta vbscript wmic schtasks /create onlogon -c -e /c -w 0x \\ .js .vbs .ps1 .7z .gz :* @t`) {
		ls.compile(&litExpr{op: litText, text: strings.ToLower(w), fold: i%2 == 0})
	}
	for i := range 200 {
		ls.compile(&litExpr{op: litText, text: fmt.Sprintf("tool%03dx.exe", i), fold: true})
	}
	values := [][]byte{
		[]byte(`\"\\Device\\HarddiskVolume2\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer --field-trial-handle=5048,8334e32aa8dc6205 --lang=en-US /prefetch:5`),
		[]byte(`C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule`),
		[]byte(`powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\\ProgramData\\Vendor\\update-agent.ps1 -Mode Background`),
		[]byte(`/usr/bin/python3 /opt/app/manage.py runserver 0.0.0.0:8000 --settings=app.settings.production`)}
	bits := make([]uint64, (len(ls.lits)+63)/64)
	n := 0
	for _, v := range values {
		n += len(v)
	}
	b.SetBytes(int64(n))
	for b.Loop() {
		for _, v := range values {
			ls.match(v, bits)
		}
	}
}
