package engine

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
)

// Dispatch must accept exactly the lines each program's own prefilter
// accepts, for every kind of line: no name, a name that is not a string,
// an escaped one, duplicates, a LogScale "#event_simpleName" key.
func TestDispatchMatchesEachPrefilter(t *testing.T) {
	queries := []string{
		`#event_simpleName=ProcessRollup2 CommandLine=/(?i)(mimikatz|sekurlsa)/`,
		`#event_simpleName=/^(DnsRequest|NetworkConnectIP4)$/ | DomainName=*shodan*`,
		`event_simpleName=DnsRequest DomainName=/ipinfo\.io$/`,
		`case { #event_simpleName=ProcessRollup2 ImageFileName=/nmap/i; #event_simpleName=DnsRequest DomainName=*censys* }`,
		`CommandLine=*whoami*`, // no event name: every line is a candidate
		`*`,                    // no prefilter at all
		`#event_simpleName=UserLogon or UserName=admin`,
		`#event_simpleName=*Rollup2 ImageFileName=*\\curl.exe`,
		`#event_simpleName=ProcessRollup2 CommandLine=/(?i)(sekurlsa|logonpasswords|mimi)/ ImageFileName=/(?i)\\(mimikatz|nmap)\.exe$/`,
		`#event_simpleName=ProcessRollup2 CommandLine=*whoami* CommandLine=/(?i)(all|priv)/`,
		`#event_simpleName=DnsRequest DomainName=/(?i)(shodan\.io|censys\.io)$/`,
		`#event_simpleName=ProcessRollup2 CommandLine=/(?i)(kekeo|askt)/`,
		`#event_simpleName=NetworkConnectIP4 RemotePort in [80, 443]`,
		`#event_simpleName=NetworkConnectIP4 RemotePort=3389 DomainName=*shodan*`,
		`#event_simpleName=ProcessRollup2 ImageFileName=/\\(cmd|nmap)\.exe$/i`,
		`#event_simpleName=ProcessRollup2 CommandLine="*\\Windows\\Temp\\*"`,
	}
	var progs []*Program
	var fs, enriched []*Prefilter
	for _, q := range queries {
		p := compileQuery(t, q, Options{})
		progs = append(progs, p)
		fs = append(fs, p.Prefilter(func(string) bool { return false }))
		enriched = append(enriched, p.Prefilter(func(f string) bool { return f == "DomainName" || f == "UserName" }))
	}
	lines := []string{
		`{"event_simpleName":"ProcessRollup2","CommandLine":"Mimikatz.exe sekurlsa::logonpasswords","ImageFileName":"C:\\nmap.exe"}`,
		`{"event_simpleName":"SyntheticProcessRollup2","ImageFileName":"\\Device\\curl.exe","CommandLine":"whoami"}`,
		`{"event_simpleName":"DnsRequest","DomainName":"api.shodan.io"}`,
		`{"event_simpleName":"DnsRequest","DomainName":"www.censys.io"}`,
		`{"DomainName":"ipinfo.io","event_simpleName":"DnsRequest"}`,
		`{"event_simpleName":"NetworkConnectIP4","DomainName":"x.shodan.org"}`,
		`{"#event_simpleName":"DnsRequest","DomainName":"api.shodan.io"}`,
		`{"event_simpleName":"\u0044nsRequest","DomainName":"api.shodan.io"}`,
		`{"event_simpleName":"UserLogon","UserName":"bob"}`,
		`{"event_simpleName":"EndOfProcess","UserName":"admin"}`,
		`{"event_simpleName":1,"CommandLine":"whoami"}`,
		`{"event_simpleName":"EndOfProcess","x":{"event_simpleName":"DnsRequest"},"DomainName":"shodan"}`,
		`{"ImageFileName":"nmap","event_simpleName" : "ProcessRollup2"}`,
		`not json ProcessRollup2 mimikatz`,
		`{"event_simpleName":"ProcessRollup2","CommandLine":"WHOAMI /PRIV","ImageFileName":"C:\\MIMIKATZ.EXE"}`,
		`{"event_simpleName":"ProcessRollup2","CommandLine":"whoami","CommandLine":"all"}`,
		`{"event_simpleName":"ProcessRollup2","CommandLine":"Kekeo"}`,
		`{"event_simpleName":"ProcessRollup2","CommandLine":"kekeo ask"}`,
		`{"event_simpleName":"ProcessRollup2","ImageFileName":"x\\nmap.exe"}`,
		`{"event_simpleName":"ProcessRollup2","Image":{"CommandLine":"mimi"}}`,
		`{"event_simpleName":"DnsRequest","DomainName":"API.SHODAN.IO"}`,
		`{"event_simpleName":"NetworkConnectIP4","RemotePort":"443","DomainName":"shodan.io"}`,
		`{"event_simpleName":"NetworkConnectIP4","RemotePort":3389,"DomainName":"shodan.io"}`,
		`{"event_simpleName":"NetworkConnectIP4","RemotePort":"8080","DomainName":"shodan.io"}`,
		`{"event_simpleName":"NetworkConnectIP4","RemotePort":"80.0"}`,
		`{"event_simpleName":"NetworkConnectIP4","RemotePort":"80","RemotePort":"3389","DomainName":"shodan"}`,
		`{"event_simpleName":"ProcessRollup2","ImageFileName":"C:\\Windows\\cmd.exe","CommandLine":"C:\\Windows\\Temp\\x"}`,
		`{"event_simpleName":"ProcessRollup2","ImageFileName":"C:\Windows\cmd.exe","CommandLine":"C:\Windows\Temp\x"}`, // escapes JSON does not define, kept as written
		`{"event_simpleName":"ProcessRollup2","ImageFileName":"C:\\Windows\\calc.exe","CommandLine":"C:\\Windows\\Tmp"}`,
		// values spelled with \u escapes: read rewritten as literals are
		`{"event_simpleName":"ProcessRollup2","ImageFileName":"C:\\Windows\u005ccmd.exe","CommandLine":"C:\\Windows\\Temp\\caf\u00e9"}`,
		`{"event_simpleName":"ProcessRollup2","ImageFileName":"C:\\Windows\\cmd.ex\u0065","CommandLine":"C:\\Windows\\Tmp\\caf\u00e9"}`,
		`{"event_simpleName":"ProcessRollup2","ImageFileName":"C:\\x\\caf\u00e9.exe","CommandLine":"w\u0068oami /priv"}`,
		`{"event_simpleName":"ProcessRollup2","CommandLine":"C:\u005cWindows\\Temp\\"}`,
		`{"event_simpleName":"ProcessRollup2","CommandLine":"C:\\Windows\\Te\u006dp\\","ImageFileName":["\\cmd\u002eexe"]}`,
		``,
	}
	if b, err := os.ReadFile("../ingest/testdata/falcon-fdr-samples.jsonl"); err == nil {
		lines = append(lines, strings.Split(string(b), "\n")...)
	}
	matching := func(fs []*Prefilter, line string) (out []int32) {
		for i, f := range fs {
			if f.Match([]byte(line)) {
				out = append(out, int32(i))
			}
		}
		return out
	}
	st := NewDispatch(fs, nil).NewState()
	var seen GramCounts // the lines' own: the pair's literals listed under other grams
	for _, line := range lines {
		seen.Add([]byte(line))
	}
	pair := NewDispatchPair(fs, enriched, nil, &seen).NewState()
	for range 2 { // the second round is served from the name cache
		for _, line := range lines {
			want := matching(fs, line)
			if got := st.Match([]byte(line), nil); !slices.Equal(got, want) {
				t.Errorf("line %.80s: dispatch %v, prefilters %v", line, got, want)
			}
			if got := pair.Match([]byte(line), nil); !slices.Equal(got, want) {
				t.Errorf("line %.80s: pair's dispatch %v, prefilters %v", line, got, want)
			}
			if got, want := pair.MatchMask(^uint64(0), nil), matching(enriched, line); !slices.Equal(got, want) {
				t.Errorf("line %.80s: pair's second dispatch %v, prefilters %v", line, got, want)
			}
		}
	}
}

