// Command fdrgen writes synthetic raw Falcon (FDR-shaped) NDJSON for
// benchmarks. It is independent of `tiercel emulate`: a different event
// mix (about 30% of lines are ProcessRollup2, DnsRequest or
// NetworkConnectIP4, the seed detection's types), a different key order
// (event_simpleName near the end; -key-order random gives each line its
// own order, as real FDR lines have), no ComputerName,
// UserName or ContextProcessName on events unless -enriched, and aidmaster
// records only in a separate file (-aidmaster); -compact writes short lines
// (about 250 bytes: event_simpleName first, then only the members events
// are told apart by, as some exports and other generators give), so
// costs per line and per process start weigh more than costs per byte.
// Rare events hit the seed
// detection: reconnaissance tools starting, IP-intelligence lookups, and
// curl/python/nmap connecting out on 80/443 from a process started earlier.
//
//	go run ./bench/fdrgen -size-mb 512 -seed 3 > events.ndjson
//	go run ./bench/fdrgen -events 100000 -aidmaster aidmaster.json > events.ndjson
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
)

type host struct {
	aid, name, platform string
	procs               []proc // recently started processes (context events pick one)
	users               []string
}

type proc struct {
	pid        uint64
	image, cmd string
	user       string
}

type gen struct {
	r        *rand.Rand
	hosts    []*host
	ts       int64 // ms
	enriched bool
	compact  bool // short lines (-compact)
	hitRate  float64
	b        []byte
	pid      uint64
	// shuffle, when set, writes each line's members in an order of its
	// own (a random stream apart, so the events stay the same)
	shuffle *rand.Rand
	members [][2]int // offsets of the current line's members in b
	tmp     []byte
}

// mix is the event mix: weights in per mille.
var mix = []struct {
	name   string
	weight int
}{
	{"ProcessRollup2", 80}, {"DnsRequest", 120}, {"NetworkConnectIP4", 100},
	{"FileOpenInfo", 140}, {"RegGenericValueUpdate", 100}, {"ImageHash", 100},
	{"EndOfProcess", 80}, {"NetworkReceiveAcceptIP4", 50}, {"DirectoryCreate", 50},
	{"CriticalFileAccessed", 60}, {"SensorHeartbeat", 40}, {"ScriptControlScanTelemetry", 30},
	{"NetworkListenIP4", 30}, {"UserLogon", 20},
}

