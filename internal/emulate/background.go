package emulate

import (
	"fmt"
	"strings"
)

// ready emits, on a host's first activity, the long-running processes (and
// Windows logons) its activity hangs off, so every acting process of the
// output has its ProcessRollup2 in the output.
func (g *Generator) ready(h *hostState, t int64) {
	if h.started {
		return
	}
	defer func() { h.started = !g.full() }() // cut off by the limit: redo next time
	t -= 5000 + g.rng.Int64N(20000)
	if h.Platform == Windows {
		wininit := g.spawn(h, nil, h.winPath(`C:\Windows\System32\wininit.exe`), "wininit.exe", acctSystem, t-86400_000)
		h.services = g.spawn(h, wininit, h.winPath(`C:\Windows\System32\services.exe`), `C:\Windows\system32\services.exe`, acctSystem, t)
		g.pr2(h.services)
		h.svchost = g.spawn(h, h.services, h.winPath(`C:\Windows\System32\svchost.exe`), `C:\Windows\system32\svchost.exe -k netsvcs -p`, acctSystem, t+40)
		g.pr2(h.svchost)
		if h.Service != nil {
			g.logon(h, h.Service, h.services, t+80, "5")
		}
		if len(h.Users) > 0 {
			u := h.Users[0]
			g.logon(h, u, h.services, t+120, "2")
			h.explorer = g.spawn(h, h.services, h.winPath(`C:\Windows\explorer.exe`), `C:\Windows\Explorer.EXE`, u, t+300)
			h.explorer.gui = true
			g.pr2(h.explorer)
		}
		return
	}
	h.systemd = g.spawn(h, nil, "/usr/lib/systemd/systemd", "/sbin/init splash", acctRoot, t)
	h.systemd.pid = 1
	g.pr2(h.systemd)
	h.sshd = g.spawn(h, h.systemd, "/usr/sbin/sshd", "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups", acctRoot, t+30)
	g.pr2(h.sshd)
	h.cron = g.spawn(h, h.systemd, "/usr/sbin/cron", "/usr/sbin/cron -f -P", acctRoot, t+50)
	g.pr2(h.cron)
	if h.Service != nil {
		g.linuxLogon(h, h.Service, h.systemd, t+80, "5")
	}
	if len(h.Users) > 0 {
		u := h.Users[0]
		g.linuxLogon(h, u, h.sshd, t+120, "10")
		h.shell = g.spawn(h, h.sshd, "/usr/bin/bash", "-bash", u, t+200)
		g.pr2(h.shell)
	}
}

// browserOf returns the host's browser network process, starting the
// browser on first use. Browsers resolve names from their network service.
func (g *Generator) browserOf(h *hostState, t int64) *proc {
	if h.browser != nil && h.browser.emitted {
		return h.browser
	}
	b := browserFor(h)
	u := h.Users[0]
	main := g.spawn(h, h.explorer, h.winPath(b.image), b.cmd, u, t)
	main.gui = true
	g.pr2(main)
	h.browser = g.spawn(h, main, h.winPath(b.image), b.net, u, t+150)
	h.browser.integrity = "4096"
	g.pr2(h.browser)
	return h.browser
}

// browser is one Windows browser: its image, the main process's command
// line, and those of its network service and of a page renderer.
type browser struct{ image, cmd, net, renderer string }

