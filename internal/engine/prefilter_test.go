package engine

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestPrefilterDerivation(t *testing.T) {
	none := func(string) bool { return false }
	tests := []struct {
		query   string
		derived func(string) bool
		want    string
	}{
		{`#event_simpleName=ProcessRollup2`, nil, `event_simpleName:"ProcessRollup2"`},
		{`#event_simpleName=/^(ProcessRollup2|DnsRequest)$/`, nil, `event_simpleName:("DnsRequest" OR "ProcessRollup2")`},
		{`ImageFileName=/(?i)(nmap|masscan)((\.exe)?)$/`, none, `ImageFileName:(i"masscan" OR i"nmap")`},
		// the field may come from enrichment: a line without it passes, one with it is tested
		{`ImageFileName=/(?i)(nmap|masscan)((\.exe)?)$/`, nil, `ImageFileName?:(i"masscan" OR i"nmap")`},
		{`CommandLine=/shodan\s+search/`, none, `CommandLine:("search" AND "shodan")`},
		{`url=*login*page*`, none, `url:("login" AND "page")`},
		{`mimikatz or sekurlsa`, none, `("mimikatz" OR "sekurlsa")`},
		{`mimikatz or sekurlsa`, nil, `true`}, // free text also searches enriched fields
		{`not mimikatz`, nil, `true`},
		{`status=404`, none, `status:=404`}, // numeric: tested on the value, 404.0 also matches
		{`RemotePort in [80, 443]`, none, `RemotePort:(=443 OR =80)`},
		{`in(LogonType, values=[2, "10"])`, none, `LogonType:(=10 OR =2)`},
		{`status=404`, nil, `status?:=404`},
		{`@timestamp=5`, none, `true`},                           // computed by the decoder
		{`status=40*`, none, `true`},                             // a glob, not a number: "40" is too short
		{`x := "nmap" | x=nmap`, none, `true`},                   // x is computed, not raw
		{`path="C:\\Windows*"`, none, `path:"C:\\Windows"`},      // as JSON writes it: backslashes doubled
		{`path="C:\\Windows/Temp*"`, none, `path:"C:\\Windows"`}, // a slash may be written \/: the longest run beside it
		{`cmd="say \"hi\" now"`, none, `cmd:"say \"hi\" now"`},   // quotes escaped
		{`cmd="*<script>*"`, none, `cmd:"script"`},
		{`cmd=/x\ty\nz/`, none, `cmd:"x\ty\nz"`},                              // tab and newline: \t and \n
		{`cmd=/x\x01yz\x02/`, none, `cmd:"yz"`},                               // other control characters: \u0001 only, so the run between
		{`cmd=/^2[0-4]/`, none, `cmd:("20" OR "21" OR "22" OR "23" OR "24")`}, // a field's value is located: two bytes decide it
		{`/^2[0-4]/`, none, `true`},                                           // the whole line: too short
		{`cmd=/^(nc|ncat|sh)$/`, none, `cmd:("nc" OR "sh")`},
		{`groupBy(x) | x=foobar`, none, `true`}, // after an aggregate: rows, not lines
		{`case { a=foo1 | b := 1; a=bar1 | dropEvent() }`, none, `a:"foo1"`},
		{`in(f, values=["alpha", "beta*"])`, none, `f:("alpha" OR "beta")`},
		{`a=/(?i)abc|x/`, none, `true`}, // a one-letter branch could match anywhere
		{`/(?<user>\w+)@corp\.example/`, none, `"@corp.example"`},
		{`/(?<user>\w+)@corp\.example/`, nil, `"@corp.example"`}, // @rawstring is never enriched
		{`regex("mimikatz")`, nil, `"mimikatz"`},
		// an OR's tests of one field are one test of that field's value
		{`a=/foo/i or b=bar or a=nmap`, none, `(a:("nmap" OR i"foo") OR b:"bar")`},
		// a literal holding another of the OR goes, whichever comes first
		{`a=*nmap.exe* or a=*foo* or a=*nmap*`, none, `a:("foo" OR "nmap")`},
		{`a=*nmap* or a=*foo* or a=*nmap.exe*`, none, `a:("foo" OR "nmap")`},
		{`a=*NMAP.EXE* or a=/nmap/i or a=*Nmap*`, none, `a:i"nmap"`},
		{`#event_simpleName=DnsRequest DomainName=/evil\.example/`, none,
			`(DomainName:"evil.example" AND event_simpleName:"DnsRequest")`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			p := compileQuery(t, tt.query, Options{})
			if got := p.Prefilter(tt.derived).String(); got != tt.want {
				t.Errorf("prefilter %s, want %s", got, tt.want)
			}
		})
	}
}

