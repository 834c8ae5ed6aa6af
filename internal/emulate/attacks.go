package emulate

import (
	"fmt"
	"slices"
	"strings"
)

// atomicTests are the seed's five Atomic Red Team tests, in order.
var atomicTests = []string{
	"Shodan CLI IP Range Query",
	"ARIN WHOIS IP Block Lookup via curl",
	"nmap Ping Sweep of IP Range",
	"theHarvester IP and Subdomain Enumeration",
	"BGP.he.net ASN IP Range Discovery",
}

// TestName returns the name of atomic test n (1-based), or "".
func TestName(n int) string {
	if n < 1 || n > len(atomicTests) {
		return ""
	}
	return atomicTests[n-1]
}

// The target the operator points the tests at.
const (
	targetRange = "198.51.100.0/24"
	targetIP    = "198.51.100.17"
	targetASN   = "AS64500"
	sweepRange  = "192.168.56.0/24"
)

// remoteIPs resolves the public names the scenarios talk to. Addresses are
// plausible for the service, not authoritative.
var remoteIPs = map[string]string{
	"pypi.org":               "151.101.0.223",
	"files.pythonhosted.org": "151.101.64.223",
	"api.shodan.io":          "104.18.12.238",
	"whois.arin.net":         "199.5.26.46",
	"dnsdumpster.com":        "104.21.37.157",
	"www.bing.com":           "204.79.197.200",
	"bgp.he.net":             "216.218.236.2",
	"ipinfo.io":              "34.117.59.81",
	"ip-api.com":             "208.95.112.1",
	"ipapi.co":               "104.26.9.44",
	"github.com":             "140.82.112.4",
	"api.github.com":         "140.82.112.6",
}

// ipFor returns the address a domain resolves to: from remoteIPs, or a
// stable public-looking address derived from the name.
func ipFor(domain string) string {
	if ip, ok := remoteIPs[domain]; ok {
		return ip
	}
	var h uint32 = 2166136261
	for i := 0; i < len(domain); i++ {
		h = (h ^ uint32(domain[i])) * 16777619
	}
	prefixes := []string{"13.107", "20.190", "52.96", "104.16", "142.250", "151.101", "172.217", "185.199"}
	return fmt.Sprintf("%s.%d.%d", prefixes[h%uint32(len(prefixes))], h>>8&0xff, 1+h>>16%254)
}

