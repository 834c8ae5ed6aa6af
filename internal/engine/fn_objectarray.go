package engine

import (
	"sort"
	"strconv"
	"strings"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

// objectArray:exists(), objectArray:eval(), array:eval() and array:sort():
// the array functions that run a pipeline per element, and sorting.
//
// Reference pages functions-objectarray-exists, functions-objectarray-eval,
// functions-array-eval, functions-array-sort. Elements are visited from
// index 0 to the first gap. In objectArray:* an element's fields (arr[i],
// arr[i].a, arr[i][0].b ...) are visible to the pipeline under var (x,
// x.a, x[0].b ...). Without var the pages use two spellings, arr[].a
// (objectArray:eval) and arr.a (objectArray:exists's nested example), so
// both are provided. A condition or function may be a {pipeline}
// or a single function call such as in(x, values=[3, 4]).

func init() {
	registerFunc("objectArray:exists", &funcImpl{params: []string{"array", "condition", "var"}, test: compileObjectArrayExists})
	registerFunc("objectArray:eval", &funcImpl{params: []string{"array", "asArray", "function", "var"}, step: func(c *compiler, a *args) (any, error) {
		return compileElemEval(c, a, true)
	}})
	registerFunc("array:eval", &funcImpl{params: []string{"array", "asArray", "function", "var"}, step: func(c *compiler, a *args) (any, error) {
		return compileElemEval(c, a, false)
	}})
	registerFunc("array:sort", &funcImpl{params: []string{"array", "asArray", "order", "type"}, step: compileArraySort})
}

// pipelineArg compiles a {pipeline} argument, or a single call written
// without braces, as a stateless per-element pipeline.
func (c *compiler) pipelineArg(a *args, name string) (*pipeline, error) {
	e, ok := a.vals[name]
	if !ok {
		return nil, c.errAt(a.call.Span(), "invalid-argument", "%s(): missing required parameter %s", a.call.Name, name)
	}
	var p *cql.Pipeline
	switch v := e.(type) {
	case *cql.SubQuery:
		p = v.Pipeline
	case *cql.CallExpr:
		p = &cql.Pipeline{Steps: []cql.Step{&cql.CallStep{Call: v.Call}}, Sp: v.Call.Span()}
	default:
		return nil, a.errorf(name, "%s must be a {pipeline} or a function call", name)
	}
	pl, err := c.compilePipeline(p, a.call.Name+"()")
	if err != nil {
		return nil, err
	}
	if !pl.simple() {
		return nil, a.errorf(name, "the %s must give at most one event per element", name)
	}
	return pl, nil
}

// objectElem copies the fields of element i of array onto scratch under
// the name varName (arr[i].a becomes varName.a) and reports whether the
// element exists.
func objectElem(ev, scratch *event.Event, array string, i int, varNames []string) bool {
	elem := elemName(array, i)
	found := false
	for _, f := range ev.Fields() {
		if !strings.HasPrefix(f.Name, elem) {
			continue
		}
		rest := f.Name[len(elem):]
		if rest != "" && rest[0] != '.' && rest[0] != '[' {
			continue // arr[1] is not a prefix of arr[10]
		}
		for _, v := range varNames {
			scratch.Set(v+rest, f.Value)
		}
		found = true
	}
	return found
}

type objectArrayExistsTester struct {
	array    string
	varNames []string
	cond     *pipeline
}

// objectVars reads var=, defaulting to both spellings of the array name.
func objectVars(a *args, name string) ([]string, error) {
	v, err := a.str("var", "")
	if err != nil || v != "" {
		return []string{v}, err
	}
	return []string{name + "[]", name}, nil
}

func compileObjectArrayExists(c *compiler, a *args) (tester, error) {
	name, err := arrayArg(c, a, "array")
	if err != nil {
		return nil, err
	}
	t := &objectArrayExistsTester{array: name}
	if t.varNames, err = objectVars(a, name); err != nil {
		return nil, err
	}
	if t.cond, err = c.pipelineArg(a, "condition"); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *objectArrayExistsTester) test(x *exec, ev *event.Event) bool {
	scratch := &event.Event{}
	for i := 0; ; i++ {
		scratch.RestoreFields(ev.AppendFields(nil))
		if !objectElem(ev, scratch, t.array, i, t.varNames) {
			return false
		}
		if t.cond.pass(x, scratch) {
			return true
		}
	}
}

// elemEvalStep runs function on each element; the value the function
// writes to the output array's name (out[] or out) becomes the element of
// the output array, which is compacted.
type elemEvalStep struct {
	array, out string
	varNames   []string
	object     bool
	fn         *pipeline
}

func compileElemEval(c *compiler, a *args, object bool) (any, error) {
	name, err := arrayArg(c, a, "array")
	if err != nil {
		return nil, err
	}
	s := &elemEvalStep{array: name, object: object}
	if object && !a.has("asArray") {
		return nil, c.errAt(a.call.Span(), "invalid-argument", "%s(): missing required parameter asArray", a.call.Name)
	}
	if s.out, err = asArrayArg(a, name); err != nil {
		return nil, err
	}
	if object && s.out == name {
		return nil, a.errorf("asArray", "asArray cannot be the input array")
	}
	if object {
		s.varNames, err = objectVars(a, name)
	} else {
		var v string
		v, err = a.str("var", name)
		s.varNames = []string{v}
	}
	if err != nil {
		return nil, err
	}
	if s.fn, err = c.pipelineArg(a, "function"); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *elemEvalStep) apply(x *exec, ev *event.Event) bool {
	var vals []string
	scratch := &event.Event{}
	for i := 0; ; i++ {
		scratch.RestoreFields(ev.AppendFields(nil))
		scratch.Delete(s.out + "[]")
		scratch.Delete(s.out)
		if s.object {
			if !objectElem(ev, scratch, s.array, i, s.varNames) {
				break
			}
		} else {
			v, ok := ev.Get(elemName(s.array, i))
			if !ok {
				break
			}
			scratch.Set(s.varNames[0], v)
		}
		if !s.fn.pass(x, scratch) {
			continue
		}
		if v, ok := scratch.Get(s.out + "[]"); ok {
			vals = append(vals, strings.Clone(v))
		} else if v, ok := scratch.Get(s.out); ok && s.out != s.varNames[0] {
			vals = append(vals, strings.Clone(v))
		}
	}
	setArray(ev, s.out, vals)
	return true
}

// array:sort(array, asArray=array, order=asc, type=string) sorts an
// array's elements (reference page functions-array-sort): as strings,
// case-insensitively; or as numbers (type=number, or hex), the elements
// that are not numbers sorted as strings after the numbers whatever the
// order. order takes asc/ascending and desc/descending. The output array is
// not terminated: elements of an existing asArray beyond the sorted ones
// stay.
type arraySortStep struct {
	array, out string
	desc       bool
	typ        string
}

func compileArraySort(c *compiler, a *args) (any, error) {
	name, err := arrayArg(c, a, "array")
	if err != nil {
		return nil, err
	}
	s := &arraySortStep{array: name}
	if s.out, err = asArrayArg(a, name); err != nil {
		return nil, err
	}
	order, err := a.str("order", "asc")
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(order) {
	case "asc", "ascending":
	case "desc", "descending":
		s.desc = true
	default:
		return nil, a.errorf("order", "order must be ascending (asc) or descending (desc), not %q", order)
	}
	if s.typ, err = a.str("type", "string"); err != nil {
		return nil, err
	}
	switch s.typ {
	case "string", "number", "hex":
	default:
		return nil, a.errorf("type", "type must be string, number or hex, not %q", s.typ)
	}
	return s, nil
}

func (s *arraySortStep) apply(_ *exec, ev *event.Event) bool {
	var nums []float64
	var numVals, strs []string
	eachElem(ev, s.array, func(_ int, v string) bool {
		v = strings.Clone(v)
		if n, ok := s.number(v); ok {
			nums = append(nums, n)
			numVals = append(numVals, v)
		} else {
			strs = append(strs, v)
		}
		return true
	})
	idx := make([]int, len(nums))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool {
		if s.desc {
			return nums[idx[i]] > nums[idx[j]]
		}
		return nums[idx[i]] < nums[idx[j]]
	})
	sort.SliceStable(strs, func(i, j int) bool {
		a, b := strings.ToLower(strs[i]), strings.ToLower(strs[j])
		if s.desc {
			return a > b
		}
		return a < b
	})
	out := make([]string, 0, len(nums)+len(strs))
	for _, i := range idx {
		out = append(out, numVals[i])
	}
	out = append(out, strs...)
	for i, v := range out {
		ev.Set(elemName(s.out, i), v)
	}
	return true
}

// number reads an element under type=number or hex; type=string has none.
func (s *arraySortStep) number(v string) (float64, bool) {
	switch s.typ {
	case "number":
		return event.ParseNumber(v)
	case "hex":
		n, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(v), "0x"), "0X"), 16, 64)
		return float64(n), err == nil
	}
	return 0, false
}
