package validate

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/emulate"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/rules"
	"github.com/tiercel/tiercel/internal/run"
	"github.com/tiercel/tiercel/internal/sensor"
)

// Sensors lists the sensors `validate --sensor` knows, in matrix order.
var Sensors = []string{"falcon", sensor.Sysmon, sensor.Auditd, sensor.Defender, sensor.Proxy}

// SensorReport is the seed rule run over the same emulated activity as
// each sensor records it.
type SensorReport struct {
	Seed    int64
	Events  int64 // Falcon events emulated
	Rule    string
	Runs    []SensorRun
	Tests   []SensorTest
	Signals []SignalCheck
}

// SensorRun is one sensor's log and what the seed rule raised on it.
type SensorRun struct {
	Sensor   string `json:"sensor"`
	Format   string `json:"format"`  // file format written
	Records  int64  `json:"records"` // native records written
	Events   int64  `json:"events"`  // lines read after mapping
	Skipped  int    `json:"skipped"` // damaged records reported by the reader
	Alerts   int    `json:"alerts"`
	Attack   int    `json:"attack_alerts"`   // on an attack host inside a test's window
	FalsePos int    `json:"false_positives"` // the others
	// Extra are false positives with no Falcon-run alert on the same host,
	// time and event type: noise the sensor adds.
	Extra []string `json:"extra_false_positives"`
}

// SensorTest says, per atomic test and platform, whether the rule fired
// on each sensor's log: the branches it fired on, "" when it did not,
// "n/a" when the sensor does not cover the platform.
type SensorTest struct {
	Test     int               `json:"test"`
	Name     string            `json:"name"`
	Platform string            `json:"platform"`
	Host     string            `json:"host"`
	Fired    map[string]string `json:"fired"`
}

// SignalCheck is one "Expected signal" sentence of the seed.
type SignalCheck struct {
	Test     int            `json:"test"`
	Sentence string         `json:"sentence"`
	Sensors  []SignalSensor `json:"sensors"`
}

// SignalSensor is how one sensor records a signal: the events carrying it
// (found with Query) and how many of them the rule fired on. Visible is
// false when no rule over the Falcon event model can see the signal in
// this sensor's events; Query is then the extra query to add.
type SignalSensor struct {
	Sensor   string `json:"sensor"`
	Platform string `json:"platform"`
	Visible  bool   `json:"falcon_model_visible"`
	Events   int    `json:"events"`
	Fired    int    `json:"fired"`
	Query    string `json:"query,omitempty"`
	Note     string `json:"note,omitempty"`
}

// signalSpec describes how a sentence shows in a sensor's mapped events.
// Query selects the carrying events ("HOST" is replaced by the attack
// host's filter); an empty Query means the sensor does not record it.
type signalSpec struct {
	sensor, platform string
	visible          bool
	query, note      string
}

type sentence struct {
	test  int
	text  string
	specs []signalSpec
}

