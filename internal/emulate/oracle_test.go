package emulate

import "testing"

func TestSeedBranch(t *testing.T) {
	tests := []struct {
		name string
		in   seedFields
		want string
	}{
		{"nmap image", seedFields{Event: "ProcessRollup2", ImageFileName: `\Device\HarddiskVolume3\Program Files (x86)\Nmap\nmap.exe`}, BranchTool},
		{"image must end in tool", seedFields{Event: "ProcessRollup2", ImageFileName: "/usr/bin/nmap-helper"}, ""},
		{"shodan search command", seedFields{Event: "ProcessRollup2", ImageFileName: "/usr/bin/python3.12", CommandLine: "python3 /x/shodan search net:1.2.3.0/24"}, BranchTool},
		{"launcher path before search", seedFields{Event: "ProcessRollup2", CommandLine: `"python.exe" "C:\S\shodan.exe" search x`}, ""},
		{"theHarvester.py", seedFields{Event: "ProcessRollup2", CommandLine: "python theHarvester.py -d example.com"}, ""},
		{"theharvester any case", seedFields{Event: "ProcessRollup2", CommandLine: "/usr/bin/python3 /usr/bin/theHarvester -d example.com"}, BranchTool},
		{"nmap -sn", seedFields{Event: "ProcessRollup2", CommandLine: "sudo nmap -sn 10.0.0.0/24"}, BranchTool},
		{"intel domain", seedFields{Event: "DnsRequest", DomainName: "whois.arin.net"}, BranchDNS},
		{"bing", seedFields{Event: "DnsRequest", DomainName: "www.bing.com"}, ""},
		{"connect python 443", seedFields{Event: "NetworkConnectIP4", RemotePort: "443", ContextProcessName: "python3.12"}, BranchConnect},
		{"connect raw has no name", seedFields{Event: "NetworkConnectIP4", RemotePort: "443"}, ""},
		{"connect other port", seedFields{Event: "NetworkConnectIP4", RemotePort: "8443", ContextProcessName: "curl.exe"}, ""},
		{"icmp port 0", seedFields{Event: "NetworkConnectIP4", RemotePort: "0", ContextProcessName: "nmap"}, ""},
		{"browser", seedFields{Event: "NetworkConnectIP4", RemotePort: "443", ContextProcessName: "chrome.exe"}, ""},
		{"other type", seedFields{Event: "SyntheticProcessRollup2", ImageFileName: "/usr/bin/nmap"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := seedBranch(tc.in); got != tc.want {
				t.Errorf("seedBranch = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestBaseName(t *testing.T) {
	for in, want := range map[string]string{
		`\Device\HarddiskVolume3\Windows\System32\curl.exe`: "curl.exe",
		"/usr/bin/python3.12":                               "python3.12",
		"/":                                                 "/",
	} {
		if got := baseName(in); got != want {
			t.Errorf("baseName(%q) = %q, want %q", in, got, want)
		}
	}
}
