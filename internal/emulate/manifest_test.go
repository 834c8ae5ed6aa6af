package emulate

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// branches lists the distinct expected branches of an attack run.
func branches(a Attack) []string {
	var out []string
	for _, s := range a.Signals {
		if s.Expected && !slices.Contains(out, s.Branch) {
			out = append(out, s.Branch)
		}
	}
	slices.Sort(out)
	return out
}

func TestAttackExpectations(t *testing.T) {
	_, m := generate(t, Options{Seed: 3, Events: 30000})
	want := map[string][]string{
		"1/Win": {BranchConnect, BranchDNS, BranchTool},
		"1/Lin": {BranchConnect, BranchDNS, BranchTool},
		"2/Win": {BranchConnect, BranchDNS},
		"2/Lin": {BranchConnect, BranchDNS},
		"3/Win": {BranchTool}, // ICMP only: no DNS, no TCP
		"3/Lin": {BranchTool},
		"4/Win": {BranchConnect, BranchDNS}, // 'python theHarvester.py -d' escapes both PR2 regexes
		"4/Lin": {BranchConnect, BranchDNS, BranchTool},
		"5/Win": {BranchConnect, BranchDNS},
		"5/Lin": {BranchConnect, BranchDNS},
	}
	if len(m.Attacks) != len(want) {
		t.Fatalf("got %d attack runs, want %d", len(m.Attacks), len(want))
	}
	for _, a := range m.Attacks {
		key := strconv.Itoa(a.Test) + "/" + a.Platform
		w := slices.Sorted(slices.Values(want[key]))
		if got := branches(a); !slices.Equal(got, w) {
			t.Errorf("test %s: expected branches %v, want %v", key, got, w)
		}
		if got := slices.Sorted(slices.Values(a.Branches)); !slices.Equal(got, w) {
			t.Errorf("test %s: manifest expected_branches %v, want %v", key, got, w)
		}
		for _, s := range a.Signals {
			if s.Event == "DnsRequest" && strings.Contains(s.Detail, "bing.com") && s.Expected {
				t.Errorf("test %s: bing.com DNS marked expected", key)
			}
			if s.Event == "NetworkConnectIP4" && s.FiresAsIs {
				t.Errorf("test %s: a raw network event cannot fire without ContextProcessName", key)
			}
			if s.Event == "NetworkConnectIP4" && a.Test == 3 && strings.HasSuffix(s.Detail, "/6") {
				t.Errorf("test 3 made a TCP connection: %s", s.Detail)
			}
		}
	}
}

func TestAttackSelection(t *testing.T) {
	_, m := generate(t, Options{Seed: 3, Events: 10000, Tests: []int{4}, Platforms: []Platform{Linux}})
	if len(m.Attacks) != 1 || m.Attacks[0].Test != 4 || m.Attacks[0].Platform != "Lin" {
		t.Fatalf("attacks = %+v, want only test 4 on Lin", m.Attacks)
	}
}

// Every signal in the manifest is in the output with the same identity, and
// every event the seed matches in the output is accounted for.
func TestManifestMatchesOutput(t *testing.T) {
	for _, view := range []View{ViewRaw, ViewLogScale} {
		t.Run(string(view), func(t *testing.T) {
			lines, m := generate(t, Options{Seed: 11, Events: 40000, View: view})
			if m.Events != int64(len(lines)) {
				t.Fatalf("manifest says %d events, output has %d", m.Events, len(lines))
			}
			byID := map[string]map[string]string{}
			events := make([]map[string]string, len(lines))
			for i, l := range lines {
				e := decode(t, i+1, l)
				events[i] = e
				byID[e["aid"]+"/"+e["id"]] = e
			}
			procs := index(events)
			listed := map[string]bool{}
			check := func(where string, s Signal) {
				e := byID[s.AID+"/"+s.ID]
				if e == nil {
					t.Fatalf("%s: signal %s %s not in output", where, s.Event, s.ID)
				}
				if e["event_simpleName"] != s.Event || e[s.ProcessKey] != s.ProcessID || e["timestamp"] != strconv.FormatInt(s.Timestamp, 10) {
					t.Fatalf("%s: signal %+v disagrees with event %v", where, s, e)
				}
				listed[s.AID+"/"+s.ID] = true
			}
			for _, a := range m.Attacks {
				for _, s := range a.Signals {
					check("attack", s)
				}
			}
			hosts := map[string]*Host{}
			est := mustEstate(t, 11, 40)
			for _, h := range est.Hosts {
				hosts[h.AID] = h
			}
			for _, fp := range m.FalsePositives {
				if fp.Scenarios == 0 || len(fp.Signals) == 0 {
					t.Errorf("false-positive source %s produced nothing", fp.Source)
				}
				for _, s := range fp.Signals {
					check(fp.Source, s)
					h := hosts[s.AID]
					switch fp.Source {
					case "SOCAnalystLookups":
						if !slices.Contains(fp.Values, h.ComputerName) {
							t.Errorf("SOC signal on %s, not a SOC host", h.ComputerName)
						}
					case "DeveloperTooling":
						if !slices.Contains(fp.Values, h.ComputerName) {
							t.Errorf("developer signal on %s, not a listed developer host", h.ComputerName)
						}
					case "VulnerabilityScanner":
						if !slices.Contains(fp.Values, h.ComputerName) || !slices.Contains(fp.Values, h.Service.Name) {
							t.Errorf("scanner signal on %s as %v", h.ComputerName, h.Service)
						}
					}
				}
			}
			// The seed must match nothing outside the manifest.
			for i, e := range events {
				f := seedFields{Event: e["event_simpleName"], ImageFileName: e["ImageFileName"], CommandLine: e["CommandLine"],
					DomainName: e["DomainName"], RemotePort: e["RemotePort"]}
				if p := procs[[2]string{e["aid"], e["ContextProcessId"]}]; p != nil {
					f.ContextProcessName = baseName(p["ImageFileName"])
				}
				if b := seedBranch(f); b != "" && !listed[e["aid"]+"/"+e["id"]] {
					t.Fatalf("line %d matches %s but is in no manifest entry: %v", i+1, b, e)
				}
			}
		})
	}
}