// The seed's "Expected signal" sentences, one per signal, and where each
// sensor's mapped events carry it.
var seedSentences = []sentence{
	{1, "DNS query for shodan.io (Sysmon Event ID 22 on Windows / auditd on Linux).", []signalSpec{
		{"falcon", "win", true, `#event_simpleName=DnsRequest DomainName=/shodan\.io$/i HOST`, ""},
		{"falcon", "lin", true, `#event_simpleName=DnsRequest DomainName=/shodan\.io$/i HOST`, ""},
		{"sysmon", "win", true, `#event_simpleName=DnsRequest DomainName=/shodan\.io$/i HOST`, ""},
		{"auditd", "lin", false, "", "auditd records the resolver socket (127.0.0.53:53), never the name asked for; add DNS logs"},
		{"defender", "win", true, `#event_simpleName=DnsRequest DomainName=/shodan\.io$/i HOST`, ""},
	}},
	{1, "Outbound HTTPS connection to shodan.io:443 (Sysmon Event ID 3 / auditd network log).", []signalSpec{
		{"falcon", "win", true, `#event_simpleName=NetworkConnectIP4 RemotePort=443 RemoteAddressIP4="104.18.12.238" HOST`, ""},
		{"sysmon", "win", true, `#event_simpleName=NetworkConnectIP4 RemotePort=443 RemoteHostName=/shodan\.io$/ HOST`, ""},
		{"auditd", "lin", true, `#event_simpleName=NetworkConnectIP4 RemotePort=443 RemoteAddressIP4="104.18.12.238" HOST`, ""},
		{"defender", "win", true, `#event_simpleName=NetworkConnectIP4 RemotePort=443 defender.RemoteUrl=/shodan\.io$/ HOST`, ""},
	}},
	{1, "On Linux: auditd EXECVE record for pip and shodan commands.", []signalSpec{
		{"falcon", "lin", true, `#event_simpleName=ProcessRollup2 CommandLine=/\b(pip|shodan)\b/ HOST`, ""},
		{"auditd", "lin", true, `#event_simpleName=ProcessRollup2 auditd.types=/EXECVE/ CommandLine=/\b(pip|shodan)\b/ HOST`, ""},
	}},
	{1, "Proxy log entry with cs_host=shodan.io and cs_username if authenticated proxy is in use.", []signalSpec{
		{"proxy", "any", true, `#sensor=proxy cs_host=/shodan\.io$/ cs_username=* HOST`, "the host reaches the DNS branch as DomainName"},
	}},
	{2, "DNS resolution of whois.arin.net (Sysmon Event ID 22 / DNS logs).", []signalSpec{
		{"falcon", "win", true, `#event_simpleName=DnsRequest DomainName="whois.arin.net" HOST`, ""},
		{"sysmon", "win", true, `#event_simpleName=DnsRequest DomainName="whois.arin.net" HOST`, ""},
		{"auditd", "lin", false, "", "auditd records no DNS names"},
		{"defender", "win", true, `#event_simpleName=DnsRequest DomainName="whois.arin.net" HOST`, ""},
	}},
	{2, "Outbound HTTPS connection to whois.arin.net:443 (Sysmon Event ID 3 / firewall log).", []signalSpec{
		{"falcon", "win", true, `#event_simpleName=NetworkConnectIP4 RemotePort=443 RemoteAddressIP4="199.5.26.46" HOST`, ""},
		{"sysmon", "win", true, `#event_simpleName=NetworkConnectIP4 RemotePort=443 RemoteAddressIP4="199.5.26.46" HOST`, ""},
		{"auditd", "lin", true, `#event_simpleName=NetworkConnectIP4 RemotePort=443 RemoteAddressIP4="199.5.26.46" HOST`, ""},
		{"defender", "win", true, `#event_simpleName=NetworkConnectIP4 RemotePort=443 RemoteAddressIP4="199.5.26.46" HOST`, ""},
	}},
	{2, "HTTP GET request visible in proxy logs with URI path /rest/ip/<target_ip>.", []signalSpec{
		{"proxy", "any", false, `#sensor=proxy HttpMethod=GET cs_uri_stem=/^\/rest\/ip\/\d+\.\d+\.\d+\.\d+$/ HOST`, "URI paths are in proxy logs only; the rule fires on the host"},
	}},
	{2, "On Windows: DeviceNetworkEvents record with RemoteUrl containing 'arin.net'.", []signalSpec{
		{"defender", "win", false, `#event_simpleName=NetworkConnectIP4 defender.RemoteUrl=/arin\.net/ HOST`, "RemoteUrl is Defender's; Falcon's NetworkConnectIP4 has addresses only"},
	}},
	{3, "Process creation event for nmap with command line containing '-sn' and the target IP range (Sysmon Event ID 1 / auditd EXECVE).", []signalSpec{
		{"falcon", "win", true, `#event_simpleName=ProcessRollup2 ImageFileName=/nmap(\.exe)?$/i CommandLine=/\s-sn\s/ HOST`, ""},
		{"falcon", "lin", true, `#event_simpleName=ProcessRollup2 ImageFileName=/nmap$/ CommandLine=/\s-sn\s/ HOST`, ""},
		{"sysmon", "win", true, `#event_simpleName=ProcessRollup2 ImageFileName=/nmap\.exe$/i CommandLine=/\s-sn\s/ HOST`, ""},
		{"auditd", "lin", true, `#event_simpleName=ProcessRollup2 auditd.types=/EXECVE/ ImageFileName=/nmap$/ CommandLine=/\s-sn\s/ HOST`, ""},
		{"defender", "win", true, `#event_simpleName=ProcessRollup2 ImageFileName=/nmap\.exe$/i CommandLine=/\s-sn\s/ HOST`, ""},
	}},
	{3, "File creation event for /tmp/df00tech-nmap-test.xml (Sysmon Event ID 11).", []signalSpec{
		{"falcon", "any", true, `#event_simpleName=GenericFileWritten TargetFileName=/df00tech-nmap-test\.xml$/ HOST`, "the seed query does not read file events"},
		{"sysmon", "win", true, `#event_simpleName=GenericFileWritten TargetFileName=/df00tech-nmap-test\.xml$/ HOST`, "the seed query does not read file events"},
		{"auditd", "lin", true, `#event_simpleName=GenericFileWritten TargetFileName="/tmp/df00tech-nmap-test.xml" HOST`, "the seed query does not read file events"},
		{"defender", "any", true, `#event_simpleName=GenericFileWritten TargetFileName=/df00tech-nmap-test\.xml$/ HOST`, "the seed query does not read file events"},
	}},
	{3, "ICMP packets visible in network capture or firewall logs (no TCP/UDP — this is ping-only).", []signalSpec{
		{"falcon", "any", true, `#event_simpleName=NetworkConnectIP4 Protocol=1 HOST`, "ICMP has no port: the seed's network branch cannot match"},
		{"sysmon", "win", false, "", "Sysmon logs TCP and UDP only"},
		{"auditd", "lin", false, `#event_simpleName=AuditEvent auditd.syscall=socket SensorRecord=/ a0=2 a1=3 a2=1 / HOST`, "raw ICMP socket creation (socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)); no Falcon event type"},
		{"defender", "any", false, "", "DeviceNetworkEvents has no ICMP echo records"},
	}},
	{3, "On Windows: DeviceProcessEvents with FileName='nmap.exe' and ProcessCommandLine containing '-sn'.", []signalSpec{
		{"defender", "win", true, `#event_simpleName=ProcessRollup2 FileName="nmap.exe" CommandLine=/-sn/ HOST`, ""},
	}},
	{4, "Process creation for theHarvester with arguments '-d example.com -b dnsdumpster,bing' (Sysmon Event ID 1 / auditd).", []signalSpec{
		{"falcon", "any", true, `#event_simpleName=ProcessRollup2 CommandLine=/theHarvester.*-d example\.com -b dnsdumpster,bing/i HOST`, ""},
		{"sysmon", "win", true, `#event_simpleName=ProcessRollup2 CommandLine=/theHarvester.*-d example\.com -b dnsdumpster,bing/i HOST`, ""},
		{"auditd", "lin", true, `#event_simpleName=ProcessRollup2 CommandLine=/theHarvester.*-d example\.com -b dnsdumpster,bing/i HOST`, ""},
		{"defender", "any", true, `#event_simpleName=ProcessRollup2 CommandLine=/theHarvester.*-d example\.com -b dnsdumpster,bing/i HOST`, ""},
	}},
	{4, "Outbound DNS queries and HTTPS connections to dnsdumpster.com and bing.com (Sysmon Event IDs 3, 22).", []signalSpec{
		{"falcon", "any", true, `#event_simpleName=/^(DnsRequest|NetworkConnectIP4)$/ (DomainName=/(dnsdumpster|bing)\.com$/ or RemoteAddressIP4="104.21.37.157" or RemoteAddressIP4="204.79.197.200") HOST`, ""},
		{"sysmon", "win", true, `#event_simpleName=/^(DnsRequest|NetworkConnectIP4)$/ (DomainName=/(dnsdumpster|bing)\.com$/ or RemoteHostName=/(dnsdumpster|bing)\.com$/) HOST`, ""},
		{"auditd", "lin", true, `#event_simpleName=NetworkConnectIP4 RemotePort=443 (RemoteAddressIP4="104.21.37.157" or RemoteAddressIP4="204.79.197.200") HOST`, "connections only: auditd records no DNS names"},
		{"defender", "any", true, `#event_simpleName=/^(DnsRequest|NetworkConnectIP4)$/ (DomainName=/(dnsdumpster|bing)\.com$/ or defender.RemoteUrl=/(dnsdumpster|bing)\.com$/) HOST`, ""},
	}},
	{4, "File creation events for /tmp/df00tech-harvester-test.html and /tmp/df00tech-harvester-test.xml.", []signalSpec{
		{"falcon", "any", true, `#event_simpleName=GenericFileWritten TargetFileName=/df00tech-harvester-test\.(html|xml)$/ HOST`, "the seed query does not read file events"},
		{"sysmon", "win", true, `#event_simpleName=GenericFileWritten TargetFileName=/df00tech-harvester-test\.(html|xml)$/ HOST`, "the seed query does not read file events"},
		{"auditd", "lin", true, `#event_simpleName=GenericFileWritten TargetFileName=/df00tech-harvester-test\.(html|xml)$/ HOST`, "the seed query does not read file events"},
		{"defender", "any", true, `#event_simpleName=GenericFileWritten TargetFileName=/df00tech-harvester-test\.(html|xml)$/ HOST`, "the seed query does not read file events"},
	}},
	{4, "Proxy logs showing connections to dnsdumpster.com with user-agent containing 'theHarvester' or Python requests.", []signalSpec{
		{"proxy", "any", false, `#sensor=proxy cs_host=/dnsdumpster\.com$/ cs_user_agent=/theHarvester|python-requests/i HOST`, "user agents are in proxy logs only; the rule fires on the host"},
	}},
	{5, "DNS query for bgp.he.net (Sysmon Event ID 22).", []signalSpec{
		{"falcon", "any", true, `#event_simpleName=DnsRequest DomainName="bgp.he.net" HOST`, ""},
		{"sysmon", "win", true, `#event_simpleName=DnsRequest DomainName="bgp.he.net" HOST`, ""},
		{"auditd", "lin", false, "", "auditd records no DNS names"},
		{"defender", "win", true, `#event_simpleName=DnsRequest DomainName="bgp.he.net" HOST`, ""},
	}},
	{5, "Outbound HTTPS connection to bgp.he.net:443 (Sysmon Event ID 3 / firewall log).", []signalSpec{
		{"falcon", "any", true, `#event_simpleName=NetworkConnectIP4 RemotePort=443 RemoteAddressIP4="216.218.236.2" HOST`, ""},
		{"sysmon", "win", true, `#event_simpleName=NetworkConnectIP4 RemotePort=443 RemoteAddressIP4="216.218.236.2" HOST`, ""},
		{"auditd", "lin", true, `#event_simpleName=NetworkConnectIP4 RemotePort=443 RemoteAddressIP4="216.218.236.2" HOST`, ""},
		{"defender", "any", true, `#event_simpleName=NetworkConnectIP4 RemotePort=443 RemoteAddressIP4="216.218.236.2" HOST`, ""},
	}},
	{5, "HTTP GET for /AS<number> visible in proxy logs with the target ASN in the URI path.", []signalSpec{
		{"proxy", "any", false, `#sensor=proxy HttpMethod=GET cs_uri_stem=/^\/AS\d+$/ HOST`, "URI paths are in proxy logs only; the rule fires on the host"},
	}},
	{5, "DeviceNetworkEvents record with RemoteUrl containing 'bgp.he.net'.", []signalSpec{
		{"defender", "any", false, `#event_simpleName=NetworkConnectIP4 defender.RemoteUrl=/bgp\.he\.net/ HOST`, "RemoteUrl is Defender's; Falcon's NetworkConnectIP4 has addresses only"},
	}},
}

