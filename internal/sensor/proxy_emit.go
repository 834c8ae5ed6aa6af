package sensor

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

var urlInCmd = regexp.MustCompile(`https?://([^/\s"']+)(/[^\s"'?]*)?(\?[^\s"']*)?`)

// proxy writes what an authenticating, TLS-inspecting web proxy (Blue Coat
// style W3C log) records of each web connection: the host the process
// resolved, the URL path from its command line when it names one, the user
// and a user agent for the client program.
func (e *Emitter) proxy(ev string, f func(string) string, ms int64, aid string, ctx *emuProc) error {
	if ev != "NetworkConnectIP4" || (f("RemotePort") != "443" && f("RemotePort") != "80") || f("Protocol") != "6" {
		return nil
	}
	if e.n == 0 {
		fmt.Fprintf(e.out, "#Software: SGOS 7.3.16.1\n#Version: 1.0\n#Date: %s\n#Fields: date time time-taken c-ip cs-username s-action sc-status cs-method cs-uri-scheme cs-host cs-uri-port cs-uri-stem cs-uri-query cs(User-Agent) s-ip sc-bytes cs-categories\n",
			time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05"))
	}
	host := e.lastDNS[aid+"/"+f("ContextProcessId")]
	if host == "" {
		host = f("RemoteAddressIP4")
	}
	scheme := "https"
	if f("RemotePort") == "80" {
		scheme = "http"
	}
	path, query := "/", ""
	for _, m := range urlInCmd.FindAllStringSubmatch(ctx.cmd, -1) {
		if strings.EqualFold(m[1], host) {
			if m[2] != "" {
				path = m[2]
			}
			query = strings.TrimPrefix(m[3], "?")
		}
	}
	if host == "api.shodan.io" && strings.Contains(ctx.cmd, "search") {
		path = "/shodan/host/search"
		if i := strings.Index(ctx.cmd, "net:"); i >= 0 {
			query = "query=" + strings.Fields(ctx.cmd[i:])[0]
		}
	}
	client := f("LocalAddressIP4")
	if client == "" || client == "0.0.0.0" {
		client = "-"
	}
	t := time.UnixMilli(ms).UTC()
	user := ctx.user
	if user == "" {
		user = "-"
	}
	line := fmt.Sprintf("%s %s %d %s %s %s %d %s %s %s %s %s %s %s %s %d %s\n",
		t.Format("2006-01-02"), t.Format("15:04:05"), 40+ms%400, client, w3cQuote(user), "TCP_NC_MISS", 200, "GET", scheme, host, f("RemotePort"),
		w3cQuote(path), w3cQuote(query), w3cQuote(userAgent(ctx)), f("RemoteAddressIP4"), 1200+ms%30000, w3cQuote(category(host)))
	e.n++
	_, err := e.out.WriteString(line)
	return err
}

func w3cQuote(s string) string {
	if s == "" {
		return "-"
	}
	if strings.ContainsAny(s, " \t\"") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// userAgent is what the client program sends.
func userAgent(p *emuProc) string {
	name := strings.ToLower(baseName(p.image))
	cmd := strings.ToLower(p.cmd)
	switch {
	case strings.Contains(cmd, "theharvester"):
		return "theHarvester/4.4.3 (+https://github.com/laramies/theHarvester) python-requests/2.31.0"
	case strings.Contains(cmd, "-a \"mozilla/5.0\""):
		return "Mozilla/5.0"
	case strings.HasPrefix(name, "curl"):
		return "curl/8.5.0"
	case strings.HasPrefix(name, "wget"):
		return "Wget/1.21.4"
	case strings.Contains(cmd, "pip"):
		return "pip/24.0 {\"python\":\"3.12.2\"}"
	case strings.HasPrefix(name, "python"):
		return "python-requests/2.31.0"
	case strings.HasPrefix(name, "powershell") || strings.HasPrefix(name, "pwsh"):
		return "Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.19045; en-US) PowerShell/5.1.19041.4894"
	case strings.Contains(name, "chrome") || strings.Contains(name, "msedge") || strings.Contains(name, "firefox"):
		return "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
	}
	return "Mozilla/5.0 (compatible; " + baseName(p.image) + ")"
}

func category(host string) string {
	switch {
	case strings.Contains(host, "shodan") || strings.Contains(host, "arin.net") || strings.Contains(host, "he.net") || strings.Contains(host, "dnsdumpster"):
		return "Internet Services"
	case strings.Contains(host, "microsoft") || strings.Contains(host, "windows"):
		return "Computers/Internet"
	}
	return "Technology/Internet"
}
