package rules

import (
	"os"
	"strings"
	"testing"
)

// seedPage is the page the shipped T1590.005 package was made from; the
// test skips where the shared reference is not mounted.
const seedPage = "/work/shared/seed/T1590.005-logscale-detection.txt"

// TestMarkdownHoldsTheSeedPage checks that `tiercel show` carries every
// paragraph, bullet and signal of the source page verbatim.
func TestMarkdownHoldsTheSeedPage(t *testing.T) {
	md := seedRule(t).Markdown()
	if !strings.Contains(md, "```cql\n"+seedRule(t).Query+"```") {
		t.Errorf("the query is not shown whole in a cql block")
	}
	data, err := os.ReadFile(seedPage)
	if err != nil {
		t.Skipf("seed page not available: %v", err)
	}
	lines := strings.Split(string(data), "\n")
	var want []string
	for i, l := range lines {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "Adversaries may gather"), strings.HasPrefix(l, "CrowdStrike LogScale CQL query covering"),
			strings.HasPrefix(l, "Validate this detection"):
			want = append(want, strings.TrimSuffix(l, " Executable commands and cleanup steps are available with Pro."))
		case strings.HasPrefix(l, "• "):
			want = append(want, strings.TrimPrefix(l, "• "))
		case strings.HasPrefix(l, "Expected signal: "):
			want = append(want, l)
		case len(l) > 9 && l[1:9] == ". Test "+l[:1]:
			// "1. Test 1Shodan CLI IP Range Query" (the page runs number and name together)
			want = append(want, "Test "+l[:1]+" — "+l[9:])
		case l == "Tactic" || l == "Technique" || l == "Sub-technique":
			want = append(want, "| "+l+" | ")
			if l != "Tactic" {
				want = append(want, lines[i+1])
			} else {
				want = append(want, "TA0043 "+lines[i+1])
			}
		case strings.HasPrefix(l, "https://attack.mitre.org"):
			want = append(want, l)
		}
	}
	for _, s := range []string{"ProcessRollup2", "DnsRequest", "NetworkConnectIP4",
		"CrowdStrike Falcon Sensor (Endpoint Activity Monitor — EAM telemetry)",
		"CrowdStrike Falcon Data Replicator (FDR) streaming to LogScale", "CrowdStrike Falcon Event Stream API",
		"**Severity:** medium · **Confidence:** medium", "Executable commands and cleanup steps are available with Pro."} {
		want = append(want, s)
	}
	if len(want) < 25 {
		t.Fatalf("found only %d reference texts in the seed page; the page format changed?", len(want))
	}
	for _, w := range want {
		if !strings.Contains(md, w) {
			t.Errorf("show output lacks %q", w)
		}
	}
}
