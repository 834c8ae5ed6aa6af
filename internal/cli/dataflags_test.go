package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/dnsres/dnstest"
	"github.com/tiercel/tiercel/internal/geoip/mmdbwrite"
)

func TestSearchGeoIPFlag(t *testing.T) {
	dir := t.TempDir()
	city := &mmdbwrite.DB{Type: "GeoLite2-City"}
	if err := city.Insert("8.8.8.0/24", map[string]any{
		"country":  map[string]any{"iso_code": "US"},
		"city":     map[string]any{"names": map[string]any{"en": "Mountain View"}},
		"location": map[string]any{"latitude": 37.386, "longitude": -122.0838},
	}); err != nil {
		t.Fatal(err)
	}
	if err := city.WriteFile(filepath.Join(dir, "GeoLite2-City.mmdb")); err != nil {
		t.Fatal(err)
	}
	in := `{"RemoteAddressIP4":"8.8.8.8"}` + "\n" + `{"RemoteAddressIP4":"10.0.0.1"}` + "\n"
	q := "ipLocation(RemoteAddressIP4) | select([RemoteAddressIP4, RemoteAddressIP4.country, RemoteAddressIP4.city])"
	code, out, stderr := runTiercel(t, in, "search", "--no-enrich", "--format", "csv", "--geoip", dir, q)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "RemoteAddressIP4,RemoteAddressIP4.country,RemoteAddressIP4.city\n8.8.8.8,US,Mountain View\n10.0.0.1,,\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
	// Without the flag: exit 1 and a message naming it.
	code, _, stderr = runTiercel(t, in, "search", "--no-enrich", q)
	if code != ExitError || !strings.Contains(stderr, "--geoip DIR") {
		t.Errorf("without --geoip: exit %d, stderr %s", code, stderr)
	}
	code, _, stderr = runTiercel(t, in, "search", "--geoip", filepath.Join(dir, "nope"), q)
	if code != ExitError || !strings.Contains(stderr, "--geoip") {
		t.Errorf("missing --geoip dir: exit %d, stderr %s", code, stderr)
	}
}

func TestIOCImportAndLookup(t *testing.T) {
	dir := t.TempDir()
	csv := writeTemp(t, dir, "feed.csv", "indicator,type,malicious_confidence,labels\n45.33.32.156,ip_address,high,Actor/FANCYBEAR\nevil.example,domain,low,\n")
	misp := writeTemp(t, dir, "misp.json", `{"Event":{"date":"2025-04-01","Attribute":[{"type":"ip-dst","value":"203.0.113.7","to_ids":true},{"type":"comment","value":"x"}]}}`)
	store := filepath.Join(dir, "iocs.tioc")
	code, _, stderr := runTiercel(t, "", "ioc", "import", "-o", store, csv, misp)
	if code != 0 {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	checkStderr(t, stderr, []string{"3 indicators", "domain 1", "ip_address 2", "1 records skipped", "1 of 3 indicators have a confidence below high", "confidenceThreshold="}, false)

	in := `{"RemoteAddressIP4":"45.33.32.156"}` + "\n" + `{"RemoteAddressIP4":"1.2.3.4"}` + "\n" + `{"RemoteAddressIP4":"203.0.113.7"}` + "\n"
	q := `ioc:lookup(RemoteAddressIP4, type="ip_address", strict=true) | select([RemoteAddressIP4, ioc[0].labels])`
	code, out, stderr := runTiercel(t, in, "search", "--no-enrich", "--format", "csv", "--ioc", store, q)
	if code != 0 {
		t.Fatalf("search: exit %d: %s", code, stderr)
	}
	if want := "RemoteAddressIP4,ioc[0].labels\n45.33.32.156,Actor/FANCYBEAR\n203.0.113.7,\n"; out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
	code, _, stderr = runTiercel(t, in, "search", "--no-enrich", q)
	if code != ExitError || !strings.Contains(stderr, "--ioc PATH") {
		t.Errorf("without --ioc: exit %d, stderr %s", code, stderr)
	}
	code, _, _ = runTiercel(t, "", "ioc", "import", csv)
	if code != ExitUsage {
		t.Errorf("import without -o: exit %d, want %d", code, ExitUsage)
	}
}

func TestAllowDNSFlag(t *testing.T) {
	addr, count := dnstest.PTRServer(t, map[string]string{"8.8.8.8.in-addr.arpa": "dns.google."})
	in := `{"ip":"8.8.8.8"}` + "\n"
	q := "reverseDns(ip) | select([ip, _hostname])"
	code, _, stderr := runTiercel(t, in, "search", "--no-enrich", q)
	if code != ExitError || !strings.Contains(stderr, "--allow-dns") {
		t.Errorf("without --allow-dns: exit %d, stderr %s", code, stderr)
	}
	if count.Load() != 0 {
		t.Errorf("lookups sent without --allow-dns")
	}
	code, out, stderr := runTiercel(t, in, "search", "--no-enrich", "--format", "csv", "--allow-dns", "--dns-server", addr, q)
	if code != 0 || out != "ip,_hostname\n8.8.8.8,dns.google\n" {
		t.Errorf("with --allow-dns: exit %d, out %q, stderr %s", code, out, stderr)
	}
	code, _, _ = runTiercel(t, in, "search", "--dns-server", addr, q)
	if code != ExitUsage {
		t.Errorf("--dns-server without --allow-dns: exit %d", code)
	}
}
