package enrich

import (
	"testing"
	"time"

	"github.com/tiercel/tiercel/internal/event"
)

func readsOf(fields ...string) *event.Needs {
	var n event.Needs
	for _, f := range fields {
		n.Add(f)
	}
	return &n
}

// Options.Reads: process details no query reads are neither kept nor added.
func TestReadsLimitStorage(t *testing.T) {
	parent := ev("event_simpleName", "ProcessRollup2", "aid", "a1", "TargetProcessId", "5",
		"ImageFileName", `\Device\HarddiskVolume3\Windows\explorer.exe`, "CommandLine", "explorer.exe")
	child := ev("event_simpleName", "ProcessRollup2", "aid", "a1", "TargetProcessId", "10", "ParentProcessId", "5",
		"ImageFileName", `\Device\HarddiskVolume3\Windows\System32\cmd.exe`, "CommandLine", "cmd.exe /c whoami",
		"UserSid", "S-1-5-18")
	dns := ev("event_simpleName", "DnsRequest", "aid", "a1", "ContextProcessId", "10")
	tests := []struct {
		name  string
		reads *event.Needs
		want  map[string]string // added context fields; absent ones must be missing
		procs int               // table size
	}{
		{"everything", nil, map[string]string{FieldContextProcessName: "cmd.exe", FieldContextCommandLine: "cmd.exe /c whoami",
			FieldContextParentBaseFileName: "explorer.exe", FieldUserName: "SYSTEM"}, 2},
		{"name only", readsOf(FieldContextProcessName), map[string]string{FieldContextProcessName: "cmd.exe"}, 2},
		{"command line only", readsOf(FieldContextCommandLine), map[string]string{FieldContextCommandLine: "cmd.exe /c whoami"}, 2},
		{"user only", readsOf(FieldUserName), map[string]string{FieldUserName: "SYSTEM"}, 2},
		{"no process field", readsOf("DomainName", "ComputerName"), map[string]string{}, 0},
	}
	ctxFields := []string{FieldContextProcessName, FieldContextCommandLine, FieldContextParentBaseFileName, FieldUserName}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := New(Options{Reads: tc.reads})
			e.Learn(parent.Clone())
			e.Learn(child.Clone())
			got := dns.Clone()
			e.Apply(got)
			for _, f := range ctxFields {
				v, ok := got.Get(f)
				if want, wanted := tc.want[f]; wanted != ok || v != want {
					t.Errorf("%s = %q (present %v), want %q (present %v)", f, v, ok, want, wanted)
				}
			}
			if n := e.Stats().Processes; n != tc.procs {
				t.Errorf("table holds %d processes, want %d", n, tc.procs)
			}
			if tc.reads != nil && !tc.reads.Wants(FieldContextCommandLine) {
				for i := range e.procs.shards {
					sh := &e.procs.shards[i]
					if sh.cols.cmdline.pages != nil {
						t.Errorf("shard %d has command line pages though no query reads them", i)
					}
					for j := range sh.n {
						if c := sh.cols.cmdline.get(j); c != "" {
							t.Errorf("command line %q kept though no query reads it", c)
						}
					}
				}
			}
		})
	}
}

// Stream mode drops a process some grace after its EndOfProcess, once it
// has not been used for the guard's number of operations.
func TestEndedProcessesExpire(t *testing.T) {
	e := NewStream(Options{EndedGrace: time.Minute, Shards: 1})
	h := e.NewHolder(HoldOptions{Guard: 4})
	nop := func([]byte) {}
	start := func(pid string, ts string) *event.Event {
		return ev("event_simpleName", "ProcessRollup2", "aid", "a1", "TargetProcessId", pid, "ImageFileName", "/bin/x",
			"ContextTimeStamp", ts)
	}
	h.Admit(start("1", "1000.000"), nil, nop)
	h.Admit(ev("event_simpleName", "EndOfProcess", "aid", "a1", "ContextProcessId", "1", "TargetProcessId", "1",
		"ContextTimeStamp", "1001.000"), nil, nop)
	if n := e.Stats().Processes; n != 1 {
		t.Fatalf("right after its end: %d processes, want 1", n)
	}
	// Time moves past the grace; expiry runs every 1024 admissions.
	for i := 0; i < 2048; i++ {
		h.AdmitContext("a1", "2", 1100+float64(i), false, []byte("{}"), nop)
	}
	h.Admit(start("2", "3200.000"), nil, nop)
	for i := 0; i < 1024; i++ {
		h.AdmitContext("a1", "2", 3200, false, []byte("{}"), nop)
	}
	st := e.Stats()
	if st.Expired != 1 || st.Processes != 1 {
		t.Errorf("expired %d, table %d; want 1 expired, 1 left", st.Expired, st.Processes)
	}
}
