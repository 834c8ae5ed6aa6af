package sigma

import (
	"strconv"
	"strings"
)

// expr is a boolean filter over Falcon events, printed as CQL.
type expr interface{ isExpr() }

type exAnd []expr
type exOr []expr
type exNot struct{ x expr }

// exLeaf is one CQL filter (`f=/x/i`, `cidr(...)`, `/kw/i`). neg is its
// negated form when CQL has a shorter one (`f!=*`).
type exLeaf struct {
	cql, neg string
	m        *leafMatch // what the filter tests, for the event generator
}

// exConst is a filter that is always (or never) true: a dropped optional
// filter. and/or/not fold it away.
type exConst bool

func (exConst) isExpr() {}
func (exAnd) isExpr()   {}
func (exOr) isExpr()    {}
func (exNot) isExpr()   {}
func (exLeaf) isExpr()  {}

func and(xs ...expr) expr {
	var out exAnd
	for _, x := range xs {
		if c, ok := x.(exConst); ok {
			if !c {
				return exConst(false)
			}
			continue
		}
		if a, ok := x.(exAnd); ok {
			out = append(out, a...)
		} else {
			out = append(out, x)
		}
	}
	if len(out) == 0 {
		return exConst(true)
	}
	if len(out) == 1 {
		return out[0]
	}
	return out
}

func or(xs ...expr) expr {
	var out exOr
	for _, x := range xs {
		if c, ok := x.(exConst); ok {
			if c {
				return exConst(true)
			}
			continue
		}
		if o, ok := x.(exOr); ok {
			out = append(out, o...)
		} else {
			out = append(out, x)
		}
	}
	if len(out) == 0 {
		return exConst(false)
	}
	if len(out) == 1 {
		return out[0]
	}
	return out
}

func not(x expr) expr {
	if c, ok := x.(exConst); ok {
		return !c
	}
	if n, ok := x.(exNot); ok {
		return n.x
	}
	return exNot{x}
}

// printExpr renders e as a CQL filter. CQL binds `not` tightest, then `or`,
// then `and`; compound operands are parenthesised anyway for the reader.
func printExpr(e expr) string {
	var b strings.Builder
	writeExpr(&b, e, false)
	return b.String()
}

func writeExpr(b *strings.Builder, e expr, nested bool) {
	switch e := e.(type) {
	case exConst:
		b.WriteString(strconv.FormatBool(bool(e)))
	case exLeaf:
		b.WriteString(e.cql)
	case exNot:
		if l, ok := e.x.(exLeaf); ok && l.neg != "" {
			b.WriteString(l.neg)
			return
		}
		b.WriteString("not ")
		writeExpr(b, e.x, true)
	case exAnd, exOr:
		xs, sep := []expr(nil), " or "
		if a, ok := e.(exAnd); ok {
			xs, sep = a, " and "
		} else {
			xs = e.(exOr)
		}
		if nested {
			b.WriteByte('(')
		}
		for i, x := range xs {
			if i > 0 {
				b.WriteString(sep)
			}
			writeExpr(b, x, true)
		}
		if nested {
			b.WriteByte(')')
		}
	}
}
