package enrich

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// TestApplyCopiesOnlyTaughtFields: every value Apply adds to an event is
// held by one of the event's own values, is a well-known account's name,
// or is held by a TaughtFields value of a learned record. The other
// fields Learn reads are keys and times, so a text found only there is
// carried to no other event (a deferred free-text search relies on it).
func TestApplyCopiesOnlyTaughtFields(t *testing.T) {
	events := append(scenario(),
		ev("event_simpleName", "DnsRequest", "aid", aidA, "ContextProcessId", "200", "DomainName", "api.example",
			"IP4Records", "192.0.2.7;", "FirstIP4Record", "192.0.2.7"),
		ev("event_simpleName", "NetworkConnectIP4", "aid", aidA, "ContextProcessId", "200", "RemoteAddressIP4", "192.0.2.7", "RemotePort", "443"),
		ev("event_simpleName", "NetworkConnectIP4", "aid", aidA, "ContextProcessId", "7", "UserSid", "S-1-5-18"),
		ev("event_simpleName", "ProcessRollup2", "aid", aidA, "TargetProcessId", "300", "ParentProcessId", "200", "UID", "0"),
		ev("event_simpleName", "EndOfProcess", "aid", aidA, "ContextProcessId", "100", "UID", "0"),
	)
	e := New(Options{})
	for _, x := range events {
		e.Learn(x)
	}
	var taught []string
	for _, x := range events {
		for _, f := range TaughtFields() {
			if v, ok := x.Get(f); ok && v != "" {
				taught = append(taught, v)
			}
		}
	}
	constants := append(slices.Collect(maps.Values(wellKnownSids)), "root")
	heldBy := func(vals []string, v string) bool {
		return slices.ContainsFunc(vals, func(s string) bool { return strings.Contains(s, v) })
	}
	added := map[string]bool{}
	for i, x := range events {
		own := fieldMap(x)
		got := x.Clone()
		e.Apply(got)
		for _, f := range got.Fields() {
			if _, ok := own[f.Name]; ok || f.Value == "" {
				continue
			}
			added[f.Name] = true
			if heldBy(slices.Collect(maps.Values(own)), f.Value) || slices.Contains(constants, f.Value) {
				continue
			}
			if !heldBy(taught, f.Value) {
				t.Errorf("event %d: %s=%q comes from no taught field %q", i, f.Name, f.Value, TaughtFields())
			}
		}
	}
	// the test shows something: values of each kind were added
	for _, f := range []string{FieldContextProcessName, FieldContextCommandLine, FieldContextImageFileName, FieldParentCommandLine,
		FieldContextParentBaseFileName, FieldUserName, FieldDestinationHostname, "ComputerName"} {
		if !added[f] {
			t.Errorf("no %s added: the scenario does not show it", f)
		}
	}
}

