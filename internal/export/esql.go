package export

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// ESQL writes the detection for Elastic ES|QL over the CrowdStrike
// integration's FDR data stream (ECS field names). One CASE assigns the
// branch, first matching condition wins, as in a CQL case.
func ESQL(d *Detection, m Meta, s src) (Output, error) {
	x := &esqlDialect{src: s}
	var b strings.Builder
	fmt.Fprintf(&b, "FROM %s\n", esqlIndex)
	etField := esqlFieldFor("#event_simpleName").Field
	types := make([]string, len(d.EventTypes))
	for i, et := range d.EventTypes {
		types[i] = esqlStr(et)
	}
	fmt.Fprintf(&b, "| WHERE %s IN (%s)\n", etField, strings.Join(types, ", "))
	var conds []string
	for _, lg := range d.Legs {
		c := etField + " == " + esqlStr(lg.EventType)
		if lg.Cond != Const(true) {
			r, err := renderCond(lg.Cond, x, lg.EventType, false)
			if err != nil {
				return Output{}, err
			}
			c += " AND " + r
		}
		if d.AssignField != "" {
			conds = append(conds, fmt.Sprintf("    %s, %s", c, esqlStr(lg.Branch)))
		} else {
			conds = append(conds, "("+c+")")
		}
	}
	if d.AssignField != "" {
		fmt.Fprintf(&b, "| EVAL %s = CASE(\n%s)\n", esqlIdent(d.AssignField), strings.Join(conds, ",\n"))
		fmt.Fprintf(&b, "| WHERE %s IS NOT NULL\n", esqlIdent(d.AssignField))
	} else {
		fmt.Fprintf(&b, "| WHERE %s\n", strings.Join(conds, "\n    OR "))
	}
	aggNames := map[string]string{}
	name := func(f string) string {
		if n, ok := aggNames[f]; ok {
			return n
		}
		if f == d.AssignField {
			return esqlIdent(f)
		}
		noteField("esql", f, x.warn)
		return esqlIdent(esqlFieldFor(f).Field)
	}
	for _, p := range d.Post {
		switch p := p.(type) {
		case PostTable:
			fs := make([]string, len(p.Fields))
			for i, f := range p.Fields {
				fs[i] = name(f)
			}
			fmt.Fprintf(&b, "| KEEP %s\n", strings.Join(fs, ", "))
		case PostSort:
			dir := "ASC"
			if p.Desc {
				dir = "DESC"
			}
			fmt.Fprintf(&b, "| SORT %s %s\n", name(p.Field), dir)
			if p.Limit > 0 {
				fmt.Fprintf(&b, "| LIMIT %d\n", p.Limit)
			}
		case PostHead:
			fmt.Fprintf(&b, "| LIMIT %d\n", p.N)
		case PostGroupBy:
			aggs := aggExprs(p.Aggs, esqlAggs, esqlIdent, name, aggNames)
			var by []string
			if p.Span != "" {
				n, unit, err := bucketSpan(p.Span)
				if err != nil {
					return Output{}, &Error{File: s.file, Target: "esql", Msg: err.Error()}
				}
				units := map[string]string{"s": "second", "m": "minute", "h": "hour", "d": "day"}
				u := units[unit]
				if n != 1 {
					u += "s"
				}
				by = append(by, fmt.Sprintf("%s = BUCKET(@timestamp, %d %s)", esqlIdent("_bucket"), n, u))
				aggNames["_bucket"] = esqlIdent("_bucket")
			}
			for _, f := range p.Fields {
				by = append(by, name(f))
			}
			writeGrouped(&b, "STATS", "BY", aggs, by)
		case PostFilter:
			x.rename = aggNames
			c, err := renderCond(p.Cond, x, "", true)
			x.rename = nil
			if err != nil {
				return Output{}, err
			}
			fmt.Fprintf(&b, "| WHERE %s\n", c)
		}
	}
	warnings := append(x.warnings, tuningWarnings(m, "this ES|QL query")...)
	head := header(func(l string) string { return "// " + l }, m, "esql", "Elastic ES|QL (CrowdStrike integration, FDR data stream, ECS fields)", warnings)
	return Output{Text: head + b.String(), Warnings: warnings}, nil
}

var esqlPlainIdent = regexp.MustCompile(`^[A-Za-z@][A-Za-z0-9_.@]*$`)

