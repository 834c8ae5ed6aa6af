package enrich

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/event"
)

const (
	aidA = "aaaa0000aaaa0000aaaa0000aaaa0000"
	aidB = "bbbb0000bbbb0000bbbb0000bbbb0000"
)

// scenario is one host's telemetry: lookups, a logon, a Windows process
// tree and the network/DNS activity of its processes.
func scenario() []*event.Event {
	return []*event.Event{
		ev("aid", aidA, "ComputerName", "OLD-NAME", "Version", "Windows 10", "Time", "1600000000.5"),
		ev("aid", aidA, "ComputerName", "WS-042", "Version", "Windows 11", "MachineDomain", "none",
			"OU", "-", "AgentVersion", "7.01.13921.0", "ProductType", "1.0", "event_platform", "Win", "Time", "1700000000.25"),
		ev("UserSid_readable", "S-1-5-21-1-2-3-1001", "UserName", "alice", "_time", "1700000000"),
		ev("event_simpleName", "UserLogon", "aid", aidA, "UserSid", "S-1-5-21-9-9-9-500", "UserName", "bob",
			"AuthenticationId", "777", "ContextTimeStamp", "1700000001.000"),
		ev("event_simpleName", "ProcessRollup2", "aid", aidA, "TargetProcessId", "100", "ParentProcessId", "50",
			"ImageFileName", `\Device\HarddiskVolume3\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
			"CommandLine", `powershell.exe -File C:\soar\enrich.ps1`, "ParentBaseFileName", "soar-agent.exe",
			"UserSid", "S-1-5-21-1-2-3-1001"),
		ev("event_simpleName", "ProcessRollup2", "aid", aidA, "TargetProcessId", "200", "ParentProcessId", "100",
			"ImageFileName", `\Device\HarddiskVolume3\Tools\curl.exe`, "CommandLine", "curl https://ipinfo.io",
			"AuthenticationId", "777"),
		ev("event_simpleName", "NetworkConnectIP4", "aid", aidA, "ContextProcessId", "100", "RemotePort", "443"),
		ev("event_simpleName", "DnsRequest", "aid", aidA, "ContextProcessId", "200", "DomainName", "ipinfo.io"),
		ev("event_simpleName", "DnsRequest", "aid", aidA, "ContextProcessId", "999", "ContextBaseFileName", "chrome.exe"),
	}
}

// runFile learns from events in the given order, then applies to clones of
// them in their original order, and returns the enriched field maps.
func runFile(events []*event.Event, learnOrder []int) []map[string]string {
	e := New(Options{})
	for _, i := range learnOrder {
		e.Learn(events[i])
	}
	out := make([]map[string]string, len(events))
	for i, src := range events {
		c := src.Clone()
		e.Apply(c)
		out[i] = fieldMap(c)
	}
	return out
}

func TestFileModeEnrichment(t *testing.T) {
	events := scenario()
	order := make([]int, len(events))
	for i := range order {
		order[i] = i
	}
	got := runFile(events, order)
	tests := []struct {
		idx  int
		want map[string]string // fields that must have these values
		none []string          // fields that must be absent
	}{
		{idx: 4, want: map[string]string{
			"FileName": "powershell.exe", "FilePath": `\Device\HarddiskVolume3\Windows\System32\WindowsPowerShell\v1.0\`,
			"UserName": "alice", "ComputerName": "WS-042", "Version": "Windows 11", "AgentVersion": "7.01.13921.0",
			"ProductType": "1.0",
		}, none: []string{"MachineDomain", "OU", "ContextProcessName"}},
		{idx: 5, want: map[string]string{"FileName": "curl.exe", "UserName": "bob"}},
		{idx: 6, want: map[string]string{
			"ContextProcessName": "powershell.exe", "ContextCommandLine": `powershell.exe -File C:\soar\enrich.ps1`,
			"ContextParentBaseFileName": "soar-agent.exe", "UserName": "alice", "ComputerName": "WS-042",
		}, none: []string{"FileName", "FilePath"}},
		// No ParentBaseFileName on the PR2: the parent's name comes from the table.
		{idx: 7, want: map[string]string{
			"ContextProcessName": "curl.exe", "ContextParentBaseFileName": "powershell.exe", "UserName": "bob",
		}},
		{idx: 8, want: map[string]string{"ContextProcessName": "chrome.exe"},
			none: []string{"ContextCommandLine", "ContextParentBaseFileName", "UserName"}},
	}
	for _, tc := range tests {
		m := got[tc.idx]
		for k, v := range tc.want {
			if m[k] != v {
				t.Errorf("event %d: %s = %q, want %q", tc.idx, k, m[k], v)
			}
		}
		for _, k := range tc.none {
			if _, ok := m[k]; ok {
				t.Errorf("event %d: unexpected %s = %q", tc.idx, k, m[k])
			}
		}
	}
}

// conflicts is a scenario whose records disagree: two aidmaster rows of
// one time, two logons naming one SID differently at one time, two DNS
// answers for one address at one time, two starts of one process with
// other images, command lines and parents. Which one wins must not depend
// on the order they are learned in (workers learn in no fixed order).
func conflicts() []*event.Event {
	return []*event.Event{
		ev("aid", aidB, "ComputerName", "HOST-Y", "SiteName", "Oslo", "Time", "1700000000"),
		ev("aid", aidB, "ComputerName", "HOST-X", "Time", "1700000000"),
		ev("event_simpleName", "UserLogon", "aid", aidB, "UserSid", "S-1-5-21-7-7-7-1001", "UserName", "carol", "ContextTimeStamp", "1700000001.000"),
		ev("event_simpleName", "UserLogon", "aid", aidB, "UserSid", "S-1-5-21-7-7-7-1001", "UserName", "bob", "ContextTimeStamp", "1700000001.000"),
		ev("event_simpleName", "DnsRequest", "aid", aidB, "DomainName", "b.example", "IP4Records", "198.51.100.9;", "ContextTimeStamp", "1700000002.000"),
		ev("event_simpleName", "DnsRequest", "aid", aidB, "DomainName", "a.example", "IP4Records", "198.51.100.9;", "ContextTimeStamp", "1700000002.000"),
		ev("event_simpleName", "ProcessRollup2", "aid", aidB, "TargetProcessId", "300", "ParentProcessId", "9",
			"ImageFileName", `C:\Tools\wget.exe`, "CommandLine", "wget x", "UserSid", "S-1-5-21-7-7-7-1001"),
		ev("event_simpleName", "SyntheticProcessRollup2", "aid", aidB, "TargetProcessId", "300", "ParentProcessId", "8",
			"ImageFileName", `C:\Tools\curl.exe`, "CommandLine", "curl y"),
		ev("event_simpleName", "NetworkConnectIP4", "aid", aidB, "ContextProcessId", "300", "RemoteAddressIP4", "198.51.100.9", "RemotePort", "443"),
	}
}

func TestOrderIndependence(t *testing.T) {
	for name, events := range map[string][]*event.Event{"scenario": scenario(), "conflicts": conflicts()} {
		t.Run(name, func(t *testing.T) { testOrderIndependence(t, events) })
	}
}

func testOrderIndependence(t *testing.T, events []*event.Event) {
	n := len(events)
	forward := make([]int, n)
	for i := range forward {
		forward[i] = i
	}
	want := runFile(events, forward)
	reverse := make([]int, n)
	for i := range reverse {
		reverse[i] = n - 1 - i
	}
	orders := map[string][]int{"reverse": reverse}
	rng := rand.New(rand.NewPCG(1, 2))
	for k := range 5 {
		p := rng.Perm(n)
		orders[fmt.Sprintf("shuffle%d", k)] = p
	}
	for name, order := range orders {
		if diff := cmp.Diff(want, runFile(events, order)); diff != "" {
			t.Errorf("%s learn order changed the result (-forward +%s):\n%s", name, name, diff)
		}
	}
}

func TestNeverOverwrites(t *testing.T) {
	e := learnedFrom(scenario())
	tests := []*event.Event{
		ev("event_simpleName", "NetworkConnectIP4", "aid", aidA, "ContextProcessId", "100",
			"ComputerName", "raw-host", "UserName", "raw-user", "ContextProcessName", "raw.exe",
			"ContextCommandLine", "", "event_platform", "Lin"),
		ev("event_simpleName", "ProcessRollup2", "aid", aidA, "TargetProcessId", "300",
			"ImageFileName", `\Device\HarddiskVolume3\x\y.exe`, "FileName", "raw.exe", "FilePath", "",
			"UserSid", "S-1-5-21-1-2-3-1001", "UserName", "raw-user", "Version", "raw-os"),
	}
	for i, x := range tests {
		before := fieldMap(x)
		e.Apply(x)
		after := fieldMap(x)
		for k, v := range before {
			if after[k] != v {
				t.Errorf("event %d: %s overwritten: %q -> %q", i, k, v, after[k])
			}
		}
	}
}

func TestAidmaster(t *testing.T) {
	newer := ev("aid", aidA, "ComputerName", "NEW", "SiteName", "none", "OU", "HQ;Servers", "Time", "200.5")
	older := ev("aid", aidA, "ComputerName", "OLD", "SiteName", "Paris", "MachineDomain", "corp.local", "Time", "100")
	noName := ev("aid", aidB, "ComputerName", "none", "AgentVersion", "7.1", "_time", "5")
	tests := []struct {
		name    string
		records []*event.Event
		aid     string
		want    map[string]string
		none    []string
	}{
		{"newest wins when seen last", []*event.Event{older, newer}, aidA,
			map[string]string{"ComputerName": "NEW", "OU": "HQ;Servers"}, []string{"SiteName", "MachineDomain"}},
		{"newest wins when seen first", []*event.Event{newer, older}, aidA,
			map[string]string{"ComputerName": "NEW", "OU": "HQ;Servers"}, []string{"SiteName", "MachineDomain"}},
		{"none values ignored", []*event.Event{noName}, aidB,
			map[string]string{"AgentVersion": "7.1"}, []string{"ComputerName"}},
		{"unknown aid", []*event.Event{older}, aidB, nil, []string{"ComputerName"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := learnedFrom(tc.records)
			x := ev("event_simpleName", "DnsRequest", "aid", tc.aid)
			e.Apply(x)
			m := fieldMap(x)
			for k, v := range tc.want {
				if m[k] != v {
					t.Errorf("%s = %q, want %q", k, m[k], v)
				}
			}
			for _, k := range tc.none {
				if v, ok := m[k]; ok {
					t.Errorf("unexpected %s = %q", k, v)
				}
			}
		})
	}
}

func TestUserResolution(t *testing.T) {
	learn := []*event.Event{
		ev("UserSid_readable", "S-1-5-21-1-1-1-1", "UserName", "global-name", "_time", "10"),
		ev("event_simpleName", "UserIdentity", "aid", aidA, "UserSid", "S-1-5-21-1-1-1-1", "UserName", "host-name",
			"AuthenticationId", "42", "ContextTimeStamp", "5.0"),
		ev("event_simpleName", "UserIdentity", "aid", aidA, "UserSid", "S-1-5-21-2-2-2-2", "UserName", "stale",
			"ContextTimeStamp", "1.0"),
		ev("event_simpleName", "UserLogon", "aid", aidA, "UserSid", "S-1-5-21-2-2-2-2", "UserName", "fresh",
			"timestamp", "9000"),
		ev("event_simpleName", "UserLogonFailed2", "aid", aidA, "UserSid", "S-1-0-0", "UserName", "attacker"),
		ev("event_simpleName", "UserLogon", "aid", aidB, "AuthenticationId", "42", "UserName", "other-host"),
	}
	tests := []struct {
		name, aid, sid, auth string
		want                 string // "" = no UserName added
	}{
		{"per-host identity beats userinfo", aidA, "S-1-5-21-1-1-1-1", "", "host-name"},
		{"userinfo on another host", aidB, "S-1-5-21-1-1-1-1", "", "global-name"},
		{"newest identity wins", aidA, "S-1-5-21-2-2-2-2", "", "fresh"},
		{"by AuthenticationId", aidA, "", "42", "host-name"},
		{"AuthenticationId is per host", aidB, "", "42", "other-host"},
		{"well-known SID", aidB, "S-1-5-18", "", "SYSTEM"},
		{"NULL SID never learned", aidA, "S-1-0-0", "", ""},
		{"unknown SID", aidA, "S-1-5-21-7-7-7-7", "", ""},
	}
	for _, order := range []string{"forward", "reverse"} {
		e := New(Options{})
		for i := range learn {
			if order == "reverse" {
				i = len(learn) - 1 - i
			}
			e.Learn(learn[i])
		}
		for _, tc := range tests {
			x := ev("event_simpleName", "ProcessRollup2", "aid", tc.aid, "TargetProcessId", "1",
				"UserSid", tc.sid, "AuthenticationId", tc.auth)
			e.Apply(x)
			got, _ := x.Get("UserName")
			if got != tc.want {
				t.Errorf("%s/%s: UserName = %q, want %q", order, tc.name, got, tc.want)
			}
		}
	}
}

func TestLinuxContainerImage(t *testing.T) {
	e := New(Options{})
	pr2 := ev("event_simpleName", "ProcessRollup2", "aid", aidA, "TargetProcessId", "5", "ImageFileName", "/",
		"CommandLine", "/usr/sbin/runc init", "UserName", "root")
	e.Learn(pr2)
	e.Apply(pr2)
	if fn, _ := pr2.Get("FileName"); fn != "runc" {
		t.Errorf("FileName = %q, want runc", fn)
	}
	if fp, _ := pr2.Get("FilePath"); fp != "/usr/sbin/" {
		t.Errorf("FilePath = %q, want /usr/sbin/", fp)
	}
	net := ev("event_simpleName", "NetworkConnectIP4", "aid", aidA, "ContextProcessId", "5")
	e.Apply(net)
	m := fieldMap(net)
	if m["ContextProcessName"] != "runc" || m["UserName"] != "root" {
		t.Errorf("context event = %v", m)
	}
}

func TestStreamLearnsOnTheFly(t *testing.T) {
	e := NewStream(Options{MaxProcesses: 100})
	early := ev("event_simpleName", "NetworkConnectIP4", "aid", aidA, "ContextProcessId", "7", "ContextBaseFileName", "nmap")
	e.Apply(early)
	e.Apply(ev("event_simpleName", "ProcessRollup2", "aid", aidA, "TargetProcessId", "7",
		"ImageFileName", "/usr/bin/nmap", "CommandLine", "nmap -sS 10.0.0.0/8", "ParentBaseFileName", "bash"))
	late := ev("event_simpleName", "NetworkConnectIP4", "aid", aidA, "ContextProcessId", "7")
	e.Apply(late)
	if got := fieldMap(early); got["ContextProcessName"] != "nmap" || got["ContextCommandLine"] != "" {
		t.Errorf("early event (before its process) = %v; want only the ContextBaseFileName fallback", got)
	}
	want := map[string]string{"ContextProcessName": "nmap", "ContextCommandLine": "nmap -sS 10.0.0.0/8", "ContextParentBaseFileName": "bash"}
	got := fieldMap(late)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("late event %s = %q, want %q", k, got[k], v)
		}
	}
	s := e.Stats()
	if s.ProcessMisses != 1 || s.BaseFileNameFallbacks != 1 || s.Added["ContextCommandLine"] != 1 {
		t.Errorf("stats = %+v", s)
	}
	if !strings.Contains(s.Summary(), "ContextProcessName=2") {
		t.Errorf("summary lacks counts:\n%s", s.Summary())
	}
}

func TestStreamTableBound(t *testing.T) {
	const limit = 10_000
	total := 1_000_000
	if testing.Short() {
		total = 100_000
	}
	e := NewStream(Options{MaxProcesses: limit})
	x := event.New()
	var pid [20]byte
	for i := range total {
		x.Reset()
		x.Set("event_simpleName", "ProcessRollup2")
		x.Set("aid", aidA)
		x.SetBytes("TargetProcessId", fmt.Appendf(pid[:0], "%d", i+1))
		x.Set("ImageFileName", "/usr/bin/worker")
		e.Apply(x)
	}
	s := e.Stats()
	if s.Processes > limit || s.Processes < limit/2 {
		t.Fatalf("table holds %d processes, want at most %d (and not nearly empty)", s.Processes, limit)
	}
	if s.Evicted != int64(total-s.Processes) || s.LearnedProcesses != int64(total) {
		t.Errorf("evicted %d, learned %d, held %d", s.Evicted, s.LearnedProcesses, s.Processes)
	}
	// The newest process is still known; the first one is long gone.
	for _, tc := range []struct {
		pid  string
		want string
	}{{fmt.Sprint(total), "worker"}, {"1", ""}} {
		c := ev("event_simpleName", "DnsRequest", "aid", aidA, "ContextProcessId", tc.pid)
		e.Apply(c)
		if got, _ := c.Get("ContextProcessName"); got != tc.want {
			t.Errorf("pid %s: ContextProcessName = %q, want %q", tc.pid, got, tc.want)
		}
	}
}

func TestConcurrentLearnApply(t *testing.T) {
	for _, stream := range []bool{false, true} {
		opts := Options{Stream: stream, Shards: 8}
		if stream {
			opts.MaxProcesses = 500 // evicts while other goroutines read
		}
		e := New(opts)
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for i := range 2000 {
					pid := fmt.Sprint(w*10_000 + i + 1)
					aid := aidA
					if i%2 == 1 {
						aid = aidB
					}
					e.Learn(ev("event_simpleName", "ProcessRollup2", "aid", aid, "TargetProcessId", pid,
						"ImageFileName", `C:\bin\p.exe`, "UserSid", "S-1-5-18"))
					e.Learn(ev("aid", aid, "ComputerName", "host", "Time", fmt.Sprint(i)))
					e.Learn(ev("event_simpleName", "UserLogon", "aid", aid, "UserSid", "S-1-5-21-"+pid,
						"UserName", "u", "AuthenticationId", pid))
					c := ev("event_simpleName", "DnsRequest", "aid", aid, "ContextProcessId", pid)
					e.Apply(c)
					if got, _ := c.Get("ContextProcessName"); got != "p.exe" && !stream {
						t.Errorf("pid %s: ContextProcessName = %q", pid, got)
						return
					}
				}
			})
		}
		wg.Wait()
		if s := e.Stats(); s.Applied != 4*2000 {
			t.Errorf("stream=%v: applied %d", stream, s.Applied)
		}
	}
}

func TestLearnPrefilterCoversLearnedRecords(t *testing.T) {
	e := New(Options{})
	lits := e.LearnPrefilter()
	lines := []string{
		`{"event_simpleName":"ProcessRollup2"}`, `{"event_simpleName":"SyntheticProcessRollup2"}`,
		`{"event_simpleName":"UserIdentity"}`, `{"event_simpleName":"UserLogon"}`,
		`{"event_simpleName":"UserLogonFailed2"}`, `{"event_simpleName":"UserLogoff"}`,
		`{"aid":"x","ComputerName":"h"}`, `{"UserSid_readable":"S-1","UserName":"u"}`,
	}
	for _, l := range lines {
		hit := false
		for _, lit := range lits {
			hit = hit || strings.Contains(l, string(lit))
		}
		if !hit {
			t.Errorf("prefilter would skip %s", l)
		}
	}
	ln, an := e.LearnNeeds(), e.Needs()
	for _, f := range []string{"TargetProcessId", "ImageFileName", "UserSid_readable", "Time", "SiteName"} {
		if !ln.Wants(f) {
			t.Errorf("LearnNeeds lacks %s", f)
		}
	}
	for _, f := range []string{"ContextProcessId", "ContextBaseFileName", "ComputerName", "ContextCommandLine"} {
		if !an.Wants(f) {
			t.Errorf("Needs lacks %s", f)
		}
	}
	if an.Wants("TargetProcessId") {
		t.Error("file-mode Needs should not include learn-only fields")
	}
	if sn := NewStream(Options{}).Needs(); !sn.Wants("TargetProcessId") {
		t.Error("stream-mode Needs must include learn fields")
	}
}

func TestMalformedInput(t *testing.T) {
	e := New(Options{})
	bad := []*event.Event{
		ev("event_simpleName", "ProcessRollup2", "aid", aidA, "TargetProcessId", "not-a-number", "ImageFileName", "x.exe"),
		ev("event_simpleName", "ProcessRollup2", "aid", aidA, "TargetProcessId", "99999999999999999999999", "ImageFileName", "y.exe"),
		ev("event_simpleName", "ProcessRollup2", "TargetProcessId", "5", "ImageFileName", "z.exe"), // no aid
		ev("aid", aidA, "ComputerName", "h", "Time", "yesterday"),
		ev("UserSid_readable", "", "UserName", "nobody"),
		ev(),
	}
	for _, x := range bad {
		e.Learn(x)
	}
	tests := []struct {
		name string
		x    *event.Event
		want map[string]string
	}{
		{"junk pid", ev("event_simpleName", "DnsRequest", "aid", aidB, "ContextProcessId", "not-a-number"), nil},
		{"overflowing pid", ev("event_simpleName", "DnsRequest", "aid", aidB, "ContextProcessId", "99999999999999999999999"), nil},
		{"no aid", ev("event_simpleName", "DnsRequest", "ContextProcessId", "5"), nil},
		{"untimed aidmaster still used", ev("aid", aidA, "event_simpleName", "DnsRequest"), map[string]string{"ComputerName": "h"}},
		{"empty event", ev(), nil},
	}
	for _, tc := range tests {
		before := tc.x.Len()
		e.Apply(tc.x)
		m := fieldMap(tc.x)
		for k, v := range tc.want {
			if m[k] != v {
				t.Errorf("%s: %s = %q, want %q", tc.name, k, m[k], v)
			}
		}
		if added := tc.x.Len() - before; added != len(tc.want) {
			t.Errorf("%s: %d fields added, want %d: %v", tc.name, added, len(tc.want), m)
		}
	}
	if s := e.Stats(); s.LearnedProcesses != 0 || s.LearnedUsers != 0 {
		t.Errorf("learned from malformed records: %+v", s)
	}
}
