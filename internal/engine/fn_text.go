package engine

import (
	"math"
	"strings"
	"unicode/utf8"

	"github.com/tiercel/tiercel/internal/event"
)

// text:* functions take expressions (a quoted string is a literal, a bare
// word a field); getField/setField name fields through expressions;
// shannonEntropy measures a field's value.

func init() {
	for name, fn := range map[string]func(s, sub string) bool{
		"text:contains":   strings.Contains,
		"text:startsWith": strings.HasPrefix,
		"text:endsWith":   strings.HasSuffix,
	} {
		compile := func(c *compiler, a *args) (tester, error) {
			s, err := a.expr("string")
			if err != nil {
				return nil, err
			}
			sub, err := a.expr("substring")
			if err != nil {
				return nil, err
			}
			return &textTester{s: s, sub: sub, fn: fn}, nil
		}
		// a filter as a step; true/false in `x := text:contains(...)`
		registerFunc(name, &funcImpl{params: []string{"string", "substring"}, test: compile,
			value: func(c *compiler, a *args) (expr, error) {
				t, err := compile(c, a)
				return testExpr{t}, err
			}})
	}
	registerFunc("text:length", &funcImpl{params: []string{"string", "as"}, defaultAs: "_length",
		value: func(c *compiler, a *args) (expr, error) {
			s, err := a.expr("string")
			if err != nil {
				return nil, err
			}
			return textLengthExpr{s}, nil
		}})
	registerFunc("text:substring", &funcImpl{params: []string{"string", "begin", "end", "as"}, defaultAs: "_string",
		value: compileSubstring})
	registerFunc("shannonEntropy", &funcImpl{params: []string{"field", "as"}, defaultAs: "_shannonentropy",
		value: func(c *compiler, a *args) (expr, error) {
			f, err := a.fieldName("field", "")
			if err != nil {
				return nil, err
			}
			if f == "" {
				return nil, a.errorf("field", "missing required parameter field")
			}
			return entropyExpr{f}, nil
		}})
	registerFunc("getField", &funcImpl{params: []string{"source", "as"}, defaultAs: "_getField",
		value: func(c *compiler, a *args) (expr, error) {
			src, err := a.expr("source")
			if err != nil {
				return nil, err
			}
			c.needs.All = true // the field is only known per event
			return getFieldExpr{src}, nil
		}})
	registerFunc("lowercase", &funcImpl{params: []string{"field", "include", "locale"}, step: compileLowercase})
	registerFunc("setField", &funcImpl{params: []string{"", "target", "value"}, step: func(c *compiler, a *args) (any, error) {
		target, err := a.expr("target")
		if err != nil {
			return nil, err
		}
		value, err := a.expr("value")
		if err != nil {
			return nil, err
		}
		return &setFieldStep{target: target, value: value}, nil
	}})
}

type textTester struct {
	s, sub expr
	fn     func(s, sub string) bool
}

func (t *textTester) test(x *exec, ev *event.Event) bool {
	s, ok := t.s.eval(x, ev)
	if !ok {
		return false
	}
	sub, ok := t.sub.eval(x, ev)
	return ok && t.fn(s, sub)
}

type textLengthExpr struct{ s expr }

func (e textLengthExpr) eval(x *exec, ev *event.Event) (string, bool) {
	s, ok := e.s.eval(x, ev)
	if !ok {
		return "", false
	}
	return event.FormatNumber(float64(utf8.RuneCountInString(s))), true
}

// substringExpr: begin inclusive, end exclusive (default: to the end), in
// characters; indexes outside the string give no value.
type substringExpr struct {
	s, begin, end expr
}

