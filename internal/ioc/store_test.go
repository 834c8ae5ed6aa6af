package ioc

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

const testCSV = `indicator,type,malicious_confidence,labels,published_date,last_updated
45.33.32.156,ip_address,high,"Malware/Emotet,ThreatType/Criminal",2025-01-02,2025-02-03
185.159.83.0/24,ip_address,medium,Actor/FANCYBEAR,,
evil.example,domain,low,ThreatType/Phishing,,
http://Bad.Example/path/,url,high,,,
44d88612fea8a8f36de82e1f5b2b4cd1,,high,Malware/EICAR,,
not an indicator,,,,,
`

const testSTIX = `{"type":"bundle","id":"bundle--1","objects":[
 {"type":"identity","id":"identity--1","name":"x"},
 {"type":"indicator","spec_version":"2.1","id":"indicator--1","pattern_type":"stix","confidence":80,
  "indicator_types":["malicious-activity"],"labels":["Malware/TrickBot"],
  "pattern":"[ipv4-addr:value = '91.245.73.85'] OR [domain-name:value = 'c2.trick.example']",
  "created":"2025-03-01T00:00:00Z","modified":"2025-03-02T00:00:00Z","valid_from":"2025-03-01T00:00:00Z"},
 {"type":"indicator","spec_version":"2.1","id":"indicator--2","pattern_type":"stix","confidence":20,
  "pattern":"[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']"},
 {"type":"indicator","spec_version":"2.1","id":"indicator--3","pattern_type":"sigma","pattern":"title: x"}
]}`

const testMISP = `{"Event":{"info":"phishing wave","date":"2025-04-01","Tag":[{"name":"tlp:amber"}],
 "Attribute":[
  {"type":"ip-dst|port","value":"203.0.113.7|443","to_ids":true,"timestamp":"1735689600"},
  {"type":"hostname","value":"login.phish.example","to_ids":false,"Tag":[{"name":"phishing"}]},
  {"type":"comment","value":"not an indicator"}],
 "Object":[{"Attribute":[{"type":"url","value":"https://phish.example/login","to_ids":true}]}]}}`

func loadTestStore(t *testing.T) *Store {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{"a.csv": testCSV, "b.json": testSTIX, "c.json": testMISP} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, skipped, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	// the CSV's junk row, the sigma-pattern indicator, the MISP comment
	if skipped != 3 {
		t.Errorf("skipped %d records, want 3", skipped)
	}
	return s
}

func indicators(inds []*Indicator) []string {
	var out []string
	for _, i := range inds {
		out = append(out, i.Indicator+"/"+i.Confidence)
	}
	return out
}

