package engine

import (
	"slices"
	"strconv"
	"strings"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

// Arrays are fields named a[0], a[1], ...: the elements run from index 0
// up to the first missing index. Array parameters name the array as "a[]"
// (the brackets may be left out).

func init() {
	registerFunc("array:contains", &funcImpl{params: []string{"array", "value"}, test: compileArrayContains,
		value: func(c *compiler, a *args) (expr, error) {
			t, err := compileArrayContains(c, a)
			return testExpr{t}, err
		}})
	registerFunc("array:length", &funcImpl{params: []string{"array", "as"}, defaultAs: "_length",
		value: func(c *compiler, a *args) (expr, error) {
			name, err := arrayArg(c, a, "array")
			if err != nil {
				return nil, err
			}
			return arrayLengthExpr{name}, nil
		}})
	registerFunc("array:regex", &funcImpl{params: []string{"array", "regex", "flags"}, test: func(c *compiler, a *args) (tester, error) {
		name, err := arrayArg(c, a, "array")
		if err != nil {
			return nil, err
		}
		re, err := a.regex("regex", "")
		if err != nil {
			return nil, err
		}
		return &arrayRegexTester{array: name, re: re}, nil
	}})
	registerFunc("array:append", &funcImpl{params: []string{"array", "values"}, step: compileArrayAppend})
	registerFunc("array:drop", &funcImpl{params: []string{"array"}, step: func(c *compiler, a *args) (any, error) {
		name, err := arrayArg(c, a, "array")
		if err != nil {
			return nil, err
		}
		return &arrayDropStep{array: name}, nil
	}})
	registerFunc("array:dedup", &funcImpl{params: []string{"array", "asArray"}, step: func(c *compiler, a *args) (any, error) {
		name, err := arrayArg(c, a, "array")
		if err != nil {
			return nil, err
		}
		out, err := asArrayArg(a, name)
		if err != nil {
			return nil, err
		}
		return &arrayDedupStep{array: name, out: out}, nil
	}})
	registerFunc("array:filter", &funcImpl{params: []string{"array", "asArray", "function", "var"}, step: compileArrayFilter})
	registerFunc("array:exists", &funcImpl{params: []string{"array", "condition", "var"}, test: compileArrayExists})
	registerFunc("array:reduceAll", &funcImpl{params: []string{"array", "function", "var"}, agg: compileReduceAll})
	registerFunc("concatArray", &funcImpl{params: []string{"field", "as", "from", "to", "prefix", "separator", "suffix"},
		defaultAs: "_concatArray", value: compileConcatArray})
	registerFunc("split", &funcImpl{params: []string{"field", "strip"}, step: compileSplit})
}

// arrayArg reads an array name and records that its elements are read.
func arrayArg(c *compiler, a *args, param string) (string, error) {
	s, err := a.str(param, "")
	if err != nil {
		return "", err
	}
	name := strings.TrimSuffix(s, "[]")
	if name == "" {
		return "", a.errorf(param, "missing array name (write it as name[])")
	}
	c.needs.AddPrefix(name + "[")
	return name, nil
}

func asArrayArg(a *args, def string) (string, error) {
	s, err := a.str("asArray", "")
	if err != nil || s == "" {
		return def, err
	}
	return strings.TrimSuffix(s, "[]"), nil
}

func elemName(array string, i int) string { return array + "[" + strconv.Itoa(i) + "]" }

// eachElem calls fn for the elements of an array in order until fn
// returns false.
func eachElem(ev *event.Event, array string, fn func(i int, v string) bool) {
	for i := 0; ; i++ {
		v, ok := ev.Get(elemName(array, i))
		if !ok || !fn(i, v) {
			return
		}
	}
}

func arrayLen(ev *event.Event, array string) int {
	n := 0
	eachElem(ev, array, func(int, string) bool { n++; return true })
	return n
}

// arrayContainsTester: value is a plain string (a bare word is the value
// itself, not a field).
type arrayContainsTester struct {
	array string
	value string
}

func compileArrayContains(c *compiler, a *args) (tester, error) {
	name, err := arrayArg(c, a, "array")
	if err != nil {
		return nil, err
	}
	v, err := a.required("value")
	if err != nil {
		return nil, err
	}
	return &arrayContainsTester{array: name, value: v}, nil
}

func (t *arrayContainsTester) test(_ *exec, ev *event.Event) bool {
	found := false
	eachElem(ev, t.array, func(_ int, v string) bool {
		found = v == t.value
		return !found
	})
	return found
}

type arrayLengthExpr struct{ array string }

func (e arrayLengthExpr) eval(_ *exec, ev *event.Event) (string, bool) {
	return strconv.Itoa(arrayLen(ev, e.array)), true
}

type arrayRegexTester struct {
	array string
	re    *lsRegex
}

func (t *arrayRegexTester) test(_ *exec, ev *event.Event) bool {
	found := false
	eachElem(ev, t.array, func(_ int, v string) bool {
		found = t.re.matchString(v)
		return !found
	})
	return found
}

// arrayAppendStep adds the values of expressions after the last element;
// null values are skipped.
type arrayAppendStep struct {
	array  string
	values []expr
}

func compileArrayAppend(c *compiler, a *args) (any, error) {
	name, err := arrayArg(c, a, "array")
	if err != nil {
		return nil, err
	}
	e, ok := a.vals["values"]
	if !ok {
		return nil, a.errorf("values", "missing required parameter values")
	}
	elems := []cql.Expr{e}
	if arr, isArr := e.(*cql.ArrayExpr); isArr {
		elems = arr.Elems
	}
	s := &arrayAppendStep{array: name}
	for _, el := range elems {
		x, err := c.compileExpr(cql.Unparen(el))
		if err != nil {
			return nil, err
		}
		s.values = append(s.values, x)
	}
	return s, nil
}

func (s *arrayAppendStep) apply(x *exec, ev *event.Event) bool {
	n := arrayLen(ev, s.array)
	for _, e := range s.values {
		if v, ok := e.eval(x, ev); ok {
			ev.Set(elemName(s.array, n), v)
			n++
		}
	}
	return true
}

// elemIndex returns the index of a field that belongs to array: 3 for
// a[3] or a[3].x.
func elemIndex(field, array string) (int, bool) {
	rest, ok := strings.CutPrefix(field, array+"[")
	if !ok {
		return 0, false
	}
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	if i == 0 || i >= len(rest) || rest[i] != ']' {
		return 0, false
	}
	n, err := strconv.Atoi(rest[:i])
	return n, err == nil
}

func isElemOf(field, array string) bool {
	_, ok := elemIndex(field, array)
	return ok
}

type arrayDropStep struct{ array string }

func (s *arrayDropStep) apply(x *exec, ev *event.Event) bool {
	x.sel = ev.AppendFields(x.sel[:0])
	kept := x.sel[:0]
	for _, f := range x.sel {
		if !isElemOf(f.Name, s.array) {
			kept = append(kept, f)
		}
	}
	ev.RestoreFields(kept)
	return true
}

// arrayDedupStep keeps the first occurrence of each element, renumbered.
type arrayDedupStep struct{ array, out string }

func (s *arrayDedupStep) apply(_ *exec, ev *event.Event) bool {
	var vals []string
	seen := map[string]bool{}
	eachElem(ev, s.array, func(_ int, v string) bool {
		if !seen[v] {
			seen[v] = true
			vals = append(vals, v)
		}
		return true
	})
	setArray(ev, s.out, vals)
	return true
}

// setArray replaces an array's elements with vals.
func setArray(ev *event.Event, array string, vals []string) {
	n := arrayLen(ev, array)
	for i := len(vals); i < n; i++ {
		ev.Delete(elemName(array, i))
	}
	for i, v := range vals {
		ev.Set(elemName(array, i), v)
	}
}

// arrayFilterStep keeps the elements for which the function (a stateless
// sub-query run on the event with var set to the element) lets the event
// through.
type arrayFilterStep struct {
	array, out, varName string
	fn                  *pipeline
}

func compileArrayFilter(c *compiler, a *args) (any, error) {
	name, err := arrayArg(c, a, "array")
	if err != nil {
		return nil, err
	}
	s := &arrayFilterStep{array: name}
	if s.out, err = asArrayArg(a, name); err != nil {
		return nil, err
	}
	if s.varName, err = a.str("var", name); err != nil {
		return nil, err
	}
	if s.fn, err = c.pipelineArg(a, "function"); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *arrayFilterStep) apply(x *exec, ev *event.Event) bool {
	var vals []string
	scratch := &event.Event{}
	eachElem(ev, s.array, func(_ int, v string) bool {
		scratch.RestoreFields(ev.AppendFields(nil))
		scratch.Set(s.varName, v)
		if s.fn.pass(x, scratch) {
			vals = append(vals, v)
		}
		return true
	})
	setArray(ev, s.out, vals)
	return true
}

// array:exists keeps events with an element for which the condition (a
// stateless sub-query run on the event with var set to the element) lets
// the event through.
type arrayExistsTester struct {
	array, varName string
	cond           *pipeline
}

func compileArrayExists(c *compiler, a *args) (tester, error) {
	name, err := arrayArg(c, a, "array")
	if err != nil {
		return nil, err
	}
	t := &arrayExistsTester{array: name}
	if t.varName, err = a.str("var", name); err != nil {
		return nil, err
	}
	// The reference page's examples also give a bare call: condition=in(a, values=[3, 4]).
	if t.cond, err = c.pipelineArg(a, "condition"); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *arrayExistsTester) test(x *exec, ev *event.Event) bool {
	found := false
	scratch := &event.Event{}
	eachElem(ev, t.array, func(_ int, v string) bool {
		scratch.RestoreFields(ev.AppendFields(nil))
		scratch.Set(t.varName, v)
		found = t.cond.pass(x, scratch)
		return !found
	})
	return found
}

// array:reduceAll feeds every element of every event, as field var, to the
// aggregate function, which gives the result.
type reduceAllSpec struct {
	array, varName string
	fns            []aggSpec
}

func compileReduceAll(c *compiler, a *args) (aggSpec, error) {
	name, err := arrayArg(c, a, "array")
	if err != nil {
		return nil, err
	}
	v, err := a.required("var")
	if err != nil {
		return nil, err
	}
	if !a.has("function") {
		return nil, a.errorf("function", "missing required parameter function")
	}
	fns, err := c.compileFunctionArg(a, "function")
	if err != nil {
		return nil, err
	}
	return &reduceAllSpec{array: name, varName: v, fns: fns}, nil
}

func (s *reduceAllSpec) newAgg(x *exec) collector {
	c := &reduceAllCollector{spec: s, elem: &event.Event{}}
	for _, f := range s.fns {
		c.aggs = append(c.aggs, f.newAgg(x))
	}
	return c
}

type reduceAllCollector struct {
	spec *reduceAllSpec
	aggs []collector
	elem *event.Event
}

func (c *reduceAllCollector) add(ev *event.Event) {
	eachElem(ev, c.spec.array, func(_ int, v string) bool {
		c.elem.Reset()
		c.elem.Set(c.spec.varName, v)
		for _, a := range c.aggs {
			a.add(c.elem)
		}
		return true
	})
}

func (c *reduceAllCollector) finish(emit func(*event.Event)) { combineRows(c.aggs, emit) }

// concatArray joins elements from..to (inclusive; default all) with
// prefix, separator and suffix.
type concatArrayExpr struct {
	array                     string
	from, to                  int // to < 0: up to the last element
	prefix, separator, suffix string
}

func compileConcatArray(c *compiler, a *args) (expr, error) {
	name, err := arrayArg(c, a, "field")
	if err != nil {
		return nil, err
	}
	e := &concatArrayExpr{array: name, to: -1}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"from", &e.from}, {"to", &e.to}} {
		s, err := a.str(p.name, "")
		if err != nil {
			return nil, err
		}
		if s == "" {
			continue
		}
		n, cerr := strconv.Atoi(s)
		if cerr != nil || n < 0 {
			return nil, a.errorf(p.name, "%s must be a non-negative integer, not %q", p.name, s)
		}
		*p.dst = n
	}
	if e.prefix, err = a.str("prefix", ""); err != nil {
		return nil, err
	}
	if e.separator, err = a.str("separator", ""); err != nil {
		return nil, err
	}
	if e.suffix, err = a.str("suffix", ""); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *concatArrayExpr) eval(x *exec, ev *event.Event) (string, bool) {
	b := append(x.buf[:0], e.prefix...)
	n := 0
	// from the first index on, stopping at the first missing one
	for i := e.from; e.to < 0 || i <= e.to; i++ {
		v, ok := ev.Get(elemName(e.array, i))
		if !ok {
			break
		}
		if n > 0 {
			b = append(b, e.separator...)
		}
		b = append(b, v...)
		n++
	}
	x.buf = b
	if n == 0 {
		return "", false
	}
	return string(append(b, e.suffix...)), true
}