func BenchmarkDispatchManyRules(b *testing.B) {
	var fs []*Prefilter
	names := []string{"ProcessRollup2", "DnsRequest", "NetworkConnectIP4", "FileOpenInfo", "RegGenericValueUpdate"}
	for i := range 1000 {
		q := `#event_simpleName=` + names[i%len(names)] + ` CommandLine=/(?i)(tool` + strings.Repeat("x", i%7) + `a` + string(rune('a'+i%26)) + `|other` + string(rune('a'+i%26)) + `)/`
		fs = append(fs, compileQuery(b, q, Options{}).Prefilter(nil))
	}
	line := []byte(`{"ConfigBuild":"1007.3.0017106.1","ContextProcessId":"1","aid":"ffffffffa63e404bba4bff7465ab3afb","event_simpleName":"EndOfProcess","timestamp":"1700000000000"}`)
	st := NewDispatch(fs, nil).NewState()
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	var hits []int32
	for b.Loop() {
		hits = st.Match(line, hits[:0])
	}
}

// Many random rules over lines built from the same words: dispatch (name
// cache, literal sets, triggers) agrees with every rule's own prefilter.
func TestDispatchManyRandomRules(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	words := []string{"mimikatz", "Sekurlsa", "procdump", "whoami", "nmap", "curl", "shodan", "ipinfo", "lsass", "kerberos"}
	for i := range 90 { // over 64 literals a key: masks of several words
		words = append(words, fmt.Sprintf("tool%02d", i))
	}
	ports := []string{"22", "80", "443", "3389", "8080"}
	names := []string{"ProcessRollup2", "DnsRequest", "FileOpenInfo"}
	fields := []string{"CommandLine", "ImageFileName", "DomainName", "TargetFileName"}
	pick := func(l []string) string { return l[r.IntN(len(l))] }
	var fs []*Prefilter
	for range 200 {
		alts := []string{pick(words), pick(words)}
		var q string
		switch r.IntN(8) {
		case 0:
			q = fmt.Sprintf(`#event_simpleName=%s %s=/(?i)(%s|%s)/`, pick(names), pick(fields), alts[0], alts[1])
		case 1:
			q = fmt.Sprintf(`#event_simpleName=%s %s=*%s* %s=/%s/`, pick(names), pick(fields), alts[0], pick(fields), alts[1])
		case 2:
			q = fmt.Sprintf(`case { #event_simpleName=%s %s=/%s/i; #event_simpleName=%s %s=*%s* }`, pick(names), pick(fields), alts[0], pick(names), pick(fields), alts[1])
		case 3:
			q = fmt.Sprintf(`%s=/(?i)%s/ or %s=%s`, pick(fields), alts[0], pick(fields), alts[1])
		case 4: // a list of alternatives, and of numbers, on one key
			q = fmt.Sprintf(`#event_simpleName=%s %s=/(%s|%s|%s|%s)/i RemotePort in [%s, %s]`, pick(names), pick(fields),
				alts[0], alts[1], pick(words), pick(words), pick(ports), pick(ports))
		case 5: // literals that must all be there
			q = fmt.Sprintf(`%s=/%s.*%s/i or RemotePort=%s`, pick(fields), alts[0], alts[1], pick(ports))
		case 6: // a short literal every line holds beside rarer ones; a key most lines lack
			q = fmt.Sprintf(`#event_simpleName=%s event_platform=Win (%s=/(%s|%s)/i or OriginalFileName=/%s/i)`, pick(names), pick(fields), alts[0], alts[1], alts[0])
		default:
			q = fmt.Sprintf(`#event_simpleName=%s`, pick(names))
		}
		fs = append(fs, compileQuery(t, q, Options{}).Prefilter(func(string) bool { return false }))
	}
	// one dispatcher picks its triggers again early and often: what it
	// returns must not change
	early := NewDispatch(fs, nil)
	early.retuneAt = [2]int32{5, 60}
	states := []*DispatchState{NewDispatch(fs, nil).NewState(), early.NewState()}
	for range 3000 {
		var b strings.Builder
		b.WriteString(`{"event_simpleName":"` + pick(names) + `"`)
		for range r.IntN(4) {
			w := pick(words)
			if r.IntN(3) == 0 {
				w = strings.ToUpper(w)
			}
			fmt.Fprintf(&b, `,"%s":"x %s y"`, pick(fields), w)
		}
		switch r.IntN(6) {
		case 0:
			b.WriteString(`,"event_platform":"Win"`)
		case 1:
			fmt.Fprintf(&b, `,"event_platform":"Win","OriginalFileName":"%s.exe"`, pick(words))
		case 2:
			fmt.Fprintf(&b, `,"Original\u0046ileName":"%s.exe"`, pick(words)) // an escaped key
		}
		switch r.IntN(4) {
		case 0:
			fmt.Fprintf(&b, `,"RemotePort":"%s"`, pick(ports))
		case 1:
			fmt.Fprintf(&b, `,"RemotePort":%s`, pick(ports))
		case 2:
			fmt.Fprintf(&b, `,"RemotePort":"%s.0"`, pick(ports))
		}
		b.WriteString("}")
		line := []byte(b.String())
		var want []int32
		for i, f := range fs {
			if f.Match(line) {
				want = append(want, int32(i))
			}
		}
		for _, st := range states {
			if got := st.Match(line, nil); !slices.Equal(got, want) {
				t.Fatalf("line %s: dispatch %v, prefilters %v", line, got, want)
			}
			if len(want) > 0 && st.ConcernedPrograms() == 0 {
				t.Fatalf("line %s: programs take it, yet not concerned", line)
			}
		}
	}
}

