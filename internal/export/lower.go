package export

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tiercel/tiercel/internal/cql"
)

// eventTypeField names the field that carries the Falcon event type.
func isEventTypeField(name string) bool {
	return name == "#event_simpleName" || name == "event_simpleName"
}

// lowerer turns a parsed query into a Detection.
type lowerer struct {
	src
}

// Lower parses a CQL query and lowers it into legs. file names the query in
// error messages.
func Lower(file, text string) (*Detection, error) {
	q, diags := cql.Parse(text)
	for _, d := range diags {
		if d.Severity == cql.SeverityError {
			line, col := cql.LineCol(text, d.Span.Start)
			return nil, &Error{File: file, Line: line, Col: col, Msg: "query does not parse: " + d.Message}
		}
	}
	l := &lowerer{src{file: file, text: text}}
	return l.query(q)
}

func (l *lowerer) query(q *cql.Query) (*Detection, error) {
	d := &Detection{}
	var pre []Cond  // filters before the case
	var post []Cond // row filters after the case, before any aggregation
	var cs *cql.CaseStep
	aggregated := false
	for _, st := range q.Pipeline.Steps {
		if c, ok, err := l.stepFilter(st); err != nil {
			return nil, err
		} else if ok {
			switch {
			case aggregated:
				d.Post = append(d.Post, PostFilter{Cond: c})
			case cs != nil || len(d.Post) > 0:
				post = append(post, c)
			default:
				pre = append(pre, c)
			}
			continue
		}
		switch st := st.(type) {
		case *cql.CaseStep:
			if cs != nil || len(d.Post) > 0 {
				return nil, l.errAt(st.Span(), "", "only one case step, before table/sort/groupBy, is supported")
			}
			cs = st
		case *cql.CallStep:
			p, err := l.postCall(st.Call)
			if err != nil {
				return nil, err
			}
			if _, ok := p.(PostGroupBy); ok {
				aggregated = true
			}
			d.Post = append(d.Post, p)
		case *cql.StatsStep:
			return nil, l.errAt(st.Span(), "", "the [ ] stats shorthand is not in the exported subset; use groupBy()")
		default:
			return nil, l.errAt(st.Span(), "", "step %q is not in the exported subset (filters, case with :=, test, table, sort, groupBy, bucket)", firstLine(st.String()))
		}
	}
	var clauses []clause
	if cs != nil {
		var err error
		clauses, err = l.caseClauses(cs)
		if err != nil {
			return nil, err
		}
		for _, c := range clauses {
			if c.assign != "" {
				if d.AssignField != "" && d.AssignField != c.assign {
					return nil, l.errAt(cs.Span(), "", "case clauses assign different fields (%s, %s)", d.AssignField, c.assign)
				}
				d.AssignField = c.assign
			}
		}
	} else {
		clauses = []clause{{cond: Const(true), keep: true}}
	}
	preC := simplify(And{pre})
	postC := simplify(And{post})

	// The event types: every literal the query compares the event type with.
	all := []Cond{preC, postC}
	for _, c := range clauses {
		all = append(all, c.cond)
	}
	types, err := l.eventTypes(all)
	if err != nil {
		return nil, err
	}
	d.EventTypes = types
	for _, et := range types {
		var earlier []Cond
		for _, c := range clauses {
			cond := And{append([]Cond{preC, c.cond}, negateAll(earlier)...)}
			earlier = append(earlier, c.cond)
			if !c.keep {
				continue
			}
			branch := c.value
			full := And{[]Cond{cond, postC}}
			folded, err := l.fold(full, et, d.AssignField, branch)
			if err != nil {
				return nil, err
			}
			folded = simplify(folded)
			if folded == Const(false) {
				continue
			}
			d.Legs = append(d.Legs, &Leg{EventType: et, Branch: branch, Cond: folded})
		}
	}
	// Events of no listed type must be excluded by the query itself.
	for _, c := range clauses {
		if !c.keep {
			continue
		}
		folded, err := l.fold(And{[]Cond{preC, c.cond, postC}}, "", d.AssignField, c.value)
		if err != nil {
			return nil, err
		}
		if simplify(folded) != Const(false) {
			return nil, l.errAt(q.Pipeline.Span(), "", "the query does not restrict #event_simpleName to named event types; every target maps event types to its own tables or categories")
		}
	}
	if len(d.Legs) == 0 {
		return nil, l.errAt(q.Pipeline.Span(), "", "the query keeps no event (every branch folds to false)")
	}
	withBranch := 0
	for _, lg := range d.Legs {
		if lg.Branch != "" {
			withBranch++
		}
	}
	if withBranch != 0 && withBranch != len(d.Legs) {
		return nil, l.errAt(cs.Span(), "", "a case clause that keeps events without assigning %s is not supported", d.AssignField)
	}
	return d, nil
}

