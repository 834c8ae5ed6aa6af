package emulate

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestKioskHostsInEstate(t *testing.T) {
	cases := []struct {
		hosts, kiosks int
	}{{MinHosts, 0}, {20, 1}, {30, 2}, {40, 3}}
	for _, c := range cases {
		e := mustEstate(t, 4, c.hosts)
		if len(e.Hosts) != c.hosts || len(e.KioskHosts) != c.kiosks {
			t.Errorf("%d hosts: got %d hosts, %d kiosks %v; want %d kiosks", c.hosts, len(e.Hosts), len(e.KioskHosts), e.KioskHosts, c.kiosks)
		}
		for _, name := range e.KioskHosts {
			h := e.HostByName(name)
			if h == nil || h.Role != RoleKiosk || h.Platform != Windows || len(h.Users) != 1 || h.ProductType != "1.0" {
				t.Errorf("kiosk %s: %+v", name, h)
			}
		}
	}
	// Every kiosk has its aidmaster record.
	e := mustEstate(t, 4, 40)
	var b bytes.Buffer
	if err := e.WriteAidmaster(&b, DefaultStart); err != nil {
		t.Fatal(err)
	}
	tagged := 0
	for _, l := range bytes.Split(bytes.TrimSpace(b.Bytes()), []byte("\n")) {
		var rec map[string]string
		if err := json.Unmarshal(l, &rec); err != nil {
			t.Fatal(err)
		}
		if slices.Contains(e.KioskHosts, rec["ComputerName"]) {
			tagged++
			if rec["FalconGroupingTags"] != "'FalconGroupingTags/kiosk'" || !strings.HasPrefix(rec["OU"], "Kiosks;") {
				t.Errorf("kiosk aidmaster record: %v", rec)
			}
		}
	}
	if tagged != len(e.KioskHosts) {
		t.Errorf("%d aidmaster records for %d kiosks", tagged, len(e.KioskHosts))
	}
}

func TestBrowserIsTheTuningsBrowser(t *testing.T) {
	cases := []struct {
		image string
		want  bool
	}{
		{`\Device\HarddiskVolume3\Program Files\Google\Chrome\Application\chrome.exe`, true},
		{`\Device\HarddiskVolume3\Program Files (x86)\Microsoft\Edge\Application\msedge.exe`, true},
		{`\Device\HarddiskVolume2\Program Files\Mozilla Firefox\firefox.exe`, true},
		{`/usr/bin/firefox-esr`, true},
		{`\Device\HarddiskVolume3\Program Files (x86)\Google\Update\GoogleUpdate.exe`, false},
		{`\Device\HarddiskVolume3\Windows\System32\svchost.exe`, false},
		{`\Device\HarddiskVolume3\Tools\notchrome.exe`, false},
	}
	for _, c := range cases {
		if got := isBrowserImage(c.image); got != c.want {
			t.Errorf("isBrowserImage(%q) = %v, want %v", c.image, got, c.want)
		}
	}
	for _, c := range []struct {
		dns, proc int64
		want      bool
	}{{100_000, 40_000, true}, {100_000, 39_999, false}, {100_000, 160_000, true}, {100_000, 160_001, false}} {
		if got := withinPrefetchWindow(c.dns, c.proc); got != c.want {
			t.Errorf("withinPrefetchWindow(%d, %d) = %v, want %v", c.dns, c.proc, got, c.want)
		}
	}
}

