package engine

import (
	"strings"

	"github.com/tiercel/tiercel/internal/event"
)

func init() {
	registerFunc("in", &funcImpl{params: []string{"field", "values", "ignoreCase"}, test: compileIn})
	registerFunc("wildcard", &funcImpl{params: []string{"pattern", "field", "ignoreCase", "includeEverythingOnAsterisk"}, test: compileWildcard})
	registerFunc("test", &funcImpl{params: []string{"expression"}, test: compileTest})
	registerFunc("dropEvent", &funcImpl{test: func(*compiler, *args) (tester, error) { return constTester(false), nil }})
}

func compileIn(c *compiler, a *args) (tester, error) {
	field, err := a.fieldName("field", "")
	if err != nil {
		return nil, err
	}
	if field == "" {
		return nil, a.errorf("field", "missing required parameter field")
	}
	fold, err := a.boolean("ignoreCase", false)
	if err != nil {
		return nil, err
	}
	values, err := a.strList("values")
	if err != nil {
		return nil, err
	}
	if !a.has("values") {
		return nil, a.errorf("values", "missing required parameter values")
	}
	t := &anyOfTester{field: field} // in(): the field equals any of the values (anchored globs)
	for _, v := range values {
		t.ms = append(t.ms, newGlobMatcher(v, true, fold))
	}
	return t, nil
}

func compileWildcard(c *compiler, a *args) (tester, error) {
	pattern, err := a.required("pattern")
	if err != nil {
		return nil, err
	}
	fields, err := a.fieldList("field")
	if err != nil {
		return nil, err
	}
	fold, err := a.boolean("ignoreCase", false)
	if err != nil {
		return nil, err
	}
	everything, err := a.boolean("includeEverythingOnAsterisk", false)
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		// no field: free text *pattern* over the original event
		return c.freeTextTester(newGlobMatcher(pattern, false, fold)), nil
	}
	onlyStars := strings.Trim(pattern, "*") == ""
	var t tester
	for _, f := range fields {
		c.read(f)
		var ft tester
		if onlyStars {
			if everything {
				return constTester(true), nil
			}
			ft = existsTester{f}
		} else {
			ft = &fieldTester{field: f, m: &globMatcher{g: newGlob(pattern, true, fold)}}
		}
		if t == nil {
			t = ft
		} else {
			t = orTester{t, ft}
		}
	}
	return t, nil
}

type exprTester struct{ e expr }

func (t exprTester) test(x *exec, ev *event.Event) bool { return truthy(t.e.eval(x, ev)) }

func compileTest(c *compiler, a *args) (tester, error) {
	e, ok := a.vals["expression"]
	if !ok {
		return nil, a.errorf("expression", "missing the expression to test")
	}
	ce, err := c.compileExpr(e)
	if err != nil {
		return nil, err
	}
	return exprTester{ce}, nil
}