func negateAll(cs []Cond) []Cond {
	out := make([]Cond, len(cs))
	for i, c := range cs {
		out[i] = Not{c}
	}
	return out
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

// clause is one case clause: its condition, and whether it keeps events with
// which value.
type clause struct {
	cond   Cond
	keep   bool
	assign string // field assigned
	value  string // value assigned
}

func (l *lowerer) caseClauses(cs *cql.CaseStep) ([]clause, error) {
	var out []clause
	for _, cc := range cs.Clauses {
		steps := cc.Pipeline.Steps
		condEnd := len(steps)
		if cc.Arrow != cql.NoPos {
			condEnd = cc.ArrowAt
		} else {
			for i, st := range steps {
				if _, ok, _ := l.stepFilter(st); !ok {
					condEnd = i
					break
				}
			}
		}
		var conds []Cond
		for _, st := range steps[:condEnd] {
			c, ok, err := l.stepFilter(st)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, l.errAt(st.Span(), "", "case condition %q is not a filter", firstLine(st.String()))
			}
			conds = append(conds, c)
		}
		c := clause{cond: simplify(And{conds}), keep: true}
		for _, st := range steps[condEnd:] {
			switch st := st.(type) {
			case *cql.AssignStep:
				v, ok := constString(st.Value)
				if !ok || c.assign != "" {
					return nil, l.errAt(st.Span(), "", "a case clause may only assign one constant string (Field := \"value\")")
				}
				c.assign, c.value = st.Field.Name, v
			case *cql.CallStep:
				if strings.EqualFold(st.Call.Name, "drop") && len(st.Call.Args) == 0 {
					c.keep = false
					continue
				}
				return nil, l.errAt(st.Span(), "", "case action %q is not supported (only Field := \"value\" and drop())", firstLine(st.String()))
			default:
				return nil, l.errAt(st.Span(), "", "case action %q is not supported (only Field := \"value\" and drop())", firstLine(st.String()))
			}
		}
		if c.keep && c.assign == "" && len(steps[condEnd:]) == 0 && cc.Arrow == cql.NoPos && len(cs.Clauses) > 1 {
			// A bare filter clause keeps its events unchanged.
		}
		out = append(out, c)
	}
	return out, nil
}

func constString(e cql.Expr) (string, bool) {
	switch e := e.(type) {
	case *cql.StringLit:
		return e.Value, true
	case *cql.FieldName:
		if e.Quoted {
			return e.Name, true
		}
	}
	return "", false
}

// stepFilter lowers a step that filters events; ok is false for other steps.
func (l *lowerer) stepFilter(st cql.Step) (Cond, bool, error) {
	switch st := st.(type) {
	case *cql.FilterStep:
		c, err := l.filter(st.Filter)
		return c, true, err
	case *cql.CallStep:
		if isFilterCall(st.Call.Name) {
			c, err := l.call(st.Call, "")
			return c, true, err
		}
	case *cql.FieldOpStep:
		if isFilterCall(st.Call.Name) {
			c, err := l.call(st.Call, st.Field.Name)
			if err != nil {
				return nil, true, err
			}
			if st.Negated {
				c = Not{c}
			}
			return c, true, nil
		}
	}
	return nil, false, nil
}

func isFilterCall(name string) bool {
	switch strings.ToLower(name) {
	case "in", "cidr", "wildcard", "regex", "test":
		return true
	}
	return false
}

// pair lowers the two sides of an and/or.
func (l *lowerer) pair(a, b cql.Filter) (Cond, Cond, error) {
	x, err := l.filter(a)
	if err != nil {
		return nil, nil, err
	}
	y, err := l.filter(b)
	return x, y, err
}

