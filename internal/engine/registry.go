package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tiercel/tiercel/internal/cql"
)

// funcImpl is how the engine runs one LogScale function. Each family file
// registers its functions from init(), so new functions arrive in new files
// without touching this one. Set the hooks that apply:
//   - agg:   the function is an aggregate (starts the stateful tail);
//   - step:  it is a stateless step (transform, extractor, or filter that
//     also changes fields);
//   - test:  it is a pure filter, usable inside and/or/not and as a match guard;
//   - value: it computes one value, usable in expressions and as a step
//     writing field `as` (default defaultAs).
type funcImpl struct {
	params    []string // accepted parameter names; params[0] is the one that may be given unnamed ("" when none)
	defaultAs string
	agg       func(c *compiler, a *args) (aggSpec, error)
	step      func(c *compiler, a *args) (any, error)
	test      func(c *compiler, a *args) (tester, error)
	value     func(c *compiler, a *args) (expr, error)
	evalLike  bool // eval(): arguments are assignments, not parameters
	rawArgs   bool // the function reads call.Args itself (correlate's named nodes)
}

var registry = map[string]*funcImpl{}

// registerFunc adds a function under its LogScale name (case-insensitive).
func registerFunc(name string, f *funcImpl) {
	key := strings.ToLower(name)
	if _, dup := registry[key]; dup {
		panic("engine: function registered twice: " + name)
	}
	registry[key] = f
}

func lookupFunc(name string) (*funcImpl, bool) {
	f, ok := registry[strings.ToLower(name)]
	return f, ok
}

// Implemented reports whether the engine runs the named function.
func Implemented(name string) bool {
	_, ok := lookupFunc(name)
	return ok
}

// ImplementedFuncs lists the lower-cased names of the functions the engine runs.
func ImplementedFuncs() []string {
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	return out
}

// args are a call's arguments bound to parameter names.
type args struct {
	call  *cql.Call
	vals  map[string]cql.Expr
	spans map[string]cql.Span
	as    string // target of `as := fn(...)`
	c     *compiler
}

func (c *compiler) bind(call *cql.Call, impl *funcImpl, as string) (*args, error) {
	if impl.rawArgs {
		return &args{call: call, vals: map[string]cql.Expr{}, spans: map[string]cql.Span{}, as: as, c: c}, nil
	}
	a, err := bindArgs(call, impl.params, as)
	if err != nil {
		return nil, c.errAt(err.sp, "invalid-argument", "%s", err.msg)
	}
	a.c = c
	return a, nil
}

type bindError struct {
	sp  cql.Span
	msg string
}

func bindArgs(call *cql.Call, params []string, as string) (*args, *bindError) {
	a := &args{call: call, vals: map[string]cql.Expr{}, spans: map[string]cql.Span{}, as: as}
	for _, arg := range call.Args {
		name := arg.Name
		if name == "" {
			if len(params) == 0 || params[0] == "" {
				return nil, &bindError{arg.Span(), fmt.Sprintf("%s() takes no unnamed argument; name it", call.Name)}
			}
			name = params[0]
		} else {
			found := ""
			for _, p := range params {
				if p == name {
					found = p
					break
				}
				if found == "" && strings.EqualFold(p, name) {
					found = p
				}
			}
			if found == "" {
				return nil, &bindError{arg.NameSp, fmt.Sprintf("%s() has no parameter %q", call.Name, arg.Name)}
			}
			name = found
		}
		if _, dup := a.vals[name]; dup {
			return nil, &bindError{arg.Span(), fmt.Sprintf("%s(): parameter %q given twice", call.Name, name)}
		}
		a.vals[name] = cql.Unparen(arg.Value)
		a.spans[name] = arg.Span()
	}
	return a, nil
}

func (a *args) has(name string) bool { _, ok := a.vals[name]; return ok }

func (a *args) span(name string) cql.Span {
	if sp, ok := a.spans[name]; ok {
		return sp
	}
	return a.call.Span()
}

func (a *args) errorf(name, format string, v ...any) error {
	return a.c.errAt(a.span(name), "invalid-argument", "%s(): %s", a.call.Name, fmt.Sprintf(format, v...))
}

// asOr is the output field: the := target, the as= argument, or def.
func (a *args) asOr(def string) string {
	if a.as != "" {
		return a.as
	}
	if s, err := a.str("as", ""); err == nil && s != "" {
		return s
	}
	return def
}

// text returns an argument written as a plain value: a bare word, a quoted
// string, a number, a boolean or a parameter.
func (a *args) text(e cql.Expr) (string, bool) {
	if s, ok := cql.LiteralText(e); ok {
		return s, true
	}
	switch v := e.(type) {
	case *cql.ParamExpr:
		s, err := a.c.param(v.Param)
		return s, err == nil
	case *cql.UnaryExpr:
		if n, ok := v.X.(*cql.NumberLit); ok && v.Op == "-" {
			return "-" + n.Text, true
		}
	}
	return "", false
}