var (
	images = []string{
		`\Device\HarddiskVolume2\Windows\System32\svchost.exe`, `\Device\HarddiskVolume2\Windows\System32\conhost.exe`,
		`\Device\HarddiskVolume2\Program Files\Google\Chrome\Application\chrome.exe`, `\Device\HarddiskVolume2\Windows\explorer.exe`,
		`\Device\HarddiskVolume2\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, `\Device\HarddiskVolume2\Windows\System32\cmd.exe`,
		`\Device\HarddiskVolume2\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE`, `/usr/bin/bash`, `/usr/sbin/sshd`,
		`/usr/bin/python3.11`, `/usr/lib/systemd/systemd-journald`, `/usr/bin/dockerd`,
	}
	domains = []string{
		"login.microsoftonline.com", "www.google.com", "outlook.office365.com", "update.googleapis.com", "github.com",
		"ocsp.digicert.com", "cdn.jsdelivr.net", "api.slack.com", "s3.amazonaws.com", "time.windows.com",
		"ipinfo-io.internal.corp", "shodan-like.example.org", "censys-mirror.example.net",
	}
	hitDomains = []string{"api.shodan.io", "search.censys.io", "ipinfo.io", "bgp.he.net", "whois.arin.net", "api.greynoise.io"}
	hitTools   = []struct{ image, cmd string }{
		{`/usr/bin/nmap`, `nmap -sn 10.20.0.0/16`}, {`\Device\HarddiskVolume2\Tools\masscan.exe`, `masscan.exe -p443 --rate 10000 10.0.0.0/8`},
		{`/usr/local/bin/amass`, `amass enum -d example.com`}, {`/usr/bin/python3`, `python3 -m shodan search org:"Example"`},
		{`/usr/local/bin/subfinder`, `subfinder -d example.com -silent`},
	}
	netTools = []struct{ image, cmd string }{
		{`/usr/bin/curl`, `curl -s https://ipinfo.io/json`}, {`/usr/bin/wget`, `wget -q https://example.com/a.sh`},
		{`/usr/bin/python3`, `python3 fetch.py --url https://example.com`},
		{`\Device\HarddiskVolume2\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, `powershell.exe -nop -c "iwr https://example.com"`},
	}
	// attacker tooling words that generated rules (bench/rulegen) may name
	suspicious = []string{"mimikatz", "procdump", "rclone", "certutil", "bitsadmin", "psexec", "wevtutil",
		"nltest", "adfind", "rubeus", "lsass", "comsvcs", "ngrok", "anydesk", "sharphound", "lazagne"}
	files = []string{
		`\Device\HarddiskVolume2\Users\%s\AppData\Local\Temp\tmp%04x.tmp`, `\Device\HarddiskVolume2\ProgramData\Microsoft\Windows Defender\Scans\mpcache-%04x.bin`,
		`/var/lib/docker/overlay2/%s/diff/tmp/f%04x`, `/home/%s/.cache/pip/http/%04x`,
	}
	regKeys = []string{
		`\REGISTRY\MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Run`, `\REGISTRY\USER\S-1-5-21-1004\Software\Microsoft\Office\16.0\Common`,
		`\REGISTRY\MACHINE\SYSTEM\ControlSet001\Services\bam\State\UserSettings`,
	}
)

func main() {
	events := flag.Int("events", 0, "events to write (overrides -size-mb)")
	sizeMB := flag.Int("size-mb", 64, "approximate output size in MiB")
	seed := flag.Uint64("seed", 1, "random seed")
	nhosts := flag.Int("hosts", 0, "sensors (default: events/20000 + 20)")
	enriched := flag.Bool("enriched", false, "add ComputerName, UserName and ContextProcessName, as LogScale shows events")
	aidmaster := flag.String("aidmaster", "", "also write aidmaster records for the sensors to this file")
	hitRate := flag.Float64("hit-rate", 0.0005, "share of candidate-type events that hit the seed detection")
	compact := flag.Bool("compact", false, "short lines: event_simpleName first, no sensor header, hashes or thread ids")
	keyOrder := flag.String("key-order", "fixed", "member order in each line: fixed (event_simpleName near the end) or random (per line, as real FDR)")
	flag.Parse()

	g := &gen{r: rand.New(rand.NewPCG(*seed, 0x5eed)), ts: 1_730_000_000_000, enriched: *enriched, compact: *compact, hitRate: *hitRate, pid: 4_000_000_000}
	switch *keyOrder {
	case "fixed":
	case "random":
		g.shuffle = rand.New(rand.NewPCG(*seed, 0x0de7))
	default:
		fmt.Fprintln(os.Stderr, "fdrgen: -key-order is fixed or random")
		os.Exit(2)
	}
	n := *events
	if n <= 0 {
		lineBytes := 640
		if *compact {
			lineBytes = 240
		}
		n = *sizeMB * 1024 * 1024 / lineBytes
	}
	h := *nhosts
	if h <= 0 {
		h = n/20000 + 20
	}
	for i := range h {
		plat := "Win"
		if i%4 == 3 {
			plat = "Lin"
		}
		hs := &host{aid: g.hex(32), name: fmt.Sprintf("WS-%s-%04d", strings.ToUpper(plat), i), platform: plat}
		for u := range 3 {
			hs.users = append(hs.users, fmt.Sprintf("user%03d", (i*3+u)%997))
		}
		g.hosts = append(g.hosts, hs)
	}
	if *aidmaster != "" {
		if err := writeAidmaster(*aidmaster, g.hosts); err != nil {
			fmt.Fprintln(os.Stderr, "fdrgen:", err)
			os.Exit(1)
		}
	}
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	total := 0
	for _, m := range mix {
		total += m.weight
	}
	for range n {
		g.ts += int64(g.r.IntN(7))
		pick := g.r.IntN(total)
		name := mix[0].name
		for _, m := range mix {
			if pick < m.weight {
				name = m.name
				break
			}
			pick -= m.weight
		}
		g.event(name)
		out.Write(g.b)
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "fdrgen:", err)
		os.Exit(1)
	}
}

func writeAidmaster(path string, hosts []*host) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, h := range hosts {
		fmt.Fprintf(w, `{"aid":"%s","ComputerName":"%s","AgentVersion":"7.18.18104.0","event_platform":"%s","MachineDomain":"corp.example","OU":"Workstations","SiteName":"HQ","Time":"1730000000.000","ProductType":"1"}`+"\n",
			h.aid, h.name, h.platform)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// kv appends "key":"value" (value JSON-escaped).
func (g *gen) kv(k, v string) {
	if len(g.b) > 1 {
		g.b = append(g.b, ',')
	}
	start := len(g.b)
	g.b = append(g.b, '"')
	g.b = append(g.b, k...)
	g.b = append(g.b, `":`...)
	g.b = strconv.AppendQuote(g.b, v)
	g.members = append(g.members, [2]int{start, len(g.b)})
}

// detail appends a member that -compact leaves out.
func (g *gen) detail(k, v string) {
	if !g.compact {
		g.kv(k, v)
	}
}

// shuffleMembers rewrites the line in b with its members in random order.
func (g *gen) shuffleMembers() {
	g.shuffle.Shuffle(len(g.members), func(i, j int) { g.members[i], g.members[j] = g.members[j], g.members[i] })
	g.tmp = append(g.tmp[:0], '{')
	for i, m := range g.members {
		if i > 0 {
			g.tmp = append(g.tmp, ',')
		}
		g.tmp = append(g.tmp, g.b[m[0]:m[1]]...)
	}
	g.b, g.tmp = g.tmp, g.b
}

func (g *gen) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[g.r.IntN(16)]
	}
	return string(b)
}