// TestSeedPrefilter: the seed's prefilter without enrichment, and what it
// keeps and rejects.
func TestSeedPrefilter(t *testing.T) {
	p := compileQuery(t, seedQuery(t), Options{})
	f := p.Prefilter(func(string) bool { return false })
	lines := []struct {
		line string
		want bool
	}{
		{`{"event_simpleName":"ProcessRollup2","ImageFileName":"C:\\Tools\\NMAP.EXE"}`, true},
		{`{"event_simpleName":"ProcessRollup2","CommandLine":"Amass  Enum -d x"}`, true},
		{`{"event_simpleName":"ProcessRollup2","ImageFileName":"C:\\Windows\\notepad.exe"}`, false},
		{`{"event_simpleName":"DnsRequest","DomainName":"API.SHODAN.IO"}`, true},
		{`{"event_simpleName":"DnsRequest","DomainName":"example.com"}`, false},
		{`{"event_simpleName":"NetworkConnectIP4","RemotePort":"443","ContextProcessName":"python3"}`, true},
		{`{"event_simpleName":"NetworkConnectIP4","RemotePort":"443","ContextProcessName":"chrome"}`, false},
		{`{"event_simpleName":"EndOfProcess","ImageFileName":"nmap.exe"}`, false},
	}
	for _, l := range lines {
		if got := f.Match([]byte(l.line)); got != l.want {
			t.Errorf("Match(%s) = %v, want %v", l.line, got, l.want)
		}
	}
	// with enrichment possible, the NetworkConnectIP4 branch cannot use the
	// process name, but the event type still filters
	g := p.Prefilter(nil)
	if !g.Match([]byte(`{"event_simpleName":"NetworkConnectIP4","ContextProcessId":"1"}`)) {
		t.Error("enriched prefilter rejected a line whose process name comes from enrichment")
	}
	if g.Match([]byte(`{"event_simpleName":"EndOfProcess"}`)) {
		t.Error("enriched prefilter accepted a wrong event type")
	}
}

