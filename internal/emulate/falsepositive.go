package emulate

import (
	"fmt"
)

// fpSource is one benign activity the seed's false-positive notes name (plus
// developer tooling, which the seed does not mention but which fires).
type fpSource struct {
	name, description, tuning, key string
	values                         func(*Estate) []string
	// roles are the host pools the source plays on: each scheduled run plays
	// one scenario on a host of every pool that has one.
	roles []Role
	// tuningName is set when the manifest judges each scenario under that
	// rule tuning (see Expectation).
	tuningName string
	run        func(g *Generator, h *hostState, t int64)
}

var fpSources = []fpSource{
	{
		name:        "SOCAnalystLookups",
		description: "SOC analysts look up indicators on Shodan, Censys and GreyNoise in a browser during investigations.",
		tuning:      "Suppress by ComputerName using the reference list of SOC workstation hostnames.",
		key:         "ComputerName", roles: []Role{RoleSOC},
		values: func(e *Estate) []string { return e.SOCHosts },
		run:    (*Generator).fpSOC,
	},
	{
		name:        "VulnerabilityScanner",
		description: "Tenable Nessus and Rapid7 InsightVM scan engines run nmap-compatible discovery binaries against internal ranges under a scanner service account.",
		tuning:      "Exclude the dedicated scanner hosts by ComputerName, or the scanner service accounts by UserName.",
		key:         "ComputerName|UserName", roles: []Role{RoleScanner},
		values: func(e *Estate) []string { return append(append([]string{}, e.ScannerHosts...), e.ScannerAccounts...) },
		run:    (*Generator).fpScanner,
	},
	{
		name:        "SOAREnrichment",
		description: "SOAR playbooks enrich IP addresses with Python scripts that query ipinfo.io, ip-api.com and ipapi.co.",
		tuning:      "Filter by the CommandLine prefix of the SOAR enrichment script paths (the acting process of DNS and network events), or by the SOAR worker as parent process.",
		key:         "CommandLinePrefix", roles: []Role{RoleSOAR},
		values: func(e *Estate) []string {
			var v []string
			for _, s := range e.SOARScripts {
				v = append(v, "python3 "+s) // the scripts' CommandLine prefix
			}
			return append(v, baseName(e.SOARWorker)) // their parent's ParentBaseFileName
		},
		run: (*Generator).fpSOAR,
	},
	{
		name:        "BrowserPrefetch",
		description: "Browsers prefetch DNS for IP-intelligence sites visited before, with no lookup tool running: on kiosks, lobby and info-desk PCs where only a browser runs, and on busy workstations.",
		tuning:      "Keep a DNS hit only when a non-browser process starts on the same host within 60 seconds: removes the kiosk lookups, not those on busy workstations where something else always starts.",
		key:         "BrowserCorrelation60s", roles: []Role{RoleKiosk, RoleWorkstation}, tuningName: "browser-prefetch",
		values: func(*Estate) []string {
			return []string{"chrome.exe", "msedge.exe", "firefox.exe"}
		},
		run: (*Generator).fpPrefetch,
	},
	{
		name:        "DeveloperTooling",
		description: "Developers run pip, curl and PowerShell web requests to package registries and APIs over HTTPS; the network branch matches the process name alone.",
		tuning:      "None in the seed's notes: these alerts remain after its tuning (scope the network branch to IP-intelligence destinations to remove them).",
		key:         "none", roles: []Role{RoleDeveloper},
		values: func(e *Estate) []string {
			var v []string
			for _, name := range e.DeveloperHosts {
				if name != e.AttackHost(Linux).ComputerName { // the tests' host runs no developer scenarios
					v = append(v, name)
				}
			}
			return v
		},
		run: (*Generator).fpDeveloper,
	},
}

// runFP plays one scenario of false-positive source s on a host of each of
// its pools and records the events the untuned seed query matches.
func (g *Generator) runFP(s int) {
	src := fpSources[s]
	for _, role := range src.roles {
		// The attack hosts stay out so their alerts stay attributable to the tests.
		var hosts []*hostState
		for _, h := range g.byRole[role] {
			if h.Host != g.estate.AttackHost(Windows) && h.Host != g.estate.AttackHost(Linux) {
				hosts = append(hosts, h)
			}
		}
		if len(hosts) > 0 {
			g.playFP(s, hosts[g.rng.IntN(len(hosts))])
		}
	}
}

func (g *Generator) playFP(s int, h *hostState) {
	src := fpSources[s]
	t := g.now()
	g.ready(h, t)
	var sig []Signal
	g.track = &sig
	src.run(g, h, t)
	g.track = nil
	fp := &g.manifest.FalsePositives[s]
	fp.Scenarios++
	fp.EventsTotal += len(sig)
	var alerting []Signal
	for _, x := range sig {
		if x.Expected {
			alerting = append(alerting, x)
		}
	}
	fp.Signals = append(fp.Signals, alerting...)
	if src.tuningName != "" {
		g.expectPrefetch(s, h, alerting)
	}
}

func (g *Generator) fpSOC(h *hostState, t int64) {
	b := g.browserOf(h, t)
	site := []string{"www.shodan.io", "search.censys.io", "viz.greynoise.io", "api.greynoise.io", "www.shodan.io"}[g.rng.IntN(5)]
	g.dnsConnect(b, t, t+30, site, 443)
}

