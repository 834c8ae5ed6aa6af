package emulate

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

var (
	uuidRe    = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	msRe      = regexp.MustCompile(`^1[0-9]{12}$`)
	secsRe    = regexp.MustCompile(`^1[0-9]{9}\.[0-9]{3}$`)
	hex32Re   = regexp.MustCompile(`^[0-9a-f]{32}$`)
	decimalRe = regexp.MustCompile(`^[0-9]+$`)
)

// required fields per event type, beyond the common envelope.
var requiredFields = map[string][]string{
	"ProcessRollup2":     {"ImageFileName", "CommandLine", "TargetProcessId", "ParentProcessId", "RawProcessId", "ProcessStartTime", "SHA256HashData", "MD5HashData"},
	"DnsRequest":         {"DomainName", "RequestType", "ContextProcessId", "ContextTimeStamp"},
	"NetworkConnectIP4":  {"RemoteAddressIP4", "RemotePort", "LocalAddressIP4", "LocalPort", "Protocol", "ConnectionDirection", "ContextProcessId", "ContextTimeStamp"},
	"GenericFileWritten": {"TargetFileName", "ContextProcessId", "ContextTimeStamp"},
	"EndOfProcess":       {"TargetProcessId", "ContextProcessId", "RawProcessId", "ContextTimeStamp", "UserSid"},
	"TerminateProcess":   {"TargetProcessId", "ContextProcessId", "RawProcessId", "ContextTimeStamp"},
	"UserLogon":          {"UserSid", "UserName", "AuthenticationId", "LogonType"},
	"UserIdentity":       {"UserSid", "UserName", "AuthenticationId"},
}

// Linux logons name the account by UID, not by SID and logon id.
var requiredLinuxFields = map[string][]string{
	"UserLogon":    {"UID", "UserName", "LogonType"},
	"UserIdentity": {"UID", "UserName"},
}

var envelope = []string{"aid", "cid", "aip", "id", "name", "timestamp", "event_platform", "event_simpleName", "ConfigBuild"}

func TestRawEventsLookLikeFDR(t *testing.T) {
	lines, _ := generate(t, Options{Seed: 7, Events: 60000})
	if len(lines) != 60000 {
		t.Fatalf("got %d lines, want 60000", len(lines))
	}
	events := make([]map[string]string, len(lines))
	for i, l := range lines {
		events[i] = decode(t, i+1, l)
	}
	procs := index(events)
	seenTypes := map[string]bool{}
	for i, e := range events {
		typ := e["event_simpleName"]
		seenTypes[typ+"/"+e["event_platform"]] = true
		required := requiredFields[typ]
		if lin, ok := requiredLinuxFields[typ]; ok && e["event_platform"] == "Lin" {
			required = lin
		}
		for _, f := range append(envelope, required...) {
			if _, ok := e[f]; !ok {
				t.Fatalf("line %d (%s): missing %s", i+1, typ, f)
			}
		}
		if requiredFields[typ] == nil {
			t.Fatalf("line %d: unexpected event type %q", i+1, typ)
		}
		if !uuidRe.MatchString(e["id"]) || !msRe.MatchString(e["timestamp"]) || !hex32Re.MatchString(e["aid"]) || !hex32Re.MatchString(e["cid"]) {
			t.Fatalf("line %d: bad id/timestamp/aid/cid: %v", i+1, e)
		}
		for _, f := range []string{"ContextTimeStamp", "ProcessStartTime"} {
			if v, ok := e[f]; ok && !secsRe.MatchString(v) {
				t.Fatalf("line %d: %s = %q, want sec.mmm", i+1, f, v)
			}
		}
		for _, f := range []string{"TargetProcessId", "ContextProcessId", "ParentProcessId", "RawProcessId", "RemotePort", "LocalPort", "Protocol", "RequestType"} {
			if v, ok := e[f]; ok && !decimalRe.MatchString(v) {
				t.Fatalf("line %d: %s = %q, want decimal string", i+1, f, v)
			}
		}
		// Raw view: nothing the platform adds.
		if _, ok := e["ContextProcessName"]; ok {
			t.Fatalf("line %d: raw event has ContextProcessName", i+1)
		}
		if _, ok := e["ComputerName"]; ok {
			t.Fatalf("line %d: raw event has ComputerName", i+1)
		}
		if _, ok := e["UserName"]; ok && typ != "UserLogon" && typ != "UserIdentity" {
			t.Fatalf("line %d: raw %s has UserName", i+1, typ)
		}
		switch e["event_platform"] {
		case "Win":
			if strings.Contains(e["name"], "Lin") {
				t.Fatalf("line %d: Windows event named %s", i+1, e["name"])
			}
			if img, ok := e["ImageFileName"]; ok && !strings.HasPrefix(img, `\Device\HarddiskVolume`) {
				t.Fatalf("line %d: Windows ImageFileName %q is not an NT device path", i+1, img)
			}
			if typ == "ProcessRollup2" && !strings.HasPrefix(e["UserSid"], "S-1-") {
				t.Fatalf("line %d: Windows PR2 without UserSid", i+1)
			}
		case "Lin":
			if !strings.HasPrefix(e["name"], typ+"LinV") {
				t.Fatalf("line %d: Linux event named %s", i+1, e["name"])
			}
			if img, ok := e["ImageFileName"]; ok && !strings.HasPrefix(img, "/") {
				t.Fatalf("line %d: Linux ImageFileName %q is not a POSIX path", i+1, img)
			}
			if typ == "ProcessRollup2" && !decimalRe.MatchString(e["UID"]) {
				t.Fatalf("line %d: Linux PR2 without UID", i+1)
			}
		default:
			t.Fatalf("line %d: event_platform %q", i+1, e["event_platform"])
		}
		if typ == "NetworkConnectIP4" && e["Protocol"] == "6" && e["ConnectionDirection"] != "0" {
			t.Fatalf("line %d: outbound connect with direction %s", i+1, e["ConnectionDirection"])
		}
		// Every acting process is a process this output started on that host.
		if ctx, ok := e["ContextProcessId"]; ok {
			if procs[[2]string{e["aid"], ctx}] == nil {
				t.Fatalf("line %d (%s): ContextProcessId %s has no ProcessRollup2 on aid %s", i+1, typ, ctx, e["aid"])
			}
		}
	}
	for _, want := range []string{"ProcessRollup2/Win", "ProcessRollup2/Lin", "DnsRequest/Win", "DnsRequest/Lin",
		"NetworkConnectIP4/Win", "NetworkConnectIP4/Lin", "EndOfProcess/Win", "TerminateProcess/Lin",
		"GenericFileWritten/Win", "GenericFileWritten/Lin", "UserLogon/Win", "UserIdentity/Win", "UserLogon/Lin", "UserIdentity/Lin"} {
		if !seenTypes[want] {
			t.Errorf("no %s event in 60000 lines", want)
		}
	}
}

