package engine

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/geoip"
	"github.com/tiercel/tiercel/internal/geoip/mmdbwrite"
)

// testGeoIP builds a small City and ASN database pair, opened as --geoip would.
func testGeoIP(t testing.TB) *geoip.DB {
	t.Helper()
	dir := t.TempDir()
	city := &mmdbwrite.DB{Type: "GeoLite2-City"}
	asn := &mmdbwrite.DB{Type: "GeoLite2-ASN"}
	for _, n := range []struct {
		cidr string
		rec  map[string]any
	}{
		{"8.8.8.0/24", map[string]any{
			"country":      map[string]any{"iso_code": "US"},
			"city":         map[string]any{"names": map[string]any{"en": "Mountain View"}},
			"subdivisions": []any{map[string]any{"names": map[string]any{"en": "California"}}},
			"location":     map[string]any{"latitude": 37.386, "longitude": -122.0838},
		}},
		{"81.2.69.160/27", map[string]any{
			"country":  map[string]any{"iso_code": "GB"},
			"city":     map[string]any{"names": map[string]any{"en": "London"}},
			"location": map[string]any{"latitude": 51.5142, "longitude": -0.0931},
		}},
		{"2a03:2880::/32", map[string]any{"country": map[string]any{"iso_code": "IE"}}},
	} {
		if err := city.Insert(n.cidr, n.rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := asn.Insert("8.8.8.0/24", map[string]any{"autonomous_system_number": uint32(15169), "autonomous_system_organization": "GOOGLE"}); err != nil {
		t.Fatal(err)
	}
	if err := city.WriteFile(filepath.Join(dir, "city.mmdb")); err != nil {
		t.Fatal(err)
	}
	if err := asn.WriteFile(filepath.Join(dir, "asn.mmdb")); err != nil {
		t.Fatal(err)
	}
	db, err := geoip.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// runWith runs src over events with opts and renders the rows.
func runWith(t *testing.T, src string, opts Options, events []*event.Event) []string {
	t.Helper()
	p := compileQuery(t, src, opts)
	rows, _ := p.Run(events)
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, row(r))
	}
	return out
}

func TestGeoIPFunctions(t *testing.T) {
	opts := Options{Data: DataSources{GeoIP: testGeoIP(t)}}
	events := []*event.Event{
		ev("ip", "8.8.8.8", "address", "81.2.69.170"),
		ev("ip", "10.1.2.3", "address", "2a03:2880:f12c:83:face:b00c::25de"),
		ev("ip", "not an ip"),
	}
	tests := []struct {
		src  string
		want []string
	}{
		// functions-iplocation: ipLocation() adds ip.country, ip.city, ip.lon and ip.lat.
		{"ipLocation() | select([ip.country, ip.state, ip.city, ip.lat, ip.lon])", []string{
			"ip.country=US ip.state=California ip.city=Mountain View ip.lat=37.386 ip.lon=-122.0838", "", ""}},
		// ... based on the field address: address.country, address.city, ...
		{"ipLocation(field=address) | select([address.country, address.city, address.lat, address.lon])", []string{
			"address.country=GB address.city=London address.lat=51.5142 address.lon=-0.0931", "address.country=IE", ""}},
		{"ipLocation(address, as=geo) | select([geo.country, address.country])", []string{"geo.country=GB", "geo.country=IE", ""}},
		// functions-asn: asn() adds ip.asn and ip.org; asn(field=address) address.asn; asn(as=address) reads ip.
		{"asn() | select([ip.asn, ip.org])", []string{"ip.asn=15169 ip.org=GOOGLE", "", ""}},
		{`asn("ip") | select([ip.asn])`, []string{"ip.asn=15169", "", ""}},
		{"asn(field=address) | select([address.asn])", []string{"", "", ""}},
		{"asn(as=address) | select([address.asn, address.org])", []string{"address.asn=15169 address.org=GOOGLE", "", ""}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, runWith(t, tc.src, opts, events)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.src, diff)
		}
	}
}