// sensorPlatforms are the platforms each sensor records.
var sensorPlatforms = map[string][]string{
	"falcon": {"win", "lin"}, sensor.Sysmon: {"win"}, sensor.Auditd: {"lin"}, sensor.Defender: {"win", "lin"}, sensor.Proxy: {"win", "lin"},
}

// formats names the file each sensor's log is written as.
var formats = map[string]string{"falcon": "ndjson", sensor.Sysmon: "evtx", sensor.Auditd: "audit.log", sensor.Defender: "ah-json", sensor.Proxy: "w3c"}

type window struct {
	test       int
	platform   string
	host, user string
	from, to   int64
}

// RunSensors emulates the attacks and background once, writes the activity
// as each sensor records it (Sysmon as a real EVTX file), reads each log
// back through the normal input path and hunts it with the seed rule.
func RunSensors(ctx context.Context, cfg Config, names []string) (*SensorReport, error) {
	rule, err := loadRule(cfg.RuleDirs)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(cfg.TempDir, "tiercel-validate-sensors-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	gen, err := emulate.New(emulate.Options{Seed: cfg.Seed, Events: cfg.Events, Hosts: cfg.Hosts, Duration: cfg.Duration,
		View: emulate.ViewLogScale, ShuffleWindow: 1})
	if err != nil {
		return nil, err
	}
	files := map[string]string{}
	var writers []io.Writer
	var closers []func() error
	emitters := map[string]*sensor.Emitter{}
	for _, name := range Sensors {
		if !slices.Contains(names, name) && name != "falcon" {
			continue
		}
		ext := map[string]string{"falcon": "ndjson", sensor.Sysmon: "evtx", sensor.Auditd: "audit.log", sensor.Defender: "json", sensor.Proxy: "w3c.log"}[name]
		path := filepath.Join(dir, name+"."+ext)
		f, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		files[name] = path
		if name == "falcon" {
			writers = append(writers, f)
			closers = append(closers, f.Close)
			continue
		}
		var em *sensor.Emitter
		if name == sensor.Sysmon {
			em, err = sensor.NewEmitter(name, io.Discard, f)
		} else {
			em, err = sensor.NewEmitter(name, f, nil)
		}
		if err != nil {
			return nil, err
		}
		emitters[name] = em
		writers = append(writers, em)
		closers = append(closers, em.Close, f.Close)
	}
	m, err := gen.Run(io.MultiWriter(writers...))
	for _, c := range closers {
		if cerr := c(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return nil, fmt.Errorf("emulate: %w", err)
	}
	rep := &SensorReport{Seed: cfg.Seed, Events: m.Events, Rule: rule.ID}
	windows := attackWindows(m)
	prog, err := rules.Compile(rule, nil, engine.Options{Now: time.Unix(0, 0).UTC()})
	if err != nil {
		return nil, err
	}
	var falconFP []rules.Alert
	firedOn := map[string][]rules.Alert{}
	for _, name := range Sensors {
		path, ok := files[name]
		if !ok {
			continue
		}
		run := SensorRun{Sensor: name, Format: formats[name]}
		if em := emitters[name]; em != nil {
			run.Records = em.Records()
		} else {
			run.Records = m.Events
		}
		specs := specsFor(name)
		progs := []*engine.Program{prog.Engine}
		for _, s := range specs {
			p, err := compileCarrier(s.spec.query, s.filter(windows))
			if err != nil {
				return nil, fmt.Errorf("signal query %q: %w", s.spec.query, err)
			}
			progs = append(progs, p)
		}
		carriers := make([]map[string]bool, len(progs))
		for i := range carriers {
			carriers[i] = map[string]bool{}
		}
		var alerts []rules.Alert
		var skipped atomic.Int64
		reader, err := ingest.Open([]string{path}, ingest.Options{OnSensorSkip: func(sensor.Problem) { skipped.Add(1) }})
		if err != nil {
			return nil, err
		}
		stats, err := runSearch(ctx, progs, reader, cfg.Workers, func(i int, row *event.Event) {
			if i == 0 {
				alerts = append(alerts, prog.NewAlert(row))
				return
			}
			ts, _ := row.Get(event.Timestamp)
			ms, _ := strconv.ParseInt(ts, 10, 64)
			if specs[i-1].inWindow(windows, ms, row) {
				id, _ := row.Get("id")
				if id == "" {
					id, _ = row.Get(event.RawString)
				}
				carriers[i][id] = true
			}
		})
		reader.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		run.Events = stats.Lines
		run.Skipped = int(skipped.Load())
		sortAlerts(alerts)
		firedOn[name] = alerts
		firedIDs := map[string]bool{}
		for _, a := range alerts {
			run.Alerts++
			firedIDs[a.Get("id")] = true
			ts, _ := strconv.ParseInt(a.Get(event.Timestamp), 10, 64)
			if inAttack(windows, a.Get("ComputerName"), a.Get("UserName"), ts) {
				run.Attack++
				continue
			}
			run.FalsePos++
			if name == "falcon" {
				falconFP = append(falconFP, a)
			} else if !sameFalconAlert(falconFP, a) {
				run.Extra = append(run.Extra, fmt.Sprintf("%s %s %s %s", a.Get("ComputerName"), a.Get(event.SimpleName), a.Branch(), a.Get(event.Timestamp)))
			}
		}
		rep.Runs = append(rep.Runs, run)
		for i, s := range specs {
			ss := SignalSensor{Sensor: name, Platform: s.spec.platform, Visible: s.spec.visible, Query: s.spec.query, Note: s.spec.note}
			if s.spec.query != "" {
				ss.Events = len(carriers[i+1])
				for id := range carriers[i+1] {
					if firedIDs[id] {
						ss.Fired++
					}
				}
			}
			rep.addSignal(s.sentence, ss)
		}
	}
	rep.Tests = testMatrix(m, windows, firedOn, names)
	return rep, nil
}

