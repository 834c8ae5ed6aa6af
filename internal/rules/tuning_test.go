package rules

import (
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/cql"
)

func seedRule(t testing.TB) *Rule {
	t.Helper()
	set, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	return Select(set, "T1590.005")[0]
}

func TestQueryWithSplicesBeforeTable(t *testing.T) {
	r := seedRule(t)
	got, err := r.QueryWith([]string{"scanner-hosts", "soc-analyst-hosts"})
	if err != nil {
		t.Fatal(err)
	}
	caseEnd := strings.Index(r.Query, "| table(")
	if !strings.HasPrefix(got, r.Query[:caseEnd]) || !strings.HasSuffix(got, r.Query[caseEnd:]) {
		t.Fatalf("the seed query is not kept around the splice:\n%s", got)
	}
	spliced := got[caseEnd : len(got)-len(r.Query)+caseEnd]
	want := "// soc-analyst-hosts: analysts on SOC workstations look up Shodan, Censys and GreyNoise\n" +
		"// during investigations; drop only the DNS branch for those hosts.\n" +
		"| case {\n" +
		"    DetectionBranch = \"IPIntelDNSLookup\"\n" +
		"    | !match(file=\"soc_analyst_hosts.csv\", field=ComputerName, column=ComputerName, strict=true);\n" +
		"    DetectionBranch != \"IPIntelDNSLookup\";\n" +
		"  }\n" +
		"// scanner-hosts: dedicated vulnerability-scanner hosts run nmap-compatible discovery engines.\n" +
		"// Their engines both start (OSINTToolExecution) and connect out on 80/443\n" +
		"// (OSINTNetworkConnect, ContextProcessName nmap); a DNS lookup from such a host still alerts.\n" +
		"| case {\n"
	if !strings.HasPrefix(spliced, want) {
		t.Errorf("spliced steps (declaration order, comments kept):\n%s\nwant prefix:\n%s", spliced, want)
	}
	if _, diags := cql.Parse(got); diags.HasErrors() {
		t.Errorf("spliced query does not parse: %v", diags[0].Message)
	}
}

func TestQueryWithErrors(t *testing.T) {
	r := seedRule(t)
	tests := []struct {
		tunings []string
		want    string
	}{
		{nil, ""},
		{[]string{"soc-analyst-host"}, `has no tuning "soc-analyst-host" (did you mean "soc-analyst-hosts"?)`},
	}
	for _, tt := range tests {
		got, err := r.QueryWith(tt.tunings)
		switch {
		case tt.want == "" && (err != nil || got != r.Query):
			t.Errorf("QueryWith(%v) = %v; want the query unchanged", tt.tunings, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("QueryWith(%v) error = %v; want %q", tt.tunings, err, tt.want)
		}
	}
}

func TestSpliceOffset(t *testing.T) {
	tests := []struct {
		src, step string
		want      int
	}{
		{"a\n| table([x])", "table", 2},
		{"a | table([x])", "table", 2},
		{"table([x])", "table", 0},
	}
	for _, tt := range tests {
		if got := spliceOffset(tt.src, strings.Index(tt.src, tt.step)); got != tt.want {
			t.Errorf("spliceOffset(%q) = %d, want %d", tt.src, got, tt.want)
		}
	}
}
