package engine

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestMultiLitMatchesEachLiteral: the one-pass matcher agrees with testing
// the literals one at a time, folded and exact, at every position.
func TestMultiLitMatchesEachLiteral(t *testing.T) {
	lits := []*litExpr{
		litOf("shodan.io", "DomainName", true),
		litOf("censys", "", true),
		litOf("NMAP", "", false),
		litOf("masscan", "", true),
	}
	m := newMultiLit(lits)
	if m == nil {
		t.Fatal("newMultiLit returned nil for four literals")
	}
	haystacks := []string{
		"", "x", "api.SHODAN.io", "shodan.i", "xxcEnSyS", "nmap", "NMAP", "zNMAPz",
		"mass scan", "MASSCAN", "ma\u017fscan", "c\u212a", "shodan.io.", "sho",
	}
	for _, h := range haystacks {
		want := false
		for _, l := range lits {
			n := compilePF(l, map[string]int{}, false)
			want = want || n.match([]byte(h), &keyCache{})
		}
		if got := m.match([]byte(h)); got != want {
			t.Errorf("multi.match(%q) = %v, literals one by one say %v", h, got, want)
		}
	}
}

// TestMultiLitRandom: random literal sets over a small alphabet (so that
// windows, hashes and prefixes collide), folded or not, against random
// texts: the one-pass matcher agrees with the literals one by one. Sets
// whose literals all have three bytes or more are matched with a stride.
func TestMultiLitRandom(t *testing.T) {
	for _, minLen := range []int{1, 3, 4} {
		t.Run(fmt.Sprintf("min%d", minLen), func(t *testing.T) { testMultiLitRandom(t, minLen) })
	}
}

func testMultiLitRandom(t *testing.T, minLen int) {
	rng := rand.New(rand.NewPCG(7, 8))
	word := randomWords(rng, "abAB.-ks\u212a")
	for range 300 {
		var lits []*litExpr
		for range 3 + rng.IntN(6) {
			fold := rng.IntN(2) == 0
			text := word(minLen + rng.IntN(10)) // 1- and 2-byte literals test the pair table's edges
			if fold {
				text = strings.ToLower(text)
			}
			lits = append(lits, litOf(text, "", fold))
		}
		m := newMultiLit(lits)
		if m == nil {
			continue
		}
		if minLen >= 3 && len(lits) < 16 && m.stride < 2 {
			t.Fatalf("literals %v of %d bytes or more: stride %d", lits, minLen, m.stride)
		}
		for range 40 {
			h := []byte(word(rng.IntN(60)))
			if rng.IntN(8) == 0 {
				h = append(h, "\u212a\u017f"...)
			}
			want := false
			for _, l := range lits {
				n := compilePF(l, map[string]int{}, false)
				want = want || n.match(h, &keyCache{})
			}
			if got := m.match(h); got != want {
				t.Fatalf("literals %v on %q: one pass %v, one by one %v", lits, h, got, want)
			}
		}
	}
}

func TestNewMultiLitNeedsOnlyLiterals(t *testing.T) {
	a, b := litOf("alpha", "", false), litOf("beta", "", false)
	if newMultiLit([]*litExpr{a, b}) != nil {
		t.Error("two literals: want the per-literal path")
	}
	and := litAnd2(a, b)
	if newMultiLit([]*litExpr{a, b, and}) != nil {
		t.Error("an AND child must not be folded into a multiLit")
	}
}

