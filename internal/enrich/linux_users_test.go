package enrich

import (
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

// Raw Linux ProcessRollup2 carries UID only; the name comes from an event of
// the same sensor that carries both (UserLogon, UserIdentity, LinV12 PR2).
func TestLinuxUIDToUserName(t *testing.T) {
	const aid = "a1"
	logon := ev("event_simpleName", "UserLogon", "aid", aid, "UID", "994", "UserName", "svc-insightvm",
		"ContextProcessId", "1", "ContextTimeStamp", "1700000000.000")
	v12 := ev("event_simpleName", "ProcessRollup2", "aid", aid, "TargetProcessId", "70", "UID", "1001",
		"UserName", "alice", "ImageFileName", "/usr/bin/bash")
	pr2 := func(pid, uid string) *event.Event {
		return ev("event_simpleName", "ProcessRollup2", "aid", aid, "TargetProcessId", pid, "UID", uid,
			"ImageFileName", "/opt/rapid7/nexpose/nse/tools/nmap")
	}
	learned := []*event.Event{logon, v12, pr2("50", "994"), pr2("51", "1001"), pr2("52", "0"), pr2("53", "2000")}
	tests := []struct {
		name string
		in   *event.Event
		want string // "" = no UserName
	}{
		{"PR2 by UID from a logon", pr2("50", "994"), "svc-insightvm"},
		{"PR2 by UID from a V12 PR2", pr2("51", "1001"), "alice"},
		{"UID 0 is root", pr2("52", "0"), "root"},
		{"unknown UID", pr2("53", "2000"), ""},
		{"UID on another sensor", ev("event_simpleName", "ProcessRollup2", "aid", "a2", "TargetProcessId", "9", "UID", "994"), ""},
		{"context event through its process's UID",
			ev("event_simpleName", "NetworkConnectIP4", "aid", aid, "ContextProcessId", "50", "RemotePort", "443"), "svc-insightvm"},
		{"context event of an unknown-UID process", ev("event_simpleName", "DnsRequest", "aid", aid, "ContextProcessId", "53"), ""},
		{"own UserName kept", ev("event_simpleName", "ProcessRollup2", "aid", aid, "TargetProcessId", "54", "UID", "994", "UserName", "x"), "x"},
	}
	for _, order := range []string{"forward", "backward"} {
		e := New(Options{})
		for i := range learned {
			j := i
			if order == "backward" {
				j = len(learned) - 1 - i
			}
			e.Learn(learned[j].Clone())
		}
		for _, tc := range tests {
			t.Run(order+"/"+tc.name, func(t *testing.T) {
				got := tc.in.Clone()
				e.Apply(got)
				if v, _ := got.Get(FieldUserName); v != tc.want {
					t.Errorf("UserName = %q, want %q", v, tc.want)
				}
			})
		}
	}
}

func TestUsableUID(t *testing.T) {
	for s, want := range map[string]bool{"0": true, "1000": true, "": false, "-1": false, "4294967295": false, "12a": false} {
		if got := usableUID(s); got != want {
			t.Errorf("usableUID(%q) = %v, want %v", s, got, want)
		}
	}
}
