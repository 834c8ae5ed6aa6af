package engine

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/event"
)

// seedQuery is the first shipped detection, verbatim.
func seedQuery(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/seed-T1590.005.cql")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var seedColumns = []string{"#event_simpleName", "ComputerName", "UserName", "ImageFileName", "CommandLine",
	"DomainName", "RemoteAddressIP4", "RemotePort", "ContextProcessName", "DetectionBranch", "@timestamp"}

// seedCase is one input event and the branch it must hit ("" = dropped).
type seedCase struct {
	name   string
	fields []string
	branch string
}

func pr2(image, cmd string) []string {
	return []string{"#event_simpleName", "ProcessRollup2", "ComputerName", "WS-01", "UserName", "alice",
		"ImageFileName", image, "CommandLine", cmd}
}

func dns(domain string) []string {
	return []string{"#event_simpleName", "DnsRequest", "ComputerName", "WS-02", "DomainName", domain}
}

func net4(port, proc string) []string {
	f := []string{"#event_simpleName", "NetworkConnectIP4", "ComputerName", "WS-03", "RemoteAddressIP4", "198.51.100.7", "RemotePort", port}
	if proc != "" {
		f = append(f, "ContextProcessName", proc)
	}
	return f
}

func seedCases() []seedCase {
	var cs []seedCase
	// every alternative of the ImageFileName regex, with and without .exe
	for _, tool := range []string{"nmap", "masscan", "zmap", "theharvester", "amass", "subfinder", "spiderfoot", "recon-ng"} {
		cs = append(cs,
			seedCase{"image " + tool, pr2(`C:\Tools\`+tool+".exe", tool+".exe --help"), "OSINTToolExecution"},
			seedCase{"image bare " + tool, pr2("/usr/bin/"+tool, tool), "OSINTToolExecution"})
	}
	cs = append(cs,
		seedCase{"image upper case", pr2(`C:\TOOLS\NMAP.EXE`, "NMAP.EXE"), "OSINTToolExecution"},
		seedCase{"image theHarvester mixed case", pr2("/opt/theHarvester", "python3 theHarvester.py"), "OSINTToolExecution"},
		seedCase{"image .exe.bak", pr2(`C:\Tools\nmap.exe.bak`, "copy nmap.exe.bak"), ""},
		seedCase{"image .exe then text", pr2(`C:\Tools\nmap.exe2`, "nmap.exe2"), ""},
		seedCase{"image unrelated", pr2(`C:\Windows\notepad.exe`, "notepad.exe readme.txt"), ""},
	)
	// every alternative of the CommandLine regex (image name does not match)
	for _, cmd := range []string{"shodan search apache", "censys  search hosts", "nmap -sn 10.0.0.0/24", "nmap\t-sS host",
		"nmap -sp 10.0.0.1", "masscan --rate 1000 10.0.0.0/8", "zmap -p 443", "theHarvester -d example.com",
		"amass enum -d example.com", "subfinder -d example.com", "spiderfoot -s example.com"} {
		cs = append(cs, seedCase{"cmd " + cmd, pr2(`C:\Python\python.exe`, cmd), "OSINTToolExecution"})
	}
	cs = append(cs,
		seedCase{"cmd nmap -sV", pr2(`C:\Python\python.exe`, "nmap -sV host"), ""},
		seedCase{"cmd shodansearch", pr2(`C:\Python\python.exe`, "shodansearch"), ""},
		seedCase{"cmd missing, image misses", []string{"#event_simpleName", "ProcessRollup2", "ImageFileName", "cmd.exe"}, ""},
		seedCase{"lower-case event name", append(pr2("nmap", "nmap -sn x")[:0:0], "#event_simpleName", "processrollup2", "ImageFileName", "nmap"), ""},
		seedCase{"other event type with tool", []string{"#event_simpleName", "SyntheticProcessRollup2", "ImageFileName", "nmap"}, ""},
	)
	for _, d := range []string{"api.shodan.io", "search.censys.io", "ipinfo.io", "ipapi.co", "ip-api.com", "ipwhois.io",
		"bgp.he.net", "whois.arin.net", "stat.ripe.net", "wq.apnic.net", "lacnic.net", "afrinic.net", "spyse.com",
		"fofa.info", "www.zoomeye.org", "dnsdumpster.com", "api.hackertarget.com", "viewdns.info", "www.ipvoid.com",
		"whatismyipaddress.com", "www.ip2location.com", "download.maxmind.com", "viz.greynoise.io", "api.binaryedge.io",
		"www.onyphe.io", "API.SHODAN.IO"} {
		cs = append(cs, seedCase{"dns " + d, dns(d), "IPIntelDNSLookup"})
	}
	cs = append(cs,
		seedCase{"dns unrelated", dns("example.com"), ""},
		seedCase{"dns shodan.com", dns("shodan.com"), ""},
		seedCase{"dns escaped dot", dns("shodanxio.example"), ""},
		seedCase{"dns no domain", []string{"#event_simpleName", "DnsRequest"}, ""},
	)
	for _, p := range []string{"nmap", "masscan", "zmap", "curl", "wget", "python", "python2", "python3", "powershell", "PowerShell.exe"} {
		cs = append(cs,
			seedCase{"net 443 " + p, net4("443", p), "OSINTNetworkConnect"},
			seedCase{"net 80 " + p, net4("80", p), "OSINTNetworkConnect"})
	}
	cs = append(cs,
		seedCase{"net 8443", net4("8443", "curl"), ""},
		seedCase{"net 22", net4("22", "python3"), ""},
		seedCase{"net missing process", net4("443", ""), ""},
		seedCase{"net other process", net4("443", "chrome.exe"), ""},
		seedCase{"net missing port", []string{"#event_simpleName", "NetworkConnectIP4", "ContextProcessName", "curl"}, ""},
	)
	return cs
}

// seedEvents turns cases into events with increasing timestamps.
func seedEvents(cs []seedCase) []*event.Event {
	out := make([]*event.Event, len(cs))
	for i, c := range cs {
		e := ev(c.fields...)
		e.Set(event.Timestamp, strconv.Itoa(1_700_000_000_000+i*1000))
		out[i] = e
	}
	return out
}

func TestSeedQuery(t *testing.T) {
	cs := seedCases()
	events := seedEvents(cs)
	var want []string
	for i := len(cs) - 1; i >= 0; i-- { // sort(@timestamp, order=desc)
		if cs[i].branch == "" {
			continue
		}
		e := events[i].Clone()
		e.Set("DetectionBranch", cs[i].branch)
		var parts []string
		for _, col := range seedColumns {
			if v, ok := e.Get(col); ok {
				parts = append(parts, col+"="+v)
			}
		}
		want = append(want, strings.Join(parts, " "))
	}
	if len(want) != 75 {
		t.Fatalf("only %d expected hits: the case table is broken", len(want))
	}
	p := compileQuery(t, seedQuery(t), Options{})
	if diff := cmp.Diff(seedColumns, p.Columns()); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	rows, warns := p.Run(events)
	got := make([]string, len(rows))
	for i, r := range rows {
		got[i] = row(r)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("seed rows (-want +got):\n%s", diff)
	}
	if len(warns) != 0 {
		t.Errorf("unexpected warnings: %v", warns)
	}
}
