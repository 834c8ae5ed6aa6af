package engine

import "strings"

// A Sigma registry rule converts to a field built from raw ones and tested
// after: TargetObject := format("%s\\%s", field=[RegObjectName,
// RegValueName]), its hive renamed by replace(), then TargetObject tested
// for the key the rule looks for. A test of a field an earlier step wrote
// says nothing of the raw line, so each of SigmaHQ's 242 such rules ran on
// every registry event. But a built value is pieces of raw values between
// texts the query inserted (the format's separators, the replacements): a
// run of the literal holding none of the inserted bytes lies in one raw
// value, so the line holds it in one of the fields the value was built
// from.

// builtField is a field built from raw fields by format()'s plain %s and
// replace() with literal texts.
type builtField struct {
	from     []string  // the raw fields its value is made of
	inserted [256]bool // the bytes of the texts the query inserted, in both ASCII cases
}

// insert adds the bytes of a text the query inserts.
func (b *builtField) insert(text string) {
	for i := 0; i < len(text); i++ {
		c := text[i]
		b.inserted[c] = true
		b.inserted[lowerByte(c)], b.inserted[upperByte(c)] = true, true
	}
}

// builtFrom returns the builtField a step makes of its target, or nil: a
// format() of raw fields with plain %s only, or a replace() by a literal
// text (no group references, not empty: an empty one would join what it
// removed the text between) of a built field.
func builtFrom(st any, sc *litScope) (field string, b *builtField) {
	switch s := st.(type) {
	case *assignStep:
		f, ok := s.e.(*formatExpr)
		if !ok {
			return "", nil
		}
		b = &builtField{}
		for _, v := range f.verbs {
			switch {
			case v.conv == 0:
				b.insert(v.lit)
			case v.conv != 's' || v.upper || v.flags != "" || v.width != 0 || v.prec >= 0:
				return "", nil // the value is not written as the line holds it
			}
		}
		for _, from := range f.fields {
			if !sc.raw(from) {
				return "", nil
			}
		}
		b.from = f.fields
		return s.field, b
	case *replaceStep:
		src := sc.built[s.field]
		if src == nil || s.re.re2 != nil || s.with == "" || strings.Contains(s.with, "$") {
			return "", nil
		}
		cp := *src
		cp.insert(s.with)
		return s.as, &cp
	}
	return "", nil
}

// lits turns the literals l requires of the built field (tagged field)
// into literals of the raw fields it was built from: each run of a
// literal without inserted bytes, in one of them.
func (b *builtField) lits(l *litExpr, field string) *litExpr {
	switch l.op {
	case litTrue, litFalse:
		return l
	case litAnd, litOr:
		kids := make([]*litExpr, len(l.kids))
		for i, k := range l.kids {
			kids[i] = b.lits(k, field)
		}
		if l.op == litAnd {
			return litAnd2(kids...)
		}
		return litOr2(kids...)
	case litText:
		if l.field != field {
			return litAlways
		}
		var runs []*litExpr
		for start, i := 0, 0; i <= len(l.plain); i++ {
			if i < len(l.plain) && !b.inserted[l.plain[i]] {
				continue
			}
			if run := l.plain[start:i]; len(run) >= minLiteral {
				var in []*litExpr
				for _, from := range b.from {
					in = append(in, litOfMin(run, from, l.fold, minLiteralIn(from)))
				}
				runs = append(runs, litOr2(in...))
			}
			start = i + 1
		}
		return litAnd2(runs...)
	}
	return litAlways
}
