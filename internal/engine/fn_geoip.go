package engine

import (
	"math"
	"net/netip"
	"strconv"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/geoip"
)

// ipLocation(), asn(), geohash() and worldMap(): locations and networks of
// IP addresses from the MaxMind databases given with --geoip, and geohash
// bucketing of coordinates.
//
// LogScale reference pages: functions-iplocation, functions-asn,
// functions-geohash, functions-worldmap. An address that does not parse or
// that the database does not know leaves the event unchanged; fields the
// database has no value for are not added.

func init() {
	registerFunc("ipLocation", &funcImpl{params: []string{"field", "as"}, step: compileIPLocation})
	registerFunc("asn", &funcImpl{params: []string{"field", "as"}, step: compileASN})
	registerFunc("geohash", &funcImpl{params: []string{"", "as", "lat", "lon", "precision"}, defaultAs: "_geohash",
		value: compileGeohash})
	registerFunc("worldMap", &funcImpl{params: []string{"", "ip", "lat", "lon", "magnitude", "precision"}, agg: compileWorldMap})
}

const geoipHint = "pass --geoip DIR, a directory with a MaxMind GeoLite2/GeoIP2 City and ASN .mmdb file"

// ipPrefix reads field (default ip) and as (default: the field name).
func ipPrefix(a *args) (field, as string, err error) {
	if field, err = a.fieldName("field", "ip"); err != nil {
		return "", "", err
	}
	if as, err = a.str("as", ""); err != nil {
		return "", "", err
	}
	if as == "" {
		as = field
	}
	return field, as, nil
}

type ipLocationStep struct {
	field                          string
	country, city, state, lat, lon string
	db                             *geoip.DB
}

func compileIPLocation(c *compiler, a *args) (any, error) {
	if !c.opts.Data.GeoIP.HasLocation() {
		return nil, c.missingData(a, "ipLocation() needs a MaxMind City database: %s", geoipHint)
	}
	field, as, err := ipPrefix(a)
	if err != nil {
		return nil, err
	}
	return &ipLocationStep{field: field, db: c.opts.Data.GeoIP,
		country: as + ".country", city: as + ".city", state: as + ".state", lat: as + ".lat", lon: as + ".lon"}, nil
}

// fieldAddr is the IP address in the event's field, if it holds one.
func fieldAddr(ev *event.Event, field string) (netip.Addr, bool) {
	v, ok := ev.Get(field)
	if !ok {
		return netip.Addr{}, false
	}
	return geoip.ParseAddr(v)
}

func (s *ipLocationStep) apply(_ *exec, ev *event.Event) bool {
	ip, ok := fieldAddr(ev, s.field)
	if !ok {
		return true
	}
	loc, found := s.db.Location(ip)
	if !found {
		return true
	}
	for _, kv := range [...][2]string{{s.country, loc.Country}, {s.city, loc.City}, {s.state, loc.State}} {
		if kv[1] != "" {
			ev.Set(kv[0], kv[1])
		}
	}
	if loc.HasCoords {
		ev.Set(s.lat, event.FormatNumber(loc.Lat))
		ev.Set(s.lon, event.FormatNumber(loc.Lon))
	}
	return true
}

type asnStep struct {
	field, num, org string
	db              *geoip.DB
}

func compileASN(c *compiler, a *args) (any, error) {
	if !c.opts.Data.GeoIP.HasASN() {
		return nil, c.missingData(a, "asn() needs a MaxMind ASN database: %s", geoipHint)
	}
	field, as, err := ipPrefix(a)
	if err != nil {
		return nil, err
	}
	return &asnStep{field: field, num: as + ".asn", org: as + ".org", db: c.opts.Data.GeoIP}, nil
}

func (s *asnStep) apply(_ *exec, ev *event.Event) bool {
	ip, ok := fieldAddr(ev, s.field)
	if !ok {
		return true
	}
	as, found := s.db.ASN(ip)
	if !found {
		return true
	}
	if as.Number != 0 {
		ev.Set(s.num, strconv.FormatUint(uint64(as.Number), 10))
	}
	if as.Org != "" {
		ev.Set(s.org, as.Org)
	}
	return true
}

// geohashPrecision reads a precision argument: 1 to 12 characters.
func geohashPrecision(a *args, def int) (int, error) {
	s, err := a.str("precision", "")
	if err != nil || s == "" {
		return def, err
	}
	n, err2 := strconv.Atoi(s)
	if err2 != nil || n < 1 || n > 12 {
		return 0, a.errorf("precision", "precision must be a whole number from 1 to 12, not %q", s)
	}
	return n, nil
}

type geohashExpr struct {
	lat, lon  string
	precision int
}

