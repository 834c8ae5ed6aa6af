// Package ioc is tiercel's local indicator-of-compromise store, the data
// ioc:lookup() reads where LogScale reads CrowdStrike's curated IOC
// database. Users feed it CSV, STIX 2.1 bundles or MISP JSON exports;
// `tiercel ioc import` saves an indexed store file that loads without
// re-parsing. Every lookup is a few hash-map probes, whatever the store's
// size: exact values, each parent domain, each CIDR prefix length present.
package ioc

import (
	"net/netip"
	"sort"
	"strings"
)

// Indicator types. The first three are the types ioc:lookup() accepts.
const (
	TypeIP     = "ip_address"
	TypeDomain = "domain"
	TypeURL    = "url"
	TypeMD5    = "hash_md5"
	TypeSHA1   = "hash_sha1"
	TypeSHA256 = "hash_sha256"
)

// Confidence levels, lowest first (LogScale's malicious_confidence values).
var Levels = []string{"unverified", "low", "medium", "high"}

// Level returns the rank of a confidence name, or -1.
func Level(name string) int {
	for i, l := range Levels {
		if strings.EqualFold(l, name) {
			return i
		}
	}
	return -1
}

// Indicator is one IOC with the columns ioc:lookup() can include.
type Indicator struct {
	Indicator  string   // as the source wrote it
	Type       string   // TypeIP, TypeDomain, ...
	Labels     []string // e.g. Malware/Emotet, ThreatType/Criminal
	Confidence string   // unverified, low, medium or high
	Published  string
	Updated    string
}

// Store holds indicators indexed for lookup. Build it with Add, then use it
// from any number of goroutines.
type Store struct {
	Inds  []Indicator
	ips   map[netip.Addr][]int32
	nets  map[netip.Prefix][]int32 // CIDR indicators
	lens  []int                    // prefix lengths present in nets, longest first
	exact map[string][]int32       // type + "\x00" + normalized value
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{ips: map[netip.Addr][]int32{}, nets: map[netip.Prefix][]int32{}, exact: map[string][]int32{}}
}

// Len is the number of indicators.
func (s *Store) Len() int { return len(s.Inds) }

// Add indexes one indicator. It reports false for a value its type cannot
// hold (an unparsable address, an empty domain).
func (s *Store) Add(ind Indicator) bool {
	if Level(ind.Confidence) < 0 {
		ind.Confidence = "unverified"
	}
	ind.Confidence = strings.ToLower(ind.Confidence)
	idx := int32(len(s.Inds))
	switch ind.Type {
	case TypeIP:
		v := strings.TrimSpace(ind.Indicator)
		if strings.Contains(v, "/") {
			p, err := netip.ParsePrefix(v)
			if err != nil {
				return false
			}
			p = unmapPrefix(p).Masked()
			if p.Bits() == p.Addr().BitLen() { // a /32 or /128 is one address
				s.ips[p.Addr()] = append(s.ips[p.Addr()], idx)
				break
			}
			if _, seen := s.nets[p]; !seen && !containsInt(s.lens, p.Bits()) {
				s.lens = append(s.lens, p.Bits())
				sort.Sort(sort.Reverse(sort.IntSlice(s.lens)))
			}
			s.nets[p] = append(s.nets[p], idx)
			break
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		a = a.Unmap()
		s.ips[a] = append(s.ips[a], idx)
	default:
		n := normalize(ind.Type, ind.Indicator)
		if n == "" {
			return false
		}
		k := key(ind.Type, n)
		s.exact[k] = append(s.exact[k], idx)
	}
	s.Inds = append(s.Inds, ind)
	return true
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func unmapPrefix(p netip.Prefix) netip.Prefix {
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p
}

func key(typ, v string) string { return typ + "\x00" + v }

// normalize makes domains, URLs and hashes comparable: lower-case domains
// without a trailing dot; URLs without their scheme and trailing slash,
// host lower-cased; hashes lower-case.
func normalize(typ, v string) string {
	v = strings.TrimSpace(v)
	switch typ {
	case TypeDomain:
		return strings.TrimSuffix(strings.ToLower(v), ".")
	case TypeURL:
		if i := strings.Index(v, "://"); i >= 0 {
			v = v[i+3:]
		}
		host, rest := v, ""
		if i := strings.IndexAny(v, "/?#"); i >= 0 {
			host, rest = v[:i], v[i:]
		}
		return strings.ToLower(host) + strings.TrimSuffix(rest, "/")
	default:
		return strings.ToLower(v)
	}
}

// Lookup returns the indicators of type typ matching value at confidence
// minLevel or above: an IP address matches equal addresses and networks
// containing it; a domain matches itself and its parent domains (an IOC
// for evil.com matches www.evil.com); URLs and hashes match exactly.
func (s *Store) Lookup(typ, value string, minLevel int, out []*Indicator) []*Indicator {
	add := func(ids []int32) {
		for _, i := range ids {
			ind := &s.Inds[i]
			if Level(ind.Confidence) >= minLevel && !containsInd(out, ind) {
				out = append(out, ind)
			}
		}
	}
	switch typ {
	case TypeIP:
		a, err := netip.ParseAddr(strings.TrimSpace(value))
		if err != nil {
			return out
		}
		a = a.Unmap()
		add(s.ips[a])
		for _, bits := range s.lens {
			if bits > a.BitLen() {
				continue
			}
			if p, err := a.Prefix(bits); err == nil {
				add(s.nets[p])
			}
		}
	case TypeDomain:
		d := normalize(TypeDomain, value)
		for d != "" {
			add(s.exact[key(TypeDomain, d)])
			i := strings.IndexByte(d, '.')
			if i < 0 {
				break
			}
			d = d[i+1:]
		}
	default:
		if n := normalize(typ, value); n != "" {
			add(s.exact[key(typ, n)])
		}
	}
	return out
}

func containsInd(xs []*Indicator, x *Indicator) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