// TestLiteralMatcher: a text holds a literal ignoring case, as carried
// values are matched; All gives every kind's literals once.
func TestLiteralMatcher(t *testing.T) {
	lits := CarrierLiterals{Process: []string{"shodan", "Mimikatz"}, Answer: []string{"shodan"}, User: []string{"root"},
		Host: map[string][]string{"ComputerName": {"ws-01"}, "": {"shodan"}}}
	all := lits.All()
	if want := []string{"shodan", "Mimikatz", "root", "ws-01"}; !slices.Equal(all, want) {
		t.Errorf("All() = %q, want %q", all, want)
	}
	m := NewLiteralMatcher(all)
	for _, tc := range []struct {
		text string
		want bool
	}{
		{`{"CommandLine":"curl api.SHODAN.io"}`, true},
		{`{"CommandLine":"MIMIKATZ.exe"}`, true},
		{`{"ComputerName":"WS-01"}`, true},
		{`{"UserName":"ROOT"}`, true},
		{`{"CommandLine":"sho dan"}`, false},
		{strings.Repeat("x", 2000) + "Shodan", true}, // past the stack buffer
	} {
		if got := m.In([]byte(tc.text)); got != tc.want {
			t.Errorf("In(%.40q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

// TestChangesMoveWhenApplyMay: a record that teaches moves Changes, by
// Learn and by the raw learner alike, and while Changes stands still
// Apply gives every event what it gave before (a search runs lines ahead
// on it: run/speculate.go).
func TestChangesMoveWhenApplyMay(t *testing.T) {
	records := []struct {
		name  string
		line  string
		moves bool
	}{
		{"a process start", `{"event_simpleName":"ProcessRollup2","aid":"` + aidA + `","TargetProcessId":"200","ImageFileName":"C:\\x\\nmap.exe","UserSid":"S-1-5-21-1-2-3-1001"}`, true},
		{"a synthetic start", `{"event_simpleName":"SyntheticProcessRollup2","aid":"` + aidA + `","TargetProcessId":"201","ImageFileName":"/usr/bin/curl"}`, true},
		{"a start without its id", `{"event_simpleName":"ProcessRollup2","aid":"` + aidA + `","ImageFileName":"C:\\x\\nmap.exe"}`, false},
		{"a start without its sensor", `{"event_simpleName":"ProcessRollup2","TargetProcessId":"200","ImageFileName":"C:\\x\\nmap.exe"}`, false},
		{"a host record", `{"aid":"` + aidA + `","ComputerName":"WS-9","Time":"1700000000"}`, true},
		{"a user record", `{"UserSid_readable":"S-1-5-21-1-2-3-1001","UserName":"alice"}`, true},
		{"an identity", `{"event_simpleName":"UserIdentity","aid":"` + aidA + `","UserSid":"S-1-5-21-1-2-3-1002","UserName":"bob","ContextTimeStamp":"1700000001.000"}`, true},
		{"a DNS answer", `{"event_simpleName":"DnsRequest","aid":"` + aidA + `","DomainName":"x.example","IP4Records":"192.0.2.9;"}`, true},
		{"a connection", `{"event_simpleName":"NetworkConnectIP4","aid":"` + aidA + `","ContextProcessId":"200","RemoteAddressIP4":"192.0.2.9"}`, false},
	}
	probes := []*event.Event{
		ev("event_simpleName", "NetworkConnectIP4", "aid", aidA, "ContextProcessId", "200", "ContextBaseFileName", "nmap.exe", "RemoteAddressIP4", "192.0.2.9"),
		ev("event_simpleName", "NetworkConnectIP4", "aid", aidA, "ContextProcessId", "201", "UserSid", "S-1-5-21-1-2-3-1002"),
		ev("event_simpleName", "ProcessRollup2", "aid", aidA, "TargetProcessId", "202", "ParentProcessId", "200", "UserSid", "S-1-5-21-1-2-3-1001"),
	}
	applied := func(e *Enricher) []map[string]string {
		var out []map[string]string
		for _, p := range probes {
			x := p.Clone()
			e.Apply(x)
			out = append(out, fieldMap(x))
		}
		return out
	}
	for _, r := range records {
		for _, raw := range []bool{false, true} {
			e := New(Options{})
			before, was := applied(e), e.Changes()
			rl := e.NewRawLearner()
			if !raw || !rl.Learn([]byte(simpleNameOf([]byte(r.line))), []byte(r.line)) {
				var x event.Event
				if err := ingest.NewDecoder(e.LearnNeeds()).Decode([]byte(r.line), &x); err != nil {
					t.Fatal(err)
				}
				e.Learn(&x)
			}
			rl.Flush() // the end of a chunk
			moved := e.Changes() != was
			if moved != r.moves {
				t.Errorf("%s (raw learner: %v): Changes moved: %v, want %v", r.name, raw, moved, r.moves)
			}
			if after := applied(e); !moved && !slices.EqualFunc(before, after, maps.Equal) {
				t.Errorf("%s (raw learner: %v): Changes stood still but Apply gives\n%v\nnot\n%v", r.name, raw, after, before)
			}
		}
	}
}

// The groups a value holds literals of are those a search of each literal
// in it finds, ignoring case: few literals or many, repeated ones, one
// byte long or several (found by a pair of bytes inside them), at the
// value's ends.
func TestFoldedLiteralsAsEachSearched(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abcAB.\\\u00e9"[r.IntN(8)]
		}
		return string(b)
	}
	for round := range 300 {
		n := 1 + r.IntN(40)
		lits, groups := make([]string, n), make([]uint64, n)
		for i := range lits {
			lits[i] = word(r.IntN(4) + r.IntN(2)*r.IntN(6)) // "" and one byte included
			if i > 0 && r.IntN(5) == 0 {
				lits[i] = lits[r.IntN(i)] // looked for by several groups
			}
			groups[i] = 1 << r.IntN(6)
		}
		f := foldLiteralGroups(lits, groups)
		for range 20 {
			v := word(r.IntN(24))
			var want uint64
			for i, l := range lits {
				if v != "" && strings.Contains(foldText(v), foldText(l)) {
					want |= groups[i]
				}
			}
			if got, _ := f.held(v, nil); got != want {
				t.Fatalf("round %d: %q in literals %q (groups %v): held %b, want %b", round, v, lits, groups, got, want)
			}
			if got, _ := f.in(v, nil); got != (want != 0) {
				t.Fatalf("round %d: %q in literals %q: in %v, want %v", round, v, lits, got, want != 0)
			}
		}
	}
}
