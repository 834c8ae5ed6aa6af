package engine

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"net/netip"
	"strconv"
	"strings"

	"github.com/tiercel/tiercel/internal/event"
)

// communityId() and subnet(): network-flow hashing and address prefixes.
//
// communityId (reference page functions-communityid) implements
// community_id_v1 of the Community ID specification: SHA-1 over seed 0,
// the two addresses, the protocol number, a zero pad byte and the two
// ports, endpoints ordered so both directions of a flow hash alike, base64,
// prefixed "1:". ICMP types and codes map to ports as community_id_icmp
// says. Invalid input (a bad address, a port out of range, an unknown
// protocol) gives the empty string, as the page states.

func init() {
	registerFunc("communityId", &funcImpl{params: []string{"", "as", "sourceip", "sourceport", "destinationip", "destinationport", "proto", "icmptype", "icmpcode"},
		defaultAs: "_community_id", value: compileCommunityID})
	registerFunc("subnet", &funcImpl{params: []string{"field", "bits", "as"}, defaultAs: "_subnet", value: compileSubnet})
}

type communityIDExpr struct {
	srcIP, dstIP, srcPort, dstPort, proto, icmpType, icmpCode string
}

func compileCommunityID(c *compiler, a *args) (expr, error) {
	e := &communityIDExpr{}
	for _, p := range []struct {
		name string
		dst  *string
		req  bool
	}{
		{"sourceip", &e.srcIP, true}, {"destinationip", &e.dstIP, true}, {"proto", &e.proto, true},
		{"sourceport", &e.srcPort, false}, {"destinationport", &e.dstPort, false},
		{"icmptype", &e.icmpType, false}, {"icmpcode", &e.icmpCode, false},
	} {
		f, err := a.fieldName(p.name, "")
		if err != nil {
			return nil, err
		}
		if p.req && f == "" {
			return nil, c.errAt(a.call.Span(), "invalid-argument", "communityId(): missing required parameter %s", p.name)
		}
		*p.dst = f
	}
	if (e.srcPort == "") != (e.dstPort == "") {
		return nil, a.errorf("sourceport", "give both sourceport and destinationport, or neither")
	}
	if (e.icmpType == "") != (e.icmpCode == "") {
		return nil, a.errorf("icmptype", "give both icmptype and icmpcode, or neither")
	}
	return e, nil
}

// ipProtocols are the IANA keywords of common protocols.
var ipProtocols = map[string]int{
	"icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "gre": 47, "esp": 50, "ah": 51,
	"ipv6-icmp": 58, "icmp6": 58, "icmpv6": 58, "eigrp": 88, "ospf": 89, "ospfigp": 89, "pim": 103, "sctp": 132,
}

// ICMP and ICMPv6 types that have a counterpart, for community_id_icmp.
var (
	icmp4Pairs = map[int]int{8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 10: 9, 9: 10, 17: 18, 18: 17}
	icmp6Pairs = map[int]int{128: 129, 129: 128, 133: 134, 134: 133, 135: 136, 136: 135, 130: 131, 131: 130, 144: 145, 145: 144}
)

func (e *communityIDExpr) eval(_ *exec, ev *event.Event) (string, bool) {
	get := func(f string) (string, bool) {
		if f == "" {
			return "", false
		}
		return ev.Get(f)
	}
	srcS, ok1 := get(e.srcIP)
	dstS, ok2 := get(e.dstIP)
	protoS, ok3 := get(e.proto)
	if !ok1 || !ok2 || !ok3 {
		return "", false
	}
	src, err1 := netip.ParseAddr(strings.TrimSpace(srcS))
	dst, err2 := netip.ParseAddr(strings.TrimSpace(dstS))
	if err1 != nil || err2 != nil || src.Unmap().Is4() != dst.Unmap().Is4() {
		return "", true
	}
	src, dst = src.Unmap(), dst.Unmap()
	proto, err := strconv.Atoi(strings.TrimSpace(protoS))
	if err != nil {
		p, known := ipProtocols[strings.ToLower(strings.TrimSpace(protoS))]
		if !known {
			return "", true
		}
		proto = p
	}
	if proto < 0 || proto > 255 {
		return "", true
	}
	port := func(f string) (int, bool, bool) { // value, given, valid
		s, ok := get(f)
		if !ok {
			return 0, false, true
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		return n, true, err == nil && n >= 0 && n <= 65535
	}
	sp, spGiven, ok1 := port(e.srcPort)
	dp, dpGiven, ok2 := port(e.dstPort)
	if !ok1 || !ok2 {
		return "", true
	}
	hasPorts := spGiven && dpGiven
	oneWay := false
	if proto == 1 || proto == 58 {
		if t, tGiven, okT := port(e.icmpType); tGiven && okT {
			c, _, okC := port(e.icmpCode)
			if !okC {
				return "", true
			}
			pairs := icmp4Pairs
			if proto == 58 {
				pairs = icmp6Pairs
			}
			sp, hasPorts = t, true
			if other, ok := pairs[t]; ok {
				dp = other
			} else {
				dp, oneWay = c, true
			}
		}
	}
	a, b := src.AsSlice(), dst.AsSlice()
	if !oneWay {
		if cmp := src.Compare(dst); cmp > 0 || cmp == 0 && hasPorts && sp > dp {
			a, b = b, a
			sp, dp = dp, sp
		}
	}
	buf := make([]byte, 0, 2+32+4+4)
	buf = binary.BigEndian.AppendUint16(buf, 0) // seed
	buf = append(buf, a...)
	buf = append(buf, b...)
	buf = append(buf, byte(proto), 0)
	if hasPorts {
		buf = binary.BigEndian.AppendUint16(buf, uint16(sp))
		buf = binary.BigEndian.AppendUint16(buf, uint16(dp))
	}
	sum := sha1.Sum(buf)
	return "1:" + base64.StdEncoding.EncodeToString(sum[:]), true
}

// subnet(field, bits, as=_subnet): the network of an address at a prefix
// length (reference page functions-subnet), written as CIDR a.b.c.d/bits.
type subnetExpr struct {
	field string
	bits  int
}

func compileSubnet(c *compiler, a *args) (expr, error) {
	f, err := a.fieldName("field", "")
	if err != nil {
		return nil, err
	}
	if f == "" {
		return nil, c.errAt(a.call.Span(), "invalid-argument", "subnet(): missing required parameter field")
	}
	s, err := a.required("bits")
	if err != nil {
		return nil, err
	}
	bits, err2 := strconv.Atoi(s)
	if err2 != nil || bits < 0 || bits > 128 {
		return nil, a.errorf("bits", "bits must be a prefix length from 0 to 32 (128 for IPv6), not %q", s)
	}
	return &subnetExpr{field: f, bits: bits}, nil
}

func (e *subnetExpr) eval(_ *exec, ev *event.Event) (string, bool) {
	v, ok := ev.Get(e.field)
	if !ok {
		return "", false
	}
	ip, err := netip.ParseAddr(strings.TrimSpace(v))
	if err != nil {
		return "", false
	}
	p, err := ip.Unmap().Prefix(e.bits)
	if err != nil {
		return "", false
	}
	return p.String(), true
}