func (g *gen) event(name string) {
	h := g.hosts[g.r.IntN(len(g.hosts))]
	g.b = append(g.b[:0], '{')
	g.members = g.members[:0]
	ts := g.ts
	if g.compact {
		g.kv("event_simpleName", name)
		g.kv("aid", h.aid)
		g.kv("timestamp", strconv.FormatInt(ts, 10))
	} else {
		g.kv("ContextTimeStamp", fmt.Sprintf("%d.%03d", ts/1000, ts%1000))
		g.kv("aid", h.aid)
		g.kv("aip", fmt.Sprintf("198.51.%d.%d", g.r.IntN(256), g.r.IntN(256)))
		g.kv("cid", "4f7a1c0e9b2d4e6f8a1b2c3d4e5f6a7b")
		g.kv("event_platform", h.platform)
		g.kv("id", fmt.Sprintf("%s-%s-%s", g.hex(8), g.hex(4), g.hex(12)))
		g.kv("ConfigBuild", "1007.3.0018104.1")
		g.kv("ConfigStateHash", strconv.FormatUint(g.r.Uint64N(1<<32), 10))
		g.kv("EffectiveTransmissionClass", "2")
		g.kv("Entitlements", "15")
	}
	hit := g.r.Float64() < g.hitRate
	switch name {
	case "ProcessRollup2":
		p := proc{pid: g.nextPID(), user: h.users[g.r.IntN(len(h.users))]}
		switch {
		case hit:
			t := hitTools[g.r.IntN(len(hitTools))]
			p.image, p.cmd = t.image, t.cmd
		case g.r.IntN(50) == 0:
			t := netTools[g.r.IntN(len(netTools))]
			p.image, p.cmd = t.image, t.cmd
		case g.r.Float64() < 4*g.hitRate:
			w := suspicious[g.r.IntN(len(suspicious))]
			p.image = `\Device\HarddiskVolume2\Users\Public\` + w + ".exe"
			p.cmd = fmt.Sprintf(`%s.exe -accepteula -o C:\Users\Public\%s.out`, w, g.hex(6))
		default:
			p.image = images[g.r.IntN(len(images))]
			p.cmd = fmt.Sprintf(`"%s" --type=renderer --field-trial-handle=%d,%s --lang=en-US /prefetch:%d`, p.image, g.r.IntN(9999), g.hex(16), g.r.IntN(9))
		}
		g.kv("TargetProcessId", strconv.FormatUint(p.pid, 10))
		g.kv("ParentProcessId", strconv.FormatUint(g.nextPID()-7, 10))
		g.kv("ImageFileName", p.image)
		g.kv("CommandLine", p.cmd)
		g.detail("SHA256HashData", g.hex(64))
		g.detail("MD5HashData", g.hex(32))
		g.kv("ParentBaseFileName", "explorer.exe")
		g.kv("UserSid", fmt.Sprintf("S-1-5-21-1004-%d", 1000+g.r.IntN(50)))
		g.detail("SessionId", strconv.Itoa(g.r.IntN(4)))
		g.detail("TokenType", "1")
		g.detail("ProcessStartTime", fmt.Sprintf("%d.%03d", ts/1000, ts%1000))
		if g.enriched {
			g.kv("ComputerName", h.name)
			g.kv("UserName", p.user)
		}
		h.procs = append(h.procs, p)
		if len(h.procs) > 64 {
			h.procs = h.procs[1:]
		}
	case "DnsRequest":
		g.context(h)
		d := domains[g.r.IntN(len(domains))]
		if hit {
			d = hitDomains[g.r.IntN(len(hitDomains))]
		} else if g.r.Float64() < 4*g.hitRate {
			d = suspicious[g.r.IntN(len(suspicious))] + ".top"
		}
		g.kv("DomainName", d)
		g.kv("RequestType", "1")
		g.detail("DualRequest", "0")
		g.detail("InterfaceIndex", strconv.Itoa(g.r.IntN(20)))
	case "NetworkConnectIP4":
		p := g.context(h)
		port := []string{"443", "443", "80", "53", "8080", "3389", "445"}[g.r.IntN(7)]
		if hit {
			port = "443"
		}
		g.kv("RemoteAddressIP4", fmt.Sprintf("203.0.%d.%d", g.r.IntN(256), g.r.IntN(256)))
		g.kv("RemotePort", port)
		g.detail("LocalAddressIP4", fmt.Sprintf("10.%d.%d.%d", g.r.IntN(256), g.r.IntN(256), g.r.IntN(256)))
		g.kv("LocalPort", strconv.Itoa(49152+g.r.IntN(16000)))
		g.kv("Protocol", "6")
		g.detail("ConnectionFlags", "0")
		_ = p
	case "FileOpenInfo", "CriticalFileAccessed", "DirectoryCreate":
		g.context(h)
		f := files[g.r.IntN(len(files))]
		if g.r.Float64() < 4*g.hitRate {
			f = `\Device\HarddiskVolume2\Windows\Temp\` + suspicious[g.r.IntN(len(suspicious))] + `%s%04x.dmp`
		}
		g.kv("TargetFileName", fmt.Sprintf(f, h.users[0], g.r.IntN(65536)))
		g.detail("FileAttributes", "32")
		g.detail("DesiredAccess", strconv.Itoa(g.r.IntN(1<<20)))
	case "RegGenericValueUpdate":
		g.context(h)
		g.kv("RegObjectName", regKeys[g.r.IntN(len(regKeys))])
		g.kv("RegValueName", "v"+g.hex(6))
		g.detail("RegType", "1")
		g.kv("RegStringValue", `C:\Program Files\Vendor\agent.exe /background /s `+g.hex(12))
	case "ImageHash":
		g.context(h)
		g.kv("ImageFileName", images[g.r.IntN(len(images))])
		g.detail("SHA256HashData", g.hex(64))
		g.detail("MD5HashData", g.hex(32))
	case "EndOfProcess":
		g.context(h)
		g.kv("UserSid", fmt.Sprintf("S-1-5-21-1004-%d", 1000+g.r.IntN(50)))
		g.detail("CycleTime", strconv.Itoa(g.r.IntN(1<<30)))
	case "NetworkReceiveAcceptIP4", "NetworkListenIP4":
		g.context(h)
		g.detail("LocalAddressIP4", fmt.Sprintf("10.%d.%d.%d", g.r.IntN(256), g.r.IntN(256), g.r.IntN(256)))
		g.kv("LocalPort", []string{"22", "3389", "445", "8443"}[g.r.IntN(4)])
		g.kv("RemoteAddressIP4", fmt.Sprintf("10.%d.%d.%d", g.r.IntN(256), g.r.IntN(256), g.r.IntN(256)))
		g.kv("RemotePort", strconv.Itoa(49152+g.r.IntN(16000)))
	case "ScriptControlScanTelemetry":
		g.context(h)
		g.kv("ScriptContent", "Get-ChildItem -Path $env:TEMP -Recurse | Where-Object { $_.Length -gt 1MB } | Remove-Item -Force # "+g.hex(24))
		g.detail("ScriptingLanguageId", "1")
	case "SensorHeartbeat":
		g.kv("SensorStateBitMap", "0")
		g.detail("NetworkContainmentState", "0")
		g.detail("AgentLocalTime", fmt.Sprintf("%d.%03d", ts/1000, ts%1000))
	case "UserLogon":
		g.kv("UserSid", fmt.Sprintf("S-1-5-21-1004-%d", 1000+g.r.IntN(50)))
		g.kv("UserName", h.users[g.r.IntN(len(h.users))])
		g.kv("LogonType", []string{"2", "3", "10"}[g.r.IntN(3)])
		g.detail("AuthenticationPackage", "Negotiate")
	}
	if !g.compact {
		g.kv("name", name+"V"+strconv.Itoa(4+g.r.IntN(6)))
		g.kv("event_simpleName", name)
		g.kv("timestamp", strconv.FormatInt(ts+int64(g.r.IntN(3000)), 10))
	}
	if g.shuffle != nil {
		g.shuffleMembers()
	}
	g.b = append(g.b, '}', '\n')
}

// context writes the acting process of a context event: one the host
// started (its id), its ContextBaseFileName, and when -enriched the fields
// LogScale adds.
func (g *gen) context(h *host) proc {
	var p proc
	if len(h.procs) > 0 && g.r.IntN(10) > 0 {
		p = h.procs[g.r.IntN(len(h.procs))]
	} else {
		p = proc{pid: g.nextPID(), image: images[g.r.IntN(len(images))], user: h.users[0]}
	}
	g.kv("ContextProcessId", strconv.FormatUint(p.pid, 10))
	g.detail("ContextThreadId", strconv.FormatUint(p.pid*3+uint64(g.r.IntN(9)), 10))
	base := p.image[strings.LastIndexAny(p.image, `\/`)+1:]
	g.kv("ContextBaseFileName", base)
	if g.enriched {
		g.kv("ComputerName", h.name)
		g.kv("UserName", p.user)
		g.kv("ContextProcessName", base)
	}
	return p
}

func (g *gen) nextPID() uint64 {
	g.pid += uint64(1 + g.r.IntN(5000))
	return g.pid
}
