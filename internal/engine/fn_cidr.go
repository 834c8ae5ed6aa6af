package engine

import (
	"net/netip"
	"strings"

	"github.com/tiercel/tiercel/internal/event"
)

func init() {
	registerFunc("cidr", &funcImpl{params: []string{"field", "subnet", "file", "column", "negate"}, test: compileCIDR})
}

// cidrTester keeps events whose IP field (IPv4 or IPv6, or any element of an
// array field name[]) lies in one of the subnets.
type cidrTester struct {
	field    string
	array    bool // field was written name[]: test name[0], name[1], ...
	prefixes []netip.Prefix
	negate   bool
}

func (t *cidrTester) test(_ *exec, ev *event.Event) bool {
	return t.match(ev) != t.negate
}

func (t *cidrTester) match(ev *event.Event) bool {
	if !t.array {
		v, ok := ev.Get(t.field)
		return ok && t.contains(v)
	}
	for _, f := range ev.Fields() {
		if isArrayElement(f.Name, t.field) && t.contains(f.Value) {
			return true
		}
	}
	return false
}

func (t *cidrTester) contains(v string) bool {
	addr, err := netip.ParseAddr(strings.TrimSpace(v))
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	for _, p := range t.prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// isArrayElement reports whether name is base[N].
func isArrayElement(name, base string) bool {
	if len(name) < len(base)+3 || name[:len(base)] != base || name[len(base)] != '[' || name[len(name)-1] != ']' {
		return false
	}
	for _, c := range name[len(base)+1 : len(name)-1] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func parseSubnet(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	if p.Addr().Is4In6() {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p.Masked(), true
}

func compileCIDR(c *compiler, a *args) (tester, error) {
	field, err := a.str("field", "")
	if err != nil {
		return nil, err
	}
	if field == "" {
		return nil, a.errorf("field", "missing required parameter field")
	}
	if a.has("file") {
		return nil, a.errorf("file", "subnets from lookup files are not supported yet; list them in subnet=[...]")
	}
	t := &cidrTester{field: field}
	if strings.HasSuffix(field, "[]") {
		t.array = true
		t.field = strings.TrimSuffix(field, "[]")
	}
	c.read(field)
	subnets, err := a.strList("subnet")
	if err != nil {
		return nil, err
	}
	if len(subnets) == 0 {
		return nil, a.errorf("subnet", "missing required parameter subnet")
	}
	for _, s := range subnets {
		p, ok := parseSubnet(s)
		if !ok {
			return nil, a.errorf("subnet", "%q is not an IP subnet", s)
		}
		t.prefixes = append(t.prefixes, p)
	}
	if t.negate, err = a.boolean("negate", false); err != nil {
		return nil, err
	}
	return t, nil
}