// A literal long enough to look rare by LiteralLikelihood but on every line stops
// being the trigger once a worker has seen how often it is there: the
// rule is then tested only on lines holding its other literal.
func TestDispatchRetunesCommonTriggers(t *testing.T) {
	fs := []*Prefilter{
		compileQuery(t, `#event_simpleName=ProcessRollup2 CommandLine="*--type=renderer*" CommandLine="*-enc*"`, Options{}).Prefilter(func(string) bool { return false }),
		compileQuery(t, `#event_simpleName=ProcessRollup2 CommandLine="*--type=renderer*"`, Options{}).Prefilter(func(string) bool { return false }),
	}
	d := NewDispatch(fs, nil)
	if got := d.sets[d.trig[0][0].set].lits[d.trig[0][0].lit].text; got != "--type=renderer" {
		t.Fatalf("before any line the trigger is %q, want the longer literal", got)
	}
	d.retuneAt = [2]int32{300, 3000}
	st := d.NewState()
	tested := map[bool]int{} // before and after the first retune: lines without -enc the rule was tested on
	for n := range 1000 {
		cmd := fmt.Sprintf(`chrome.exe --type=renderer --id=%d`, n)
		if n%50 == 0 {
			cmd += " -enc AAAA"
		}
		line := []byte(fmt.Sprintf(`{"event_simpleName":"ProcessRollup2","CommandLine":%q}`, cmd))
		var want []int32
		for i, f := range fs {
			if f.Match(line) {
				want = append(want, int32(i))
			}
		}
		if got := st.Match(line, nil); !slices.Equal(got, want) {
			t.Fatalf("line %s: dispatch %v, prefilters %v", line, got, want)
		}
		if n%50 != 0 && st.seen[0] == st.gen {
			tested[n >= 300]++
		}
	}
	if tested[false] == 0 || tested[true] != 0 {
		t.Errorf("rule tested on %d lines without -enc before the retune and %d after, want some and none", tested[false], tested[true])
	}
}

