package engine

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tiercel/tiercel/internal/event"
)

func init() {
	registerFunc("lower", &funcImpl{params: []string{"field", "as", "locale", "type"}, defaultAs: "_lower",
		value: caseFunc(strings.ToLower)})
	registerFunc("upper", &funcImpl{params: []string{"field", "as", "locale"}, defaultAs: "_upper",
		value: caseFunc(strings.ToUpper)})
	registerFunc("length", &funcImpl{params: []string{"field", "as"}, defaultAs: "_length", value: compileLength})
	registerFunc("concat", &funcImpl{params: []string{"field", "as"}, defaultAs: "_concat", value: compileConcat})
	registerFunc("replace", &funcImpl{params: []string{"regex", "with", "replacement", "field", "as", "flags"}, step: compileReplace})
	registerFunc("splitString", &funcImpl{params: []string{"field", "by", "index", "as"}, step: compileSplitString})
}

// mapExpr applies fn to a field's value; a missing field is null.
type mapExpr struct {
	field string
	fn    func(string) string
}

func (e *mapExpr) eval(_ *exec, ev *event.Event) (string, bool) {
	v, ok := ev.Get(e.field)
	if !ok {
		return "", false
	}
	return e.fn(v), true
}

func caseFunc(fn func(string) string) func(c *compiler, a *args) (expr, error) {
	return func(c *compiler, a *args) (expr, error) {
		field, err := a.fieldName("field", "")
		if err != nil {
			return nil, err
		}
		if field == "" {
			return nil, a.errorf("field", "missing required parameter field")
		}
		return &mapExpr{field: field, fn: fn}, nil
	}
}

func compileLength(c *compiler, a *args) (expr, error) {
	field, err := a.fieldName("field", "")
	if err != nil {
		return nil, err
	}
	if field == "" {
		return nil, a.errorf("field", "missing required parameter field")
	}
	return &mapExpr{field: field, fn: func(s string) string { return strconv.Itoa(utf8.RuneCountInString(s)) }}, nil
}

// concatExpr joins the present values of fields; all missing is null.
type concatExpr struct{ fields []string }

func (e *concatExpr) eval(_ *exec, ev *event.Event) (string, bool) {
	var b strings.Builder
	any := false
	for _, f := range e.fields {
		if v, ok := ev.Get(f); ok {
			b.WriteString(v)
			any = true
		}
	}
	return b.String(), any
}

func compileConcat(c *compiler, a *args) (expr, error) {
	fields, err := a.readFields("field")
	if err != nil {
		return nil, err
	}
	return &concatExpr{fields: fields}, nil
}

// replaceStep replaces every match of a regex in a field.
type replaceStep struct {
	re    *lsRegex
	with  string // Go template ($1 rewritten to ${1})
	lit   *literalReplacer
	field string
	as    string
}

var javaGroupRef = regexp.MustCompile(`\$(\d+)`)

func (s *replaceStep) apply(_ *exec, ev *event.Event) bool {
	v, ok := ev.Get(s.field)
	if !ok {
		return true
	}
	out, done := "", false
	if s.lit != nil {
		out, done = s.lit.replace(v)
	}
	switch {
	case done:
	case s.re.re2 == nil:
		out = s.re.rx().ReplaceAllString(v, s.with)
	default:
		// a timeout makes the event undecided rather than unchanged
		s.re.backtrack(func() (err error) { out, err = s.re.re2.Replace(v, s.with, -1, -1); return })
	}
	ev.Set(s.as, out)
	return true
}

func (s *replaceStep) writes() []string { return []string{s.as} }

func compileReplace(c *compiler, a *args) (any, error) {
	r, err := a.regex("regex", "m")
	if err != nil {
		return nil, err
	}
	with, err := a.str("with", "")
	if err != nil {
		return nil, err
	}
	if a.has("replacement") {
		if with, err = a.str("replacement", ""); err != nil {
			return nil, err
		}
	}
	field, err := a.fieldName("field", event.RawString)
	if err != nil {
		return nil, err
	}
	s := &replaceStep{re: r, field: field, as: a.asOr(field)}
	if r.re2 == nil {
		s.with = javaGroupRef.ReplaceAllString(with, "$${$1}")
		s.lit = literalReplacerOf(r, with)
	} else {
		s.with = with
	}
	return s, nil
}

// splitStep is splitString(): split a field by a regex into as[0], as[1], ...
// or, with index, just one element into as.
type splitStep struct {
	field    string
	by       *lsRegex
	as       string
	index    int
	hasIndex bool
}

func (s *splitStep) apply(x *exec, ev *event.Event) bool {
	v, ok := ev.Get(s.field)
	if !ok {
		return true
	}
	var parts []string
	if s.by.re2 == nil {
		limit := -1
		if !s.hasIndex {
			limit = x.guard().lim.MaxFields + 1
		}
		parts = s.by.rx().Split(v, limit)
		if !s.hasIndex {
			x.checkFields("splitString", len(parts))
		}
	} else {
		parts = []string{v}
	}
	if s.hasIndex {
		i := s.index
		if i < 0 {
			i += len(parts)
		}
		if i >= 0 && i < len(parts) {
			ev.Set(s.as, parts[i])
		}
		return true
	}
	name := make([]byte, 0, len(s.as)+12)
	for i, p := range parts {
		name = append(strconv.AppendInt(append(append(name[:0], s.as...), '['), int64(i), 10), ']')
		ev.Set(string(name), p)
	}
	return true
}

func compileSplitString(c *compiler, a *args) (any, error) {
	field, err := a.fieldName("field", event.RawString)
	if err != nil {
		return nil, err
	}
	by, err := a.regex("by", "")
	if err != nil {
		return nil, err
	}
	if by.re2 != nil {
		return nil, a.errorf("by", "splitString() needs a separator without lookaround")
	}
	s := &splitStep{field: field, by: by, as: a.asOr("_splitstring")}
	if a.has("index") {
		idx, err := a.str("index", "")
		if err != nil {
			return nil, err
		}
		n, convErr := strconv.Atoi(idx)
		if convErr != nil {
			return nil, a.errorf("index", "index must be an integer, not %q", idx)
		}
		s.index, s.hasIndex = n, true
	}
	return s, nil
}
