package engine

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/ingest"
)

// A Matcher remembers its prefilter's tests of event names by name: over
// lines of many names, in any order, seeded with the name or not, it
// answers as the prefilter matching each line afresh.
func TestNameMemoAnswersAsEachTest(t *testing.T) {
	var branches []string
	for i := range 70 { // more name tests than are remembered
		branches = append(branches, fmt.Sprintf("#event_simpleName=Ev%d a=/val%d/ | b := 1", i, i))
	}
	queries := map[string]string{
		"seed-like case": `#event_simpleName=/^(ProcessRollup2|DnsRequest|NetworkConnectIP4)$/
			| case { #event_simpleName=ProcessRollup2 ImageFileName=/nmap/i | b := 1;
			         #event_simpleName=DnsRequest DomainName=/shodan\.io/i | b := 2;
			         #event_simpleName=NetworkConnectIP4 RemotePort=443 | b := 3; * | dropEvent() }`,
		"prefix or name":      `#event_simpleName=/^Process/ or #event_simpleName=DnsRequest`,
		"negated":             `#event_simpleName!=DnsRequest ImageFileName=*cmd*`,
		"ignoring case":       `#event_simpleName=/dns/i a=/val1/`,
		"name in a field OR":  `#event_simpleName=Ev1 or a=/val2/`,
		"70 branches":         "case {" + strings.Join(branches, "; ") + "; * | dropEvent() }",
		"name with backslash": `#event_simpleName="Dns\\Request" or #event_simpleName=/^Ev[0-9]$/`,
	}
	names := []string{"ProcessRollup2", "DnsRequest", "NetworkConnectIP4", "NetworkReceiveAcceptIP4",
		"SyntheticProcessRollup2", "SensorHeartbeat", "dnsrequest", `Dns\u0052equest`, `Dns\\Request`, "",
		strings.Repeat("LongEventName", 6), "Process", "ProcessRollup"}
	for i := range 80 {
		names = append(names, fmt.Sprintf("Ev%d", i))
	}
	names = append(names, sharingSlot("Ev1", 4, recentNames)...) // names of Ev1's length in its recent entry
	var lines [][]byte
	for i, n := range names {
		for _, rest := range []string{
			fmt.Sprintf(`"a":"val%d","ImageFileName":"C:\\nmap.exe","DomainName":"api.shodan.io","RemotePort":"443"`, i%70),
			`"a":"val2","ImageFileName":"cmd.exe","DomainName":"example.org","RemotePort":"80"`,
		} {
			lines = append(lines, fmt.Appendf(nil, `{"event_simpleName":"%s",%s}`, n, rest))
		}
	}
	lines = append(lines, []byte(`{"a":"val1"}`), []byte(`{"event_simpleName":7,"a":"val1"}`),
		[]byte(`{"event_simpleName":"Ev1","event_simpleName":"Ev2","a":"val1"}`))
	for name, src := range queries {
		t.Run(name, func(t *testing.T) {
			q, ds := cql.Parse(src)
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			p, ds := Compile(q, Options{Now: testNow})
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			f := p.Prefilter(func(string) bool { return false })
			if f == nil {
				t.Fatal("no prefilter")
			}
			m := f.NewMatcher()
			rng := rand.New(rand.NewPCG(1, uint64(len(src))))
			for round := range 3 {
				for _, i := range rng.Perm(len(lines)) {
					line := lines[i]
					want := f.Match(line)
					if got := m.Match(line, EventName{}); got != want {
						t.Fatalf("round %d, %s: matcher %v, prefilter %v", round, line, got, want)
					}
					// seeded, a name with escapes is not read: it passes
					name := FindEventName(line)
					if got, want := m.Match(line, name), f.MatchName(line, name); got != want {
						t.Fatalf("round %d, %s, name seeded: matcher %v, prefilter %v", round, line, got, want)
					}
				}
			}
		})
	}
}