func (l *lowerer) filter(f cql.Filter) (Cond, error) {
	switch f := f.(type) {
	case *cql.AndFilter:
		x, y, err := l.pair(f.X, f.Y)
		if err != nil {
			return nil, err
		}
		return And{[]Cond{x, y}}, nil
	case *cql.OrFilter:
		x, y, err := l.pair(f.X, f.Y)
		if err != nil {
			return nil, err
		}
		return Or{[]Cond{x, y}}, nil
	case *cql.NotFilter:
		x, err := l.filter(f.X)
		if err != nil {
			return nil, err
		}
		return Not{x}, nil
	case *cql.ParenFilter:
		return l.filter(f.X)
	case *cql.BoolFilter:
		return Const(f.Value), nil
	case *cql.CompareFilter:
		return l.compare(f)
	case *cql.InFilter:
		return l.inValues(f.Field.Name, f.Values, false, f.Sp)
	case *cql.CallFilter:
		return l.call(f.Call, "")
	case *cql.FreeTextFilter:
		if w, ok := f.Value.(*cql.Word); ok && w.Text == "*" {
			return Const(true), nil
		}
		return nil, l.errAt(f.Span(), "", "free-text search %s is not exported (name the field to search)", f.Value.String())
	}
	return nil, l.errAt(f.Span(), "", "filter %q is not in the exported subset", f.String())
}

func (l *lowerer) compare(f *cql.CompareFilter) (Cond, error) {
	field := f.Field.Name
	switch f.Op {
	case "=", "!=":
		var c Cond
		switch v := f.Value.(type) {
		case *cql.Regex:
			c = &Leaf{Field: field, Kind: KRegex, Pattern: v.Pattern, Flags: v.Flags, Sp: f.Sp}
		case *cql.Word:
			c = patternLeaf(field, v.Text, f.Sp)
		case *cql.String:
			c = patternLeaf(field, v.Value, f.Sp)
		default:
			return nil, l.errAt(f.Sp, "", "value %s is not exported (query parameters have no equivalent)", f.Value.String())
		}
		if f.Op == "!=" {
			c = Not{c}
		}
		return c, nil
	case "<", "<=", ">", ">=":
		var text string
		switch v := f.Value.(type) {
		case *cql.Word:
			text = v.Text
		case *cql.String:
			text = v.Value
		}
		if _, err := strconv.ParseFloat(text, 64); err != nil {
			return nil, l.errAt(f.Sp, "", "%s %s %s compares with a non-number", field, f.Op, f.Value.String())
		}
		return &Leaf{Field: field, Kind: KCmp, Op: f.Op, Values: []string{text}, Numeric: true, Sp: f.Sp}, nil
	}
	return nil, l.errAt(f.Sp, "", "operator %s is not exported", f.Op)
}

func patternLeaf(field, text string, sp cql.Span) *Leaf {
	switch {
	case text == "*":
		return &Leaf{Field: field, Kind: KExists, Sp: sp}
	case strings.Contains(text, "*"):
		return &Leaf{Field: field, Kind: KGlob, Values: []string{text}, Sp: sp}
	}
	return &Leaf{Field: field, Kind: KEqual, Values: []string{text}, Numeric: isInteger(text), Sp: sp}
}