// A program is tested on a line only when one of its trigger literals is
// there: the rarest set is the trigger (not the fewest literals, as
// event_platform=Win is; never event_platform, whose three values pass most
// lines, even against forty domains), and a key the line lacks triggers
// nothing, unless its keys may be escaped.
func TestDispatchTestsOnlyTriggeredPrograms(t *testing.T) {
	var domains []string
	for i := range 40 {
		domains = append(domains, fmt.Sprintf("DomainName=*.lookup%02d.example", i))
	}
	queries := []string{
		`#event_simpleName=ProcessRollup2 event_platform=Win ImageFileName=/\\(certutil|bitsadmin|mshta)\.exe$/i`,
		`#event_simpleName=ProcessRollup2 event_platform=Win (ImageFileName=/\\wmic\.exe$/i or OriginalFileName=/wmic\.exe/i)`,
		`#event_simpleName=DnsRequest event_platform=Win (` + strings.Join(domains, " or ") + `)`,
	}
	var fs []*Prefilter
	for _, q := range queries {
		fs = append(fs, compileQuery(t, q, Options{}).Prefilter(func(string) bool { return false }))
	}
	d := NewDispatch(fs, nil)
	for i, trig := range d.trig {
		for _, tl := range trig {
			if key := string(d.sets[tl.set].finder.needle); key == `"event_platform"` {
				t.Errorf("program %d is triggered by %s %q", i, key, d.sets[tl.set].lits[tl.lit].text)
			}
		}
	}
	tests := []testedCase{
		{`{"event_simpleName":"ProcessRollup2","event_platform":"Win","ImageFileName":"C:\\x\\cmd.exe"}`, []bool{false, false}, nil},
		{`{"event_simpleName":"ProcessRollup2","event_platform":"Win","ImageFileName":"C:\\x\\certutil.exe"}`, []bool{true, false}, []int32{0}},
		{`{"event_simpleName":"ProcessRollup2","event_platform":"Win","ImageFileName":"C:\\x\\cmd.exe","OriginalFileName":"wmic.exe"}`, []bool{false, true}, []int32{1}},
		{`{"event_simpleName":"ProcessRollup2","event_platform":"Win","ImageFileName":"C:\\x\\cmd.exe","Original\u0046ileName":"wmic.exe"}`, []bool{false, true}, []int32{1}},
		// a value with \u escapes is read rewritten as literals are written,
		// its triggers found as in any other
		{`{"event_simpleName":"ProcessRollup2","event_platform":"Win","ImageFileName":"C:\\x\\caf\u00e9.exe"}`, []bool{false, false}, nil},
		{`{"event_simpleName":"ProcessRollup2","event_platform":"Win","ImageFileName":"C:\\x\u005cMSHTA.exe"}`, []bool{true, false}, []int32{0}},
		{`{"event_simpleName":"ProcessRollup2","event_platform":"Win","ImageFileName":"C:\\x\\wmic\u002eexe"}`, []bool{false, true}, []int32{1}},
		// a rune past ASCII is not the KELVIN SIGN or LONG S (which fold to
		// k and s: the value is then tested the plain way)
		{`{"event_simpleName":"ProcessRollup2","event_platform":"Win","ImageFileName":"C:\\x\\\u2603 \u0100.exe"}`, []bool{false, false}, nil},
		{`{"event_simpleName":"ProcessRollup2","event_platform":"Win","ImageFileName":"C:\\x\\bit\u017fadmin.exe"}`, []bool{true, true}, []int32{0}},
		{"{\"event_simpleName\":\"ProcessRollup2\",\"event_platform\":\"Win\",\"ImageFileName\":\"C:\\\\x\\\\bit\u017fadmin.exe\"}", []bool{true, true}, []int32{0}},
		{`{"event_simpleName":"DnsRequest","event_platform":"Win","DomainName":"www.example.com"}`, []bool{false, false, false}, nil},
		{`{"event_simpleName":"DnsRequest","event_platform":"Win","DomainName":"a.lookup07.example"}`, []bool{false, false, true}, []int32{2}},
	}
	checkTested(t, d, tests)
}

