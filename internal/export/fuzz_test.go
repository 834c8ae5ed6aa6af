package export

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzExport: any query text gives an export or an error for every target,
// never a panic.
func FuzzExport(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "queries", "*.cql"))
	files = append(files, filepath.Join("..", "..", "rules", "T1590.005-ip-address-recon", "query.cql"))
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(string(data))
		}
	}
	f.Add(`#event_simpleName=ProcessRollup2 CommandLine=/(?i)a[^b]{2,}c$/ | !cidr(RemoteAddressIP4, subnet="10.0.0.0/8")`)
	f.Add(`#event_simpleName in [DnsRequest, ProcessRollup2] | case { DomainName="*x*" | B:="a"; * | B:="b" }`)
	f.Fuzz(func(t *testing.T, q string) {
		for _, target := range Targets {
			out, err := Query("f.cql", q, Meta{RuleID: "f"}, target)
			if err == nil && out.Text == "" {
				t.Fatalf("%s: empty export without error", target)
			}
		}
	})
}