// sameFalconAlert reports whether the Falcon run raised the same alert: the
// same branch on the same host (or user, for a proxy that knows no host
// name) within five seconds.
func sameFalconAlert(falcon []rules.Alert, a rules.Alert) bool {
	ts, _ := strconv.ParseInt(a.Get(event.Timestamp), 10, 64)
	host, user := a.Get("ComputerName"), a.Get("UserName")
	for _, f := range falcon {
		fts, _ := strconv.ParseInt(f.Get(event.Timestamp), 10, 64)
		if f.Branch() != a.Branch() || fts < ts-5000 || fts > ts+5000 {
			continue
		}
		if (host != "" && strings.EqualFold(f.Get("ComputerName"), host)) || (host == "" && user != "" && f.Get("UserName") == user) {
			return true
		}
	}
	return false
}

func runSearch(ctx context.Context, progs []*engine.Program, src run.Source, workers int, emit func(int, *event.Event)) (*run.Stats, error) {
	return run.Search(ctx, progs, src, run.Options{Workers: workers, Emit: emit})
}

// compileCarrier compiles a signal query with the attack hosts' filter.
func compileCarrier(q, hostFilter string) (*engine.Program, error) {
	text := strings.Replace(q, "HOST", hostFilter, 1) + " | select([id, ComputerName, UserName, @timestamp, @rawstring])"
	parsed, diags := cql.Parse(text)
	if diags.HasErrors() {
		return nil, fmt.Errorf("%v", diags)
	}
	p, cd := engine.Compile(parsed, engine.Options{Unlimited: true, Now: time.Unix(0, 0).UTC()})
	if cd.HasErrors() {
		return nil, fmt.Errorf("%v", cd)
	}
	return p, nil
}