// ConcernedPrograms tells whether a line's event name is one some program
// takes, whether or not the rest of the line lets any of them through.
func TestDispatchConcerned(t *testing.T) {
	var fs, enriched []*Prefilter
	for _, q := range []string{
		`#event_simpleName=ProcessRollup2 CommandLine=/mimikatz/i`,
		`#event_simpleName=DnsRequest DomainName=*shodan*`,
	} {
		p := compileQuery(t, q, Options{})
		fs = append(fs, p.Prefilter(func(string) bool { return false }))
		enriched = append(enriched, p.Prefilter(func(f string) bool { return f == "DomainName" }))
	}
	st := NewDispatch(fs, nil).NewState()
	tests := []struct {
		line      string
		hits      int // -1: not asked
		concerned bool
	}{
		{`{"event_simpleName":"DnsRequest","DomainName":"api.shodan.io"}`, 1, true},
		{`{"event_simpleName":"DnsRequest","DomainName":"example.com"}`, 0, true},
		{`{"event_simpleName":"FileOpenInfo","CommandLine":"mimikatz"}`, 0, false},
		{`{"CommandLine":"mimikatz"}`, 0, true},                                    // no name: cannot tell
		{`{"event_simpleName":"Dns\u0052equest","DomainName":"shodan"}`, -1, true}, // escaped: cannot tell
	}
	for _, tt := range tests {
		// NameTaken tells it from the name alone, before the line is matched
		taken := st.NameTaken(FindEventName([]byte(tt.line)))
		hits := st.Match([]byte(tt.line), nil)
		concerned := st.ConcernedPrograms() != 0
		if tt.hits >= 0 && len(hits) != tt.hits || concerned != tt.concerned || taken != tt.concerned {
			t.Errorf("%s: %d hits, concerned %v, taken %v; want %d, %v", tt.line, len(hits), concerned, taken, tt.hits, tt.concerned)
		}
	}
	// bits given: a program without one is concerned by no line
	st = NewDispatch(fs, []uint64{0, 1 << 5}).NewState()
	st.Match([]byte(`{"event_simpleName":"DnsRequest","DomainName":"example.com"}`), nil)
	if got := st.ConcernedPrograms(); got != 1<<5 {
		t.Errorf("concerned %b, want %b", got, uint64(1<<5))
	}
	st.Match([]byte(`{"CommandLine":"x"}`), nil)
	if got := st.ConcernedPrograms(); got != 1<<5 {
		t.Errorf("no event name: concerned %b, want %b", got, uint64(1<<5))
	}
	// a program without a bit still takes its event name's lines
	pr2 := []byte(`{"event_simpleName":"ProcessRollup2","CommandLine":"mimikatz"}`)
	if !st.NameTaken(FindEventName(pr2)) {
		t.Errorf("ProcessRollup2 not taken, though program 0 takes it")
	}
	if hits := st.Match(pr2, nil); len(hits) != 1 || st.ConcernedPrograms() != 0 {
		t.Errorf("ProcessRollup2: hits %v, concerned %b; want [0], 0", hits, st.ConcernedPrograms())
	}
	// Match asks every first program whatever its bit; MatchMask, for the
	// same line, the second ones of the mask (here, ones letting a line
	// without DomainName through)
	st = NewDispatchPair(fs, enriched, []uint64{0, 1 << 5}, nil).NewState()
	for _, tt := range []struct {
		line       string
		mask       uint64
		all, masks []int32
	}{
		{`{"event_simpleName":"ProcessRollup2","CommandLine":"mimikatz"}`, 1 << 5, []int32{0}, nil},
		{`{"event_simpleName":"DnsRequest","DomainName":"api.shodan.io"}`, 1 << 5, []int32{1}, []int32{1}},
		{`{"event_simpleName":"DnsRequest","DomainName":"api.shodan.io"}`, 1 << 4, []int32{1}, nil},
		{`{"event_simpleName":"DnsRequest","DomainName":"example.com"}`, 1 << 5, nil, nil},
		{`{"event_simpleName":"DnsRequest"}`, 1 << 5, nil, []int32{1}},
		{`{"event_simpleName":"DnsRequest"}`, 1 << 4, nil, nil},
	} {
		if got := st.Match([]byte(tt.line), nil); !slices.Equal(got, tt.all) {
			t.Errorf("%s: Match %v, want %v", tt.line, got, tt.all)
		}
		if got := st.MatchMask(tt.mask, nil); !slices.Equal(got, tt.masks) {
			t.Errorf("%s, mask %b: MatchMask %v, want %v", tt.line, tt.mask, got, tt.masks)
		}
		if got := st.ConcernedPrograms(); got != 1<<5 && strings.Contains(tt.line, "DnsRequest") {
			t.Errorf("%s: concerned %b after MatchMask", tt.line, got)
		}
	}
}