// browserFor is the host's browser, fixed per host.
func browserFor(h *hostState) browser {
	browsers := []browser{
		{`C:\Program Files\Google\Chrome\Application\chrome.exe`, `"C:\Program Files\Google\Chrome\Application\chrome.exe" `,
			`"C:\Program Files\Google\Chrome\Application\chrome.exe" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none --mojo-platform-channel-handle=2168 /prefetch:11`,
			`"C:\Program Files\Google\Chrome\Application\chrome.exe" --type=renderer --lang=en-US --renderer-client-id=%d --mojo-platform-channel-handle=%d /prefetch:1`},
		{`C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe`, `"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --profile-directory=Default`,
			`"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none --mojo-platform-channel-handle=2412 /prefetch:11`,
			`"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --type=renderer --lang=en-US --renderer-client-id=%d --mojo-platform-channel-handle=%d /prefetch:1`},
		{`C:\Program Files\Mozilla Firefox\firefox.exe`, `"C:\Program Files\Mozilla Firefox\firefox.exe" `,
			`"C:\Program Files\Mozilla Firefox\firefox.exe" -contentproc -parentBuildID 20260210095130 -prefsLen 31002 -prefMapSize 244787 -appDir "C:\Program Files\Mozilla Firefox\browser" {6b2e1a0c-5f0e-4c4b-9d7d-1f0c3f3b2a11} 7412 socket`,
			`"C:\Program Files\Mozilla Firefox\firefox.exe" -contentproc -childID %d -isForBrowser -prefsLen 31002 -prefMapSize 244787 -appDir "C:\Program Files\Mozilla Firefox\browser" {2f9c4d1e-8a3b-4e6f-b0c2-5d7e9f1a3b4c} %d tab`},
	}
	return browsers[int(h.AID[0])%len(browsers)]
}

var commonDomains = []string{
	"www.google.com", "outlook.office365.com", "login.microsoftonline.com", "www.youtube.com", "github.com",
	"stackoverflow.com", "en.wikipedia.org", "www.linkedin.com", "slack.com", "zoom.us", "news.ycombinator.com",
	"www.bbc.co.uk", "docs.google.com", "drive.google.com", "fonts.gstatic.com", "cdn.jsdelivr.net",
	"www.amazon.com", "teams.microsoft.com", "www.reddit.com", "confluence.corp.example.com", "jira.corp.example.com",
	"mail.google.com", "www.nytimes.com", "accounts.google.com", "clients2.google.com", "edge.microsoft.com",
}

// background runs one benign activity on a random host.
func (g *Generator) background() {
	h := g.hosts[g.rng.IntN(len(g.hosts))]
	t := g.now()
	g.ready(h, t)
	if h.Role == RoleKiosk {
		g.bgKiosk(h, t)
		return
	}
	if h.Platform == Windows {
		switch k := g.rng.IntN(10); {
		case h.explorer == nil || k < 2:
			g.bgWinService(h, t)
		case k < 6:
			g.bgBrowse(h, t)
		case k < 7:
			g.bgUpdater(h, t)
		case k < 8:
			g.bgTeams(h, t)
		case h.Role == RoleDeveloper && k < 10:
			g.bgDevWin(h, t)
		default:
			g.bgShortLived(h, t)
		}
		return
	}
	switch k := g.rng.IntN(10); {
	case k < 3:
		g.bgCron(h, t)
	case k < 4:
		g.bgApt(h, t)
	case k < 6:
		g.bgAgent(h, t)
	case h.shell != nil && h.Role == RoleDeveloper && k < 9:
		g.bgDevLin(h, t)
	case h.shell != nil:
		g.bgSSH(h, t)
	default:
		g.bgCron(h, t)
	}
}

// kioskDomains are what lobby, info-desk and signage screens show.
var kioskDomains = []string{
	"visitors.corp.example.com", "wayfinding.corp.example.com", "signage.corp.example.com", "www.example.com",
	"fonts.gstatic.com", "cdn.jsdelivr.net", "maps.googleapis.com", "www.google.com", "edge.microsoft.com",
}

// bootKiosks starts every kiosk before the window opens: Windows boots,
// the kiosk account logs on automatically and the browser starts in kiosk
// mode. From then on only browser processes start there (bgKiosk), which is
// what makes prefetch lookups on kiosks the browser-prefetch tuning's target.
func (g *Generator) bootKiosks() {
	t := g.opts.Start.UnixMilli() - 30_000 // ready() goes 5-25 s earlier still
	for _, h := range g.byRole[RoleKiosk] {
		g.ready(h, t)
		g.browserOf(h, t+2000+g.rng.Int64N(8000))
	}
}