// str returns a scalar argument, or def when absent.
func (a *args) str(name, def string) (string, error) {
	e, ok := a.vals[name]
	if !ok {
		return def, nil
	}
	if s, ok := a.text(e); ok {
		return s, nil
	}
	if p, ok := e.(*cql.ParamExpr); ok {
		_, err := a.c.param(p.Param)
		return "", err
	}
	return "", a.errorf(name, "parameter %s must be a single value", name)
}

// required returns a scalar argument that must be present.
func (a *args) required(name string) (string, error) {
	if !a.has(name) {
		return "", a.c.errAt(a.call.Span(), "invalid-argument", "%s(): missing required parameter %s", a.call.Name, name)
	}
	return a.str(name, "")
}

// fieldName returns a field-name argument.
func (a *args) fieldName(name, def string) (string, error) {
	s, err := a.str(name, def)
	if err == nil && s != "" {
		a.c.read(s)
	}
	return s, err
}

// fieldList returns an argument that is one field or an array of fields.
func (a *args) fieldList(name string) ([]string, error) {
	e, ok := a.vals[name]
	if !ok {
		return nil, nil
	}
	arr, isArr := e.(*cql.ArrayExpr)
	if !isArr {
		s, err := a.str(name, "")
		if err != nil {
			return nil, err
		}
		return []string{s}, nil
	}
	out := make([]string, 0, len(arr.Elems))
	for _, el := range arr.Elems {
		s, ok := a.text(cql.Unparen(el))
		if !ok {
			if p, isParam := cql.Unparen(el).(*cql.ParamExpr); isParam {
				if _, err := a.c.param(p.Param); err != nil {
					return nil, err
				}
			}
			return nil, a.errorf(name, "array elements of %s must be field names", name)
		}
		out = append(out, s)
	}
	return out, nil
}

// readFields returns a required, non-empty field list argument and marks
// its fields as read.
func (a *args) readFields(name string) ([]string, error) {
	fields, err := a.fieldList(name)
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return nil, a.errorf(name, "missing required parameter %s", name)
	}
	for _, f := range fields {
		a.c.read(f)
	}
	return fields, nil
}

// strList returns an argument that is one value or an array of values.
func (a *args) strList(name string) ([]string, error) { return a.fieldList(name) }

func (a *args) boolean(name string, def bool) (bool, error) {
	s, err := a.str(name, "")
	if err != nil {
		return false, err
	}
	if s == "" {
		return def, nil
	}
	b, ok := parseBool(s)
	if !ok {
		return false, a.errorf(name, "parameter %s must be true or false, not %q", name, s)
	}
	return b, nil
}

// zone reads a time zone argument: an IANA name or a fixed offset such as
// -05:00, +0530 or UTC+2 (loadZone); absent or empty means UTC.
func (a *args) zone(name string) (*time.Location, error) {
	tz, err := a.str(name, "")
	if err != nil || tz == "" {
		return time.UTC, err
	}
	loc, ok := loadZone(tz)
	if !ok {
		return nil, a.errorf(name, "unknown time zone %q", tz)
	}
	return loc, nil
}

// limit reads a row limit: a positive integer or `max`.
func (a *args) limit(name string, def, max int) (int, error) {
	s, err := a.str(name, "")
	if err != nil {
		return 0, err
	}
	if s == "" {
		return def, nil
	}
	if strings.EqualFold(s, "max") {
		return max, nil
	}
	n, err2 := strconv.Atoi(s)
	if err2 != nil || n < 0 {
		return 0, a.errorf(name, "%s must be a non-negative integer or max, not %q", name, s)
	}
	if n > max {
		return 0, a.errorf(name, "%s=%d exceeds the maximum %d", name, n, max)
	}
	return n, nil
}

// regex reads a regex argument: a /literal/ or a string pattern. Flags from
// a flags= parameter are added to the literal's own.
func (a *args) regex(name, flagsDefault string) (*lsRegex, error) {
	e, ok := a.vals[name]
	if !ok {
		return nil, a.c.errAt(a.call.Span(), "invalid-argument", "%s(): missing required parameter %s", a.call.Name, name)
	}
	flags, err := a.str("flags", flagsDefault)
	if err != nil {
		return nil, err
	}
	pattern := ""
	if re, ok := e.(*cql.RegexExpr); ok {
		pattern = re.Regex.Pattern
		flags += re.Regex.Flags
	} else if s, ok := a.text(e); ok {
		pattern = s
	} else {
		return nil, a.errorf(name, "%s must be a regex or a string", name)
	}
	r, err := a.c.regex(pattern, flags)
	if err != nil {
		return nil, a.c.errAt(e.Span(), "invalid-regex", "%v", err)
	}
	return r, nil
}

func (a *args) expr(name string) (expr, error) {
	e, ok := a.vals[name]
	if !ok {
		return nil, a.c.errAt(a.call.Span(), "invalid-argument", "%s(): missing required parameter %s", a.call.Name, name)
	}
	return a.c.compileExpr(e)
}
