package enrich

import (
	"maps"
	"slices"
	"strings"
	"testing"
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