// bgKiosk is a kiosk's background: Windows services reaching Microsoft
// (no new process), and the browser loading pages, sometimes in a fresh
// renderer, which is a browser process too.
func (g *Generator) bgKiosk(h *hostState, t int64) {
	if g.rng.IntN(4) == 0 {
		d := []string{"settings-win.data.microsoft.com", "time.windows.com", "v10.events.data.microsoft.com"}[g.rng.IntN(3)]
		g.dnsConnect(h.svchost, t, t+25, d, 443)
		return
	}
	net := g.browserOf(h, t)
	if g.rng.IntN(3) == 0 && net.parent != nil {
		b := browserFor(h)
		r := g.spawn(h, net.parent, h.winPath(b.image), fmt.Sprintf(b.renderer, 5+g.rng.IntN(200), 1000+g.rng.IntN(9000)), net.user, t)
		r.integrity = "4096"
		g.pr2(r)
		g.end(r, t+30_000+g.rng.Int64N(600_000))
		t += 200
	}
	for i, n := 0, 1+g.rng.IntN(3); i < n; i++ {
		d := kioskDomains[g.rng.IntN(len(kioskDomains))]
		g.dns(net, t, d, 1)
		g.connect(net, t+10+g.rng.Int64N(60), ipFor(d), 443, 6)
		t += 500 + g.rng.Int64N(5000)
	}
}

func (g *Generator) bgBrowse(h *hostState, t int64) {
	b := g.browserOf(h, t)
	for i, n := 0, 1+g.rng.IntN(4); i < n; i++ {
		d := commonDomains[g.rng.IntN(len(commonDomains))]
		g.dns(b, t, d, 1)
		t += 10 + g.rng.Int64N(80)
		g.connect(b, t, ipFor(d), 443, 6)
		t += 200 + g.rng.Int64N(3000)
	}
}

func (g *Generator) bgWinService(h *hostState, t int64) {
	d := []string{"settings-win.data.microsoft.com", "ctldl.windowsupdate.com", "v10.events.data.microsoft.com",
		"time.windows.com", "login.live.com", "fe3cr.delivery.mp.microsoft.com"}[g.rng.IntN(6)]
	g.dns(h.svchost, t, d, 1)
	port := 443
	if strings.HasPrefix(d, "ctldl") {
		port = 80
	}
	g.connect(h.svchost, t+25, ipFor(d), port, 6)
	if g.rng.IntN(2) == 0 {
		c := g.spawn(h, h.svchost, h.winPath(`C:\Windows\System32\wbem\WmiPrvSE.exe`), `C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding`, acctNetworkService, t+40)
		g.pr2(c)
		g.end(c, t+2000+g.rng.Int64N(30000))
	}
}

func (g *Generator) bgUpdater(h *hostState, t int64) {
	type upd struct{ image, cmd, domain string }
	u := []upd{
		{`C:\Program Files (x86)\Google\Update\GoogleUpdate.exe`, `"C:\Program Files (x86)\Google\Update\GoogleUpdate.exe" /ua /installsource scheduler`, "update.googleapis.com"},
		{`C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe`, `"C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe" /ua /installsource scheduler`, "msedge.api.cdp.microsoft.com"},
		{`C:\Program Files\Mozilla Maintenance Service\maintenanceservice.exe`, `"C:\Program Files\Mozilla Maintenance Service\maintenanceservice.exe"`, "aus5.mozilla.org"},
	}[g.rng.IntN(3)]
	c := g.spawn(h, h.svchost, h.winPath(u.image), u.cmd, acctSystem, t)
	g.pr2(c)
	g.dnsConnect(c, t+300, t+340, u.domain, 443)
	g.end(c, t+4000+g.rng.Int64N(8000))
}

func (g *Generator) bgTeams(h *hostState, t int64) {
	if h.teams == nil || !h.teams.emitted {
		u := h.Users[0]
		img := `C:\Program Files\WindowsApps\MSTeams_25044.2208.3471.2155_x64__8wekyb3d8bbwe\ms-teams.exe`
		h.teams = g.spawn(h, h.explorer, h.winPath(img), `"`+img+`" msteams:system-initiated`, u, t)
		h.teams.gui = true
		g.pr2(h.teams)
	}
	d := []string{"teams.microsoft.com", "presence.teams.microsoft.com", "statics.teams.cdn.office.net", "outlook.office365.com"}[g.rng.IntN(4)]
	g.dnsConnect(h.teams, t+100, t+150, d, 443)
}