func esqlIdent(s string) string {
	if esqlPlainIdent.MatchString(s) {
		return s
	}
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

// esqlStr quotes an ES|QL string literal.
func esqlStr(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`, "\r", `\r`).Replace(s) + `"`
}

type esqlDialect struct {
	src
	warnings []string
	rename   map[string]string
}

func (x *esqlDialect) warn(format string, args ...any) {
	w := fmt.Sprintf(format, args...)
	if !slices.Contains(x.warnings, w) {
		x.warnings = append(x.warnings, w)
	}
}

func (x *esqlDialect) and() string { return "AND" }
func (x *esqlDialect) or() string  { return "OR" }

func (x *esqlDialect) field(l *Leaf) esqlField {
	if n, ok := x.rename[l.Field]; ok {
		return esqlField{Field: n, Type: "long"}
	}
	noteField("esql", l.Field, x.warn)
	f := esqlFieldFor(l.Field)
	f.Field = esqlIdent(f.Field)
	return f
}

// likeEscape escapes LIKE's wildcards and escape character in a literal,
// and `.`, which ES|QL's LIKE documentation also asks to escape (a
// backslash before any character makes it literal, so this is safe).
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `.`, `\.`).Replace(s)
}

func (x *esqlDialect) leaf(l *Leaf, _ string) (string, error) {
	fl := x.field(l)
	f := fl.Field
	lowered := func(ci bool, vals []string) (string, []string) {
		if ci {
			return "TO_LOWER(" + f + ")", lowerAll(vals)
		}
		return f, vals
	}
	switch l.Kind {
	case KExists:
		return f + " IS NOT NULL", nil
	case KEqual:
		if fl.Values != nil {
			vals := make([]string, len(l.Values))
			for i, v := range l.Values {
				m, ok := fl.Values[v]
				if !ok && l.IgnoreCase {
					for k, mv := range fl.Values {
						if strings.EqualFold(k, v) {
							m, ok = mv, true
						}
					}
				}
				if !ok {
					return "", x.errAt(l.Sp, "esql", "%s value %q has no %s equivalent", l.Field, v, fl.Field)
				}
				vals[i] = m
			}
			cp := *l
			cp.Values, cp.IgnoreCase, cp.Numeric = vals, false, false
			l = &cp
		}
		if fl.Type == "ip" {
			q := make([]string, len(l.Values))
			for i, v := range l.Values {
				q[i] = "TO_IP(" + esqlStr(v) + ")"
			}
			if len(q) == 1 {
				return f + " == " + q[0], nil
			}
			return fmt.Sprintf("%s IN (%s)", f, strings.Join(q, ", ")), nil
		}
		if l.Numeric && fl.Type == "long" {
			if len(l.Values) == 1 {
				return f + " == " + l.Values[0], nil
			}
			return fmt.Sprintf("%s IN (%s)", f, strings.Join(l.Values, ", ")), nil
		}
		target, vals := lowered(l.IgnoreCase, l.Values)
		q := make([]string, len(vals))
		for i, v := range vals {
			q[i] = esqlStr(v)
		}
		if len(q) == 1 {
			return target + " == " + q[0], nil
		}
		return fmt.Sprintf("%s IN (%s)", target, strings.Join(q, ", ")), nil
	case KGlob:
		target, vals := lowered(l.IgnoreCase, l.Values)
		parts := make([]string, len(vals))
		for i, g := range vals {
			ps := strings.Split(g, "*")
			for j, p := range ps {
				ps[j] = likeEscape(p)
			}
			parts[i] = fmt.Sprintf("%s LIKE %s", target, esqlStr(strings.Join(ps, "*")))
		}
		return orJoin(parts, " OR "), nil
	case KRegex:
		lr, err := luceneRegex(l.Pattern, l.Flags)
		if err != nil {
			return "", x.errAt(l.Sp, "esql", "regex /%s/: %v", l.Pattern, err)
		}
		for _, w := range lr.warnings {
			x.warn("%s", w)
		}
		target := f
		if lr.lower {
			target = "TO_LOWER(" + f + ")"
		}
		return fmt.Sprintf("%s RLIKE %s", target, esqlStr(lr.re)), nil
	case KCIDR:
		q := make([]string, len(l.Values))
		for i, v := range l.Values {
			q[i] = esqlStr(v)
		}
		target := f
		if fl.Type != "ip" {
			target = "TO_IP(" + f + ")"
		}
		return fmt.Sprintf("CIDR_MATCH(%s, %s)", target, strings.Join(q, ", ")), nil
	case KCmp:
		if fl.Type == "long" {
			return fmt.Sprintf("%s %s %s", f, l.Op, l.Values[0]), nil
		}
		return fmt.Sprintf("TO_DOUBLE(%s) %s %s", f, l.Op, l.Values[0]), nil
	}
	return "", x.errAt(l.Sp, "esql", "comparison on %s is not exported", l.Field)
}

func (x *esqlDialect) notLeaf(l *Leaf, et string) (string, error) {
	f := x.field(l).Field
	if l.Kind == KExists {
		return f + " IS NULL", nil
	}
	s, err := x.leaf(l, et)
	if err != nil {
		return "", err
	}
	// CQL's != keeps events without the field; NOT of a null is null in ES|QL.
	return fmt.Sprintf("(%s IS NULL OR NOT (%s))", f, s), nil
}
