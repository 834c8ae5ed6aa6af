package engine

import (
	"bytes"
	"slices"
	"testing"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// FuzzPrefilterNeverRejects: for any query and any line, a line the
// query's prefilter (or a hunt's dispatch over it) rejects changes nothing the query gives: its rows over
// the line's decoded event are those over no event at all. Queries whose
// output changes from run to run (random(), sample()) are skipped, and so
// are lines writing a key twice, once with escapes (docs/limits.md: the
// prefilter reads the plain spelling, the decoder keeps the last).
func FuzzPrefilterNeverRejects(f *testing.F) {
	for _, seed := range [][2]string{
		{`ImageFileName=/\\cmd\.exe$/i`, `{"ImageFileName":"C:\Windows\cmd.exe"}`},
		{`a="*\\Temp\\*"`, `{"a":"C:\\Temp\\x"}`},
		{`CommandLine=/x"y/ or foo`, `{"CommandLine":"x\"y","b":"f\u006fo"}`},
		{`#event_simpleName=ProcessRollup2 event_platform=Win ImageFileName=/\\(certutil|wmic)\.exe$/i | count()`, `{"event_simpleName":"ProcessRollup2","event_platform":"Win","ImageFileName":"\\Device\\wmic.exe"}`},
		{`in(a, values=["x/y", "<b>"]) | table([a])`, `{"a":"x\/y"}`},
		{`RemotePort in [80, 443] DomainName=*shodan*`, `{"RemotePort":443.0,"DomainName":"api.SHODAN.io"}`},
		{`/nmap\s+-sn/i`, `{"CommandLine":"NMAP\t-sn 10.0.0.0/8"}`},
		{`CommandLine=/a\tb/ or CommandLine=/\n\n/`, "{\"CommandLine\":\"a\tb\"}"},                                                        // a raw tab (lenient JSON)
		{`#event_simpleName=DnsRequest`, `{"event\u005fsimpleName":"DnsRequest"}`},                                                        // an escaped key alone: found
		{`#event_simpleName=DnsRequest`, `{"event_simpleName":"Foo","event\u005fsimpleName":"DnsRequest"}`},                               // repeated: skipped
		{`DomainName=shodan`, `{"CommandLine":"caf\u00e9","Domain\u004eame" : "shodan"}`},                                                 // a value's escape, then a key's
		{`DomainName=shodan`, `{"a":{"Domain\u004eame":"shodan"},"b":"\"\u00e9\":"}`},                                                     // nested, and a colon in a value
		{`CommandLine=/mimikatz/i`, `{"CommandLine":"mimi\u212aatz \ud83d\ude00"}`},                                                       // resolved escapes: the Kelvin sign, a surrogate pair
		{`CommandLine="*a\"b*"`, `{"CommandLine":"a\u0022b"}`},                                                                            // a quote spelled \u0022
		{`LocalPort=/^2[0-4]/`, `{"LocalPort":23434}`},                                                                                    // two bytes within a field, a number
		{`FileName=/^(nc|sh)$/i`, `{"FileName":"N\u0043"}`},                                                                               // two bytes, one escaped
		{`a=/x[0-9]y/`, `{"a":"x\u0035y"}`},                                                                                               // a class multiplied out
		{`shodan | count()`, `{"a":"api.\u0073hodan.io"}`},                                                                                // free text spelled in an escape: resolved
		{`/SHODAN/i or mimikatz`, `{"a":"\u0053hodan","b":"mimi\u212aatz"}`},                                                              // ignoring case, the Kelvin sign
		{`shodan`, `{"a":"\ud83d\ude00sho","b":"\ud800dan"}`},                                                                             // surrogates, paired and lone
		{`CommandLine=/😮‍💨/ or CommandLine=/x😀$/i`, `{"CommandLine":"X\ud83d\ude00","b":"😮‍💨"}`},                                          // past ASCII: runes without cases
		{`T := format("%s\\%s", field=[a, b]) | T := replace("(?i)^\\\\R", with="HK", field=T) | T=/k\\x\\y/i`, `{"a":"\\r\\X","b":"y"}`}, // a built field
		{`T := format("<%s|%s>", field=[a, b]) | T := replace("b", with="Q", field=T) | T=/a|ab/ or T=/>$/`, `{"a":"ab","b":3}`},
		{`😀 or /é/i`, `{"a":"\u00c9","b":"\ud83d"}`}, // a cased rune; a lone surrogate
	} {
		f.Add(seed[0], seed[1])
	}
	noEnrichment := func(string) bool { return false }
	f.Fuzz(func(t *testing.T, src, line string) {
		q, ds := cql.Parse(src)
		if ds.HasErrors() {
			return
		}
		p, ds := Compile(q, Options{Now: testNow})
		if ds.HasErrors() {
			return
		}
		// without enrichment, and with every field one enrichment may add
		// (a present field is never changed, so a line lacking it passes)
		pf := p.Prefilter(noEnrichment)
		if pf != nil {
			// a Matcher answers as the prefilter, again from what it remembers
			m := pf.NewMatcher()
			for range 2 {
				if got, want := m.Match([]byte(line), EventName{}), pf.Match([]byte(line)); got != want {
					t.Fatalf("matcher %v, prefilter %v", got, want)
				}
			}
		}
		if pf == nil || pf.Match([]byte(line)) {
			if pf = p.Prefilter(nil); pf == nil || pf.Match([]byte(line)) {
				// the prefilter read by a hunt's dispatch
				pf = p.Prefilter(noEnrichment)
				if pf == nil || len(NewDispatch([]*Prefilter{pf}, nil).NewState().Match([]byte(line), nil)) > 0 {
					return
				}
			}
		}
		var e event.Event
		if ingest.NewDecoder(event.Needs{All: true}).Decode([]byte(line), &e) != nil || repeatsEscapedKey([]byte(line)) {
			return
		}
		run := func(events ...*event.Event) []string {
			rows, _ := p.Run(events)
			return render(rows)
		}
		with, without := run(e.Clone()), run()
		if !slices.Equal(with, run(e.Clone())) || !slices.Equal(without, run()) {
			return // the query's output changes between runs
		}
		if !slices.Equal(with, without) {
			t.Fatalf("query %q: prefilter %s rejects %s, yet over it the query gives %v (over nothing %v)", src, pf, line, with, without)
		}
	})
}

// repeatsEscapedKey reports whether an object in line (nested ones too)
// holds a key twice, once written with escapes; an array holding an escape
// counts as one that may.
func repeatsEscapedKey(line []byte) bool {
	var sc ingest.ObjectScanner
	if !sc.Reset(line) {
		return false
	}
	seen := map[string]bool{}
	escaped := false
	var m ingest.Member
	for sc.Next(&m) {
		key := string(m.Key)
		if m.KeyEscaped {
			key, escaped = string(ingest.AppendUnescaped(nil, m.Key)), true
		}
		if seen[key] && escaped {
			return true
		}
		seen[key] = true
		switch {
		case m.Kind == ingest.KindObject && repeatsEscapedKey(m.Raw):
			return true
		case m.Kind == ingest.KindArray && bytes.Contains(m.Raw, []byte(`\u`)):
			return true
		}
	}
	return false
}
