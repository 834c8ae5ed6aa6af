package emulate

import (
	"path"
	"regexp"
	"strings"
)

// The seed detection's three branches, as its DetectionBranch values.
const (
	BranchTool    = "OSINTToolExecution"
	BranchDNS     = "IPIntelDNSLookup"
	BranchConnect = "OSINTNetworkConnect"
)

// The seed's regexes, copied verbatim so ground truth follows the query
// exactly (LogScale regexes are unanchored; Go's RE2 handles these).
var (
	seedImage   = regexp.MustCompile(`(?i)(nmap|masscan|zmap|theharvester|amass|subfinder|spiderfoot|recon-ng)((\.exe)?)$`)
	seedCommand = regexp.MustCompile(`(?i)(shodan\s+search|censys\s+search|nmap\s+-s[nSp]|masscan\s+--rate|zmap\s+-p|theharvester\s+-d|amass\s+enum|subfinder\s+-d|spiderfoot\s+-s)`)
	seedDomain  = regexp.MustCompile(`(?i)(shodan\.io|censys\.io|ipinfo\.io|ipapi\.co|ip-api\.com|ipwhois\.io|bgp\.he\.net|arin\.net|ripe\.net|apnic\.net|lacnic\.net|afrinic\.net|spyse\.com|fofa\.info|zoomeye\.org|dnsdumpster\.com|hackertarget\.com|viewdns\.info|ipvoid\.com|whatismyipaddress\.com|ip2location\.com|maxmind\.com|greynoise\.io|binaryedge\.io|onyphe\.io)`)
	seedProcess = regexp.MustCompile(`(?i)(nmap|masscan|zmap|curl|wget|python[23]?|powershell)`)
)

// seedFields are the fields the seed query reads from one event.
type seedFields struct {
	Event              string // event_simpleName
	ImageFileName      string
	CommandLine        string
	DomainName         string
	RemotePort         string
	ContextProcessName string // empty when absent (raw FDR)
}

// seedBranch returns the DetectionBranch the seed query assigns, or "" when
// the event is dropped. Clauses are tried in order, first match wins.
func seedBranch(f seedFields) string {
	switch f.Event {
	case "ProcessRollup2":
		if seedImage.MatchString(f.ImageFileName) || seedCommand.MatchString(f.CommandLine) {
			return BranchTool
		}
	case "DnsRequest":
		if seedDomain.MatchString(f.DomainName) {
			return BranchDNS
		}
	case "NetworkConnectIP4":
		if (f.RemotePort == "80" || f.RemotePort == "443") && f.ContextProcessName != "" && seedProcess.MatchString(f.ContextProcessName) {
			return BranchConnect
		}
	}
	return ""
}

// baseName is the file name part of a Windows NT or POSIX image path, which
// is what enrichment puts in ContextProcessName.
func baseName(image string) string {
	if i := strings.LastIndexByte(image, '\\'); i >= 0 {
		return image[i+1:]
	}
	return path.Base(image)
}

// The browser-prefetch tuning keeps an IPIntelDNSLookup alert only when a
// ProcessRollup2 whose image is not a browser has an @timestamp within
// prefetchWindowMs of the DnsRequest's, before or after, on the same aid
// (correlate within=60s, bounds inclusive). The regex is the tuning's.
const prefetchWindowMs = 60_000

var tuningBrowser = regexp.MustCompile(`(?i)(^|[\\\/])(chrome|chromium|chromium-browser|google-chrome(-stable)?|google chrome|msedge|msedgewebview2|microsoftedge|microsoft edge|firefox|firefox-esr|brave|brave browser|opera|iexplore|safari|vivaldi)(\.exe)?$`)

// isBrowserImage reports whether the tuning counts image as a browser.
func isBrowserImage(image string) bool { return tuningBrowser.MatchString(image) }

// withinPrefetchWindow reports whether a DnsRequest and a ProcessRollup2 on
// the same aid, at these `timestamp` values (ms), correlate.
func withinPrefetchWindow(dnsTS, procTS int64) bool {
	d := dnsTS - procTS
	return d >= -prefetchWindowMs && d <= prefetchWindowMs
}
