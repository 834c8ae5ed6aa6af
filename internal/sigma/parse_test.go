package sigma

import (
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	head := "title: T\nlogsource: {category: process_creation, product: windows}\n"
	for _, c := range []struct{ src, want string }{
		{"title: [a\nb: c\n", "r.yml:1: YAML: did not find expected"},
		{"- a\n", "r.yml:1:1: a Sigma document must be a mapping"},
		{"logsource: {}\ndetection: {}\n", "r.yml:1:1: missing required key title"},
		{"title: T\ndetection: {condition: x}\n", `r.yml:1:1: rule "T": missing required mapping logsource`},
		{head + "detection:\n    sel: {a: 1}\n", `r.yml:4:5: rule "T": detection has no condition`},
		{head + "detection:\n    sel: {a: 1}\n    condition: sel and nope\n", `r.yml:5:24: rule "T": condition names "nope"`},
		{head + "detection:\n    sel: {a: 1}\n    condition: sel and (sel\n", `r.yml:5:28: rule "T": condition: missing )`},
		{head + "detection:\n    sel: {a: 1}\n    condition: 'sel or or sel'\n", `r.yml:5:24: rule "T": condition: unexpected "or"`},
		{head + "detection:\n    sel: {a: 1}\n    condition: sel | count() > 5\n", "aggregations are Sigma v1"},
		{head + "detection:\n    sel: {a: 1}\n    condition: 1 of filter_*\n", `"filter_*" matches no search identifier`},
		{head + "detection:\n    sel: {a: 1}\n    condition: sel_*\n", "a name pattern needs `1 of` or `all of`"},
		{head + "detection:\n    sel: {a: 1}\n    condition: 2 of sel\n", "only `1 of` and `all of`"},
		{head + "level: severe\ndetection:\n    sel: {a: 1}\n    condition: sel\n", `r.yml:3:8: rule "T": level "severe" is not one of`},
		{head + "detection:\n    sel:\n        a: [{b: 1}]\n    condition: sel\n", `r.yml:5:13: rule "T": a: values must be scalars`},
		{head + "detection:\n    sel: []\n    condition: sel\n", "search identifier sel is empty"},
	} {
		_, err := Parse("r.yml", []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q)\n got %v\nwant %q", c.src, err, c.want)
		}
	}
}

func TestConditionPrecedence(t *testing.T) {
	d := &Detection{Order: []string{"a", "b", "c", "sel_1", "sel_2", "_hidden"}}
	for _, c := range []struct{ cond, want string }{
		{"a or b and c", "or(a, and(b, c))"},
		{"a and b or c", "or(and(a, b), c)"},
		{"not a and b", "and(not(a), b)"},
		{"not (a or b)", "not(or(a, b))"},
		{"1 of sel_* and not c", "and(1of(sel_*), not(c))"},
		{"all of them", "allof(them)"},
		{"a AND NOT b", "and(a, not(b))"},
		{"(a or b) and (c)", "and(or(a, b), c)"},
		{"any of sel_*", "1of(sel_*)"},
	} {
		root, err := parseCondition(c.cond)
		if err != nil {
			t.Fatalf("%s: %v", c.cond, err)
		}
		if got := condString(root); got != c.want {
			t.Errorf("%s = %s, want %s", c.cond, got, c.want)
		}
	}
	if got := d.match("them"); strings.Join(got, ",") != "a,b,c,sel_1,sel_2" {
		t.Errorf("them = %v (identifiers starting with _ are not included)", got)
	}
	if got := d.match("sel_*"); strings.Join(got, ",") != "sel_1,sel_2" {
		t.Errorf("sel_* = %v", got)
	}
}

func condString(c cond) string {
	switch c := c.(type) {
	case *condIdent:
		return c.name
	case *condNot:
		return "not(" + condString(c.x) + ")"
	case *condOf:
		if c.all {
			return "allof(" + c.pattern + ")"
		}
		return "1of(" + c.pattern + ")"
	case *condBin:
		var xs []string
		for _, x := range c.xs {
			xs = append(xs, condString(x))
		}
		op := "or"
		if c.and {
			op = "and"
		}
		return op + "(" + strings.Join(xs, ", ") + ")"
	}
	return "?"
}