type boundSpec struct {
	sentence int
	spec     signalSpec
}

func specsFor(name string) []boundSpec {
	var out []boundSpec
	for i, s := range seedSentences {
		for _, sp := range s.specs {
			if sp.sensor == name {
				out = append(out, boundSpec{i, sp})
			}
		}
	}
	return out
}

// filter is the CQL filter for the attack hosts (or users, for proxies)
// of the spec's test and platform.
func (b boundSpec) filter(ws []window) string {
	var parts []string
	for _, w := range b.match(ws) {
		if b.spec.sensor == sensor.Proxy {
			parts = append(parts, "UserName="+strconv.Quote(w.user))
		} else {
			parts = append(parts, "ComputerName="+strconv.Quote(w.host))
		}
	}
	slices.Sort(parts)
	parts = slices.Compact(parts)
	if len(parts) == 0 {
		return `ComputerName="-none-"`
	}
	return "(" + strings.Join(parts, " or ") + ")"
}

func (b boundSpec) match(ws []window) []window {
	test := seedSentences[b.sentence].test
	var out []window
	for _, w := range ws {
		if w.test != test || (b.spec.platform != "any" && b.spec.platform != w.platform) {
			continue
		}
		if !slices.Contains(sensorPlatforms[b.spec.sensor], w.platform) {
			continue
		}
		out = append(out, w)
	}
	return out
}

