// Package geoip reads MaxMind-format databases (GeoLite2/GeoIP2 City,
// Country and ASN .mmdb files) that the user supplies with --geoip, for
// ipLocation(), asn() and worldMap(). tiercel ships no database and never
// downloads one.
package geoip

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2"
)

// DB is the set of databases found in one directory (or one file). It is
// safe for concurrent lookups.
type DB struct {
	Source string // what the user gave
	city   *maxminddb.Reader
	asn    *maxminddb.Reader
}

// Open loads every .mmdb file of dir (or dir itself when it is a file) and
// sorts them by their database_type: City or Country databases answer
// ipLocation(), ASN databases answer asn().
func Open(path string) (*DB, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("--geoip: %w", err)
	}
	files := []string{path}
	if st.IsDir() {
		files, err = filepath.Glob(filepath.Join(path, "*.mmdb"))
		if err != nil {
			return nil, err
		}
		sort.Strings(files)
		if len(files) == 0 {
			return nil, fmt.Errorf("--geoip %s: no .mmdb files in the directory", path)
		}
	}
	db := &DB{Source: path}
	for _, f := range files {
		r, err := maxminddb.Open(f)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("--geoip %s: %w", f, err)
		}
		t := r.Metadata.DatabaseType
		switch {
		case strings.Contains(t, "ASN"):
			if db.asn != nil {
				_ = r.Close()
				continue
			}
			db.asn = r
		case strings.Contains(t, "City"):
			if db.city != nil {
				_ = r.Close()
				continue
			}
			db.city = r
		case strings.Contains(t, "Country") && db.city == nil:
			db.city = r
		default:
			_ = r.Close()
		}
	}
	if db.city == nil && db.asn == nil {
		return nil, fmt.Errorf("--geoip %s: no City, Country or ASN database among %d .mmdb file(s)", path, len(files))
	}
	return db, nil
}

// Close releases the databases.
func (d *DB) Close() error {
	if d == nil {
		return nil
	}
	var errs []error
	for _, r := range []*maxminddb.Reader{d.city, d.asn} {
		if r != nil {
			errs = append(errs, r.Close())
		}
	}
	return errors.Join(errs...)
}

// HasLocation reports whether a City or Country database was found.
func (d *DB) HasLocation() bool { return d != nil && d.city != nil }

// HasASN reports whether an ASN database was found.
func (d *DB) HasASN() bool { return d != nil && d.asn != nil }

// Location is what ipLocation() reports; empty strings and HasCoords=false
// mean the database has no such value for the address.
type Location struct {
	Country   string // ISO 3166-1 alpha-2 code
	City      string // English name
	State     string // English name of the first subdivision
	Lat, Lon  float64
	HasCoords bool
}

type cityRecord struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	RegisteredCountry struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"registered_country"`
	City struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"city"`
	Subdivisions []struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"subdivisions"`
	Location struct {
		Latitude  *float64 `maxminddb:"latitude"`
		Longitude *float64 `maxminddb:"longitude"`
	} `maxminddb:"location"`
}

// ParseAddr reads an IPv4 or IPv6 address the way event fields hold them.
func ParseAddr(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// Location looks an address up in the City/Country database.
func (d *DB) Location(ip netip.Addr) (Location, bool) {
	if d == nil || d.city == nil {
		return Location{}, false
	}
	var rec cityRecord
	res := d.city.Lookup(ip)
	if !res.Found() || res.Decode(&rec) != nil {
		return Location{}, false
	}
	loc := Location{Country: rec.Country.ISOCode, City: rec.City.Names["en"]}
	if loc.Country == "" {
		loc.Country = rec.RegisteredCountry.ISOCode
	}
	if len(rec.Subdivisions) > 0 {
		loc.State = rec.Subdivisions[0].Names["en"]
	}
	if rec.Location.Latitude != nil && rec.Location.Longitude != nil {
		loc.Lat, loc.Lon, loc.HasCoords = *rec.Location.Latitude, *rec.Location.Longitude, true
	}
	return loc, true
}

// AS is what asn() reports.
type AS struct {
	Number uint
	Org    string
}

// ASN looks an address up in the ASN database.
func (d *DB) ASN(ip netip.Addr) (AS, bool) {
	if d == nil || d.asn == nil {
		return AS{}, false
	}
	var rec struct {
		Number uint   `maxminddb:"autonomous_system_number"`
		Org    string `maxminddb:"autonomous_system_organization"`
	}
	res := d.asn.Lookup(ip)
	if !res.Found() || res.Decode(&rec) != nil {
		return AS{}, false
	}
	return AS(rec), true
}
