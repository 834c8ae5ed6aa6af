package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

// The prefilter's one promise: it never rejects a line whose event the query
// accepts. This test checks that promise differentially: random events made
// of a small vocabulary (so that literals collide across fields, cases and
// escapes, \u escapes included), many query shapes, and for each (query, event) the verdict of the
// prefilter on the event's JSON line against the query run without it.
func TestPrefilterNeverRejectsAcceptedEvents(t *testing.T) {
	oddEscapes := regexp.MustCompile(`\\\\([ac-eg-mo-qsv-zA-Z])`)
	seed, err := os.ReadFile("../../rules/T1590.005-ip-address-recon/query.cql")
	if err != nil {
		t.Fatal(err)
	}
	queries := []string{
		string(seed),
		`a=foo or b=foo`, `a=foo b=bar`, `a=fo*`, `a=*oo`, `a!=foo`, `not a=foo`,
		`a=/FOO/i`, `a=/^fo+$/`, `a=/foo|bar/ or b=/nmap\.exe$/i`, `foo`, `"foo bar"`, `/foo/i`,
		`a like "oo"`, `in(a, values=["foo", "NMAP.exe"], ignoreCase=true)`, `!in(a, values=[foo])`,
		`a =~ wildcard("*o*", ignoreCase=true)`, `test(a == b)`, `n > 3`, `n = 5`,
		`case { a=foo | k := "1"; b=foo | k := "2"; * }`, `case { a=/nmap/i | k := "x"; b=foo }`,
		`a match { foo => k := "1"; /bar/i => k := "2" }`, `#event_simpleName=DnsRequest a=foo`,
		`event_simpleName=DnsRequest a=foo`, `event_simpleName=/Dns/ or #event_simpleName=/process/i`,
		`#event_simpleName!=DnsRequest a=foo`, `#event_simpleName=* b=bar`,
		`#event_simpleName=/^(ProcessRollup2|DnsRequest)$/ | a=/shodan\.io/i or b=/curl/i`,
		`regex("(?<x>fo+)", field=a)`, `cidr(a, subnet="10.0.0.0/8")`, `a="foo \"q\""`, `a=*`, `a!=*`,
		`RemotePort in [80, 443]`, `n=443 or a=foo`, `in(n, values=[5, "443.0"])`, `n=0443`, `RemotePort=80 n=5`,
		`case { RemotePort=443 | k := "1"; n=5 | k := "2" }`, `ContextProcessName=5`,
		`a=/foo/i or b=bar or a=/nmap/`, `a=/fo+.*bar|nmap|curl/i`, `/fo+.*bar|shodan|curl/i`,
		`a=/oo.*ar/ or a=curl or b=foo or a=/ba.*fo/i`, `CommandLine=/(?i)(shodan\s+search|nmap\s+-s|curl)/`,
		// backslashes and quotes: literals as JSON writes them
		`a="*\\Windows\\System32*"`, `a=/\\windows\\/i or b=/x"y/`, `"\\System32\\cmd"`, `ImageFileName=/\\(cmd|nmap)\.exe$/i`,
		`a=/o\tb/ or b=/\n\nfoo/i`, `"r\tfo"`,
	}
	vocab := []string{"foo", "FOO", "bar", "foo bar", "nmap.exe", "NMAP.EXE", "shodan.io", "api.SHODAN.io",
		"curl", "10.1.2.3", "5", "5.0", `x"y`, `c:\tools\nmap.exe`, "é", "", "fo", "oo",
		"443", "80", "443.0", "0443", " 443", "4.43e2", "8080", "-5", `C:\Windows\System32\cmd.exe`, `\System32\`, "fo\tbar", "\n\nfoo", "r\tfo"}
	fields := []string{"a", "b", "n", "event_simpleName", "ImageFileName", "CommandLine", "DomainName",
		"RemotePort", "ContextProcessName"}
	types := []string{"ProcessRollup2", "DnsRequest", "NetworkConnectIP4", "processrollup2"}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, src := range queries {
		p := compileQuery(t, src, Options{})
		noEnrichment := func(string) bool { return false }
		contextEnriched := func(f string) bool { return f == "ContextProcessName" || f == "" }
		for _, derived := range []func(string) bool{nil, noEnrichment, contextEnriched} {
			pf := p.Prefilter(derived)
			for i := 0; i < 400; i++ {
				obj := map[string]string{}
				for _, f := range fields {
					if rng.IntN(3) == 0 {
						continue
					}
					if f == "event_simpleName" {
						obj[f] = types[rng.IntN(len(types))]
					} else {
						obj[f] = vocab[rng.IntN(len(vocab))] + strings.Repeat(vocab[rng.IntN(len(vocab))], rng.IntN(2))
					}
				}
				if v, ok := obj["event_simpleName"]; ok && rng.IntN(3) == 0 {
					// LogScale's spelling: the tag's key alone, which
					// decoding reads as the tag (no raw event_simpleName)
					delete(obj, "event_simpleName")
					obj[event.SimpleName] = v
				}
				ev := &event.Event{}
				for k, v := range obj {
					ev.Set(k, v)
					if k == "event_simpleName" {
						ev.Set(event.SimpleName, v)
					}
				}
				if (derived == nil || derived("ContextProcessName")) && rng.IntN(2) == 0 {
					// a derived field missing from the raw line: enrichment adds it
					// later (when the line has it, enrichment leaves it as it is)
					delete(obj, "ContextProcessName")
				}
				line, _ := json.Marshal(obj)
				if rng.IntN(2) == 0 {
					// numbers may also be written as JSON numbers; the
					// decoder keeps them as written
					for k, v := range obj {
						if _, err := strconv.ParseFloat(v, 64); err == nil && strings.TrimSpace(v) == v && v != "" {
							line = bytes.Replace(line, []byte(`"`+k+`":"`+v+`"`), []byte(`"`+k+`":`+v), 1)
						}
					}
				}
				if rng.IntN(4) == 0 {
					// JSON may spell any character as a \u escape, in keys and values
					c := "oeaN"[rng.IntN(4)]
					line = bytes.Replace(line, []byte{c}, fmt.Appendf(nil, `\u%04x`, c), 1+rng.IntN(2))
				}
				if rng.IntN(4) == 0 {
					// a tab written raw inside a string: lenient decoders take it
					line = rawTabs(line)
				}
				if rng.IntN(4) == 0 {
					// a backslash written alone before a letter JSON does
					// not escape (\W): decoders keep both as written
					line = oddEscapes.ReplaceAll(line, []byte(`\$1`))
				}
				if len(obj) > 0 && rng.IntN(4) == 0 {
					// a key written twice: decoding keeps the last value
					f := fields[rng.IntN(len(fields))]
					if _, ok := obj[f]; ok && f != "event_simpleName" {
						v := vocab[rng.IntN(len(vocab))]
						dup, _ := json.Marshal(v)
						line = append(append(append(line[:len(line)-1], `,"`+f+`":`...), dup...), '}')
						ev.Set(f, v)
					}
				}
				ev.Set(event.RawString, string(line))
				ev.Set(event.Timestamp, "1700000000000")
				rows, _ := p.Run([]*event.Event{ev})
				if len(rows) > 0 && !pf.Match(line) {
					t.Fatalf("query %q: prefilter %s rejects %s, which the query accepts", src, pf, line)
				}
			}
		}
	}
}

// rawTabs writes line's \t escapes as raw tab bytes (lenient JSON), leaving
// other escapes (\\t is a backslash, then t) as they are.
func rawTabs(line []byte) []byte {
	out := make([]byte, 0, len(line))
	for i := 0; i < len(line); i++ {
		if line[i] == '\\' && i+1 < len(line) {
			if line[i+1] == 't' {
				out = append(out, '\t')
			} else {
				out = append(out, line[i], line[i+1])
			}
			i++
			continue
		}
		out = append(out, line[i])
	}
	return out
}