func TestLookup(t *testing.T) {
	s := loadTestStore(t)
	tests := []struct {
		typ, value string
		min        int
		want       []string
	}{
		{TypeIP, "45.33.32.156", 0, []string{"45.33.32.156/high"}},
		{TypeIP, "::ffff:45.33.32.156", 0, []string{"45.33.32.156/high"}},
		{TypeIP, "185.159.83.24", 0, []string{"185.159.83.0/24/medium"}},
		{TypeIP, "185.159.83.24", Level("high"), nil},
		{TypeIP, "185.159.84.1", 0, nil},
		{TypeIP, "91.245.73.85", 0, []string{"91.245.73.85/high"}},
		{TypeIP, "203.0.113.7", 0, []string{"203.0.113.7/high"}},
		{TypeIP, "not-an-ip", 0, nil},
		// Subdomains match their parent domain's indicator, not the reverse.
		{TypeDomain, "www.Evil.Example.", 0, []string{"evil.example/low"}},
		{TypeDomain, "example", 0, nil},
		{TypeDomain, "evil.example", Level("medium"), nil},
		{TypeDomain, "c2.trick.example", 0, []string{"c2.trick.example/high"}},
		{TypeDomain, "login.phish.example", 0, []string{"login.phish.example/unverified"}},
		// URLs compare without scheme and trailing slash, host case-blind.
		{TypeURL, "https://bad.example/path", 0, []string{"http://Bad.Example/path//high"}},
		{TypeURL, "http://bad.example/PATH", 0, nil},
		{TypeURL, "https://phish.example/login", 0, []string{"https://phish.example/login/high"}},
		{TypeMD5, "44D88612FEA8A8F36DE82E1F5B2B4CD1", 0, []string{"44d88612fea8a8f36de82e1f5b2b4cd1/high"}},
		{TypeSHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 0, []string{"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855/low"}},
	}
	for _, tc := range tests {
		got := indicators(s.Lookup(tc.typ, tc.value, tc.min, nil))
		if !slices.Equal(got, tc.want) {
			t.Errorf("Lookup(%s, %q, %d) = %v, want %v", tc.typ, tc.value, tc.min, got, tc.want)
		}
	}
	got := s.Lookup(TypeIP, "45.33.32.156", 0, nil)[0]
	if !slices.Equal(got.Labels, []string{"Malware/Emotet", "ThreatType/Criminal"}) || got.Published != "2025-01-02" || got.Updated != "2025-02-03" {
		t.Errorf("CSV columns: %+v", got)
	}
	got = s.Lookup(TypeIP, "91.245.73.85", 0, nil)[0]
	if !slices.Equal(got.Labels, []string{"malicious-activity", "Malware/TrickBot"}) || got.Updated != "2025-03-02T00:00:00Z" {
		t.Errorf("STIX columns: %+v", got)
	}
	got = s.Lookup(TypeIP, "203.0.113.7", 0, nil)[0]
	if !slices.Equal(got.Labels, []string{"tlp:amber"}) || got.Updated != "2025-01-01T00:00:00Z" || got.Published != "2025-04-01" {
		t.Errorf("MISP columns: %+v", got)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	s := loadTestStore(t)
	var buf bytes.Buffer
	if err := s.Save(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "iocs.tioc")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	r, skipped, err := Load(path)
	if err != nil || skipped != 0 {
		t.Fatalf("Load: %v, skipped %d", err, skipped)
	}
	if r.Len() != s.Len() {
		t.Fatalf("round trip has %d indicators, want %d", r.Len(), s.Len())
	}
	if got := indicators(r.Lookup(TypeIP, "185.159.83.1", 0, nil)); !slices.Equal(got, []string{"185.159.83.0/24/medium"}) {
		t.Errorf("CIDR after round trip: %v", got)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "x.csv")
	os.WriteFile(bad, []byte("foo,bar\n1,2\n"), 0o644)
	if _, _, err := Load(bad); err == nil {
		t.Error("CSV without an indicator column loaded")
	}
	js := filepath.Join(dir, "y.json")
	os.WriteFile(js, []byte(`{"hello":1}`), 0o644)
	if _, _, err := Load(js); err == nil {
		t.Error("unknown JSON loaded")
	}
	if _, _, err := Load(t.TempDir()); err == nil {
		t.Error("empty directory loaded")
	}
}

// TestLookupScales keeps lookups independent of the store's size: a
// million indicators, then lookups that must each touch only a few keys.
func TestLookupScales(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a quarter of a million indicators")
	}
	s := NewStore()
	for i := 0; i < 250_000; i++ {
		ip := [4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}
		s.Add(Indicator{Indicator: netip.AddrFrom4(ip).String(), Type: TypeIP, Confidence: "high"})
	}
	if s.Len() != 250_000 {
		t.Fatalf("store has %d", s.Len())
	}
	res := testing.Benchmark(func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			s.Lookup(TypeIP, "10.3.2.1", 0, nil)
		}
	})
	if res.NsPerOp() > 50_000 { // generous: a shared 2-core machine
		t.Errorf("lookup takes %d ns with a quarter of a million indicators", res.NsPerOp())
	}
}