func TestPrefilterRejectsWithoutAllocating(t *testing.T) {
	p := compileQuery(t, seedQuery(t), Options{})
	f := p.Prefilter(func(string) bool { return false })
	line := []byte(`{"event_simpleName":"DnsRequest","timestamp":"1700000000000","DomainName":"update.microsoft.com","aid":"ffff"}`)
	allocs := testing.AllocsPerRun(100, func() {
		if f.Match(line) {
			t.Fatal("line should be rejected")
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per rejected line", allocs)
	}
}

func TestContainsFold(t *testing.T) {
	tests := []struct {
		line, lit string
		want      bool
	}{
		{"xxNMAPxx", "nmap", true},
		{"nMaP", "nmap", true},
		{"nma", "nmap", false},
		{"n n nm nma nmaq Nmap", "nmap", true},
		{"", "a", false},
		{"A", "a", true},
	}
	for _, tt := range tests {
		lit := []byte(tt.lit)
		if got := containsFold([]byte(tt.line), lit, [2]byte{lit[0], upperByte(lit[0])}); got != tt.want {
			t.Errorf("containsFold(%q, %q) = %v", tt.line, tt.lit, got)
		}
	}
}

// TestPrefilterUnicodeFolds: (?i) regexes match KELVIN SIGN for k and LONG S
// for s; the literal prefilter must not reject those lines.
func TestPrefilterUnicodeFolds(t *testing.T) {
	p := compileQuery(t, `x=/(?i)masscan/`, Options{})
	f := p.Prefilter(func(string) bool { return false })
	for _, line := range []string{`{"x":"MASSCAN"}`, "{\"x\":\"ma\u017fscan\"}"} {
		if !f.Match([]byte(line)) {
			t.Errorf("prefilter rejected %s", line)
		}
	}
	got, _ := run(t, `x=/(?i)masscan/`, []*event.Event{ev("x", "ma\u017fscan"), ev("x", "mascan")})
	if len(got) != 1 {
		t.Errorf("rows %v, want the long-s event only", got)
	}
}

func TestPrefilterFieldScope(t *testing.T) {
	p := compileQuery(t, `#event_simpleName=DnsRequest DomainName=/shodan\.io/`, Options{})
	f := p.Prefilter(func(string) bool { return false })
	tests := []struct {
		line string
		want bool
	}{
		{`{"event_simpleName":"DnsRequest","DomainName":"api.shodan.io"}`, true},
		{`{"event_simpleName" : "DnsRequest", "DomainName" :"x.shodan.io"}`, true}, // spaces around the colon
		{`{"event_simpleName":"DnsRequest","DomainName":"example.com","note":"shodan.io"}`, false},
		{`{"event_simpleName":"DnsRequest","DomainName":"a\"b shodan.io"}`, true},     // escaped quote inside
		{`{"event_simpleName":"DnsRequest","x":"DomainName","y":"shodan.io"}`, false}, // key only as a value: no such field
		{`{"#event_simpleName":"DnsRequest","DomainName":"api.shodan.io"}`, true},     // LogScale's tag key
		{`{"event_simpleName":"DnsRequest","y":"shodan.io"}`, false},                  // no DomainName at all
		{`{"name":"DnsRequest","event_simpleName":"EndOfProcess","DomainName":"shodan.io"}`, false},
		{`{"event_simpleName":"DnsRequest","Parent":{"DomainName":"x"},"DomainName":"shodan.io"}`, true}, // nested key first
		{`{"event_simpleName":"DnsRequest","note":"\"DomainName\":\"shodan.io","DomainName":"x"}`, false},
		{`{"event_simpleName":"DnsRequest","DomainName":"C:\\shodan.io\\"}`, true}, // escaped backslashes end the value right
		{`{"event_simpleName":"DnsRequest","Domain\u004eame":"shodan.io"}`, true},  // escaped key: the whole line is tested
	}
	for _, tt := range tests {
		if got := f.Match([]byte(tt.line)); got != tt.want {
			t.Errorf("Match(%s) = %v, want %v", tt.line, got, tt.want)
		}
	}
}

// A field enrichment may add is tested only where the raw line has it:
// enrichment never changes a field the line has, and fills one it lacks.
func TestPrefilterDerivedFieldAbsentPasses(t *testing.T) {
	p := compileQuery(t, `#event_simpleName=NetworkConnectIP4 ContextProcessName=/(?i)(curl|wget)/`, Options{})
	enriched := func(f string) bool { return f == "ContextProcessName" || f == "" }
	tests := []struct {
		line string
		want bool
	}{
		{`{"event_simpleName":"NetworkConnectIP4","RemotePort":"443","ContextProcessId":"7"}`, true},
		{`{"event_simpleName":"NetworkConnectIP4","ContextProcessName":"curl.exe"}`, true},
		{`{"event_simpleName":"NetworkConnectIP4","ContextProcessName":"chrome.exe"}`, false},
		{`{"event_simpleName":"NetworkConnectIP4","CommandLine":"curl x","ContextProcessName":"chrome.exe"}`, false},
		{`{"event_simpleName":"DnsRequest","ContextProcessId":"7"}`, false},
	}
	pf := p.Prefilter(enriched)
	for _, tt := range tests {
		if got := pf.Match([]byte(tt.line)); got != tt.want {
			t.Errorf("prefilter %s on %s = %v, want %v", pf, tt.line, got, tt.want)
		}
	}
}

// ValueMayPass tells whether any test of the prefilter on a field accepts
// a value: a line rejected with one value of the field is rejected with any
// value none of them accepts.
func TestPrefilterValueMayPass(t *testing.T) {
	p := compileQuery(t, `case {
		#event_simpleName=NetworkConnectIP4 ContextProcessName=/(?i)(curl|wget)/ ;
		#event_simpleName=DnsRequest ContextProcessName=/nslookup/ DomainName=/example/ }`, Options{})
	enriched := func(f string) bool { return f == "ContextProcessName" || f == "" }
	pf := p.Prefilter(enriched)
	tests := []struct {
		value string
		want  bool
	}{
		{"curl.exe", true},
		{"WGET", true},
		{"nslookup.exe", true}, // the other branch's test
		{"NSLOOKUP.EXE", false},
		{"svchost.exe", false},
		{`c\u0075rl`, true}, // an escape may spell anything
		{"", false},
	}
	for _, tt := range tests {
		if got := pf.ValueMayPass("ContextProcessName", []byte(tt.value)); got != tt.want {
			t.Errorf("ValueMayPass(%q) = %v, want %v", tt.value, got, tt.want)
		}
	}
	if pf.ValueMayPass("RemoteAddressIP4", []byte("curl")) {
		t.Error("a field the prefilter does not test passes a value")
	}
}

// ValueMayPassAs counts only the tests a line of the given event name
// reaches: each branch's own, and those no test of the name guards.
func TestPrefilterValueMayPassAs(t *testing.T) {
	p := compileQuery(t, `case {
		#event_simpleName=NetworkConnectIP4 ContextProcessName=/(?i)(curl|wget)/ ;
		#event_simpleName=/^(DnsRequest|SuspiciousDnsRequest)$/ ContextProcessName=/nslookup/ DomainName=/example/ ;
		RemotePort=22 ContextProcessName=/sshd/ }`, Options{})
	enriched := func(f string) bool { return f == "ContextProcessName" || f == "" }
	pf := p.Prefilter(enriched)
	tests := []struct {
		name, value string
		want        bool
	}{
		{"NetworkConnectIP4", "curl.exe", true},
		{"NetworkConnectIP4", "nslookup.exe", false}, // only DNS requests reach that test
		{"DnsRequest", "nslookup.exe", true},
		{"SuspiciousDnsRequest", "nslookup.exe", true},
		{"DnsRequest", "curl.exe", false},
		{"DnsRequest", "sshd", true}, // a branch of any event name
		{"ProcessRollup2", "curl.exe", false},
		{"ProcessRollup2", "sshd", true},
	}
	for _, tt := range tests {
		if got := pf.ValueMayPassAs([]byte(tt.name), "ContextProcessName", []byte(tt.value)); got != tt.want {
			t.Errorf("ValueMayPassAs(%s, %q) = %v, want %v", tt.name, tt.value, got, tt.want)
		}
		if !pf.ValueMayPass("ContextProcessName", []byte(tt.value)) {
			t.Errorf("ValueMayPass(%q) = false: some test of any name accepts it", tt.value)
		}
	}
}

func TestHasUnicodeEscape(t *testing.T) {
	tests := []struct {
		raw  string
		want bool
	}{
		{`plain`, false},
		{`\u0063url`, true},
		{`C:\\users\\x`, false},  // an escaped backslash, then "users"
		{`C:\\\u0055sers`, true}, // an escaped backslash, then an escape
		{`a\\\\u`, false},        // two escaped backslashes, then "u"
		{`tail\`, false},         // cut short
		{`x\"u\u003d`, true},     // '=' as Falcon's producer writes it
	}
	for _, tt := range tests {
		if got := HasUnicodeEscape([]byte(tt.raw)); got != tt.want {
			t.Errorf("HasUnicodeEscape(%s) = %v, want %v", tt.raw, got, tt.want)
		}
	}
}

func TestIndexUnicodeEscape(t *testing.T) {
	tests := []struct {
		raw  string
		want int
	}{
		{`plain`, -1},
		{`\u0063url`, 0},
		{`C:\\users\\u53`, -1},    // escaped backslashes before each u
		{`C:\\users\\\u0055`, 11}, // an escaped backslash, then an escape
		{`a\\\\u`, -1},
		{`x\"u\u003d`, 4},
	}
	for _, tt := range tests {
		if got := IndexUnicodeEscape([]byte(tt.raw)); got != tt.want {
			t.Errorf("IndexUnicodeEscape(%s) = %d, want %d", tt.raw, got, tt.want)
		}
		if has := HasUnicodeEscape([]byte(tt.raw)); has != (tt.want >= 0) {
			t.Errorf("HasUnicodeEscape(%s) = %v, IndexUnicodeEscape %d", tt.raw, has, tt.want)
		}
	}
}

// TestEscapedKey: only a \u escape in a key can hide a plain key; one in
// a value (non-ASCII text from an ensure_ascii encoder) cannot.
func TestEscapedKey(t *testing.T) {
	tests := []struct {
		raw  string
		want bool
	}{
		{`{"a":"caf\u00e9"}`, false},
		{`{"Comm\u0061ndLine":"x"}`, true},
		{`{"a":"x\u0041" , "b":1}`, false},
		{`{"a\u0041" : 1}`, true},                  // spaces before the colon
		{`{"a":"\"\u0041\":"}`, false},             // a quote and colon inside the value
		{`{"a":"C:\\users\\x","b\u0041":1}`, true}, // escaped backslashes, then a key
		{`{"a":{"b\u0041":1}}`, true},              // nested
		{`{"a":["\u0041"]}`, false},
		{`{"a":"\u0041`, true}, // never closed
		{`{"a":"x\`, true},     // a lone backslash at the end
	}
	for _, tt := range tests {
		if got := escapedKey([]byte(tt.raw)); got != tt.want {
			t.Errorf("escapedKey(%s) = %v, want %v", tt.raw, got, tt.want)
		}
	}
}

// TestPrefilterRejectsLinesWhoseOnlyEscapesAreInValues: a line lacking
// the field a query tests is rejected though its values hold \u
// escapes; with an escaped key it may hold the field and passes.
func TestPrefilterRejectsLinesWhoseOnlyEscapesAreInValues(t *testing.T) {
	pf := compileQuery(t, `DomainName="api.shodan.io"`, Options{}).Prefilter(func(string) bool { return false })
	tests := []struct {
		line string
		want bool
	}{
		{`{"event_simpleName":"ProcessRollup2","CommandLine":"caf\u00e9.exe"}`, false},
		{`{"event_simpleName":"DnsRequest","Domain\u004eame":"api.shodan.io"}`, true},
		{`{"event_simpleName":"DnsRequest","DomainName":"api.shodan.io"}`, true},
		{`{"event_simpleName":"DnsRequest","DomainName":"api.sh\u006fdan.io"}`, true},
		{`{"event_simpleName":"DnsRequest","DomainName":"api.example.com","x":"\u00e9"}`, false},
	}
	for _, tt := range tests {
		if got := pf.Match([]byte(tt.line)); got != tt.want {
			t.Errorf("Match(%s) = %v, want %v", tt.line, got, tt.want)
		}
	}
}

// A field built from raw ones (format's %s, replace by literal texts) and
// tested after: each run of the literal without a byte the query inserted
// is looked for in the fields the value was built from, as the registry
// rules Sigma converts need.
func TestPrefilterThroughBuiltFields(t *testing.T) {
	const built = `TargetObject := format("%s\\%s", field=[RegObjectName, RegValueName])
		| TargetObject := replace("(?i)^\\\\REGISTRY\\\\MACHINE", with="HKLM", field=TargetObject) | `
	tests := []struct {
		query, line string
		want        bool
	}{
		{built + `TargetObject=/\\Explorer\\VolumeCaches\\/i`, `{"RegObjectName":"\\REGISTRY\\MACHINE\\SOFTWARE\\Explorer\\VolumeCaches\\x","RegValueName":"v"}`, true},
		{built + `TargetObject=/\\Explorer\\VolumeCaches\\/i`, `{"RegObjectName":"\\REGISTRY\\MACHINE\\SOFTWARE\\Other","RegValueName":"v"}`, false},
		{built + `TargetObject=/\\Explorer\\VolumeCaches\\/i`, `{"RegObjectName":"\\REGISTRY\\MACHINE\\Explorer","RegValueName":"VolumeCaches"}`, true}, // across the separator
		{built + `TargetObject=/HKLM\\SOFTWARE\\Run/i`, `{"RegObjectName":"\\REGISTRY\\MACHINE\\SOFTWARE\\Run"}`, true},                                 // the replacement's text
		{built + `TargetObject=/HKLM\\SOFTWARE\\Run/i`, `{"RegObjectName":"\\REGISTRY\\USER\\SOFTWARE\\x"}`, false},
		{built + `TargetObject=/Explorer/i`, `{"RegValueName":"eXPLORER"}`, true},
		{built + `TargetObject=/Explorer/i`, `{"Other":"Explorer"}`, false},
		{built + `not TargetObject=/Explorer/i`, `{"Other":"x"}`, true},
		// a replacement by nothing joins what was around the text: not used
		{`T := format("%s-%s", field=[a, b]) | T := replace("-", with="", field=T) | T=/xy/`, `{"a":"x","b":"y"}`, true},
		// another verb than a plain %s writes the value otherwise
		{`T := format("%x", field=[a]) | T=/abc/`, `{"a":"2748"}`, true},
	}
	for _, tt := range tests {
		pf := compileQuery(t, tt.query, Options{}).Prefilter(func(string) bool { return false })
		if got := pf.Match([]byte(tt.line)); got != tt.want {
			t.Errorf("%s\non %s: %v, want %v (prefilter %v)", tt.query, tt.line, got, tt.want, pf)
		}
	}
}

// TestPrefilterResolvesEscapedValues: a string value holding \u escapes
// is tested with them resolved, as the query will see it; literals JSON
// writes otherwise (a quote, a backslash) leave it passing.
func TestPrefilterResolvesEscapedValues(t *testing.T) {
	tests := []struct {
		query, line string
		want        bool
	}{
		{`CommandLine=/mimikatz/i`, `{"CommandLine":"Teams.exe caf\u00e9"}`, false},
		{`CommandLine=/mimikatz/i`, `{"CommandLine":"mimik\u0061tz.exe caf\u00e9"}`, true},
		{`CommandLine=/mimikatz/i`, `{"CommandLine":"mimi\u212aatz"}`, true},   // the Kelvin sign folds to k
		{`CommandLine=/mimikatz/i`, `{"CommandLine":"mimi\ud800katz"}`, false}, // a lone surrogate: U+FFFD
		{`DomainName="api.shodan.io"`, `{"DomainName":"caf\u00e9.example"}`, false},
		{`DomainName="api.shodan.io"`, `{"DomainName":"api.sh\u006fdan.io"}`, true},
		{`DomainName="api.shodan.io"`, `{"DomainName":["api.sh\u006fdan.io"]}`, true}, // not a string: passes
		{`CommandLine=/a"b/`, `{"CommandLine":"a\u0022b"}`, true},                     // a quote, written \" in raw text
		// literals holding a quote, a backslash or a control character: the
		// value is read rewritten the one way their raw text is written
		{`CommandLine=/a"b/`, `{"CommandLine":"x\u00e9"}`, false},
		{`ImageFileName=/\\cmd\.exe/i`, `{"ImageFileName":"C:\\x\\caf\u00e9.exe"}`, false},
		{`ImageFileName=/\\cmd\.exe/i`, `{"ImageFileName":"C:\\x\u005cCMD.exe"}`, true}, // a backslash spelled \u005c
		{`ImageFileName=/\\cmd\.exe/i`, `{"ImageFileName":"C:\\x\/cmd.exe"}`, false},    // \/ is a slash
		{`CommandLine="*\\q*"`, `{"CommandLine":"a\qb"}`, true},                         // an escape JSON lacks, kept as written
		{`CommandLine="*\\ud800*"`, `{"CommandLine":"a\ud800b"}`, true},                 // a lone surrogate, kept as written
		{`CommandLine="*\\ud800*"`, `{"CommandLine":"a\\ud800b"}`, true},
		{`CommandLine=/a\tb/`, "{\"CommandLine\":\"a\tb\"}", true}, // a raw tab (lenient JSON)
		{`CommandLine=/a\tb/`, "{\"CommandLine\":\"a\tc\"}", false},
		{`CommandLine=/a\x01b/`, "{\"CommandLine\":\"a\x01b\"}", true}, // a raw control character without a short escape
		{`CommandLine=/a\x01b/`, `{"CommandLine":"a\u0001b"}`, true},
		{`CommandLine=/a\x01b/`, `{"CommandLine":["a\u0001b"]}`, true}, // not a string: passes
		// free text: the line with its escapes resolved holds every value
		{`shodan`, `{"CommandLine":"Teams.exe caf\u00e9"}`, false},
		{`shodan`, `{"CommandLine":"curl api.sh\u006fdan.io"}`, true},
		{`/mimikatz/i`, `{"CommandLine":"MIMI\u212aATZ"}`, true},      // the Kelvin sign folds to k
		{`shodan or nmap`, `{"a":"n\u006dap","b":"caf\u00e9"}`, true}, // an OR
		{`shodan nmap`, `{"a":"n\u006dap","b":"caf\u00e9"}`, false},   // an AND
		{`"a\"b"`, `{"a":"caf\u00e9"}`, true},                         // not plain: passes any escaped line
		{`café`, `{"a":"x\u00e9"}`, false},                            // looked for by its ASCII part, "caf"
		{`café`, `{"a":"caf\u00e9"}`, true},
		// past ASCII, runes without other cases are looked for as their
		// UTF-8 bytes, in values with escapes resolved; a line with \u
		// escapes passes a whole-line literal
		{`CommandLine=/😀/`, `{"CommandLine":"a😀b"}`, true},
		{`CommandLine=/😀/`, `{"CommandLine":"abc"}`, false},
		{`CommandLine=/😀/`, `{"CommandLine":"a\ud83d\ude00b"}`, true},
		{`CommandLine=/😀/`, `{"CommandLine":"a\ud83d\ude01b"}`, false},
		{`CommandLine=/😀/`, `{"CommandLine":"a\ud83d"}`, false}, // a lone surrogate: U+FFFD
		{`CommandLine=/x😀/i`, `{"CommandLine":"X😀"}`, true},
		{`CommandLine=/é/i`, `{"CommandLine":"abc"}`, true}, // É: not looked for
		{`😀`, `{"a":"x😀"}`, true},
		{`😀`, `{"a":"xyz"}`, false},
		{`😀`, `{"a":"x\ud83d\ude00"}`, true},
	}
	for _, tt := range tests {
		pf := compileQuery(t, tt.query, Options{}).Prefilter(func(string) bool { return false })
		if got := pf.Match([]byte(tt.line)); got != tt.want {
			t.Errorf("%s on %s = %v, want %v", tt.query, tt.line, got, tt.want)
		}
	}
}

// TestValueMayEqual: which raw values a numeric equality rejects. Only a
// plain integer is decided; every other spelling passes, for the query to
// decide.
func TestValueMayEqual(t *testing.T) {
	tests := []struct {
		raw  string
		num  float64
		want bool
	}{
		{`443`, 443, true},
		{`80`, 443, false},
		{`4430`, 443, false},
		{`443,"LocalPort":"5"}`, 443, true}, // a number: the rest of the line follows
		{`80,"LocalPort":"443"}`, 443, false},
		{`80}`, 443, false},
		{`80 `, 443, false},
		{`80 ,`, 80, true},
		{`443.0`, 443, true},  // a point: passes
		{`4.43e2`, 443, true}, // an exponent: passes
		{`0443`, 443, true},   // a leading zero: passes
		{`0`, 0, true},
		{`0`, 443, false},
		{`-443`, -443, true},
		{`+443`, 443, true},
		{` 443`, 443, true},
		{`\u0034\u0034\u0033`, 443, true},
		{`1234567890123456`, 1234567890123456, true}, // beyond exact floats: passes
		{`1234567890123456`, 1, true},
		{`123456789012345`, 1, false},
		{`44x`, 443, true},
		{``, 443, true},
		{`{"a":1}`, 1, true}, // a whole line
		{`5`, 5.5, false},
	}
	for _, tt := range tests {
		if got := valueMayEqual([]byte(tt.raw), tt.num); got != tt.want {
			t.Errorf("valueMayEqual(%q, %v) = %v, want %v", tt.raw, tt.num, got, tt.want)
		}
	}
}

// The value after a key runs to the first quote no backslash escapes; a
// quote after an even run of backslashes ends it.
func TestJSONValueAfterKey(t *testing.T) {
	tests := []struct {
		rest, want string
		str, ok    bool
	}{
		{`:"curl.exe","x":1}`, `curl.exe`, true, true},
		{` : "a b" }`, `a b`, true, true},
		{`:"say \"hi\" now","x":1}`, `say \"hi\" now`, true, true},
		{`:"C:\\","x":1}`, `C:\\`, true, true},
		{`:"a\\\"b","x":1}`, `a\\\"b`, true, true},
		{`:""}`, ``, true, true},
		{`:"unterminated \"`, `unterminated \"`, true, true},
		{`:443,"x":1}`, `443,"x":1}`, false, true}, // not a string: the rest, for the caller
		{`,"x":1}`, ``, false, false},
	}
	for _, tt := range tests {
		got, str, ok := jsonValueAfterKey([]byte(tt.rest))
		if string(got) != tt.want || str != tt.str || ok != tt.ok {
			t.Errorf("jsonValueAfterKey(%s) = %q, %v, %v; want %q, %v, %v", tt.rest, got, str, ok, tt.want, tt.str, tt.ok)
		}
	}
}

// A value is read rewritten when an escape or a control character may
// spell a literal's byte otherwise: for literals holding a backslash or a
// control character (esc), any escape JSON does not define and any raw
// control character too.
func TestSpelledOtherwise(t *testing.T) {
	tests := []struct {
		raw       string
		esc, want bool
	}{
		{`C:\\Windows\\system32`, false, false},
		{`C:\\Windows\\system32`, true, false},
		{`C:\\users`, true, false}, // an escaped backslash before a u
		{`caf\u00e9`, false, true},
		{`caf\u00e9`, true, true},
		{`a\qb`, false, false},
		{`a\qb`, true, true},
		{"0123456789abcdef\x01", false, false},
		{"0123456789abcdef\x01", true, true},
		{"0123456\x1f89abcdef", true, true},
		{"0123456789ab\tdef0123", true, true},
		{"plain text, long enough for three words", true, false},
		{"é and ü are not control characters", true, false},
		{`trailing \`, true, true},
	}
	for _, tt := range tests {
		if got := spelledOtherwise([]byte(tt.raw), tt.esc); got != tt.want {
			t.Errorf("spelledOtherwise(%q, %v) = %v, want %v", tt.raw, tt.esc, got, tt.want)
		}
	}
	// the words' test agrees with a byte at a time, at every offset
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = byte(0x20 + r.IntN(0xe0))
			if r.IntN(30) == 0 {
				b[i] = byte(r.IntN(0x20))
			}
		}
		want := slices.ContainsFunc(b, func(c byte) bool { return c < 0x20 })
		if got := hasControl(b); got != want {
			t.Fatalf("hasControl(%q) = %v, want %v", b, got, want)
		}
	}
}