func (b boundSpec) inWindow(ws []window, ms int64, row *event.Event) bool {
	host, _ := row.Get("ComputerName")
	user, _ := row.Get("UserName")
	for _, w := range b.match(ws) {
		if ms >= w.from && ms <= w.to && (strings.EqualFold(host, w.host) || (b.spec.sensor == sensor.Proxy && user == w.user)) {
			return true
		}
	}
	return false
}

// attackWindows spans each test run: its first to last signal, with a
// second of slack.
func attackWindows(m *emulate.Manifest) []window {
	var out []window
	for _, a := range m.Attacks {
		w := window{test: a.Test, platform: strings.ToLower(a.Platform), host: a.ComputerName, user: a.UserName, from: -1}
		for _, s := range a.Signals {
			if w.from < 0 || s.Timestamp < w.from {
				w.from = s.Timestamp
			}
			w.to = max(w.to, s.Timestamp)
		}
		w.from -= 1000
		w.to += 1000
		out = append(out, w)
	}
	return out
}

func inAttack(ws []window, host, user string, ms int64) bool {
	for _, w := range ws {
		if ms >= w.from && ms <= w.to && (strings.EqualFold(host, w.host) || (host == "" && user == w.user)) {
			return true
		}
	}
	return false
}

func (r *SensorReport) addSignal(i int, ss SignalSensor) {
	for j := range r.Signals {
		if r.Signals[j].Sentence == seedSentences[i].text {
			r.Signals[j].Sensors = append(r.Signals[j].Sensors, ss)
			return
		}
	}
	r.Signals = append(r.Signals, SignalCheck{Test: seedSentences[i].test, Sentence: seedSentences[i].text, Sensors: []SignalSensor{ss}})
	slices.SortStableFunc(r.Signals, func(a, b SignalCheck) int {
		return sentenceIndex(a.Sentence) - sentenceIndex(b.Sentence)
	})
}