func isInteger(s string) bool {
	if s == "" {
		return false
	}
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

func (l *lowerer) inValues(field string, vals []cql.Expr, ignoreCase bool, sp cql.Span) (Cond, error) {
	lf := &Leaf{Field: field, Kind: KEqual, IgnoreCase: ignoreCase, Numeric: true, Sp: sp}
	for _, v := range vals {
		s, ok := literal(v)
		if !ok {
			return nil, l.errAt(v.Span(), "", "in() value %s is not a literal", v.String())
		}
		if strings.Contains(s, "*") {
			lf.Kind = KGlob
		}
		lf.Numeric = lf.Numeric && isInteger(s)
		lf.Values = append(lf.Values, s)
	}
	if lf.Kind == KGlob {
		lf.Numeric = false
	}
	if len(lf.Values) == 0 {
		return Const(false), nil
	}
	return lf, nil
}

// literal is the text of a constant argument.
func literal(e cql.Expr) (string, bool) {
	switch e := e.(type) {
	case *cql.StringLit:
		return e.Value, true
	case *cql.NumberLit:
		return e.Text, true
	case *cql.FieldName:
		return e.Name, true
	case *cql.BoolLit:
		return strconv.FormatBool(e.Value), true
	case *cql.UnaryExpr:
		if n, ok := e.X.(*cql.NumberLit); ok && e.Op == "-" {
			return "-" + n.Text, true
		}
	}
	return "", false
}

// args maps a call's arguments by name; the positional one under def.
func callArgs(c *cql.Call, def string) map[string]cql.Expr {
	m := map[string]cql.Expr{}
	for _, a := range c.Args {
		name := a.Name
		if name == "" {
			name = def
		}
		m[name] = a.Value
	}
	return m
}

func boolArg(m map[string]cql.Expr, name string) bool {
	s, ok := literal(m[name])
	return ok && s == "true"
}

func (l *lowerer) call(c *cql.Call, implicitField string) (Cond, error) {
	name := strings.ToLower(c.Name)
	var m map[string]cql.Expr
	switch name {
	case "in", "cidr":
		m = callArgs(c, "field")
	case "wildcard":
		m = callArgs(c, "pattern")
	case "regex":
		m = callArgs(c, "regex")
	case "test":
		m = callArgs(c, "expression")
	default:
		return nil, l.errAt(c.Sp, "", "function %s() is not in the exported subset", c.Name)
	}
	fieldOf := func() (string, error) {
		if implicitField != "" {
			return implicitField, nil
		}
		switch f := m["field"].(type) {
		case *cql.FieldName:
			return f.Name, nil
		case *cql.StringLit: // field="#event_simpleName", as the engine reads it
			return f.Value, nil
		}
		return "", l.errAt(c.Sp, "", "%s() needs one field= to export", c.Name)
	}
	for k := range m {
		allowed := map[string][]string{
			"in":       {"field", "values", "ignoreCase"},
			"cidr":     {"field", "subnet", "negate"},
			"wildcard": {"field", "pattern", "ignoreCase"},
			"regex":    {"field", "regex", "flags", "strict"},
			"test":     {"expression"},
		}[name]
		if !slices.Contains(allowed, k) {
			return nil, l.errAt(c.Sp, "", "%s(%s=...) is not exported", c.Name, k)
		}
	}
	switch name {
	case "in":
		field, err := fieldOf()
		if err != nil {
			return nil, err
		}
		arr, ok := m["values"].(*cql.ArrayExpr)
		if !ok {
			return nil, l.errAt(c.Sp, "", "in() needs values=[...]")
		}
		return l.inValues(field, arr.Elems, boolArg(m, "ignoreCase"), c.Sp)
	case "cidr":
		field, err := fieldOf()
		if err != nil {
			return nil, err
		}
		var subnets []string
		switch v := m["subnet"].(type) {
		case *cql.ArrayExpr:
			for _, e := range v.Elems {
				s, ok := literal(e)
				if !ok {
					return nil, l.errAt(e.Span(), "", "cidr() subnet %s is not a literal", e.String())
				}
				subnets = append(subnets, s)
			}
		default:
			s, ok := literal(v)
			if !ok {
				return nil, l.errAt(c.Sp, "", "cidr() needs subnet=")
			}
			subnets = []string{s}
		}
		var out Cond = &Leaf{Field: field, Kind: KCIDR, Values: subnets, Sp: c.Sp}
		if boolArg(m, "negate") {
			out = Not{out}
		}
		return out, nil
	case "wildcard":
		field, err := fieldOf()
		if err != nil {
			return nil, err
		}
		p, ok := literal(m["pattern"])
		if !ok {
			return nil, l.errAt(c.Sp, "", "wildcard() needs a literal pattern=")
		}
		lf := patternLeaf(field, p, c.Sp)
		if lf.Kind == KEqual {
			lf.Numeric = false
		}
		lf.IgnoreCase = boolArg(m, "ignoreCase")
		if lf.Kind == KGlob && !strings.HasPrefix(p, "*") && !strings.HasSuffix(p, "*") {
			// wildcard() anchors its pattern like a glob: nothing to change.
		}
		return lf, nil
	case "regex":
		field, err := fieldOf()
		if err != nil {
			return nil, err
		}
		var pat, flags string
		switch v := m["regex"].(type) {
		case *cql.RegexExpr:
			pat, flags = v.Regex.Pattern, v.Regex.Flags
		default:
			s, ok := literal(v)
			if !ok {
				return nil, l.errAt(c.Sp, "", "regex() needs a literal regex")
			}
			pat = s
		}
		if f, ok := literal(m["flags"]); ok {
			flags += f
		}
		if strings.Contains(pat, "(?<") {
			return nil, l.errAt(c.Sp, "", "regex() with named groups extracts fields; only filtering is exported")
		}
		return &Leaf{Field: field, Kind: KRegex, Pattern: pat, Flags: flags, Sp: c.Sp}, nil
	case "test":
		return l.testExpr(m["expression"], c.Sp)
	}
	return nil, l.errAt(c.Sp, "", "function %s() is not in the exported subset", c.Name)
}

// testExpr lowers test(Field op literal) and its and/or/! combinations.
func (l *lowerer) testExpr(e cql.Expr, sp cql.Span) (Cond, error) {
	if e == nil {
		return nil, l.errAt(sp, "", "test() needs an expression")
	}
	switch e := e.(type) {
	case *cql.ParenExpr:
		return l.testExpr(e.X, sp)
	case *cql.UnaryExpr:
		if e.Op == "!" {
			x, err := l.testExpr(e.X, sp)
			if err != nil {
				return nil, err
			}
			return Not{x}, nil
		}
	case *cql.BinaryExpr:
		f, fok := e.X.(*cql.FieldName)
		v, vok := literal(e.Y)
		if _, isField := e.Y.(*cql.FieldName); isField {
			vok = false
		}
		if fok && !f.Quoted && vok {
			switch e.Op {
			case "==":
				return &Leaf{Field: f.Name, Kind: KEqual, Values: []string{v}, Numeric: isInteger(v), Sp: e.Sp}, nil
			case "!=":
				return Not{&Leaf{Field: f.Name, Kind: KEqual, Values: []string{v}, Numeric: isInteger(v), Sp: e.Sp}}, nil
			case "<", "<=", ">", ">=":
				if _, err := strconv.ParseFloat(v, 64); err == nil {
					return &Leaf{Field: f.Name, Kind: KCmp, Op: e.Op, Values: []string{v}, Numeric: true, Sp: e.Sp}, nil
				}
			}
		}
	}
	return nil, l.errAt(sp, "", "test(%s) is not exported: only field-to-literal comparisons", e.String())
}

// postCall lowers table, select, sort, head, groupBy and bucket.
func (l *lowerer) postCall(c *cql.Call) (Post, error) {
	name := strings.ToLower(c.Name)
	switch name {
	case "table", "select":
		m := callArgs(c, "fields")
		fs, err := l.fieldList(m["fields"], c)
		if err != nil {
			return nil, err
		}
		for k, v := range m {
			switch k {
			case "fields":
			case "limit":
				// limit=max is what the exports do anyway (no row limit);
				// a number keeps the newest rows, which sort() says
				if s, _ := literal(v); !strings.EqualFold(s, "max") {
					return nil, l.errAt(c.Sp, "", "%s(limit=%s) is not exported: the exports keep every row (limit=max); sort(@timestamp, limit=N) keeps the newest N", c.Name, s)
				}
			default:
				return nil, l.errAt(c.Sp, "", "%s(%s=...) is not exported", c.Name, k)
			}
		}
		return PostTable{Fields: fs}, nil
	case "sort":
		m := callArgs(c, "field")
		fs, err := l.fieldList(m["field"], c)
		if err != nil {
			return nil, err
		}
		if len(fs) != 1 {
			return nil, l.errAt(c.Sp, "", "sort() on several fields is not exported")
		}
		p := PostSort{Field: fs[0], Desc: true} // LogScale sorts descending by default
		for k, v := range m {
			s, _ := literal(v)
			switch k {
			case "field":
			case "order":
				switch strings.ToLower(s) {
				case "asc", "ascending":
					p.Desc = false
				case "desc", "descending":
				default:
					return nil, l.errAt(c.Sp, "", "sort(order=%s) is not asc or desc", s)
				}
			case "limit":
				n, err := strconv.Atoi(s)
				if err != nil {
					return nil, l.errAt(c.Sp, "", "sort(limit=%s) is not a number", s)
				}
				p.Limit = n
			case "type":
				// number/string/hex ordering: platforms sort by the column's type
			default:
				return nil, l.errAt(c.Sp, "", "sort(%s=...) is not exported", k)
			}
		}
		return p, nil
	case "head":
		m := callArgs(c, "limit")
		n := 200
		if v, ok := literal(m["limit"]); ok {
			var err error
			if n, err = strconv.Atoi(v); err != nil {
				return nil, l.errAt(c.Sp, "", "head(%s) is not a number", v)
			}
		}
		return PostHead{N: n}, nil
	case "groupby", "bucket":
		m := callArgs(c, "field")
		if name == "bucket" {
			m = callArgs(c, "span")
		}
		var p PostGroupBy
		if m["field"] != nil {
			fs, err := l.fieldList(m["field"], c)
			if err != nil {
				return nil, err
			}
			p.Fields = fs
		}
		for k, v := range m {
			switch k {
			case "field", "function":
			case "span":
				if name != "bucket" {
					return nil, l.errAt(c.Sp, "", "groupBy(span=) is not a parameter")
				}
				s, ok := literal(v)
				if !ok {
					return nil, l.errAt(c.Sp, "", "bucket(span=) must be a literal")
				}
				p.Span = s
			case "limit":
			default:
				return nil, l.errAt(c.Sp, "", "%s(%s=...) is not exported", c.Name, k)
			}
		}
		if name == "bucket" && p.Span == "" {
			return nil, l.errAt(c.Sp, "", "bucket() without span= depends on the search range; give span=")
		}
		aggs, err := l.aggs(m["function"], c)
		if err != nil {
			return nil, err
		}
		p.Aggs = aggs
		return p, nil
	}
	return nil, l.errAt(c.Sp, "", "function %s() is not in the exported subset (filters, case with :=, test, table, sort, head, groupBy, bucket)", c.Name)
}

func (l *lowerer) fieldList(e cql.Expr, c *cql.Call) ([]string, error) {
	switch e := e.(type) {
	case *cql.FieldName:
		return []string{e.Name}, nil
	case *cql.ArrayExpr:
		var out []string
		for _, x := range e.Elems {
			f, ok := x.(*cql.FieldName)
			if !ok {
				return nil, l.errAt(x.Span(), "", "%s() field %s is not a field name", c.Name, x.String())
			}
			out = append(out, f.Name)
		}
		return out, nil
	}
	return nil, l.errAt(c.Sp, "", "%s() needs field names", c.Name)
}

func (l *lowerer) aggs(e cql.Expr, c *cql.Call) ([]Agg, error) {
	if e == nil {
		return []Agg{{Fn: "count", As: "_count"}}, nil
	}
	var calls []cql.Expr
	if arr, ok := cql.Unparen(e).(*cql.ArrayExpr); ok {
		calls = arr.Elems
	} else {
		calls = []cql.Expr{e}
	}
	var out []Agg
	for _, x := range calls {
		ce, ok := cql.Unparen(x).(*cql.CallExpr)
		if !ok {
			return nil, l.errAt(x.Span(), "", "%s(function=) element %s is not an aggregate call", c.Name, x.String())
		}
		fn := strings.ToLower(ce.Call.Name)
		m := callArgs(ce.Call, "field")
		a := Agg{Fn: fn, As: "_" + fn}
		if f, ok := m["field"].(*cql.FieldName); ok {
			a.Field = f.Name
		}
		if v, ok := literal(m["as"]); ok {
			a.As = v
		}
		switch fn {
		case "count":
			a.Distinct = boolArg(m, "distinct")
			if a.Distinct && a.Field == "" {
				return nil, l.errAt(ce.Span(), "", "count(distinct=true) needs a field")
			}
		case "min", "max", "sum", "avg":
			if a.Field == "" {
				return nil, l.errAt(ce.Span(), "", "%s() needs a field", ce.Call.Name)
			}
		default:
			return nil, l.errAt(ce.Span(), "", "aggregate %s() is not exported (count, min, max, sum, avg)", ce.Call.Name)
		}
		for k := range m {
			if k != "field" && k != "as" && k != "distinct" {
				return nil, l.errAt(ce.Span(), "", "%s(%s=...) is not exported", ce.Call.Name, k)
			}
		}
		out = append(out, a)
	}
	return out, nil
}

// eventTypes lists the event types the query names, in order of appearance.
func (l *lowerer) eventTypes(conds []Cond) ([]string, error) {
	var out []string
	var err error
	var walk func(Cond)
	walk = func(c Cond) {
		switch c := c.(type) {
		case And:
			for _, x := range c.Xs {
				walk(x)
			}
		case Or:
			for _, x := range c.Xs {
				walk(x)
			}
		case Not:
			walk(c.X)
		case *Leaf:
			if !isEventTypeField(c.Field) || err != nil {
				return
			}
			var vals []string
			switch c.Kind {
			case KEqual:
				vals = c.Values
			case KRegex:
				set, ok := regexLiterals(c.Pattern, c.Flags)
				if !ok || !set.anchoredStart || !set.anchoredEnd || set.fold {
					err = l.errAt(c.Sp, "", "cannot list the event types matched by /%s/%s; use ^(A|B)$ or in()", c.Pattern, c.Flags)
					return
				}
				vals = set.lits
			case KExists:
				return
			default:
				err = l.errAt(c.Sp, "", "cannot list the event types matched by %s", c.Field)
				return
			}
			for _, v := range vals {
				if !slices.Contains(out, v) {
					out = append(out, v)
				}
			}
		}
	}
	for _, c := range conds {
		walk(c)
	}
	return out, err
}

// fold evaluates the leaves on the event type (as et; "" for a type the
// query does not name) and on the assigned field (as branch).
func (l *lowerer) fold(c Cond, et, assignField, branch string) (Cond, error) {
	switch c := c.(type) {
	case And:
		xs := make([]Cond, len(c.Xs))
		for i, x := range c.Xs {
			y, err := l.fold(x, et, assignField, branch)
			if err != nil {
				return nil, err
			}
			xs[i] = y
		}
		return And{xs}, nil
	case Or:
		xs := make([]Cond, len(c.Xs))
		for i, x := range c.Xs {
			y, err := l.fold(x, et, assignField, branch)
			if err != nil {
				return nil, err
			}
			xs[i] = y
		}
		return Or{xs}, nil
	case Not:
		x, err := l.fold(c.X, et, assignField, branch)
		if err != nil {
			return nil, err
		}
		return Not{x}, nil
	case *Leaf:
		switch {
		case isEventTypeField(c.Field):
			if et == "" {
				return Const(false), nil
			}
			ok, err := l.evalLeaf(c, et)
			return Const(ok), err
		case assignField != "" && c.Field == assignField:
			if branch == "" {
				return Const(false), nil
			}
			ok, err := l.evalLeaf(c, branch)
			return Const(ok), err
		}
	}
	return c, nil
}

// evalLeaf decides a leaf on a known value.
func (l *lowerer) evalLeaf(c *Leaf, v string) (bool, error) {
	switch c.Kind {
	case KExists:
		return true, nil
	case KEqual:
		for _, x := range c.Values {
			if x == v || (c.IgnoreCase && strings.EqualFold(x, v)) {
				return true, nil
			}
		}
		return false, nil
	case KGlob:
		for _, x := range c.Values {
			re := globRegex(x, c.IgnoreCase)
			if regexp.MustCompile(re).MatchString(v) {
				return true, nil
			}
		}
		return false, nil
	case KRegex:
		re, err := regexp.Compile(goFlags(c.Flags) + c.Pattern)
		if err != nil {
			return false, l.errAt(c.Sp, "", "regex /%s/ does not compile: %v", c.Pattern, err)
		}
		return re.MatchString(v), nil
	}
	return false, l.errAt(c.Sp, "", "%s cannot be decided on the value %q", c.Field, v)
}

// goFlags turns CQL regex flags into a Go inline flag group.
func goFlags(flags string) string {
	var b strings.Builder
	for _, f := range flags {
		switch f {
		case 'i':
			b.WriteByte('i')
		case 'm':
			b.WriteByte('m')
		case 'd', 's':
			b.WriteByte('s')
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return "(?" + b.String() + ")"
}

// globPattern is the unanchored-where-possible regex of a CQL glob (only *
// is special): a leading or trailing * drops that anchor.
func globPattern(glob string, ignoreCase bool) string {
	start, end := !strings.HasPrefix(glob, "*"), !strings.HasSuffix(glob, "*")
	parts := strings.Split(strings.Trim(glob, "*"), "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	re := strings.Join(parts, ".*")
	if start {
		re = "^" + re
	}
	if end {
		re += "$"
	}
	flags := ""
	if len(parts) > 1 {
		flags += "s"
	}
	if ignoreCase {
		flags = "i" + flags
	}
	if flags != "" {
		re = "(?" + flags + ")" + re
	}
	return re
}

// globRegex is the anchored Go regex of a CQL glob (only * is special).
func globRegex(glob string, ignoreCase bool) string {
	parts := strings.Split(glob, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	re := "^" + strings.Join(parts, "(?s:.*)") + "$"
	if ignoreCase {
		re = "(?i)" + re
	}
	return re
}

var _ = fmt.Sprintf