func compileSubstring(c *compiler, a *args) (expr, error) {
	s, err := a.expr("string")
	if err != nil {
		return nil, err
	}
	e := &substringExpr{s: s, begin: constExpr{"0"}}
	if a.has("begin") {
		if e.begin, err = a.expr("begin"); err != nil {
			return nil, err
		}
	}
	if a.has("end") {
		if e.end, err = a.expr("end"); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func (e *substringExpr) eval(x *exec, ev *event.Event) (string, bool) {
	s, ok := e.s.eval(x, ev)
	if !ok {
		return "", false
	}
	b, ok := numberOf(e.begin, x, ev)
	if !ok || b != math.Trunc(b) {
		return "", false
	}
	runes := []rune(s)
	end := float64(len(runes))
	if e.end != nil {
		if end, ok = numberOf(e.end, x, ev); !ok || end != math.Trunc(end) {
			return "", false
		}
	}
	if b < 0 || end > float64(len(runes)) || b > end {
		return "", false
	}
	return string(runes[int(b):int(end)]), true
}

// entropyExpr is the Shannon entropy (bits per character) of a value.
type entropyExpr struct{ field string }

func (e entropyExpr) eval(_ *exec, ev *event.Event) (string, bool) {
	s, ok := ev.Get(e.field)
	if !ok {
		return "", false
	}
	return event.FormatNumber(shannonEntropy(s)), true
}

func shannonEntropy(s string) float64 {
	if s == "" {
		return 0
	}
	var ascii [128]int
	var other map[rune]int
	n := 0
	for _, r := range s {
		n++
		if r < 128 {
			ascii[r]++
			continue
		}
		if other == nil {
			other = map[rune]int{}
		}
		other[r]++
	}
	h := 0.0
	add := func(c int) {
		if c > 0 {
			p := float64(c) / float64(n)
			h -= p * math.Log2(p)
		}
	}
	for _, c := range ascii {
		add(c)
	}
	for _, c := range other {
		add(c)
	}
	return h
}

type getFieldExpr struct{ source expr }

func (e getFieldExpr) eval(x *exec, ev *event.Event) (string, bool) {
	name, ok := e.source.eval(x, ev)
	if !ok {
		return "", false
	}
	return ev.Get(name)
}

// setFieldStep sets the field named by target to value; a null name or
// value changes nothing.
type setFieldStep struct{ target, value expr }

func (s *setFieldStep) apply(x *exec, ev *event.Event) bool {
	name, ok := s.target.eval(x, ev)
	if !ok || name == "" {
		return true
	}
	v, ok := s.value.eval(x, ev)
	if ok {
		ev.Set(strings.Clone(name), v)
	}
	return true
}

// lowercase(field, include=values|fields|both) lower-cases the values and/or
// the names of fields; field="*" means every field.
type lowercaseStep struct {
	fields        []string
	all           bool
	values, names bool
}

func compileLowercase(c *compiler, a *args) (any, error) {
	fields, err := a.fieldList("field")
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return nil, a.errorf("field", "missing required parameter field")
	}
	s := &lowercaseStep{fields: fields}
	for _, f := range fields {
		if f == "*" {
			s.all = true
			c.needs.All = true
		} else {
			c.read(f)
		}
	}
	inc, err := a.str("include", "values")
	if err != nil {
		return nil, err
	}
	switch inc {
	case "values":
		s.values = true
	case "fields":
		s.names = true
	case "both":
		s.values, s.names = true, true
	default:
		return nil, a.errorf("include", "include must be values, fields or both, not %q", inc)
	}
	return s, nil
}

func (s *lowercaseStep) apply(x *exec, ev *event.Event) bool {
	x.sel = ev.AppendFields(x.sel[:0])
	changed := false
	for i, f := range x.sel {
		if !s.all && !slicesContains(s.fields, f.Name) {
			continue
		}
		if s.values {
			if lv := strings.ToLower(f.Value); lv != f.Value {
				x.sel[i].Value, changed = lv, true
			}
		}
		if s.names {
			if ln := strings.ToLower(f.Name); ln != f.Name {
				x.sel[i].Name, changed = ln, true
			}
		}
	}
	if changed {
		ev.RestoreFields(nil)
		for _, f := range x.sel {
			ev.Set(f.Name, f.Value) // a renamed field replaces one of the same name
		}
	}
	return true
}

func slicesContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