// splitArrayStep turns each element of an array into its own event: field[i]
// and field[i].x become field and field.x (x with strip=true), other
// elements are dropped, and _index holds i. Events without the array pass
// unchanged.
type splitArrayStep struct {
	field string
	strip bool
}

func compileSplit(c *compiler, a *args) (any, error) {
	field, err := a.str("field", "_events")
	if err != nil {
		return nil, err
	}
	field = strings.TrimSuffix(field, "[]")
	strip, err := a.boolean("strip", false)
	if err != nil {
		return nil, err
	}
	c.needs.AddPrefix(field + "[")
	return &splitArrayStep{field: field, strip: strip}, nil
}

func (s *splitArrayStep) each(x *exec, ev *event.Event, emit func(*event.Event)) {
	orig := ev.AppendFields(nil)
	var idx []int
	seen := map[int]bool{}
	for _, f := range orig {
		if i, ok := elemIndex(f.Name, s.field); ok && !seen[i] {
			seen[i] = true
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		emit(ev)
		return
	}
	slices.Sort(idx)
	out := &event.Event{}
	for _, i := range idx {
		prefix := elemName(s.field, i)
		out.Reset()
		has := false
		for _, f := range orig {
			switch {
			case f.Name == prefix:
				out.Set(s.field, f.Value)
				has = true
			case strings.HasPrefix(f.Name, prefix+"."):
				rest := f.Name[len(prefix)+1:]
				if !s.strip {
					rest = s.field + "." + rest
				}
				out.Set(rest, f.Value)
				has = true
			case isElemOf(f.Name, s.field):
			case f.Name == event.ID:
				out.Set(f.Name, f.Value+"__"+strconv.Itoa(i))
			default:
				out.Set(f.Name, f.Value)
			}
		}
		if !has {
			continue
		}
		out.Set("_index", strconv.Itoa(i))
		emit(out)
	}
}