func (g *Generator) bgShortLived(h *hostState, t int64) {
	type prog struct{ path, cmd string }
	p := []prog{
		{`C:\Windows\System32\notepad.exe`, `"C:\Windows\system32\notepad.exe" C:\Users\%s\Documents\notes.txt`},
		{`C:\Windows\System32\tasklist.exe`, `tasklist`},
		{`C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE`, `"C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE" "C:\Users\%s\Documents\Q1-budget.xlsx"`},
		{`C:\Windows\System32\SearchProtocolHost.exe`, `"C:\Windows\system32\SearchProtocolHost.exe" Global\UsGthrFltPipeMssGthrPipe5_ Global\UsGthrCtrlFltPipeMssGthrPipe5 1 -2147483646 "Software\Microsoft\Windows Search"`},
	}[g.rng.IntN(4)]
	u := h.Users[0]
	cmd := p.cmd
	if strings.Contains(cmd, "%s") {
		cmd = fmt.Sprintf(cmd, u.Name)
	}
	c := g.spawn(h, h.explorer, h.winPath(p.path), cmd, u, t)
	c.gui = true
	g.pr2(c)
	g.end(c, t+5000+g.rng.Int64N(600000))
}

func (g *Generator) bgDevWin(h *hostState, t int64) {
	u := h.Users[0]
	code := g.spawn(h, h.explorer, h.winPath(`C:\Users\`+u.Name+`\AppData\Local\Programs\Microsoft VS Code\Code.exe`),
		`"C:\Users\`+u.Name+`\AppData\Local\Programs\Microsoft VS Code\Code.exe" `, u, t)
	code.gui = true
	repo := `C:\Users\` + u.Name + `\src\billing-api`
	g.pr2(code)
	defer g.end(code, t+20000+g.rng.Int64N(600000))
	switch g.rng.IntN(3) {
	case 0:
		git := g.spawn(h, code, h.winPath(`C:\Program Files\Git\cmd\git.exe`), `"C:\Program Files\Git\cmd\git.exe" fetch --prune origin`, u, t+200)
		g.pr2(git)
		rh := g.spawn(h, git, h.winPath(`C:\Program Files\Git\mingw64\libexec\git-core\git-remote-https.exe`), `git-remote-https origin https://github.com/example-corp/billing-api.git`, u, t+260)
		g.pr2(rh)
		g.dnsConnect(rh, t+300, t+330, "github.com", 443)
		g.end(rh, t+1500)
		g.end(git, t+1520)
	case 1:
		node := g.spawn(h, code, h.winPath(`C:\Program Files\nodejs\node.exe`), `"C:\Program Files\nodejs\node.exe" "C:\Program Files\nodejs\node_modules\npm\bin\npm-cli.js" install`, u, t+100)
		g.pr2(node)
		g.dnsConnect(node, t+400, t+420, "nodejs.org", 443)
		g.fileWritten(node, t+2000, repo+`\node_modules\.package-lock.json`, 40000+g.rng.IntN(40000))
		g.end(node, t+9000)
	default:
		goexe := g.spawn(h, code, h.winPath(`C:\Program Files\Go\bin\go.exe`), `"C:\Program Files\Go\bin\go.exe" build ./...`, u, t+100)
		g.pr2(goexe)
		g.dnsConnect(goexe, t+200, t+230, "go.dev", 443)
		cc := g.spawn(h, goexe, h.winPath(`C:\Program Files\Go\pkg\tool\windows_amd64\compile.exe`), `C:\Program Files\Go\pkg\tool\windows_amd64\compile.exe -o $WORK\b001\_pkg_.a -p main -complete`, u, t+900)
		g.pr2(cc)
		g.end(cc, t+2500)
		g.end(goexe, t+3000)
	}
}

func (g *Generator) bgCron(h *hostState, t int64) {
	jobs := []string{"/usr/sbin/logrotate /etc/logrotate.conf", "/usr/bin/find /var/tmp -mtime +7 -delete", "/usr/lib/sysstat/debian-sa1 1 1"}
	job := jobs[g.rng.IntN(len(jobs))]
	sh := g.spawn(h, h.cron, "/usr/bin/dash", "/bin/sh -c "+job, acctRoot, t)
	g.pr2(sh)
	fields := strings.Fields(job)
	c := g.spawn(h, sh, fields[0], job, acctRoot, t+5)
	g.pr2(c)
	g.end(c, t+200+g.rng.Int64N(3000))
	g.end(sh, t+3300)
}

func (g *Generator) bgApt(h *hostState, t int64) {
	apt := g.spawn(h, h.systemd, "/usr/bin/apt-get", "/usr/bin/apt-get -qq update", acctRoot, t)
	g.pr2(apt)
	m := g.spawn(h, apt, "/usr/lib/apt/methods/http", "/usr/lib/apt/methods/http", acctRoot, t+40)
	g.pr2(m)
	for _, d := range []string{"archive.ubuntu.com", "security.ubuntu.com"} {
		g.dnsConnect(m, t+80, t+110, d, 80)
		t += 400
	}
	g.end(m, t+2000)
	g.end(apt, t+2100)
}

func (g *Generator) bgAgent(h *hostState, t int64) {
	if h.agent == nil || !h.agent.emitted {
		h.agent = g.spawn(h, h.systemd, "/opt/datadog-agent/bin/agent/agent", "/opt/datadog-agent/bin/agent/agent run -p /opt/datadog-agent/run/agent.pid", acctRoot, t)
		g.pr2(h.agent)
	}
	d := []string{"intake.logs.datadoghq.com", "app.datadoghq.com", "process.datadoghq.com"}[g.rng.IntN(3)]
	g.dnsConnect(h.agent, t+20, t+50, d, 443)
}

func (g *Generator) bgSSH(h *hostState, t int64) {
	u := h.Users[0]
	cmds := []string{"ls -la", "ps aux", "df -h", "grep -r ERROR /var/log/app", "systemctl status nginx", "tail -n 200 /var/log/syslog"}
	for i, n := 0, 1+g.rng.IntN(3); i < n; i++ {
		cmd := cmds[g.rng.IntN(len(cmds))]
		bin := "/usr/bin/" + strings.Fields(cmd)[0]
		c := g.spawn(h, h.shell, bin, cmd, u, t)
		g.pr2(c)
		g.end(c, t+20+g.rng.Int64N(500))
		t += 2000 + g.rng.Int64N(20000)
	}
}

func (g *Generator) bgDevLin(h *hostState, t int64) {
	u := h.Users[0]
	switch g.rng.IntN(3) {
	case 0:
		git := g.spawn(h, h.shell, "/usr/bin/git", "git pull --rebase", u, t)
		g.pr2(git)
		rh := g.spawn(h, git, "/usr/lib/git-core/git-remote-https", "/usr/lib/git-core/git-remote-https origin https://github.com/example-corp/ingest.git", u, t+40)
		g.pr2(rh)
		g.dnsConnect(rh, t+60, t+90, "github.com", 443)
		g.end(rh, t+900)
		g.end(git, t+950)
	case 1:
		goc := g.spawn(h, h.shell, "/usr/local/go/bin/go", "go test ./...", u, t)
		g.pr2(goc)
		g.dnsConnect(goc, t+50, t+80, "go.dev", 443)
		g.dnsConnect(goc, t+90, t+120, "sum.golang.org", 443)
		g.end(goc, t+8000)
	default:
		node := g.spawn(h, h.shell, "/usr/bin/node", "node /usr/lib/node_modules/npm/bin/npm-cli.js ci", u, t)
		g.pr2(node)
		g.dnsConnect(node, t+100, t+130, "nodejs.org", 443)
		g.end(node, t+12000)
	}
}