// winPython is the per-user CPython install the Windows tests use.
func winPython(u *Account) (dir string) {
	return `C:\Users\` + u.Name + `\AppData\Local\Programs\Python\Python312`
}

// linPython is the interpreter binary of the host's distribution.
func linPython(h *hostState) string {
	switch {
	case strings.HasPrefix(h.OSVersion, "Ubuntu 22"):
		return "/usr/bin/python3.10"
	case strings.HasPrefix(h.OSVersion, "RHEL"):
		return "/usr/bin/python3.9"
	}
	return "/usr/bin/python3.12"
}

// runAttack plays atomic test n on the platform's attack host and records
// what the seed should make of every event it produced.
func (g *Generator) runAttack(n int, p Platform) {
	h := g.state[g.estate.AttackHost(p)]
	u := h.Users[0]
	t := g.now()
	g.ready(h, t)
	var sig []Signal
	g.track = &sig
	a := Attack{Test: n, Name: TestName(n), Platform: string(p), AID: h.AID, ComputerName: h.ComputerName, UserName: u.Name}
	if p == Windows {
		a.Commands = g.attackWindows(n, h, u, t)
	} else {
		a.Commands = g.attackLinux(n, h, u, t)
	}
	g.track = nil
	a.Signals = sig
	a.Branches = []string{}
	for _, s := range sig {
		if s.Expected && !slices.Contains(a.Branches, s.Branch) {
			a.Branches = append(a.Branches, s.Branch)
		}
	}
	g.manifest.Attacks = append(g.manifest.Attacks, a)
}

// A connect on raw FDR has no process name; say so in the manifest.
func (g *Generator) connectNote(extra string) {
	note := extra
	if g.opts.View == ViewRaw {
		note = strings.TrimSpace(note + " Fires only after enrichment: raw FDR has no ContextProcessName.")
	}
	g.note = note
}

// fetch resolves domain and opens an HTTPS (or HTTP) connection from p.
func (g *Generator) fetch(p *proc, t int64, domain string, port int, note string) int64 {
	g.dns(p, t, domain, 1)
	if p.host.Platform == Windows && g.rng.IntN(2) == 0 {
		g.dns(p, t+2, domain, 28)
	}
	t += 20 + g.rng.Int64N(60)
	g.connectNote(note)
	g.connect(p, t, ipFor(domain), port, 6)
	return t + 300 + g.rng.Int64N(900)
}

func (g *Generator) attackWindows(n int, h *hostState, u *Account, t int64) []string {
	shell := g.spawn(h, h.explorer, h.winPath(`C:\Windows\System32\cmd.exe`), `"C:\Windows\system32\cmd.exe" `, u, t)
	if n == 3 {
		shell.integrity = "12288" // nmap needs an elevated prompt for raw ICMP
	}
	g.pr2(shell)
	t += 4000 + g.rng.Int64N(6000)
	py := winPython(u)
	tmp := `C:\Users\` + u.Name + `\AppData\Local\Temp`
	// consoleScript runs a pip-installed entry point: Scripts\name.exe is a
	// launcher that starts python.exe with the launcher path as argv[1].
	consoleScript := func(name, args string, launcherNote, childNote string) (*proc, *proc) {
		launcher := g.spawn(h, shell, h.winPath(py+`\Scripts\`+name+`.exe`), name+" "+args, u, t)
		g.note = launcherNote
		g.pr2(launcher)
		t += 30
		child := g.spawn(h, launcher, h.winPath(py+`\python.exe`), `"`+py+`\python.exe" "`+py+`\Scripts\`+name+`.exe" `+args, u, t)
		g.note = childNote
		g.pr2(child)
		t += 200
		return launcher, child
	}
	var cmds []string
	switch n {
	case 1:
		key := randHex(g.rng, 32)
		cmds = []string{"pip install shodan", "shodan init " + key,
			"shodan search --fields ip_str,port,org,hostnames net:" + targetRange}
		l, c := consoleScript("pip", "install shodan", "", "")
		t = g.fetch(c, t, "pypi.org", 443, "pip downloading the shodan package.")
		t = g.fetch(c, t, "files.pythonhosted.org", 443, "pip downloading the shodan package.")
		g.fileWritten(c, t, py+`\Lib\site-packages\shodan\__init__.py`, 1203)
		g.end(c, t+400)
		g.end(l, t+420)
		t += 5000 + g.rng.Int64N(5000)
		l, c = consoleScript("shodan", "init "+key, "", "")
		t = g.fetch(c, t, "api.shodan.io", 443, "")
		g.fileWritten(c, t, `C:\Users\`+u.Name+`\.config\shodan\api_key`, 32)
		g.end(c, t+100)
		g.end(l, t+120)
		t += 3000 + g.rng.Int64N(4000)
		l, c = consoleScript("shodan", cmds[2][len("shodan "):],
			"The launcher's CommandLine holds 'shodan search'.",
			`The python.exe child's CommandLine reads 'shodan.exe" search': no whitespace right after 'shodan', so no match.`)
		t = g.fetch(c, t, "api.shodan.io", 443, "")
		g.end(c, t+1500)
		g.end(l, t+1520)
	case 2, 5:
		url := "https://whois.arin.net/rest/ip/" + targetIP
		domain := "whois.arin.net"
		if n == 5 {
			url = "https://bgp.he.net/" + targetASN
			domain = "bgp.he.net"
		}
		cmd := `curl -s -A "Mozilla/5.0" ` + url
		if n == 2 {
			cmd = `curl -s -H "Accept: application/json" ` + url
		}
		cmds = []string{cmd}
		c := g.spawn(h, shell, h.winPath(`C:\Windows\System32\curl.exe`), cmd, u, t)
		g.note = "curl is not in the seed's tool list and the command line has no tool pattern."
		g.pr2(c)
		t = g.fetch(c, t+40, domain, 443, "")
		g.end(c, t)
	case 3:
		out := tmp + `\df00tech-nmap-test.xml`
		cmd := `nmap -sn ` + sweepRange + ` -oX ` + out
		cmds = []string{cmd}
		c := g.spawn(h, shell, h.winPath(`C:\Program Files (x86)\Nmap\nmap.exe`), cmd, u, t)
		c.integrity = "12288"
		g.pr2(c)
		t = g.pingSweep(c, t)
		g.fileWritten(c, t, out, 2048+g.rng.IntN(4096))
		g.end(c, t+50)
	case 4:
		dir := `C:\Users\` + u.Name + `\tools\theHarvester`
		cmd := `python theHarvester.py -d example.com -b dnsdumpster,bing -f ` + tmp + `\df00tech-harvester-test`
		cmds = []string{`cd ` + dir, cmd}
		c := g.spawn(h, shell, h.winPath(py+`\python.exe`), cmd, u, t)
		g.note = "Run from a git checkout as 'python theHarvester.py -d': '.py' sits between the name and '-d' and the image is python.exe, so neither seed regex matches."
		g.pr2(c)
		t = g.harvest(c, t+300, tmp+`\df00tech-harvester-test`)
		g.end(c, t)
	}
	t += 2000 + g.rng.Int64N(3000)
	g.end(shell, t)
	return cmds
}

func (g *Generator) attackLinux(n int, h *hostState, u *Account, t int64) []string {
	shell := h.shell
	py := linPython(h)
	home := "/home/" + u.Name
	// script runs a Python entry point; the kernel executes the interpreter
	// named in its shebang, so the image is python and argv[1] the script.
	script := func(path, args, note string) *proc {
		c := g.spawn(h, shell, py, "/usr/bin/python3 "+path+" "+args, u, t)
		g.note = note
		g.pr2(c)
		t += 250
		return c
	}
	var cmds []string
	switch n {
	case 1:
		key := randHex(g.rng, 32)
		cmds = []string{"pip3 install --user shodan", "shodan init " + key,
			"shodan search --fields ip_str,port,org,hostnames net:" + targetRange}
		c := script("/usr/bin/pip3", "install --user shodan", "")
		t = g.fetch(c, t, "pypi.org", 443, "pip downloading the shodan package.")
		t = g.fetch(c, t, "files.pythonhosted.org", 443, "pip downloading the shodan package.")
		g.fileWritten(c, t, home+"/.local/bin/shodan", 221)
		g.end(c, t+300)
		t += 5000 + g.rng.Int64N(5000)
		c = script(home+"/.local/bin/shodan", "init "+key, "")
		t = g.fetch(c, t, "api.shodan.io", 443, "")
		g.fileWritten(c, t, home+"/.config/shodan/api_key", 32)
		g.end(c, t+100)
		t += 3000 + g.rng.Int64N(4000)
		c = script(home+"/.local/bin/shodan", cmds[2][len("shodan "):], "CommandLine holds 'shodan search' after the script path.")
		t = g.fetch(c, t, "api.shodan.io", 443, "")
		g.end(c, t+1500)
	case 2, 5:
		url := "https://whois.arin.net/rest/ip/" + targetIP
		domain := "whois.arin.net"
		cmd := `curl -s -H "Accept: application/json" ` + url
		if n == 5 {
			url = "https://bgp.he.net/" + targetASN
			domain = "bgp.he.net"
			cmd = `curl -s -A "Mozilla/5.0" ` + url
		}
		cmds = []string{cmd}
		c := g.spawn(h, shell, "/usr/bin/curl", cmd, u, t)
		g.note = "curl is not in the seed's tool list and the command line has no tool pattern."
		g.pr2(c)
		t = g.fetch(c, t+20, domain, 443, "")
		g.end(c, t)
	case 3:
		out := "/tmp/df00tech-nmap-test.xml"
		args := "-sn " + sweepRange + " -oX " + out
		cmds = []string{"sudo nmap " + args}
		s := g.spawn(h, shell, "/usr/bin/sudo", "sudo nmap "+args, u, t)
		g.note = "sudo's CommandLine contains 'nmap -sn' too."
		g.pr2(s)
		c := g.spawn(h, s, "/usr/bin/nmap", "nmap "+args, acctRoot, t+60)
		g.pr2(c)
		t = g.pingSweep(c, t+100)
		g.fileWritten(c, t, out, 2048+g.rng.IntN(4096))
		g.end(c, t+40)
		g.end(s, t+60)
	case 4:
		out := "/tmp/df00tech-harvester-test"
		args := "-d example.com -b dnsdumpster,bing -f " + out
		cmds = []string{"theHarvester " + args}
		c := script("/usr/bin/theHarvester", args, "CommandLine holds 'theHarvester -d' after the interpreter.")
		t = g.harvest(c, t, out)
		g.end(c, t)
	}
	return cmds
}

// pingSweep is nmap -sn run with privileges: ICMP echo only, so no TCP
// connection and nothing for the seed's network branch.
func (g *Generator) pingSweep(c *proc, t int64) int64 {
	for i := 0; i < 4; i++ {
		g.note = "ICMP (Protocol 1) has no port: the network branch cannot match."
		g.connect(c, t, fmt.Sprintf("192.168.56.%d", 1+i*37+g.rng.IntN(30)), 0, 1)
		t += 5 + g.rng.Int64N(40)
	}
	return t + 1200 + g.rng.Int64N(2000)
}

// harvest is theHarvester querying DNSdumpster and Bing and writing its
// HTML and XML reports.
func (g *Generator) harvest(c *proc, t int64, out string) int64 {
	t = g.fetch(c, t, "dnsdumpster.com", 443, "")
	g.note = "Bing is not an IP-intelligence domain: must not alert."
	g.dns(c, t, "www.bing.com", 1)
	t += 30
	g.connectNote("The network branch keys on the process (python) and port, not the destination, so the Bing connection matches as well.")
	g.connect(c, t, ipFor("www.bing.com"), 443, 6)
	t += 3000 + g.rng.Int64N(4000)
	g.fileWritten(c, t, out+".html", 18000+g.rng.IntN(8000))
	g.fileWritten(c, t+15, out+".xml", 6000+g.rng.IntN(4000))
	return t + 200
}