// A literal is listed under its least common byte pair: a path's leading
// backslashes or a command line's spaces would have it compared at every
// separator of every value.
func TestAnchorPair(t *testing.T) {
	tests := []struct {
		text, pair string
	}{
		{`\\cmd.exe`, "cm"},
		{`\\windows\\fonts\\`, "wi"},
		{` -enc `, "nc"},
		{`mimikatz`, "mi"},
		{`10.0`, "10"},
	}
	for _, tc := range tests {
		at := anchorPair(tc.text)
		if got := tc.text[at : at+2]; got != tc.pair {
			t.Errorf("anchorPair(%q) = %q, want %q", tc.text, got, tc.pair)
		}
	}
}

// A hunt's dispatch reads its programs' prefilters as literal trees: their
// own matchers are compiled only when something matches with them, and a
// plain matcher of the dispatch only for a line that needs it.
func TestDispatchLeavesMatchersUncompiled(t *testing.T) {
	var fs []*Prefilter
	for _, q := range []string{
		`#event_simpleName=ProcessRollup2 CommandLine=/(?i)(mimikatz|sekurlsa)/`,
		`#event_simpleName=DnsRequest DomainName=*shodan*`,
	} {
		fs = append(fs, compileQuery(t, q, Options{}).Prefilter(func(string) bool { return false }))
	}
	d := NewDispatch(fs, nil)
	st := d.NewState()
	line := []byte(`{"event_simpleName":"ProcessRollup2","CommandLine":"mimikatz"}`)
	if got := st.Match(line, nil); !slices.Equal(got, []int32{0}) {
		t.Fatalf("dispatch: %v", got)
	}
	for i, f := range fs {
		if f.keys != nil {
			t.Errorf("prefilter %d compiled by the dispatch", i)
		}
	}
	plain := func() (n int) {
		var walk func(x *dnode)
		walk = func(x *dnode) {
			if x.pf != nil && x.pf.pf.op != litTrue { // compiled: a field or a text
				n++
			}
			for i := range x.kids {
				walk(&x.kids[i])
			}
		}
		for i := range d.full {
			walk(&d.full[i])
		}
		return n
	}
	if n := plain(); n != 0 {
		t.Errorf("%d plain matchers compiled for a line of plain values", n)
	}
	// a repeated key is read the plain way
	st.Match([]byte(`{"event_simpleName":"ProcessRollup2","CommandLine":"x","CommandLine":"sekurlsa"}`), nil)
	if n := plain(); n == 0 {
		t.Error("no plain matcher compiled for a line repeating a key")
	}
	if !fs[0].Match(line) || fs[0].keys == nil {
		t.Error("Match did not compile the prefilter")
	}
}

