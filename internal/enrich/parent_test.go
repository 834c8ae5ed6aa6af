package enrich

import (
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

// Process starts get their parent's command line and image path, context
// events their acting process's image path: what Sigma's ParentCommandLine,
// ParentImage and (full-path) Image need, and Falcon's ProcessRollup2 and
// context events lack.
func TestParentAndImageFields(t *testing.T) {
	parentImage := `\Device\HarddiskVolume3\Program Files\Vendor\agent.exe`
	events := func() []*event.Event {
		return []*event.Event{
			ev("event_simpleName", "ProcessRollup2", "aid", aidA, "TargetProcessId", "100", "ParentProcessId", "1",
				"ImageFileName", parentImage, "CommandLine", `"agent.exe" --run`),
			ev("event_simpleName", "ProcessRollup2", "aid", aidA, "TargetProcessId", "200", "ParentProcessId", "100",
				"ImageFileName", `\Device\HarddiskVolume3\Windows\System32\cmd.exe`, "CommandLine", "cmd /c whoami"),
			ev("event_simpleName", "ProcessRollup2", "aid", aidB, "TargetProcessId", "300", "ParentProcessId", "100",
				"ImageFileName", `\Device\HarddiskVolume3\Windows\System32\cmd.exe`),
			ev("event_simpleName", "DnsRequest", "aid", aidA, "ContextProcessId", "100", "DomainName", "example.org"),
			ev("event_simpleName", "ProcessRollup2", "aid", aidA, "TargetProcessId", "400", "ParentProcessId", "100",
				"ParentCommandLine", "kept as is"),
		}
	}
	for _, c := range []struct {
		name  string
		reads []string // nil: everything
		want  []map[string]string
		none  []map[string]bool
	}{
		{name: "all fields", want: []map[string]string{
			1: {"ParentCommandLine": `"agent.exe" --run`, "ParentImageFileName": parentImage},
			3: {"ContextImageFileName": parentImage, "ContextProcessName": "agent.exe"},
			4: {"ParentCommandLine": "kept as is", "ParentImageFileName": parentImage},
		}, none: []map[string]bool{0: {"ParentCommandLine": true}, 2: {"ParentCommandLine": true, "ParentImageFileName": true}}},
		{name: "only the parent command line is read", reads: []string{"ParentCommandLine"}, want: []map[string]string{
			1: {"ParentCommandLine": `"agent.exe" --run`},
		}, none: []map[string]bool{1: {"ParentImageFileName": true}, 3: {"ContextImageFileName": true}}},
		{name: "only the context image is read", reads: []string{"ContextImageFileName"}, want: []map[string]string{
			3: {"ContextImageFileName": parentImage},
		}, none: []map[string]bool{1: {"ParentImageFileName": true, "ParentCommandLine": true}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			opts := Options{}
			if c.reads != nil {
				var n event.Needs
				for _, f := range c.reads {
					n.Add(f)
				}
				opts.Reads = &n
			}
			e := New(opts)
			evs := events()
			for _, x := range evs {
				e.Learn(x)
			}
			for _, x := range evs {
				e.Apply(x)
			}
			for i, want := range c.want {
				got := fieldMap(evs[i])
				for k, v := range want {
					if got[k] != v {
						t.Errorf("event %d: %s = %q, want %q", i, k, got[k], v)
					}
				}
			}
			for i, none := range c.none {
				got := fieldMap(evs[i])
				for k := range none {
					if _, ok := got[k]; ok {
						t.Errorf("event %d has %s = %q", i, k, got[k])
					}
				}
			}
		})
	}
}

// An event with ContextBaseFileName but no ContextProcessId still gets
// ContextProcessName.
func TestContextBaseFileNameWithoutProcessID(t *testing.T) {
	e := New(Options{})
	x := ev("event_simpleName", "NetworkConnectIP4", "aid", aidA, "ContextBaseFileName", "notepad.exe")
	e.Learn(x)
	e.Apply(x)
	if got := fieldMap(x)["ContextProcessName"]; got != "notepad.exe" {
		t.Errorf("ContextProcessName = %q", got)
	}
}

// Network events name the host the same sensor last resolved to their
// remote address.
func TestDestinationHostname(t *testing.T) {
	for _, reads := range []bool{true, false} {
		opts := Options{}
		if !reads {
			var n event.Needs
			n.Add("ContextProcessName")
			opts.Reads = &n
		}
		e := New(opts)
		evs := []*event.Event{
			ev("event_simpleName", "NetworkConnectIP4", "aid", aidA, "RemoteAddressIP4", "203.0.113.7", "timestamp", "3000"),
			ev("event_simpleName", "DnsRequest", "aid", aidA, "DomainName", "old.example", "IP4Records", "203.0.113.7;", "timestamp", "1000"),
			ev("event_simpleName", "DnsRequest", "aid", aidA, "DomainName", "api.ngrok.io", "IP4Records", "198.51.100.1;203.0.113.7;", "timestamp", "2000"),
			ev("event_simpleName", "NetworkConnectIP4", "aid", aidB, "RemoteAddressIP4", "203.0.113.7"),
			ev("event_simpleName", "NetworkConnectIP4", "aid", aidA, "RemoteAddressIP4", "198.51.100.1", "DestinationHostname", "kept"),
		}
		for _, x := range evs {
			e.Learn(x)
		}
		for _, x := range evs {
			e.Apply(x)
		}
		got := []string{fieldMap(evs[0])["DestinationHostname"], fieldMap(evs[3])["DestinationHostname"], fieldMap(evs[4])["DestinationHostname"]}
		want := []string{"api.ngrok.io", "", "kept"}
		if !reads {
			want[0] = ""
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("reads=%v: DestinationHostname %v, want %v", reads, got, want)
				break
			}
		}
	}
}