func TestGeohash(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		// functions-geohash: the geohash of Greenwich is gcpuzgrbxvrc.
		{"lat := 51.477928 | lon := 0.0 | g := geohash(lat=lat, lon=lon) | select(g)", []string{"g=gcpuzgrbxvrc"}},
		// The London example writes _geohash.
		{"londonLat := 51.507222 | londonLon := -0.1275 | geohash(lat=londonLat, lon=londonLon) | select(_geohash)", []string{"_geohash=gcpvj0e5m415"}},
		// The classic reference point of the geohash definition.
		{"a := 57.64911 | b := 10.40744 | geohash(lat=a, lon=b, precision=11) | select(_geohash)", []string{"_geohash=u4pruydqqvj"}},
		// Defaults read ip.lat/ip.lon; out-of-range and missing coordinates give no value.
		{"ip.lat := 51.477928 | ip.lon := 0 | geohash(precision=5, as=h) | select(h)", []string{"h=gcpuz"}},
		{"lat := 91 | lon := 0 | geohash(lat=lat, lon=lon) | select(_geohash)", []string{""}},
		{"geohash() | select(_geohash)", []string{""}},
	}
	for _, tc := range tests {
		expect(t, tc.src, []*event.Event{ev("x", "1")}, tc.want)
	}
	expectCompileErrorMsg(t, "geohash(precision=13)", "1 to 12")
}

func TestWorldMap(t *testing.T) {
	opts := Options{Data: DataSources{GeoIP: testGeoIP(t)}}
	events := []*event.Event{
		ev("ip", "8.8.8.8", "lat", "51.477928", "lon", "0.0", "latency", "10"),
		ev("ip", "8.8.8.9", "lat", "51.48", "lon", "-0.001", "latency", "30"),
		ev("ip", "81.2.69.170", "lat", "-33.8715", "lon", "151.2006", "latency", "5"),
		ev("ip", "192.168.0.1"),
	}
	tests := []struct {
		src  string
		want []string
	}{
		// functions-worldmap: magnitude defaults to count(as=_count), precision to 4.
		{"worldMap(ip=ip) | sort(_geohash, order=asc)", []string{"_geohash=9q9h _count=2", "_geohash=gcpv _count=1"}},
		{"worldMap(lat=lat, lon=lon) | sort(_geohash, order=asc)", []string{"_geohash=gcpu _count=2", "_geohash=r3gx _count=1"}},
		{"worldMap(lat=lat, lon=lon, magnitude=avg(latency), precision=2) | sort(_geohash, order=asc)", []string{"_geohash=gc _avg=20", "_geohash=r3 _avg=5"}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, runWith(t, tc.src, opts, events)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.src, diff)
		}
	}
	expectCompileErrorMsg(t, "worldMap(ip=a, lat=b, lon=c)", "not both")
	expectCompileErrorMsg(t, "worldMap(lat=b)", "both lat= and lon=")
}

// Without --geoip the functions say which flag supplies the database.
func TestGeoIPMissingDatabase(t *testing.T) {
	for _, src := range []string{"ipLocation(ip)", "asn(ip)", "worldMap(ip=ip)"} {
		ds := compileDiags(t, src)
		if !ds.HasErrors() || ds[0].Code != CodeMissingData || !contains(ds[0].Message, "--geoip DIR") {
			t.Errorf("%s: got %v, want a missing-data error naming --geoip", src, ds)
		}
	}
	// worldMap over coordinates needs no database.
	if ds := compileDiags(t, "worldMap(lat=a, lon=b)"); ds.HasErrors() {
		t.Errorf("worldMap(lat, lon): %v", ds)
	}
}

func contains(s, sub string) bool { return len(sub) == 0 || len(s) >= len(sub) && indexOf(s, sub) >= 0 }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