// A program with no literal to trigger it but a number its key's value
// must be (a port) is tested only on lines holding one of its numbers,
// or a value that is not a plain integer.
func TestDispatchNumberTriggers(t *testing.T) {
	var fs []*Prefilter
	for _, q := range []string{
		`#event_simpleName=NetworkConnectIP4 RemotePort=3389`,
		`#event_simpleName=NetworkConnectIP4 (RemotePort=25 or RemotePort=587) ContextProcessName=*curl*`,
	} {
		// ContextProcessName is enriched: no trigger, a line lacking it passes
		fs = append(fs, compileQuery(t, q, Options{}).Prefilter(func(f string) bool { return f == "ContextProcessName" }))
	}
	d := NewDispatch(fs, nil)
	for i, tr := range d.ntrig {
		if tr == nil {
			t.Fatalf("program %d has no number trigger", i)
		}
	}
	tests := []testedCase{
		{`{"event_simpleName":"NetworkConnectIP4","RemotePort":"3389"}`, []bool{true, false}, []int32{0}},
		{`{"event_simpleName":"NetworkConnectIP4","RemotePort":587,"ContextProcessName":"curl"}`, []bool{false, true}, []int32{1}},
		{`{"event_simpleName":"NetworkConnectIP4","RemotePort":"25","ContextProcessName":"wget"}`, []bool{false, true}, nil},
		{`{"event_simpleName":"NetworkConnectIP4","RemotePort":"443"}`, []bool{false, false}, nil},
		{`{"event_simpleName":"NetworkConnectIP4","ContextProcessName":"curl"}`, []bool{false, false}, nil},
		{`{"event_simpleName":"NetworkConnectIP4","RemotePort":"587"}`, []bool{false, true}, []int32{1}},
		{`{"event_simpleName":"NetworkConnectIP4","RemotePort":"\u0033389"}`, []bool{true, false}, []int32{0}},
		// not a plain integer, or not one value: the query decides
		{`{"event_simpleName":"NetworkConnectIP4","RemotePort":"3389.0","ContextProcessName":"curl"}`, []bool{true, true}, []int32{0, 1}},
		{`{"event_simpleName":"NetworkConnectIP4","RemotePort":"80","RemotePort":"25","ContextProcessName":"curl"}`, []bool{true, true}, []int32{1}},
		{`{"event_simpleName":"DnsRequest","RemotePort":"3389"}`, []bool{false, false}, nil},
	}
	checkTested(t, d, tests)
}

