package engine

import (
	"strings"
	"sync"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

type andTester struct{ x, y tester }

func (t andTester) test(x *exec, ev *event.Event) bool { return t.x.test(x, ev) && t.y.test(x, ev) }

type orTester struct{ x, y tester }

func (t orTester) test(x *exec, ev *event.Event) bool { return t.x.test(x, ev) || t.y.test(x, ev) }

type notTester struct{ x tester }

func (t notTester) test(x *exec, ev *event.Event) bool { return !t.x.test(x, ev) }

type constTester bool

func (t constTester) test(*exec, *event.Event) bool { return bool(t) }

// valueMatcher tests one field value.
type valueMatcher interface {
	matchValue(s string) bool
}

// globMatcher is `field = pattern`: anchored glob, with the numeric-equality
// fallback of spec §3.3 when the pattern is a number.
type globMatcher struct {
	g       *glob
	num     float64
	numeric bool
}

func newGlobMatcher(pattern string, anchored, fold bool) *globMatcher {
	m := &globMatcher{g: newGlob(pattern, anchored, fold)}
	if lit, ok := m.g.literal(); ok && anchored {
		m.num, m.numeric = event.ParseNumber(lit)
	}
	return m
}

func (m *globMatcher) matchValue(s string) bool {
	if m.g.match(s) {
		return true
	}
	if m.numeric {
		n, ok := event.ParseNumber(s)
		return ok && n == m.num
	}
	return false
}

type regexMatcher struct{ re *lsRegex }

func (m regexMatcher) matchValue(s string) bool { return m.re.matchString(s) }

// fieldTester is `field = pattern`; a missing field never matches.
type fieldTester struct {
	field string
	m     valueMatcher
}

func (t *fieldTester) test(_ *exec, ev *event.Event) bool {
	v, ok := ev.Get(t.field)
	return ok && t.m.matchValue(v)
}

// anyOfTester is an OR of tests of one field: in(), and chains such as
// `f=/a/ or f=/b/ or ...`, as Sigma rules convert. The field is read once
// and its matchers tried in order, as the chain would try them.
type anyOfTester struct {
	field string
	ms    []valueMatcher
	// needs tells, for a value, which matchers it may match: built when
	// first tested (alternatives.go)
	needs    *matcherNeeds
	needsSet sync.Once
}

func (t *anyOfTester) test(_ *exec, ev *event.Event) bool {
	v, ok := ev.Get(t.field)
	if !ok {
		return false
	}
	t.needsSet.Do(func() { t.needs = newMatcherNeeds(t.ms) })
	if t.needs != nil {
		return t.needs.anyMatch(t.ms, v)
	}
	return anyMatches(t.ms, v)
}

// fieldAlternatives returns the field and matchers of a test of one
// field's value.
func fieldAlternatives(t tester) (string, []valueMatcher, bool) {
	switch t := t.(type) {
	case *fieldTester:
		return t.field, []valueMatcher{t.m}, true
	case *anyOfTester:
		return t.field, t.ms, true
	}
	return "", nil, false
}

// existsTester is `field = *`.
type existsTester struct{ field string }

func (t existsTester) test(_ *exec, ev *event.Event) bool { return ev.Has(t.field) }

// numCompareTester is `field < n` and friends; missing or non-numeric
// values do not match.
type numCompareTester struct {
	field string
	op    string
	n     float64
}

func (t *numCompareTester) test(_ *exec, ev *event.Event) bool {
	f, ok := numberField(ev, t.field)
	if !ok {
		return false
	}
	switch t.op {
	case "<":
		return f < t.n
	case "<=":
		return f <= t.n
	case ">":
		return f > t.n
	}
	return f >= t.n
}

// freeTextTester searches every field of the original event except
// @timestamp, @id and tags, plus @rawstring (spec §3.2).
type freeTextTester struct{ m valueMatcher }

func (t *freeTextTester) test(x *exec, ev *event.Event) bool {
	fields := x.orig
	if fields == nil {
		fields = ev.Fields()
	}
	for _, f := range fields {
		if skipFreeText(f.Name) {
			continue
		}
		if t.m.matchValue(f.Value) {
			return true
		}
	}
	return false
}

func skipFreeText(name string) bool {
	if name == "" {
		return true
	}
	switch name[0] {
	case '#':
		return true
	case '@':
		return name != event.RawString
	}
	return false
}

// compileFilterPair compiles the two sides of an and/or filter.
func (c *compiler) compileFilterPair(fx, fy cql.Filter) (x, y tester, err error) {
	if x, err = c.compileFilter(fx); err != nil {
		return nil, nil, err
	}
	if y, err = c.compileFilter(fy); err != nil {
		return nil, nil, err
	}
	return x, y, nil
}

// compileFilter compiles a boolean filter.
func (c *compiler) compileFilter(f cql.Filter) (tester, error) {
	switch f := f.(type) {
	case *cql.AndFilter:
		x, y, err := c.compileFilterPair(f.X, f.Y)
		if err != nil {
			return nil, err
		}
		return andTester{x, y}, nil
	case *cql.OrFilter:
		var alts []tester
		for _, a := range orFilterAlternatives(f, nil) {
			t, err := c.compileFilter(a)
			if err != nil {
				return nil, err
			}
			alts = append(alts, t)
		}
		return orOfAll(alts), nil
	case *cql.NotFilter:
		x, err := c.compileFilter(f.X)
		if err != nil {
			return nil, err
		}
		return notTester{x}, nil
	case *cql.ParenFilter:
		return c.compileFilter(f.X)
	case *cql.BoolFilter:
		return constTester(f.Value), nil
	case *cql.CompareFilter:
		return c.compileCompare(f)
	case *cql.FreeTextFilter:
		return c.compileFreeText(f.Value)
	case *cql.CallFilter:
		return c.compileTestCall(f.Call)
	case *cql.InFilter:
		call := &cql.Call{Name: "in", NameSp: f.Sp, Sp: f.Sp, Args: []*cql.Arg{
			{Name: "field", NameSp: f.Field.Sp, Value: f.Field},
			{Name: "values", NameSp: f.Sp, Value: &cql.ArrayExpr{Elems: f.Values, Sp: f.Sp}},
		}}
		return c.compileTestCall(call)
	}
	return nil, c.errAt(f.Span(), "compile", "unsupported filter")
}

// patternText returns the text of a non-regex pattern.
func (c *compiler) patternText(p cql.Pattern) (string, error) {
	switch p := p.(type) {
	case *cql.Word:
		return p.Text, nil
	case *cql.String:
		return p.Value, nil
	case *cql.Param:
		return c.param(p)
	}
	return "", c.errAt(p.Span(), "invalid-argument", "a regex is not allowed here")
}

func (c *compiler) compileCompare(f *cql.CompareFilter) (tester, error) {
	field := f.Field.Name
	c.read(field)
	switch f.Op {
	case "=", "!=":
		var t tester
		if re, ok := f.Value.(*cql.Regex); ok {
			r, err := c.regex(re.Pattern, re.Flags)
			if err != nil {
				return nil, c.errAt(re.Span(), "invalid-regex", "%v", err)
			}
			t = &fieldTester{field: field, m: regexMatcher{r}}
		} else {
			text, err := c.patternText(f.Value)
			if err != nil {
				return nil, err
			}
			if text != "" && strings.Trim(text, "*") == "" {
				t = existsTester{field}
			} else {
				t = &fieldTester{field: field, m: newGlobMatcher(text, true, false)}
			}
		}
		if f.Op == "!=" {
			return notTester{t}, nil
		}
		return t, nil
	case "like":
		text, err := c.patternText(f.Value)
		if err != nil {
			return nil, err
		}
		return &fieldTester{field: field, m: newGlobMatcher(text, false, false)}, nil
	case "<", "<=", ">", ">=":
		text, err := c.patternText(f.Value)
		if err != nil {
			return nil, err
		}
		n, ok := event.ParseNumber(text)
		if !ok {
			return nil, c.errAt(f.Value.Span(), "invalid-argument", "%s needs a number on its right, not %q", f.Op, text)
		}
		return &numCompareTester{field: field, op: f.Op, n: n}, nil
	}
	return nil, c.errAt(f.Span(), "syntax", "unknown operator %q", f.Op)
}

func (c *compiler) compileFreeText(p cql.Pattern) (tester, error) {
	if re, ok := p.(*cql.Regex); ok {
		r, err := c.regex(re.Pattern, re.Flags)
		if err != nil {
			return nil, c.errAt(re.Span(), "invalid-regex", "%v", err)
		}
		return c.freeTextTester(regexMatcher{r}), nil
	}
	text, err := c.patternText(p)
	if err != nil {
		return nil, err
	}
	if strings.Trim(text, "*") == "" {
		return constTester(true), nil
	}
	return c.freeTextTester(newGlobMatcher(text, false, false)), nil
}

// compileFilterStep compiles a filter used as a step. A lone regex with
// named groups (`field = /(?<x>...)/` or `/(?<x>...)/`) also extracts.
func (c *compiler) compileFilterStep(s *cql.FilterStep) (any, error) {
	switch f := s.Filter.(type) {
	case *cql.CompareFilter:
		if re, ok := f.Value.(*cql.Regex); ok && f.Op == "=" {
			r, err := c.regex(re.Pattern, re.Flags)
			if err != nil {
				return nil, c.errAt(re.Span(), "invalid-regex", "%v", err)
			}
			if len(r.groups) > 0 {
				c.read(f.Field.Name)
				return c.extractStage(r, []string{f.Field.Name}, true, strings.Contains(re.Flags, "g"), 100), nil
			}
		}
	case *cql.FreeTextFilter:
		if re, ok := f.Value.(*cql.Regex); ok {
			r, err := c.regex(re.Pattern, re.Flags)
			if err != nil {
				return nil, c.errAt(re.Span(), "invalid-regex", "%v", err)
			}
			if len(r.groups) > 0 {
				// extraction prefers @rawstring; LogScale searches it first
				c.read(event.RawString)
				return c.extractStage(r, []string{event.RawString}, true, strings.Contains(re.Flags, "g"), 100), nil
			}
		}
	}
	t, err := c.compileFilter(s.Filter)
	if err != nil {
		return nil, err
	}
	return testStep{t}, nil
}
