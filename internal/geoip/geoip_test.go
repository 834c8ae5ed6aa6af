package geoip

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/tiercel/tiercel/internal/geoip/mmdbwrite"
)

// writeTestDBs builds a City and an ASN database in dir.
func writeTestDBs(t *testing.T, dir string) {
	t.Helper()
	city := &mmdbwrite.DB{Type: "GeoLite2-City"}
	must(t, city.Insert("8.8.8.0/24", map[string]any{
		"country":      map[string]any{"iso_code": "US", "names": map[string]any{"en": "United States"}},
		"city":         map[string]any{"names": map[string]any{"en": "Mountain View"}},
		"subdivisions": []any{map[string]any{"iso_code": "CA", "names": map[string]any{"en": "California"}}},
		"location":     map[string]any{"latitude": 37.386, "longitude": -122.0838},
	}))
	must(t, city.Insert("81.2.69.0/24", map[string]any{
		"country": map[string]any{"iso_code": "GB"},
	}))
	must(t, city.Insert("81.2.69.160/27", map[string]any{
		"country":  map[string]any{"iso_code": "GB"},
		"city":     map[string]any{"names": map[string]any{"en": "London"}},
		"location": map[string]any{"latitude": 51.5142, "longitude": -0.0931},
	}))
	must(t, city.Insert("2001:db8::/32", map[string]any{"country": map[string]any{"iso_code": "DE"}}))
	must(t, city.WriteFile(filepath.Join(dir, "GeoLite2-City.mmdb")))
	asn := &mmdbwrite.DB{Type: "GeoLite2-ASN"}
	must(t, asn.Insert("8.8.8.0/24", map[string]any{"autonomous_system_number": uint32(15169), "autonomous_system_organization": "GOOGLE"}))
	must(t, asn.WriteFile(filepath.Join(dir, "GeoLite2-ASN.mmdb")))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestLookups(t *testing.T) {
	dir := t.TempDir()
	writeTestDBs(t, dir)
	db, err := Open(dir)
	must(t, err)
	defer db.Close()
	if !db.HasLocation() || !db.HasASN() {
		t.Fatalf("databases not recognised: location %v asn %v", db.HasLocation(), db.HasASN())
	}
	tests := []struct {
		ip    string
		found bool
		want  Location
	}{
		{"8.8.8.8", true, Location{Country: "US", City: "Mountain View", State: "California", Lat: 37.386, Lon: -122.0838, HasCoords: true}},
		{"81.2.69.1", true, Location{Country: "GB"}},
		{"81.2.69.170", true, Location{Country: "GB", City: "London", Lat: 51.5142, Lon: -0.0931, HasCoords: true}},
		{"81.2.69.200", true, Location{Country: "GB"}},
		{"2001:db8::1", true, Location{Country: "DE"}},
		{"::ffff:8.8.8.8", true, Location{Country: "US", City: "Mountain View", State: "California", Lat: 37.386, Lon: -122.0838, HasCoords: true}},
		{"10.0.0.1", false, Location{}},
	}
	for _, tc := range tests {
		ip, ok := ParseAddr(tc.ip)
		if !ok {
			t.Fatalf("parse %s", tc.ip)
		}
		got, found := db.Location(ip)
		if found != tc.found || got != tc.want {
			t.Errorf("Location(%s) = %+v, %v; want %+v, %v", tc.ip, got, found, tc.want, tc.found)
		}
	}
	ip, _ := ParseAddr("8.8.8.8")
	if as, ok := db.ASN(ip); !ok || as.Number != 15169 || as.Org != "GOOGLE" {
		t.Errorf("ASN(8.8.8.8) = %+v, %v", as, ok)
	}
	ip, _ = ParseAddr("1.1.1.1")
	if _, ok := db.ASN(ip); ok {
		t.Errorf("ASN(1.1.1.1) found, want none")
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no .mmdb files") {
		t.Errorf("empty dir: %v", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "--geoip") {
		t.Errorf("missing dir: %v", err)
	}
}

// TestWrittenFilesVerify checks the test writer against the reader's own
// format verifier, so lookups above do not pass by accident.
func TestWrittenFilesVerify(t *testing.T) {
	dir := t.TempDir()
	writeTestDBs(t, dir)
	for _, name := range []string{"GeoLite2-City.mmdb", "GeoLite2-ASN.mmdb"} {
		r, err := maxminddb.Open(filepath.Join(dir, name))
		must(t, err)
		if err := r.Verify(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		r.Close()
	}
}
