package engine

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ioc"
)

// testIOCStore loads a small CSV feed, as --ioc FILE would.
func testIOCStore(t testing.TB) *ioc.Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "iocs.csv")
	feed := "indicator,type,malicious_confidence,labels,published_date,last_updated\n" +
		"45.33.32.156,ip_address,high,\"Actor/FANCYBEAR,Malware/XAgent\",1700000000,1700001000\n" +
		"185.159.83.0/24,ip_address,low,ThreatType/Criminal,1700000000,1700002000\n" +
		"91.245.73.85,ip_address,medium,Malware/Emotet,1700000000,1700003000\n" +
		"evil.example,domain,unverified,ThreatType/Phishing,,\n" +
		"http://bad.example/x,url,high,Malware/Dropper,,\n"
	if err := os.WriteFile(path, []byte(feed), 0o644); err != nil {
		t.Fatal(err)
	}
	s, _, err := ioc.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestIOCLookup(t *testing.T) {
	opts := Options{Data: DataSources{IOC: testIOCStore(t)}}
	// The reference page's example data (examples-ioc-lookup-ip-detection-prefix).
	events := []*event.Event{
		ev("src_ip", "192.168.1.100", "dst_ip", "45.33.32.156"),
		ev("src_ip", "192.168.1.101", "dst_ip", "185.159.83.24"),
		ev("src_ip", "192.168.1.102", "dst_ip", "172.16.0.100"),
		ev("src_ip", "192.168.1.103", "dst_ip", "91.245.73.85"),
		ev("src_ip", "45.32.129.185", "dst_ip", "10.0.0.50"),
	}
	tests := []struct {
		src  string
		want []string
	}{
		// Default confidenceThreshold is high; strict=false keeps every event.
		{`ioc:lookup(field=dst_ip, type=ip_address) | select([dst_ip, ioc.detected, ioc[0].indicator, ioc[0].malicious_confidence, ioc[0].labels])`, []string{
			"dst_ip=45.33.32.156 ioc.detected=true ioc[0].indicator=45.33.32.156 ioc[0].malicious_confidence=high ioc[0].labels=Actor/FANCYBEAR,Malware/XAgent",
			"dst_ip=185.159.83.24", "dst_ip=172.16.0.100", "dst_ip=91.245.73.85", "dst_ip=10.0.0.50"}},
		// Lower thresholds include the higher levels; strict drops non-matches.
		{`ioc:lookup(dst_ip, type="ip_address", confidenceThreshold=medium, strict=true) | select([dst_ip, ioc[0].malicious_confidence])`, []string{
			"dst_ip=45.33.32.156 ioc[0].malicious_confidence=high", "dst_ip=91.245.73.85 ioc[0].malicious_confidence=medium"}},
		{`ioc:lookup(dst_ip, type=ip_address, confidenceThreshold=Unverified, strict=true) | select([dst_ip, ioc[0].indicator])`, []string{
			"dst_ip=45.33.32.156 ioc[0].indicator=45.33.32.156", "dst_ip=185.159.83.24 ioc[0].indicator=185.159.83.0/24", "dst_ip=91.245.73.85 ioc[0].indicator=91.245.73.85"}},
		// prefix= renames the output fields; include= limits the columns.
		{`ioc:lookup(dst_ip, type="ip_address", prefix="detection", confidenceThreshold=low, include=[indicator, type], strict=true) | select([detection.detected, detection[0].indicator, detection[0].type, detection[0].labels])`, []string{
			"detection.detected=true detection[0].indicator=45.33.32.156 detection[0].type=ip_address",
			"detection.detected=true detection[0].indicator=185.159.83.0/24 detection[0].type=ip_address",
			"detection.detected=true detection[0].indicator=91.245.73.85 detection[0].type=ip_address"}},
		// Several fields: every match is an element of the array.
		{`ioc:lookup([src_ip, dst_ip], type=ip_address, confidenceThreshold=low, strict=true) | select([ioc[0].indicator, ioc[1].indicator])`, []string{
			"ioc[0].indicator=45.33.32.156", "ioc[0].indicator=185.159.83.0/24", "ioc[0].indicator=91.245.73.85"}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, runWith(t, tc.src, opts, events)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.src, diff)
		}
	}
	dom := []*event.Event{ev("d", "www.evil.example"), ev("d", "example"), ev("url", "https://bad.example/x/")}
	if diff := cmp.Diff([]string{"d=www.evil.example ioc[0].indicator=evil.example"},
		runWith(t, `ioc:lookup(d, type=domain, confidenceThreshold=unverified, strict=true) | select([d, ioc[0].indicator])`, opts, dom)); diff != "" {
		t.Errorf("domain (-want +got):\n%s", diff)
	}
	// examples-ioclookup-url: ioc:lookup("url", type="url", confidenceThreshold="low")
	if diff := cmp.Diff([]string{"", "", "ioc[0].labels=Malware/Dropper"},
		runWith(t, `ioc:lookup("url", type="url", confidenceThreshold="low") | select([ioc[0].labels])`, opts, dom)); diff != "" {
		t.Errorf("url (-want +got):\n%s", diff)
	}
}

func TestIOCLookupErrors(t *testing.T) {
	ds := compileDiags(t, "ioc:lookup(ip, type=ip_address)")
	if !ds.HasErrors() || ds[0].Code != CodeMissingData || !contains(ds[0].Message, "--ioc PATH") {
		t.Errorf("without a store: %v", ds)
	}
	opts := Options{Data: DataSources{IOC: ioc.NewStore()}}
	for src, want := range map[string]string{
		"ioc:lookup(ip, type=hash)":                                  "type must be",
		"ioc:lookup(ip, type=ip_address, confidenceThreshold=sure)":  "confidenceThreshold must be",
		"ioc:lookup(ip, type=ip_address, include=[indicator, risk])": "unknown column",
		"ioc:lookup(ip)": "missing required parameter type",
	} {
		q := mustParse(t, src)
		_, ds := Compile(q, opts)
		if !ds.HasErrors() || !contains(ds[0].Message, want) {
			t.Errorf("%s: %v, want %q", src, ds, want)
		}
	}
}

func mustParse(t *testing.T, src string) *cql.Query {
	t.Helper()
	q, ds := cql.Parse(src)
	if ds.HasErrors() {
		t.Fatalf("parse %q: %v", src, ds)
	}
	return q
}