// testedCase is a line, the programs a dispatch tests on it and those it
// accepts.
type testedCase struct {
	line   string
	tested []bool // per program
	hits   []int32
}

func checkTested(t *testing.T, d *Dispatch, tests []testedCase) {
	t.Helper()
	st := d.NewState()
	for _, tc := range tests {
		hits := st.Match([]byte(tc.line), nil)
		if !slices.Equal(hits, tc.hits) {
			t.Errorf("%s: hits %v, want %v", tc.line, hits, tc.hits)
		}
		for i, want := range tc.tested {
			if got := st.seen[i] == st.gen; got != want {
				t.Errorf("%s: program %d tested %v, want %v", tc.line, i, got, want)
			}
		}
	}
}

// wordReader reads the bytes of a text from i, little-endian, never those
// past its end (here 0xFF bytes of the buffer it is part of).
func TestWordReader(t *testing.T) {
	buf := bytes.Repeat([]byte{0xFF}, 32)
	for n := range 20 {
		for i := 0; i < n; i++ {
			v := buf[4 : 4+n]
			for j := range v {
				v[j] = byte('a' + j)
			}
			var want uint64
			for j := i; j < n && j < i+8; j++ {
				want |= uint64(v[j]) << (8 * (j - i))
			}
			var r wordReader
			r.reset(v)
			if got := r.at(i); got != want {
				t.Errorf("len %d, from %d: %016x, want %016x", n, i, got, want)
			}
			for j := range v {
				v[j] = 0xFF
			}
		}
	}
}
