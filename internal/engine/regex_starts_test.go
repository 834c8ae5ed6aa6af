package engine

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The literals a match must begin with, as found in the pattern; nil when
// a match may begin otherwise. Sure: one found is a match (the rest of
// the pattern may match nothing, and case is ignored wherever a letter
// is), so no regex runs.
func TestMatchStarts(t *testing.T) {
	tests := []struct {
		pattern, flags string
		want           []string
		sure           bool
	}{
		{`(nmap|masscan|zmap)((\.exe)?)$`, "i", []string{"masscan", "nmap", "zmap"}, false},
		{`(nmap|curl|wget|python[23]?|powershell)`, "i", []string{"curl", "nmap", "powershell", "python", "wget"}, true},
		{`(shodan +search|censys +search)`, "i", []string{"censys ", "shodan "}, false},
		{`shodan\ssearch`, "", []string{"shodan\tsearch", "shodan\nsearch", "shodan\fsearch", "shodan\rsearch", "shodan search"}, false},
		{`ipinfo\.io|ipapi\.co|ip-api\.com`, "", []string{"ip-api.com", "ipapi.co", "ipinfo.io"}, false}, // case matters
		{`ipinfo\.io|ipapi\.co|ip-api\.com`, "i", []string{"ip-api.com", "ipapi.co", "ipinfo.io"}, true},
		{`[Pp]ower[Ss]hell`, "", []string{"powershell"}, false},
		{`[Pp][Ss]`, "", []string{"ps"}, true},
		{`[p][Ss]`, "", []string{"ps"}, false},
		{`python[23]?`, "", []string{"python"}, false},
		{`python[23]?`, "i", []string{"python"}, true},
		{`(?:ab)+c`, "", []string{"ab"}, false},
		{`(?:ab)+`, "i", []string{"ab"}, true},
		{`(?:ab){2}`, "i", []string{"abab"}, true}, // simplified to abab
		{`(?:a+b){2}`, "i", []string{"a"}, false},  // one a found is not a match
		{`\\Temp\\.*\.exe`, "i", []string{`\temp\`}, false},
		{`\\Temp\\.*`, "i", []string{`\temp\`}, true},
		{`(?:19|20)[0-9]*`, "", []string{"19", "20"}, true},
		{`(1|2)(3|)`, "", []string{"1", "2"}, true},
		{`tool\b`, "i", []string{"tool"}, false},
		{`tool(?:x|\b)`, "i", []string{"tool"}, false},
		{`^cmd`, "", nil, false},        // anchored: the regex starts at 0 already
		{`\bcmd`, "", nil, false},       // an assertion looks before the literal
		{`.*cmd`, "", nil, false},       // may begin anywhere
		{`(a|)cmd`, "", nil, false},     // an empty alternative
		{`[a-z]+\.exe`, "", nil, false}, // a class too large
		{`straße`, "i", nil, false},     // non-ASCII: folding stays the regex's
		{`x?cmd`, "", nil, false},       // may begin with cmd or x: a quest is not taken
		{`(?<tool>nmap)`, "", []string{"nmap"}, false},
		{`(?<tool>nmap)`, "i", []string{"nmap"}, true},
		{`(?:k|s)x`, "i", nil, false}, // the Kelvin sign and the long s fold to k and s
		{`(?:k|s)x`, "", []string{"kx", "sx"}, false},
	}
	for _, tt := range tests {
		r, err := compileRegexNow(tt.pattern, tt.flags)
		if err != nil {
			t.Fatalf("%s: %v", tt.pattern, err)
		}
		var got []string
		sure := false
		if r.starts != nil {
			for _, l := range r.starts.lits {
				got = append(got, string(l))
			}
			sure = r.starts.sure
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("/%s/%s starts (-want +got):\n%s", tt.pattern, tt.flags, diff)
		}
		if sure != tt.sure {
			t.Errorf("/%s/%s: sure %v, want %v", tt.pattern, tt.flags, sure, tt.sure)
		}
	}
}

// Patterns run from their starts decide every value, and find the same
// groups, as the unanchored regex does.
func TestStartsRegexAgreesWithTheRegex(t *testing.T) {
	patterns := []struct{ pattern, flags string }{
		{`(nmap|masscan|zmap|theharvester|amass|subfinder|spiderfoot|recon-ng)((\.exe)?)$`, "i"},
		{`(shodan\s+search|censys\s+search|nmap\s+-s[nSp]|masscan\s+--rate)`, "i"},
		{`(shodan\.io|censys\.io|ipinfo\.io|ipapi\.co|ip-api\.com|bgp\.he\.net)`, "i"},
		{`(nmap|curl|wget|python[23]?|powershell)`, "i"},
		{`ab(?<rest>c+)\b`, ""},
		{`(?<user>u[0-9]+)@(?<host>[a-z]+)`, ""},
		{`a(?m)$`, ""},
		{`aa\B`, ""},
		{`(?:k|s)x`, ""},
		{`(?:19|20)[0-9]*`, ""},
		{`(?:ab){2}`, "i"},
		{`[Pp][Ss]`, ""},
		{`[p][Ss]`, ""},
	}
	values := []string{
		"", "nmap", "NMAP.EXE", `\Device\HarddiskVolume3\Windows\System32\nmap.exe`, "nmap.exe -sS 10.0.0.0/8",
		"xnmapx", "nmap nmap.exe", "api.shodan.io", "IPINFO.IO", "ip-api.com.evil", "shodan   search foo",
		"abccc", "abccd", "ab abcc", "u12@host u3@x", "aa", "aaa", "a\nb", "ba\n", "\u212ax", "\u017fx", "KX", "sx",
		"python3 -c", "Python2", "pythonista", strings.Repeat("a", 300) + "ab" + strings.Repeat("c", 40),
		strings.Repeat("nma", 50) + "nmap.exe", strings.Repeat("curl ", 20),
		"1999", "x20", "AB", "abab", "xAbAB", "PS", "pS", "Ps",
	}
	for _, p := range patterns {
		r, err := compileRegexNow(p.pattern, p.flags)
		if err != nil {
			t.Fatalf("%s: %v", p.pattern, err)
		}
		if r.starts == nil {
			t.Fatalf("/%s/%s: no starts", p.pattern, p.flags)
		}
		for _, v := range values {
			checkStartsAgree(t, r, v)
		}
	}
}

func checkStartsAgree(t *testing.T, r *lsRegex, v string) {
	t.Helper()
	if got, want := r.matchString(v), r.rx().MatchString(v); got != want {
		t.Fatalf("/%s/%s on %q: %v, the regex says %v", r.src, r.flags, v, got, want)
	}
	if !isASCII(v) {
		return
	}
	if got, want := r.starts.find(v, r.re), r.re.FindStringSubmatchIndex(v); !cmp.Equal(got, want) {
		t.Fatalf("/%s/%s on %q: found %v, the regex finds %v", r.src, r.flags, v, got, want)
	}
}

// Random alternations of short literals, with tails and anchors, against
// random values built from the same letters.
func TestStartsRegexRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	word := randomWords(rng, "abcAB.-1")
	tails := []string{"", "$", `\b`, `[0-9]?$`, `(b|c)+`, `.`, `\B`, `[0-9]?`, `(b|c)*`, `(1|\b)`, `(?:ab)?c*`}
	taken := 0
	for range 400 {
		var alts []string
		for range 1 + rng.IntN(4) {
			alts = append(alts, regexp.QuoteMeta(word(1+rng.IntN(3))))
		}
		pattern := "(" + strings.Join(alts, "|") + ")" + tails[rng.IntN(len(tails))]
		flags := ""
		if rng.IntN(2) == 0 {
			flags = "i"
		}
		r, err := compileRegexNow(pattern, flags)
		if err != nil {
			t.Fatalf("%s: %v", pattern, err)
		}
		if r.starts == nil {
			continue
		}
		taken++
		for range 40 {
			checkStartsAgree(t, r, word(rng.IntN(24)))
		}
	}
	if taken < 300 {
		t.Fatalf("only %d of 400 patterns run from their starts", taken)
	}
}

// FuzzStartsRegex: an alternation of literals with any tail decides any
// value, and finds the same match, as the unanchored regex does.
func FuzzStartsRegex(f *testing.F) {
	f.Add("nmap", "masscan", `((\.exe)?)$`, true, `C:\nmap.exe`)
	f.Add("ab", "a", `\b`, false, "xab a")
	f.Add("k", "s", "x", true, "\u212ax")
	f.Fuzz(func(t *testing.T, a, b, tail string, fold bool, value string) {
		if a == "" || b == "" {
			return
		}
		pattern := "(" + regexp.QuoteMeta(a) + "|" + regexp.QuoteMeta(b) + ")" + tail
		flags := ""
		if fold {
			flags = "i"
		}
		r, err := compileRegexNow(pattern, flags)
		if err != nil || r.re2 != nil || r.starts == nil || len(r.groups) > 0 {
			return
		}
		checkStartsAgree(t, r, value)
	})
}

// The seed's regexes on values like the ones they meet.
func BenchmarkStartsRegex(b *testing.B) {
	cases := []struct{ name, pattern, value string }{
		{"image", `(nmap|masscan|zmap|theharvester|amass|subfinder|spiderfoot|recon-ng)((\.exe)?)$`,
			`\Device\HarddiskVolume3\Windows\System32\nmap.exe`},
		{"cmdline", `(shodan\s+search|censys\s+search|nmap\s+-s[nSp]|masscan\s+--rate|zmap\s+-p|theharvester\s+-d|amass\s+enum|subfinder\s+-d|spiderfoot\s+-s)`,
			`nmap.exe --help -sS 10.0.0.0/8 search shodan`},
		{"domain", `(shodan\.io|censys\.io|ipinfo\.io|ipapi\.co|ip-api\.com|ipwhois\.io|bgp\.he\.net|arin\.net|ripe\.net|apnic\.net|lacnic\.net|afrinic\.net|spyse\.com|fofa\.info|zoomeye\.org|dnsdumpster\.com|hackertarget\.com|viewdns\.info|ipvoid\.com|whatismyipaddress\.com|ip2location\.com|maxmind\.com|greynoise\.io|binaryedge\.io|onyphe\.io)`,
			`api.shodan.io`},
		{"context", `(nmap|masscan|zmap|curl|wget|python[23]?|powershell)`, `curl.exe`},
	}
	for _, c := range cases {
		r, err := compileRegexNow(c.pattern, "i")
		if err != nil || r.starts == nil {
			b.Fatalf("%s: %v, starts %v", c.name, err, r.starts != nil)
		}
		b.Run(c.name+"/starts", func(b *testing.B) {
			for b.Loop() {
				r.matchString(c.value)
			}
		})
		b.Run(c.name+"/regexp", func(b *testing.B) {
			for b.Loop() {
				r.rx().MatchString(c.value)
			}
		})
	}
}

// compileRegexNow is compileRegex with the regexp and its fast forms made
// at once (rx), for tests that look at them.
func compileRegexNow(pattern, flags string) (*lsRegex, error) {
	r, err := compileRegex(pattern, flags)
	if err == nil {
		r.rx()
	}
	return r, err
}
