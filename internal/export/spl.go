package export

import (
	"fmt"
	"strings"
)

// SPL writes the detection for Splunk over Falcon data as the CrowdStrike
// FDR add-on indexes it: sourcetype crowdstrike:events:sensor, Falcon's own
// field names. eval/where comparisons are case-sensitive like CQL's; match()
// is PCRE and unanchored like a CQL regex.
func SPL(d *Detection, m Meta, s src) (Output, error) {
	x := &splDialect{src: s}
	var b strings.Builder
	var types []string
	for _, et := range d.EventTypes {
		types = append(types, splStr(et))
	}
	// The search-time filter is case-insensitive, so it only narrows; the
	// exact event type test is in each branch's eval condition.
	fmt.Fprintf(&b, "sourcetype=%s event_simpleName IN (%s)\n", splStr(splSourcetype), strings.Join(types, ", "))
	var conds []string
	for _, lg := range d.Legs {
		c := "event_simpleName==" + splStr(lg.EventType)
		if lg.Cond != Const(true) { // the event type alone: nothing more to render
			r, err := renderCond(lg.Cond, x, lg.EventType, false)
			if err != nil {
				return Output{}, err
			}
			c += " AND " + r
		}
		if d.AssignField != "" {
			conds = append(conds, fmt.Sprintf("    %s, %s", c, splStr(lg.Branch)))
		} else {
			conds = append(conds, "("+c+")")
		}
	}
	if d.AssignField != "" {
		fmt.Fprintf(&b, "| eval %s=case(\n%s)\n", d.AssignField, strings.Join(conds, ",\n"))
		fmt.Fprintf(&b, "| where isnotnull(%s)\n", d.AssignField)
	} else {
		fmt.Fprintf(&b, "| where %s\n", strings.Join(conds, "\n    OR "))
	}
	aggNames := map[string]string{}
	name := func(f string) string {
		if n, ok := aggNames[f]; ok {
			return n
		}
		return x.field(f)
	}
	for _, p := range d.Post {
		switch p := p.(type) {
		case PostTable:
			fs := make([]string, len(p.Fields))
			for i, f := range p.Fields {
				fs[i] = name(f)
			}
			fmt.Fprintf(&b, "| table %s\n", strings.Join(fs, ", "))
		case PostSort:
			dir := "+"
			if p.Desc {
				dir = "-"
			}
			// sort without a count stops at 10,000 results; 0 lifts that.
			fmt.Fprintf(&b, "| sort %d %s%s\n", p.Limit, dir, name(p.Field))
		case PostHead:
			fmt.Fprintf(&b, "| head %d\n", p.N)
		case PostGroupBy:
			aggs := aggExprs(p.Aggs, splAggs, splOut, name, aggNames)
			by := make([]string, 0, len(p.Fields)+1)
			if p.Span != "" {
				n, unit, err := bucketSpan(p.Span)
				if err != nil {
					return Output{}, &Error{File: s.file, Target: "spl", Msg: err.Error()}
				}
				fmt.Fprintf(&b, "| bin _time span=%d%s\n", n, unit)
				by = append(by, "_time")
				aggNames["_bucket"] = "_time"
			}
			for _, f := range p.Fields {
				by = append(by, name(f))
			}
			writeGrouped(&b, "stats", "BY", aggs, by)
		case PostFilter:
			x.rename = aggNames
			c, err := renderCond(p.Cond, x, "", true)
			x.rename = nil
			if err != nil {
				return Output{}, err
			}
			fmt.Fprintf(&b, "| where %s\n", c)
		}
	}
	warnings := append(x.warnings, tuningWarnings(m, "this SPL search")...)
	head := header(func(l string) string { return "``` " + strings.ReplaceAll(l, "`", "'") + " ```" }, m, "spl", "Splunk (CrowdStrike FDR add-on, sourcetype "+splSourcetype+")", warnings)
	return Output{Text: head + b.String(), Warnings: warnings}, nil
}

// splOut is an output name as SPL keeps it: it hides fields that start with _.
func splOut(s string) string { return strings.TrimPrefix(s, "_") }

type splDialect struct {
	src
	warnings []string
	rename   map[string]string
}

func (x *splDialect) and() string { return "AND" }
func (x *splDialect) or() string  { return "OR" }

func (x *splDialect) warn(format string, args ...any) {
	w := fmt.Sprintf(format, args...)
	for _, o := range x.warnings {
		if o == w {
			return
		}
	}
	x.warnings = append(x.warnings, w)
}

func (x *splDialect) field(f string) string {
	if n, ok := x.rename[f]; ok {
		return n
	}
	noteField("spl", f, x.warn)
	if n, ok := splFields[f]; ok {
		return n
	}
	if strings.ContainsAny(f, " .-[]{}") {
		return "'" + strings.ReplaceAll(f, "'", "\\'") + "'"
	}
	return f
}

// splStr quotes an SPL string literal.
func splStr(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func (x *splDialect) leaf(l *Leaf, _ string) (string, error) {
	f := x.field(l.Field)
	switch l.Kind {
	case KExists:
		return "isnotnull(" + f + ")", nil
	case KEqual:
		if l.Numeric {
			parts := make([]string, len(l.Values))
			for i, v := range l.Values {
				parts[i] = f + "==" + v
			}
			return orJoin(parts, " OR "), nil
		}
		target, vals := f, l.Values
		if l.IgnoreCase {
			target = "lower(" + f + ")"
			vals = lowerAll(vals)
		}
		if len(vals) == 1 {
			return target + "==" + splStr(vals[0]), nil
		}
		q := make([]string, len(vals))
		for i, v := range vals {
			q[i] = splStr(v)
		}
		return fmt.Sprintf("in(%s, %s)", target, strings.Join(q, ", ")), nil
	case KGlob:
		parts := make([]string, len(l.Values))
		for i, g := range l.Values {
			re := globPattern(g, l.IgnoreCase)
			parts[i] = fmt.Sprintf("match(%s, %s)", f, splStr(re))
		}
		return orJoin(parts, " OR "), nil
	case KRegex:
		return fmt.Sprintf("match(%s, %s)", f, splStr(regexWithFlags(l))), nil
	case KCIDR:
		parts := make([]string, len(l.Values))
		for i, v := range l.Values {
			parts[i] = fmt.Sprintf("cidrmatch(%s, %s)", splStr(v), f)
		}
		return orJoin(parts, " OR "), nil
	case KCmp:
		return fmt.Sprintf("tonumber(%s) %s %s", f, l.Op, l.Values[0]), nil
	}
	return "", x.errAt(l.Sp, "spl", "comparison on %s is not exported", l.Field)
}

func (x *splDialect) notLeaf(l *Leaf, et string) (string, error) {
	f := x.field(l.Field)
	if l.Kind == KExists {
		return "isnull(" + f + ")", nil
	}
	s, err := x.leaf(l, et)
	if err != nil {
		return "", err
	}
	// CQL's != keeps events without the field; SPL's NOT of a null does not.
	return fmt.Sprintf("(isnull(%s) OR NOT (%s))", f, s), nil
}

func orJoin(parts []string, op string) string {
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, op) + ")"
}

func lowerAll(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strings.ToLower(v)
	}
	return out
}