// The event name a Matcher located as it matched is the one
// FindEventName finds (a learning search learns from the line by it);
// a name the Matcher was given is handed back as given.
func TestMatcherNameIsTheNameFound(t *testing.T) {
	q, _ := cql.Parse(`#event_simpleName=/^(ProcessRollup2|DnsRequest)$/ DomainName=/shodan/`)
	p, _ := Compile(q, Options{Now: testNow})
	f := p.Prefilter(func(string) bool { return false })
	m := f.NewMatcher()
	same := func(a, b EventName) bool {
		av, aok := a.Plain()
		bv, bok := b.Plain()
		return a.state == b.state && aok == bok && string(av) == string(bv)
	}
	for _, line := range []string{
		`{"event_simpleName":"DnsRequest","DomainName":"api.shodan.io"}`,
		`{"DomainName":"api.shodan.io","event_simpleName":"SensorHeartbeat"}`,
		`{"event_simpleName":"Dns\u0052equest","DomainName":"api.shodan.io"}`,
		`{"event_simpleName":"DnsRequest","event_simpleName":"DnsRequest"}`,
		`{"event_simpleName":7,"DomainName":"api.shodan.io"}`,
		`{"DomainName":"api.shodan.io"}`,
		`{"event_simpleName":"ProcessRollup2","CommandLine":"x"}`,
	} {
		want := FindEventName([]byte(line))
		m.Match([]byte(line), EventName{})
		if got := m.Name(); !got.Located() || !same(got, want) {
			t.Errorf("%s: located %+v, FindEventName %+v", line, got, want)
		}
		m.Match([]byte(line), want)
		if got := m.Name(); !same(got, want) {
			t.Errorf("%s, seeded: %+v, want %+v", line, got, want)
		}
	}
	// A prefilter that rejects a line before testing its name locates none.
	q, _ = cql.Parse(`"shodan" #event_simpleName=DnsRequest`)
	p, _ = Compile(q, Options{Now: testNow})
	m = p.Prefilter(func(string) bool { return false }).NewMatcher()
	if m.Match([]byte(`{"event_simpleName":"DnsRequest"}`), EventName{}) || m.Name().Located() {
		t.Errorf("rejected on its text, the line's name was located: %+v", m.Name())
	}
}

// A line matched again with its event name settled to another is
// answered for that name, not from what the memo found for its own.
func TestNameMemoFollowsASettledName(t *testing.T) {
	q, _ := cql.Parse(`#event_simpleName=DnsRequest DomainName=/shodan/`)
	p, _ := Compile(q, Options{Now: testNow})
	f := p.Prefilter(func(string) bool { return false })
	m := f.NewMatcher()
	dns := []byte(`{"event_simpleName":"DnsRequest","DomainName":"shodan.io"}`)
	other := []byte(`{"event_simpleName":"SensorHeartbeat","DomainName":"shodan.io"}`)
	slot := f.KeySlot(simpleNameKey)
	if !m.Match(dns, EventName{}) || m.MatchSettled(Settled{Slot: slot, Value: []byte("SensorHeartbeat")}) {
		t.Error("settled as SensorHeartbeat, the DNS line still passes")
	}
	if m.Match(other, EventName{}) || !m.MatchSettled(Settled{Slot: slot, Value: []byte("DnsRequest")}) {
		t.Error("settled as DnsRequest, the other line still fails")
	}
}

// sharingSlot returns n names of name's length (at least three) that a
// memo of slots entries keeps in name's: nameHash reads the first, middle
// and last bytes.
func sharingSlot(name string, n, slots int) []string {
	var out []string
	want := nameHash([]byte(name)) & (slots - 1)
	b := []byte(strings.Repeat("x", len(name)))
	for first := byte('A'); first <= 'z'; first++ {
		for middle := byte('A'); middle <= 'z'; middle++ {
			for last := byte('A'); last <= 'z'; last++ {
				b[0], b[len(b)/2], b[len(b)-1] = first, middle, last
				if s := string(b); s != name && nameHash(b)&(slots-1) == want {
					if out = append(out, s); len(out) == n {
						return out
					}
				}
			}
		}
	}
	panic("no name shares the slot")
}