func TestLogScaleViewFillsPlatformFields(t *testing.T) {
	lines, _ := generate(t, Options{Seed: 7, Events: 20000, View: ViewLogScale})
	events := make([]map[string]string, len(lines))
	for i, l := range lines {
		events[i] = decode(t, i+1, l)
	}
	procs := index(events)
	names := map[string]string{}
	for _, h := range mustEstate(t, 7, 40).Hosts {
		names[h.AID] = h.ComputerName
	}
	for i, e := range events {
		if e["ComputerName"] != names[e["aid"]] {
			t.Fatalf("line %d: ComputerName %q, want %q", i+1, e["ComputerName"], names[e["aid"]])
		}
		switch e["event_simpleName"] {
		case "ProcessRollup2":
			if e["UserName"] == "" {
				t.Fatalf("line %d: PR2 without UserName", i+1)
			}
			if e["FilePath"]+e["FileName"] != e["ImageFileName"] || e["FileName"] != baseName(e["ImageFileName"]) {
				t.Fatalf("line %d: FilePath %q + FileName %q do not split %q", i+1, e["FilePath"], e["FileName"], e["ImageFileName"])
			}
		case "DnsRequest", "NetworkConnectIP4", "GenericFileWritten", "EndOfProcess", "TerminateProcess":
			p := procs[[2]string{e["aid"], e["ContextProcessId"]}]
			if want := baseName(p["ImageFileName"]); e["ContextProcessName"] != want {
				t.Fatalf("line %d: ContextProcessName %q, want %q", i+1, e["ContextProcessName"], want)
			}
		}
	}
}

func mustEstate(t *testing.T, seed int64, hosts int) *Estate {
	t.Helper()
	e, err := DefaultEstate(seed, hosts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// Small budgets and big estates cut background scenarios off at the event
// limit; acting processes must still resolve and the count must hold.
func TestEventLimitKeepsProcessesResolvable(t *testing.T) {
	for _, c := range []struct {
		events int64
		hosts  int
	}{{300, 40}, {5000, 500}, {2000, MinHosts}, {50000, 3000}} {
		t.Run(fmt.Sprintf("%d events %d hosts", c.events, c.hosts), func(t *testing.T) {
			lines, m := generate(t, Options{Seed: 8, Events: c.events, Hosts: c.hosts})
			if int64(len(lines)) < c.events || m.Events != int64(len(lines)) {
				t.Fatalf("wrote %d lines (manifest %d) for --events %d", len(lines), m.Events, c.events)
			}
			if c.events >= 5000 && int64(len(lines)) != c.events {
				t.Errorf("wrote %d lines, want exactly %d", len(lines), c.events)
			}
			events := make([]map[string]string, len(lines))
			for i, l := range lines {
				events[i] = decode(t, i+1, l)
			}
			procs := index(events)
			for i, e := range events {
				if ctx, ok := e["ContextProcessId"]; ok && procs[[2]string{e["aid"], ctx}] == nil {
					t.Fatalf("line %d (%s): ContextProcessId %s unresolved", i+1, e["event_simpleName"], ctx)
				}
			}
			if len(m.Attacks) != 10 {
				t.Errorf("%d attack runs, want 10", len(m.Attacks))
			}
		})
	}
}

// A background scenario cut off by the limit may drop the ProcessRollup2 of
// a host's long-running processes; a later scheduled scenario on that host
// must start them again rather than act through unseen processes.
func TestCutOffSetupIsRedone(t *testing.T) {
	g, err := New(Options{Seed: 1, Events: 10})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	g.out, g.ring, g.limit = &buf, make([][]byte, 0, 1), 2
	h := g.byRole[RoleSOC][0]
	t0 := g.opts.Start.UnixMilli()
	g.inBg = true
	g.ready(h, t0)
	g.browserOf(h, t0) // cut off: the limit is already reached
	g.inBg = false
	g.ready(h, t0+1000)
	g.fpSOC(h, t0+1000)
	g.drain()
	var events []map[string]string
	for i, l := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		events = append(events, decode(t, i+1, l))
	}
	procs := index(events)
	for i, e := range events {
		if ctx, ok := e["ContextProcessId"]; ok && procs[[2]string{e["aid"], ctx}] == nil {
			t.Fatalf("event %d (%s): ContextProcessId %s unresolved", i+1, e["event_simpleName"], ctx)
		}
	}
}
