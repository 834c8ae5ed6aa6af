package enrich

import (
	"testing"
)

// TestRealSamples learns from the published FDR sample lines (see
// testdata/SOURCES.md) and checks the joins the samples make possible.
func TestRealSamples(t *testing.T) {
	events := loadSamples(t, "testdata/falcon-fdr-samples.jsonl")
	e := New(Options{})
	for _, x := range events {
		e.Learn(x)
	}
	// A network event of the backgroundTaskHost.exe process on line 37's host.
	pr2 := events[37-1]
	aid, _ := pr2.Get("aid")
	pid, _ := pr2.Get("TargetProcessId")
	net := ev("event_simpleName", "NetworkConnectIP4", "aid", aid, "ContextProcessId", pid, "RemotePort", "443")
	events = append(events, net)
	for _, x := range events {
		e.Apply(x)
	}
	tests := []struct {
		line int // 1-based line in the sample file; 55 is the synthetic network event
		want map[string]string
		none []string
	}{
		// SyntheticProcessRollup2 on the host of aidmaster line 43.
		{1, map[string]string{"ComputerName": "FEVWSA1-003", "SiteName": "GNG", "MachineDomain": "groot.org",
			"AgentVersion": "6.58.13921.0", "FileName": "sh", "FilePath": "/bin/"}, nil},
		{21, map[string]string{"FileName": "splunk-powershell.exe",
			"FilePath": `\Device\HarddiskVolume2\projects\splunk-forwarder\bin\`, "UserName": "SYSTEM"}, nil},
		// UserSid resolved through the userinfo record (line 46).
		{37, map[string]string{"FileName": "backgroundTaskHost.exe", "UserName": "Alan-One"}, nil},
		// Linux V12: raw ComputerName and UserName are kept, FileName comes from argv0.
		{47, map[string]string{"ComputerName": "comp2", "UserName": "root", "FileName": "runc"}, nil},
		// 2025 DNS event: no PR2 known, ContextBaseFileName is used.
		{42, map[string]string{"ContextProcessName": "SenseImdsCollector.exe"}, []string{"ContextCommandLine"}},
		// Old DNS event without any name source.
		{22, nil, []string{"ContextProcessName", "ComputerName"}},
		{55, map[string]string{"ContextProcessName": "backgroundTaskHost.exe", "ContextParentBaseFileName": "svchost.exe",
			"UserName": "Alan-One", "ContextCommandLine": `"C:\WINDOWS\system32\backgroundTaskHost.exe" -ServerName:App.AppXnme9zjyebb2xnyygh6q9ev6p5d234br2.mca`}, nil},
	}
	for _, tc := range tests {
		m := fieldMap(events[tc.line-1])
		for k, v := range tc.want {
			if m[k] != v {
				t.Errorf("line %d: %s = %q, want %q", tc.line, k, m[k], v)
			}
		}
		for _, k := range tc.none {
			if v, ok := m[k]; ok {
				t.Errorf("line %d: unexpected %s = %q", tc.line, k, v)
			}
		}
	}
	s := e.Stats()
	if s.LearnedHosts != 4 || s.LearnedProcesses != 10 {
		t.Errorf("learned %d hosts, %d processes; want 4 aidmaster hosts, 10 process starts\n%s",
			s.LearnedHosts, s.LearnedProcesses, s.Summary())
	}
}