// TestOrGuardAgreesWithKids: an OR of literals and ANDs of literals,
// guarded by one literal of each kid, decides as its kids tested one by
// one, in a field's value and on whole lines (where \u escapes pass).
func TestOrGuardAgreesWithKids(t *testing.T) {
	lit := func(s string, fold bool) *litExpr { return litOf(s, "", fold) }
	ors := [][]*litExpr{
		{litAnd2(lit("--rate", true), lit("masscan", true)), litAnd2(lit("search", true), lit("shodan", true)), lit("nmap", true)},
		{litAnd2(lit("foo", false), lit("bar", false)), lit("curl", true), lit("wget", false)},
		{litAnd2(lit("kill", true), lit("ask", true)), lit("kiss", true), lit("zmap", true)},
	}
	haystacks := []string{
		"", "nmap", "NMAP -sS", "masscan", "MASSCAN --RATE 1000", "--rate masscan", "shodan", "shodan search x",
		"foo", "bar foo", "FOO BAR", "Curl", "WGET", "wget", "\u0063url", "c:\\u", "Kill aſk", "xK",
	}
	for i, kids := range ors {
		for _, whole := range []bool{false, true} {
			guarded := compilePF(litOr2(kids...), map[string]int{}, whole)
			if guarded.guard == nil {
				t.Fatalf("OR %d: no guard built", i)
			}
			plain := guarded
			plain.guard = nil
			for _, h := range haystacks {
				got := guarded.match([]byte(h), &keyCache{})
				want := plain.match([]byte(h), &keyCache{})
				if got != want {
					t.Errorf("OR %d (whole %v) on %q: guarded %v, kids one by one %v", i, whole, h, got, want)
				}
			}
		}
	}
	if g := guardLiterals([]*litExpr{lit("abc", false), litAnd2(lit("abc", false), &litExpr{op: litValue, num: 5})}); g == nil {
		t.Error("an AND with a literal should give that literal")
	}
	if g := guardLiterals([]*litExpr{lit("abc", false), {op: litValue, num: 5}}); g != nil {
		t.Errorf("a kid without a literal: guard %v, want none", g)
	}
}

// TestKeyFinder: keys are found as keys (followed by a colon), not as
// values or inside strings, and spaces around the colon are allowed.
func TestKeyFinder(t *testing.T) {
	k := newKeyFinder("DomainName")
	tests := []struct {
		line string
		want []string // values of every occurrence
	}{
		{`{"DomainName":"a.com"}`, []string{"a.com"}},
		{`{"x":"DomainName","DomainName" : "b.com"}`, []string{"b.com"}},
		{`{"x":"say \"DomainName\":1"}`, nil},
		{`{"XDomainName":"c","DomainNameX":"d"}`, nil},
		{`{"DomainName":"a","n":{"DomainName":"b"}}`, []string{"a", "b"}},
		{`{"DomainName":12}`, []string{"12}"}},
		{`{"DomainName":"x \"DomainName\":\"y\"","z":1}`, []string{`x \"DomainName\":\"y\"`}},
		{`{"DomainName":"a"DomainName":"b"}`, []string{"a", "b"}}, // malformed: a key right at the closing quote
		{`{"DomainName":"unterminated \"DomainName\":1`, []string{`unterminated \"DomainName\":1`}},
	}
	for _, tt := range tests {
		var got []string
		for from := 0; ; {
			v, end, _, ok := k.next([]byte(tt.line), from)
			if !ok {
				break
			}
			got = append(got, string(v))
			from = end
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: values %q, want %q", tt.line, got, tt.want)
		}
	}
}

// TestPrefilterKeyOccurrences: a key found more than once (nested objects)
// has each value tested, and the value cached for one clause serves the
// others of the same line.
func TestPrefilterKeyOccurrences(t *testing.T) {
	f := compileQuery(t, seedQuery(t), Options{}).Prefilter(func(string) bool { return false })
	tests := []struct {
		line string
		want bool
	}{
		{`{"x":{"DomainName":"example.com"},"event_simpleName":"DnsRequest","DomainName":"api.shodan.io"}`, true},
		{`{"event_simpleName":"DnsRequest","DomainName":"api.shodan.io","x":{"DomainName":"example.com"}}`, true},
		{`{"event_simpleName":"DnsRequest","DomainName":"example.com","x":{"DomainName":"example.org"}}`, false},
		{`{"x":{"event_simpleName":"EndOfProcess"},"event_simpleName":"DnsRequest","DomainName":"ipinfo.io"}`, true},
		{`{"event_simpleName":"ProcessRollup2","ImageFileName":"C:\\x\\calc.exe","CommandLine":"NMAP -sS 10.0.0.0/8"}`, true},
	}
	for _, tt := range tests {
		if got := f.Match([]byte(tt.line)); got != tt.want {
			t.Errorf("Match(%s) = %v, want %v", tt.line, got, tt.want)
		}
	}
}

