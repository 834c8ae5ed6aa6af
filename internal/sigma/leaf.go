package sigma

import (
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// leafKind is what a CQL leaf filter tests.
type leafKind uint8

const (
	leafPattern  leafKind = iota // field matches a Sigma pattern
	leafRegex                    // field matches a regex
	leafExists                   // field is present
	leafCIDR                     // field is an address in one of nets
	leafCmp                      // numeric comparison
	leafIn                       // field equals one of values
	leafFieldRef                 // two fields are equal
	leafKeyword                  // any field matches the pattern
)

// leafMatch describes a leaf filter in Sigma terms, so tests and the
// example-event generator can reason about it without reading CQL.
type leafMatch struct {
	kind   leafKind
	field  string
	p      pattern
	cased  bool
	re     *regexp.Regexp
	nets   []netip.Prefix
	op     string
	num    float64
	values []string
	other  string
	rx     *regexp.Regexp // leafPattern/leafKeyword compiled
}

// eval is the Sigma meaning of the leaf on an event of string fields.
func (m *leafMatch) eval(ev map[string]string) bool {
	v, ok := ev[m.field]
	switch m.kind {
	case leafExists:
		return ok
	case leafPattern:
		if !ok {
			return false
		}
		if m.rx == nil {
			m.rx = m.p.compile(m.cased)
		}
		return m.rx.MatchString(v)
	case leafRegex:
		return ok && m.re.MatchString(v)
	case leafCIDR:
		a, err := netip.ParseAddr(v)
		if !ok || err != nil {
			return false
		}
		for _, n := range m.nets {
			if n.Contains(a) {
				return true
			}
		}
		return false
	case leafCmp:
		x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if !ok || err != nil {
			return false
		}
		switch m.op {
		case ">":
			return x > m.num
		case ">=":
			return x >= m.num
		case "<":
			return x < m.num
		}
		return x <= m.num
	case leafIn:
		for _, w := range m.values {
			if ok && v == w {
				return true
			}
		}
		return false
	case leafFieldRef:
		w, ok2 := ev[m.other]
		if !ok || !ok2 {
			return false
		}
		if m.cased {
			return v == w
		}
		return strings.EqualFold(v, w)
	case leafKeyword:
		if m.rx == nil {
			m.rx = m.p.compile(m.cased)
		}
		for _, v := range ev {
			if m.rx.MatchString(v) {
				return true
			}
		}
	}
	return false
}

// evalExpr is the Sigma meaning of a converted detection on an event.
func evalExpr(e expr, ev map[string]string) bool {
	switch e := e.(type) {
	case exConst:
		return bool(e)
	case exLeaf:
		return e.m.eval(ev)
	case exNot:
		return !evalExpr(e.x, ev)
	case exAnd:
		for _, x := range e {
			if !evalExpr(x, ev) {
				return false
			}
		}
		return true
	case exOr:
		for _, x := range e {
			if evalExpr(x, ev) {
				return true
			}
		}
	}
	return false
}

// goRegex compiles a Sigma regex with CQL flags (i, m, d) for Go.
func goRegex(re, flags string) *regexp.Regexp {
	prefix := ""
	for _, f := range flags {
		switch f {
		case 'i':
			prefix += "i"
		case 'm':
			prefix += "m"
		case 'd':
			prefix += "s"
		}
	}
	if prefix != "" {
		re = "(?" + prefix + ")" + re
	}
	return regexp.MustCompile(re)
}