// Tests of the event name are numbered for the memo only while their
// answer depends on the name alone, and no further than its bits.
func TestMarkNameTests(t *testing.T) {
	var branches []string
	for i := range 70 {
		branches = append(branches, fmt.Sprintf("#event_simpleName=Ev%d a=/val%d/ | b := 1", i, i))
	}
	for _, tt := range []struct {
		src  string
		want int // name tests numbered
	}{
		{`#event_simpleName=DnsRequest`, 1},
		{`#event_simpleName=/^(DnsRequest|ProcessRollup2)$/ a=x`, 1},
		{`case { #event_simpleName=Ev1 a=/val/ | b := 1; #event_simpleName=Ev2 | b := 2; * | dropEvent() }`, 2},
		{`#event_simpleName=Ev1 or a=/val/`, 1},
		{`a=/val/`, 0},
		{"case {" + strings.Join(branches, "; ") + "; * | dropEvent() }", maxNameTests},
	} {
		q, ds := cql.Parse(tt.src)
		if ds.HasErrors() {
			t.Fatal(ds)
		}
		p, _ := Compile(q, Options{Now: testNow})
		got := 0
		var count func(n *pfNode)
		count = func(n *pfNode) {
			if n.nameBit != 0 {
				got++
			}
			for i := range n.kids {
				count(&n.kids[i])
			}
		}
		if f := p.Prefilter(func(string) bool { return false }); f != nil {
			count(&f.compiled().node)
		}
		if got != tt.want {
			t.Errorf("%s: %d name tests numbered, want %d", tt.src, got, tt.want)
		}
	}
}

// A query without a prefilter rejects nothing, matched through a Matcher
// as on its own.
func TestNilPrefilterMatcherAcceptsAll(t *testing.T) {
	var f *Prefilter
	m := f.NewMatcher()
	for _, line := range []string{`{"event_simpleName":"DnsRequest"}`, `not json`, ``} {
		if !m.Match([]byte(line), FindEventName([]byte(line))) || !f.Match([]byte(line)) {
			t.Errorf("%q rejected without a prefilter", line)
		}
	}
}

// The event name found at the anchors a line's cut listed is the one
// FindEventName finds by scanning the line, whatever the line holds: the
// key repeated, escaped, nested, beside keys of the same anchor, or more
// anchors than are listed.
func TestFindEventNameAnchoredIsFindEventName(t *testing.T) {
	for _, line := range []string{
		`{"event_platform":"Win","event_simpleName":"DnsRequest","timestamp":"1"}`,
		`{"event_simpleName":"DnsRequest","event_simpleName":"DnsRequest"}`,
		`{"event_simpleName":"Dns\\Request"}`,
		`{"event_simpleName":"Dns\u0052equest"}`,
		`{"event\u005fsimpleName":"DnsRequest"}`,
		`{"event_simpleName" : "DnsRequest"}`,
		`{"event_simpleName":7}`,
		`{"event_simpleName":null,"event_simpleName":"DnsRequest"}`,
		`{"x":{"event_simpleName":"DnsRequest"},"event_simpleName":"ProcessRollup2"}`,
		`{"CommandLine":"a \"event_simpleName\":\"DnsRequest\"","event_simpleName":"ProcessRollup2"}`,
		`{"#event_simpleName":"DnsRequest"}`,
		`{"DomainName":"a_b_c_d_e_f_g_h_i.example","event_simpleName":"DnsRequest"}`,
		`{"DomainName":"a_b_c_d_e_f_g_h_i.example"}`,
		`{"event_simpleName":"unterminated`,
		`"event_simpleName":"DnsRequest"`,
		`_event_simpleName":"DnsRequest"`,
		`{"DomainName":"api.shodan.io"}`,
		``,
	} {
		var anchors ingest.LineAnchors
		b := []byte(line + "\n")
		end := ingest.IndexLineAnchored(b, EventNameAnchor, &anchors)
		got, want := FindEventNameAnchored(b[:end], &anchors), FindEventName([]byte(line))
		if !sameEventName(got, want) {
			t.Errorf("%s: found at the anchors %+v, by a scan %+v", line, got, want)
		}
	}
}

func sameEventName(a, b EventName) bool {
	return a.state == b.state && a.plain == b.plain && string(a.val) == string(b.val)
}

func FuzzFindEventNameAnchored(f *testing.F) {
	f.Add([]byte(`{"event_platform":"Win","event_simpleName":"DnsRequest"}`))
	f.Add([]byte(`{"event_simpleName":"a\"b","event_simpleName":1}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		var anchors ingest.LineAnchors
		if ingest.IndexLineAnchored(line, EventNameAnchor, &anchors) >= 0 {
			return // one line at a time
		}
		if got, want := FindEventNameAnchored(line, &anchors), FindEventName(line); !sameEventName(got, want) {
			t.Fatalf("%q: found at the anchors %+v, by a scan %+v", line, got, want)
		}
	})
}