// The manifest's per-scenario verdict for browser-prefetch must follow
// from the output alone: a lookup is removed exactly when no non-browser
// ProcessRollup2 of its aid lies within 60 s. Kiosks start nothing but
// browser processes after boot, so their lookups are all removed.
func TestPrefetchExpectationsFollowOutput(t *testing.T) {
	for _, view := range []View{ViewRaw, ViewLogScale} {
		t.Run(string(view), func(t *testing.T) {
			opts := Options{Seed: 3, Events: 60000, Hosts: 30, View: view}
			lines, m := generate(t, opts)
			starts := map[string][]int64{} // aid → non-browser ProcessRollup2 timestamps
			for i, l := range lines {
				e := decode(t, i+1, l)
				if e["event_simpleName"] != "ProcessRollup2" || isBrowserImage(e["ImageFileName"]) {
					continue
				}
				ts, err := strconv.ParseInt(e["timestamp"], 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				starts[e["aid"]] = append(starts[e["aid"]], ts)
			}
			kiosks := map[string]bool{}
			for _, name := range m.Estate.KioskHosts {
				kiosks[name] = true
			}
			est := mustEstate(t, opts.Seed, opts.Hosts)
			boot := opts.Start
			if boot.IsZero() {
				boot = DefaultStart
			}
			for _, name := range m.Estate.KioskHosts {
				for _, ts := range starts[est.HostByName(name).AID] {
					if ts > boot.UnixMilli() {
						t.Errorf("kiosk %s starts a non-browser process at %s, after boot", name, time.UnixMilli(ts).UTC())
					}
				}
			}
			var fp *FalsePositive
			for i := range m.FalsePositives {
				if m.FalsePositives[i].Source == "BrowserPrefetch" {
					fp = &m.FalsePositives[i]
				}
			}
			if fp == nil || fp.TuningName != "browser-prefetch" {
				t.Fatalf("no BrowserPrefetch source judged under browser-prefetch: %+v", fp)
			}
			sig := map[string]Signal{}
			for _, s := range fp.Signals {
				sig[s.ID] = s
			}
			removed, kept := 0, 0
			for _, x := range fp.Expectations {
				if len(x.Signals) != 1 {
					t.Fatalf("%s: %d signals, want the one lookup", x.Host, len(x.Signals))
				}
				s, ok := sig[x.Signals[0]]
				if !ok {
					t.Fatalf("%s: expectation names signal %s, not in the source's signals", x.Host, x.Signals[0])
				}
				near := slices.ContainsFunc(starts[s.AID], func(ts int64) bool { return withinPrefetchWindow(s.Timestamp, ts) })
				if x.Removed == near {
					t.Errorf("%s (%s): removed=%v but a non-browser start within 60 s is %v (%s)", x.Host, x.Role, x.Removed, near, x.Reason)
				}
				if kiosks[x.Host] != (x.Role == RoleKiosk) || (x.Role == RoleKiosk && !x.Removed) {
					t.Errorf("kiosk scenario on %s (%s) kept: %s", x.Host, x.Role, x.Reason)
				}
				if x.Removed {
					removed++
				} else {
					kept++
				}
			}
			if removed == 0 || kept == 0 || removed+kept != fp.Scenarios {
				t.Errorf("%d scenarios: %d removed, %d kept; want both kinds, one verdict each", fp.Scenarios, removed, kept)
			}
			if left, ok := fp.ExpectedLeft(); !ok || left != kept {
				t.Errorf("ExpectedLeft() = %d, %v; want %d", left, ok, kept)
			}
		})
	}
}

// The verdict must see process starts generated before the lookup and
// after it, in either time order, and ignore browsers and other hosts.
func TestPrefetchVerdict(t *testing.T) {
	const lookup = 1_000_000
	const svchost = `\Device\HarddiskVolume3\Windows\System32\svchost.exe`
	const chrome = `\Device\HarddiskVolume3\Program Files\Google\Chrome\Application\chrome.exe`
	type start struct {
		image string
		ts    int64
		other bool // on another host
	}
	cases := []struct {
		name          string
		before, after []start
		removed       bool
		reason        string
	}{
		{"nothing starts", nil, nil, true, "no non-browser process"},
		{"only browsers", []start{{chrome, lookup - 1000, false}}, []start{{chrome, lookup + 1000, false}}, true, "no non-browser process"},
		{"service 60 s before", []start{{svchost, lookup - 60_000, false}}, nil, false, "svchost.exe starts 60 s before"},
		{"service 61 s before", []start{{svchost, lookup - 61_000, false}}, nil, true, "no non-browser process"},
		{"service 30 s after", nil, []start{{svchost, lookup + 30_000, false}}, false, "svchost.exe starts 30 s after"},
		{"generated first, timed after", []start{{svchost, lookup + 5000, false}}, nil, false, "svchost.exe starts 5 s after"},
		{"generated later, timed before", nil, []start{{svchost, lookup - 5000, false}}, false, "svchost.exe starts 5 s before"},
		{"service on another host", nil, []start{{svchost, lookup + 1000, true}}, true, "no non-browser process"},
		{"service 90 s after", nil, []start{{svchost, lookup + 90_000, false}}, true, "no non-browser process"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, err := New(Options{Seed: 1, Hosts: 20})
			if err != nil {
				t.Fatal(err)
			}
			g.manifest = &Manifest{FalsePositives: []FalsePositive{{}}}
			kiosk, other := g.byRole[RoleKiosk][0], g.byRole[RoleWorkstation][1]
			note := func(ss []start) {
				for _, s := range ss {
					h := kiosk
					if s.other {
						h = other
					}
					g.noteStart(h, s.image, s.ts)
				}
			}
			note(c.before)
			g.expectPrefetch(0, kiosk, []Signal{{Event: "DnsRequest", ID: "lookup-1", Branch: BranchDNS, Timestamp: lookup, Expected: true}})
			note(c.after)
			xs := g.manifest.FalsePositives[0].Expectations
			if len(xs) != 1 {
				t.Fatalf("%d expectations, want 1", len(xs))
			}
			if x := xs[0]; x.Removed != c.removed || !strings.Contains(x.Reason, c.reason) || x.Host != kiosk.ComputerName {
				t.Errorf("got %+v, want removed=%v, reason containing %q", x, c.removed, c.reason)
			}
		})
	}
}