func compileGeohash(c *compiler, a *args) (expr, error) {
	e := &geohashExpr{}
	var err error
	if e.lat, err = a.fieldName("lat", "ip.lat"); err != nil {
		return nil, err
	}
	if e.lon, err = a.fieldName("lon", "ip.lon"); err != nil {
		return nil, err
	}
	if e.precision, err = geohashPrecision(a, 12); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *geohashExpr) eval(_ *exec, ev *event.Event) (string, bool) {
	lat, lon, ok := coords(ev, e.lat, e.lon)
	if !ok {
		return "", false
	}
	return geohashEncode(lat, lon, e.precision), true
}

// coords reads a latitude and a longitude in decimal degrees.
func coords(ev *event.Event, latField, lonField string) (float64, float64, bool) {
	ls, ok1 := ev.Get(latField)
	os, ok2 := ev.Get(lonField)
	if !ok1 || !ok2 {
		return 0, 0, false
	}
	lat, ok1 := event.ParseNumber(ls)
	lon, ok2 := event.ParseNumber(os)
	if !ok1 || !ok2 || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
		return 0, 0, false
	}
	return lat, lon, true
}

const geohashAlphabet = "0123456789bcdefghjkmnpqrstuvwxyz"

// geohashEncode interleaves longitude and latitude bisections, five bits
// per base-32 character, longitude first. A value on a bisection goes to
// the lower half: the reference page's Greenwich example (lon 0.0) is
// gcpuzgrbxvrc, not u10hb5208j21.
func geohashEncode(lat, lon float64, precision int) string {
	latLo, latHi, lonLo, lonHi := -90.0, 90.0, -180.0, 180.0
	out := make([]byte, 0, precision)
	even := true
	ch, bit := 0, 0
	for len(out) < precision {
		if even {
			mid := (lonLo + lonHi) / 2
			if lon > mid {
				ch = ch<<1 | 1
				lonLo = mid
			} else {
				ch <<= 1
				lonHi = mid
			}
		} else {
			mid := (latLo + latHi) / 2
			if lat > mid {
				ch = ch<<1 | 1
				latLo = mid
			} else {
				ch <<= 1
				latHi = mid
			}
		}
		even = !even
		if bit++; bit == 5 {
			out = append(out, geohashAlphabet[ch])
			ch, bit = 0, 0
		}
	}
	return string(out)
}

// worldMap(ip= | lat=, lon=, magnitude=count(as=_count), precision=4) is
// geohash bucketing followed by groupBy(_geohash, function=magnitude): the
// rows carry _geohash and the magnitude's fields, the format the World Map
// widget reads.
type worldMapSpec struct {
	ip, lat, lon string
	precision    int
	db           *geoip.DB
	group        *groupSpec
}

func compileWorldMap(c *compiler, a *args) (aggSpec, error) {
	s := &worldMapSpec{}
	var err error
	if s.ip, err = a.fieldName("ip", ""); err != nil {
		return nil, err
	}
	if s.lat, err = a.fieldName("lat", ""); err != nil {
		return nil, err
	}
	if s.lon, err = a.fieldName("lon", ""); err != nil {
		return nil, err
	}
	switch {
	case s.ip != "" && (s.lat != "" || s.lon != ""):
		return nil, a.errorf("ip", "give ip= or lat= and lon=, not both")
	case s.ip == "" && (s.lat == "" || s.lon == ""):
		return nil, c.errAt(a.call.Span(), "invalid-argument", "worldMap(): give ip= or both lat= and lon=")
	case s.ip != "":
		if !c.opts.Data.GeoIP.HasLocation() {
			return nil, c.missingData(a, "worldMap(ip=...) needs a MaxMind City database: %s", geoipHint)
		}
		s.db = c.opts.Data.GeoIP
	}
	if s.precision, err = geohashPrecision(a, 4); err != nil {
		return nil, err
	}
	fns, err := c.compileFunctionArg(a, "magnitude")
	if err != nil {
		return nil, err
	}
	s.group = &groupSpec{keys: []string{"_geohash"}, aggs: fns, limit: defaultGroupLimit}
	return s, nil
}

func (s *worldMapSpec) newAgg(x *exec) collector {
	return &worldMapAgg{s: s, inner: s.group.newAgg(x)}
}

type worldMapAgg struct {
	s     *worldMapSpec
	inner collector
	tmp   event.Event
}

func (w *worldMapAgg) add(ev *event.Event) {
	var lat, lon float64
	if w.s.db != nil {
		ip, ok := fieldAddr(ev, w.s.ip)
		if !ok {
			return
		}
		loc, found := w.s.db.Location(ip)
		if !found || !loc.HasCoords {
			return
		}
		lat, lon = loc.Lat, loc.Lon
	} else {
		var ok bool
		if lat, lon, ok = coords(ev, w.s.lat, w.s.lon); !ok {
			return
		}
	}
	// add borrows ev: annotate a copy rather than the caller's event.
	w.tmp.CopyFrom(ev)
	w.tmp.Set("_geohash", geohashEncode(lat, lon, w.s.precision))
	w.inner.add(&w.tmp)
}

func (w *worldMapAgg) finish(emit func(*event.Event)) { w.inner.finish(emit) }