// BenchmarkMultiLit: the seed's 25 folded domain literals over the kind of
// names DNS requests hold, almost none of which match.
func BenchmarkMultiLit(b *testing.B) {
	var lits []*litExpr
	for _, d := range strings.Split("shodan.io|censys.io|ipinfo.io|ipapi.co|ip-api.com|ipwhois.io|bgp.he.net|arin.net|ripe.net|apnic.net|lacnic.net|afrinic.net|spyse.com|fofa.info|zoomeye.org|dnsdumpster.com|hackertarget.com|viewdns.info|ipvoid.com|whatismyipaddress.com|ip2location.com|maxmind.com|greynoise.io|binaryedge.io|onyphe.io", "|") {
		lits = append(lits, litOf(d, "DomainName", true))
	}
	benchMultiLit(b, newMultiLit(lits), [][]byte{[]byte("settings-win.data.microsoft.com"), []byte("www.google-analytics.com"),
		[]byte("login.microsoftonline.com"), []byte("fonts.gstatic.com"), []byte("api.github.com"),
		[]byte("update.googleapis.com"), []byte("ocsp.digicert.com"), []byte("cdn.jsdelivr.net")})
}

// benchMultiLit matches m over texts, none of which holds a literal.
func benchMultiLit(b *testing.B, m *multiLit, texts [][]byte) {
	var size int
	for _, t := range texts {
		size += len(t)
	}
	b.SetBytes(int64(size / len(texts)))
	i := 0
	for b.Loop() {
		if m.match(texts[i%len(texts)]) {
			b.Fatal("matched")
		}
		i++
	}
}

// Path literals (a Sigma rule's list of images) over the raw ImageFileName
// values of process starts: every value is full of backslashes.
func BenchmarkMultiLitPaths(b *testing.B) {
	var lits []*litExpr
	for _, img := range strings.Split(`\cmd.exe|\powershell.exe|\pwsh.exe|\rundll32.exe|\regsvr32.exe|\mshta.exe|\wscript.exe|\cscript.exe|\certutil.exe|\bitsadmin.exe|\msiexec.exe|\wmic.exe`, "|") {
		lits = append(lits, litOf(img, "ImageFileName", true))
	}
	benchMultiLit(b, newMultiLit(lits), [][]byte{[]byte(`\\Device\\HarddiskVolume2\\Windows\\System32\\svchost.exe`),
		[]byte(`\\Device\\HarddiskVolume2\\Program Files\\Google\\Chrome\\Application\\chrome.exe`),
		[]byte(`\\Device\\HarddiskVolume2\\Windows\\System32\\conhost.exe`),
		[]byte(`\\Device\\HarddiskVolume2\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe`)})
}

// The seed's folded tool literals over command lines of process starts,
// none of which names a tool.
func BenchmarkMultiLitCommandLines(b *testing.B) {
	var lits []*litExpr
	for _, tool := range strings.Split("shodan|censys|nmap|masscan|zmap|theharvester|amass|subfinder|spiderfoot", "|") {
		lits = append(lits, litOf(tool, "CommandLine", true))
	}
	benchMultiLit(b, newMultiLit(lits), [][]byte{
		[]byte(`\"\\Device\\HarddiskVolume2\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer --field-trial-handle=5048,8334e32aa8dc6205 --lang=en-US /prefetch:5`),
		[]byte(`C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule`),
		[]byte(`powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\\ProgramData\\Vendor\\update-agent.ps1 -Mode Background`),
		[]byte(`/usr/bin/python3 /opt/app/manage.py runserver 0.0.0.0:8000 --settings=app.settings.production`)})
}
