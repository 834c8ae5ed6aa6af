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
