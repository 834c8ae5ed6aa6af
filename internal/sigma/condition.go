package sigma

import (
	"fmt"
	"path"
	"strings"
)

// The condition language, loosest to tightest:
//
//	expr   := and ( 'or' and )*
//	and    := unary ( 'and' unary )*
//	unary  := 'not' unary | of | '(' expr ')' | IDENT
//	of     := ( '1' | 'all' | 'any' ) 'of' ( 'them' | PATTERN )
//
// Keywords are case-insensitive; identifiers are not. PATTERN may use `*`.
type cond interface{ isCond() }

type condIdent struct {
	name string
	pos  int // byte offset in the condition
}
type condNot struct{ x cond }
type condBin struct {
	and bool
	xs  []cond
}
type condOf struct {
	all     bool
	pattern string // "them" or a name pattern
}

func (*condIdent) isCond() {}
func (*condNot) isCond()   {}
func (*condBin) isCond()   {}
func (*condOf) isCond()    {}

type condError struct {
	pos int
	msg string
}

func (e *condError) Error() string { return fmt.Sprintf("at %d: %s", e.pos, e.msg) }

type condToken struct {
	text string
	pos  int
}

func lexCondition(s string) ([]condToken, error) {
	var toks []condToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			toks = append(toks, condToken{string(c), i})
			i++
		case c == '|':
			return nil, &condError{i, "`|` aggregations are Sigma v1; write a correlation rule instead"}
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r()|", rune(s[j])) {
				j++
			}
			toks = append(toks, condToken{s[i:j], i})
			i = j
		}
	}
	return toks, nil
}

type condParser struct {
	toks []condToken
	i    int
	end  int
}

func parseCondition(s string) (cond, error) {
	toks, err := lexCondition(s)
	if err != nil {
		return nil, err
	}
	p := &condParser{toks: toks, end: len(s)}
	if len(toks) == 0 {
		return nil, &condError{0, "empty condition"}
	}
	c, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, &condError{p.toks[p.i].pos, fmt.Sprintf("unexpected %q", p.toks[p.i].text)}
	}
	return c, nil
}

func (p *condParser) peek() string {
	if p.i < len(p.toks) {
		return strings.ToLower(p.toks[p.i].text)
	}
	return ""
}

func (p *condParser) pos() int {
	if p.i < len(p.toks) {
		return p.toks[p.i].pos
	}
	return p.end
}

func (p *condParser) or() (cond, error) {
	return p.bin("or", p.and)
}

func (p *condParser) and() (cond, error) {
	return p.bin("and", p.unary)
}

func (p *condParser) bin(op string, next func() (cond, error)) (cond, error) {
	x, err := next()
	if err != nil {
		return nil, err
	}
	xs := []cond{x}
	for p.peek() == op {
		p.i++
		y, err := next()
		if err != nil {
			return nil, err
		}
		xs = append(xs, y)
	}
	if len(xs) == 1 {
		return x, nil
	}
	return &condBin{and: op == "and", xs: xs}, nil
}

func (p *condParser) unary() (cond, error) {
	switch t := p.peek(); t {
	case "":
		return nil, &condError{p.pos(), "condition ends too early"}
	case "not":
		p.i++
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &condNot{x}, nil
	case "(":
		p.i++
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, &condError{p.pos(), "missing )"}
		}
		p.i++
		return x, nil
	case ")", "and", "or", "of", "them":
		return nil, &condError{p.pos(), fmt.Sprintf("unexpected %q", p.toks[p.i].text)}
	case "1", "all", "any":
		if p.i+1 < len(p.toks) && strings.EqualFold(p.toks[p.i+1].text, "of") {
			p.i += 2
			if p.i >= len(p.toks) {
				return nil, &condError{p.end, "`of` needs `them` or a name pattern"}
			}
			target := p.toks[p.i].text
			if target == "(" || target == ")" {
				return nil, &condError{p.toks[p.i].pos, "`of` needs `them` or a name pattern"}
			}
			p.i++
			if strings.EqualFold(target, "them") {
				target = "them"
			}
			return &condOf{all: t == "all", pattern: target}, nil
		}
		if t != "1" {
			return nil, &condError{p.pos(), fmt.Sprintf("%q must be followed by `of`", p.toks[p.i].text)}
		}
	}
	if strings.ContainsRune(p.toks[p.i].text, '*') {
		return nil, &condError{p.pos(), "a name pattern needs `1 of` or `all of`"}
	}
	if n := p.toks[p.i].text; isDigits(n) && p.i+1 < len(p.toks) && strings.EqualFold(p.toks[p.i+1].text, "of") {
		return nil, &condError{p.pos(), "only `1 of` and `all of` are defined"}
	}
	x := &condIdent{p.toks[p.i].text, p.toks[p.i].pos}
	p.i++
	return x, nil
}

// match returns the identifiers a `1 of`/`all of` target names, in file
// order. `them` is every identifier not starting with `_`.
func (d *Detection) match(pattern string) []string {
	var out []string
	for _, name := range d.Order {
		if pattern == "them" {
			if !strings.HasPrefix(name, "_") {
				out = append(out, name)
			}
			continue
		}
		if ok, _ := path.Match(globEscape(pattern), name); ok {
			out = append(out, name)
		}
	}
	return out
}

// globEscape keeps `*` as the only wildcard for path.Match.
func globEscape(p string) string {
	var b strings.Builder
	for _, c := range p {
		switch c {
		case '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}