func (g *Generator) fpScanner(h *hostState, t int64) {
	subnet := fmt.Sprintf("10.%d.%d", 10+g.rng.IntN(6), g.rng.IntN(250))
	var c *proc
	if h.Platform == Windows {
		if h.scanner == nil || !h.scanner.emitted {
			h.scanner = g.spawn(h, h.services, h.winPath(`C:\Program Files\Tenable\Nessus\nessusd.exe`), `"C:\Program Files\Tenable\Nessus\nessusd.exe" -q`, h.Service, t)
			g.pr2(h.scanner)
		}
		c = g.spawn(h, h.scanner, h.winPath(`C:\Program Files\Tenable\Nessus\nessus-nmap.exe`),
			`"C:\Program Files\Tenable\Nessus\nessus-nmap.exe" -sS -Pn -n -T4 -p 22,80,135,443,445,3389 `+subnet+".0/24", h.Service, t+20)
	} else {
		if h.scanner == nil || !h.scanner.emitted {
			h.scanner = g.spawn(h, h.systemd, "/opt/rapid7/nexpose/nse/nxengine", "/opt/rapid7/nexpose/nse/nxengine --service", h.Service, t)
			g.pr2(h.scanner)
		}
		c = g.spawn(h, h.scanner, "/opt/rapid7/nexpose/nse/tools/nmap",
			"/opt/rapid7/nexpose/nse/tools/nmap -sn -n -PE -PS22,80,443 "+subnet+".0/24", h.Service, t+20)
	}
	g.pr2(c)
	t += 200
	for i, n := 0, 2+g.rng.IntN(3); i < n; i++ {
		ip := fmt.Sprintf("%s.%d", subnet, 1+g.rng.IntN(254))
		g.connect(c, t, ip, []int{80, 443, 22, 445}[g.rng.IntN(4)], 6)
		t += 3 + g.rng.Int64N(20)
	}
	g.end(c, t+4000+g.rng.Int64N(10000))
}

func (g *Generator) fpSOAR(h *hostState, t int64) {
	if h.worker == nil || !h.worker.emitted {
		h.worker = g.spawn(h, h.systemd, g.estate.SOARWorker, g.estate.SOARWorker+" --queue enrichment --concurrency 4", h.Service, t)
		g.pr2(h.worker)
	}
	ip := fmt.Sprintf("185.220.%d.%d", 100+g.rng.IntN(4), 1+g.rng.IntN(250))
	type call struct {
		script, args, domain string
		port                 int
	}
	c := []call{
		{g.estate.SOARScripts[0], "--ip " + ip + " --provider ipinfo", "ipinfo.io", 443},
		{g.estate.SOARScripts[0], "--ip " + ip + " --provider ip-api", "ip-api.com", 80},
		{g.estate.SOARScripts[1], "--ip " + ip, "ipapi.co", 443},
	}[g.rng.IntN(3)]
	py := g.spawn(h, h.worker, linPython(h), "python3 "+c.script+" "+c.args, h.Service, t+10)
	g.pr2(py)
	g.dnsConnect(py, t+120, t+150, c.domain, c.port)
	g.end(py, t+900+g.rng.Int64N(800))
}

func (g *Generator) fpPrefetch(h *hostState, t int64) {
	if h.explorer == nil {
		return
	}
	b := g.browserOf(h, t)
	d := []string{"ipinfo.io", "whatismyipaddress.com", "www.maxmind.com", "ip2location.com"}[g.rng.IntN(4)]
	g.dns(b, t, d, 1)
}

func (g *Generator) fpDeveloper(h *hostState, t int64) {
	u := h.Users[0]
	if h.Platform == Windows {
		if g.rng.IntN(2) == 0 {
			ps := g.spawn(h, h.explorer, h.winPath(`C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`),
				`powershell.exe -NoProfile -Command "Invoke-RestMethod https://api.github.com/repos/example-corp/billing-api/releases/latest"`, u, t)
			g.pr2(ps)
			g.dnsConnect(ps, t+400, t+430, "api.github.com", 443)
			g.end(ps, t+1500)
			return
		}
		py := winPython(u)
		l := g.spawn(h, h.explorer, h.winPath(py+`\Scripts\pip.exe`), `pip install -r requirements.txt`, u, t)
		g.pr2(l)
		c := g.spawn(h, l, h.winPath(py+`\python.exe`), `"`+py+`\python.exe" "`+py+`\Scripts\pip.exe" install -r requirements.txt`, u, t+30)
		g.pr2(c)
		g.dnsConnect(c, t+300, t+330, "pypi.org", 443)
		g.end(c, t+6000)
		g.end(l, t+6020)
		return
	}
	shell := h.shell
	if g.rng.IntN(2) == 0 {
		c := g.spawn(h, shell, "/usr/bin/curl", "curl -fsSL https://api.github.com/repos/example-corp/ingest/releases/latest", u, t)
		g.pr2(c)
		g.dnsConnect(c, t+20, t+50, "api.github.com", 443)
		g.end(c, t+700)
		return
	}
	c := g.spawn(h, shell, linPython(h), "/usr/bin/python3 -m pip install --user -r requirements.txt", u, t)
	g.pr2(c)
	g.dnsConnect(c, t+200, t+230, "pypi.org", 443)
	g.dnsConnect(c, t+800, t+830, "files.pythonhosted.org", 443)
	g.end(c, t+9000)
}