func sentenceIndex(s string) int {
	for i, x := range seedSentences {
		if x.text == s {
			return i
		}
	}
	return len(seedSentences)
}

// testMatrix says per test, platform and sensor which branches fired.
func testMatrix(m *emulate.Manifest, ws []window, fired map[string][]rules.Alert, names []string) []SensorTest {
	var out []SensorTest
	for i, a := range m.Attacks {
		w := ws[i]
		t := SensorTest{Test: a.Test, Name: a.Name, Platform: a.Platform, Host: a.ComputerName, Fired: map[string]string{}}
		for _, name := range Sensors {
			alerts, ok := fired[name]
			if !ok {
				continue
			}
			if !slices.Contains(sensorPlatforms[name], w.platform) {
				t.Fired[name] = "n/a"
				continue
			}
			var branches []string
			for _, al := range alerts {
				ts, _ := strconv.ParseInt(al.Get(event.Timestamp), 10, 64)
				host := al.Get("ComputerName")
				mine := strings.EqualFold(host, w.host) || (host == "" && al.Get("UserName") == w.user)
				if ts >= w.from && ts <= w.to && mine && !slices.Contains(branches, al.Branch()) {
					branches = append(branches, al.Branch())
				}
			}
			slices.Sort(branches)
			t.Fired[name] = strings.Join(branches, ",")
		}
		out = append(out, t)
	}
	return out
}

// Missed counts tests the rule did not fire on for sysmon or auditd, the
// sensors the seed must work on unchanged.
func (r *SensorReport) Missed() int {
	n := 0
	for _, t := range r.Tests {
		for _, s := range []string{sensor.Sysmon, sensor.Auditd} {
			if v, ok := t.Fired[s]; ok && v == "" {
				n++
			}
		}
	}
	return n
}
