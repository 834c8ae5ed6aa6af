package export

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

// KQL writes the detection for Microsoft Defender XDR advanced hunting (and
// Sentinel with the Defender tables): one union leg per event type and
// branch, each on the table that holds that event type, with Falcon fields
// renamed to the table's columns.
func KQL(d *Detection, m Meta, s src) (Output, error) {
	x := &kqlDialect{src: s}
	// Fields the output needs, in order: table() columns and fields used after.
	var outFields []string
	addOut := func(f string) {
		if !slices.Contains(outFields, f) {
			outFields = append(outFields, f)
		}
	}
	projected := false
	for _, p := range d.Post {
		switch p := p.(type) {
		case PostTable:
			projected = true
			for _, f := range p.Fields {
				addOut(f)
			}
		case PostSort:
			if !projected {
				addOut(p.Field)
			}
		case PostGroupBy:
			for _, f := range p.Fields {
				addOut(f)
			}
			for _, a := range p.Aggs {
				if a.Field != "" {
					addOut(a.Field)
				}
			}
			if p.Span != "" {
				addOut("@timestamp")
			}
		}
		if _, ok := p.(PostGroupBy); ok {
			break
		}
	}
	if len(outFields) > 0 && d.AssignField != "" && !projected {
		addOut(d.AssignField)
	}
	present := map[string]bool{} // output columns some leg fills
	var legs []string
	for _, lg := range d.Legs {
		t, ok := kqlTables[lg.EventType]
		if !ok {
			return Output{}, &Error{File: s.file, Target: "kql", Msg: fmt.Sprintf("event type %s has no Defender XDR table", lg.EventType)}
		}
		x.table = t.Table
		x.computed = nil
		legCond, platform := takePlatform(simplify(nnf(lg.Cond)))
		cond := ""
		if legCond != Const(true) {
			c, err := renderCond(legCond, x, lg.EventType, true)
			if err != nil {
				return Output{}, err
			}
			cond = c
		}
		var lines []string
		lines = append(lines, t.Table)
		if t.Where != "" {
			lines = append(lines, "| where "+t.Where)
		}
		var extends []string
		var project []string
		for _, f := range outFields {
			out := kqlOutName(f, d.AssignField)
			switch {
			case isEventTypeField(f):
				extends = append(extends, out+" = "+kqlStr(lg.EventType))
				project = append(project, out)
			case f == d.AssignField && d.AssignField != "":
				project = append(project, out)
			default:
				col, ok := kqlColumns[t.Table][f]
				if !ok {
					continue // the table has no such column: empty, as in CQL
				}
				x.need(f, col)
				if col.Column == out {
					project = append(project, out)
				} else {
					project = append(project, out+" = "+col.Column)
				}
			}
			present[out] = true
		}
		for _, c := range x.computed {
			lines = append(lines, "| extend "+c)
		}
		if cond != "" {
			lines = append(lines, "| where "+cond)
		}
		if platform != "" {
			lines = append(lines, fmt.Sprintf("| join kind=leftsemi (DeviceInfo | where %s | distinct DeviceId) on DeviceId", kqlPlatforms[platform]))
			x.warn("event_platform is matched through DeviceInfo.OSPlatform (%s); Defender's event tables have no OS column", kqlPlatforms[platform])
		}
		if d.AssignField != "" {
			extends = append(extends, d.AssignField+" = "+kqlStr(lg.Branch))
		}
		if len(extends) > 0 {
			lines = append(lines, "| extend "+strings.Join(extends, ", "))
		}
		if len(project) > 0 {
			lines = append(lines, "| project "+strings.Join(project, ", "))
		}
		legs = append(legs, strings.Join(lines, "\n    "))
	}
	var b strings.Builder
	if len(legs) == 1 {
		b.WriteString(strings.ReplaceAll(legs[0], "\n    ", "\n") + "\n")
	} else {
		b.WriteString("union\n")
		for i, l := range legs {
			sep := ","
			if i == len(legs)-1 {
				sep = ""
			}
			fmt.Fprintf(&b, "    (%s)%s\n", l, sep)
		}
	}
	aggNames := map[string]string{}
	name := func(f string) string {
		if n, ok := aggNames[f]; ok {
			return n
		}
		return kqlOutName(f, d.AssignField)
	}
	for _, p := range d.Post {
		switch p := p.(type) {
		case PostTable:
			if len(legs) == 1 {
				continue // the leg projected these columns already
			}
			var cols []string
			for _, f := range p.Fields {
				n := name(f)
				if present[n] {
					cols = append(cols, n)
				} else {
					x.warn("table field %s has no column in any of the tables used; left out", f)
				}
			}
			fmt.Fprintf(&b, "| project %s\n", strings.Join(cols, ", "))
		case PostSort:
			dir := "asc"
			if p.Desc {
				dir = "desc"
			}
			if p.Limit > 0 {
				fmt.Fprintf(&b, "| top %d by %s %s\n", p.Limit, name(p.Field), dir)
			} else {
				fmt.Fprintf(&b, "| sort by %s %s\n", name(p.Field), dir)
			}
		case PostHead:
			fmt.Fprintf(&b, "| take %d\n", p.N)
		case PostGroupBy:
			// A field no table has would be a name Kusto rejects: in CQL
			// every event lacks it, which a summarize cannot say.
			for _, f := range p.Fields {
				if _, agg := aggNames[f]; !agg && !present[name(f)] {
					return Output{}, &Error{File: s.file, Target: "kql", Msg: fmt.Sprintf("grouped field %s has no column in the tables used (docs/export.md lists the mapping)", f)}
				}
			}
			for _, a := range p.Aggs {
				if _, agg := aggNames[a.Field]; a.Field != "" && !agg && !present[name(a.Field)] {
					return Output{}, &Error{File: s.file, Target: "kql", Msg: fmt.Sprintf("%s(field=%s): the field has no column in the tables used (docs/export.md lists the mapping)", a.Fn, a.Field)}
				}
			}
			aggs := aggExprs(p.Aggs, kqlAggs, kqlIdent, name, aggNames)
			var by []string
			if p.Span != "" {
				n, unit, err := bucketSpan(p.Span)
				if err != nil {
					return Output{}, &Error{File: s.file, Target: "kql", Msg: err.Error()}
				}
				by = append(by, fmt.Sprintf("%s = bin(Timestamp, %d%s)", kqlIdent("_bucket"), n, unit))
				aggNames["_bucket"] = kqlIdent("_bucket")
			}
			for _, f := range p.Fields {
				by = append(by, name(f))
			}
			writeGrouped(&b, "summarize", "by", aggs, by)
		case PostFilter:
			x.rename = aggNames
			x.table = ""
			c, err := renderCond(p.Cond, x, "", true)
			x.rename = nil
			if err != nil {
				return Output{}, err
			}
			fmt.Fprintf(&b, "| where %s\n", c)
		}
	}
	warnings := append(x.warnings, tuningWarnings(m, "this KQL query")...)
	head := header(func(l string) string { return "// " + l }, m, "kql", "Microsoft Defender XDR / Sentinel advanced hunting", warnings)
	return Output{Text: head + b.String(), Warnings: warnings}, nil
}

func kqlOutName(f, assign string) string {
	if f == assign && assign != "" {
		return f
	}
	if n, ok := kqlOutput[f]; ok {
		return n
	}
	return kqlIdent(f)
}

var kqlPlainIdent = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

func kqlIdent(s string) string {
	if kqlPlainIdent.MatchString(s) {
		return s
	}
	return "['" + strings.ReplaceAll(s, "'", `\'`) + "']"
}

// kqlStr quotes a KQL string literal.
func kqlStr(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`, "\r", `\r`).Replace(s) + `"`
}

// kqlVerbatim quotes a regex as a verbatim string (@"..."): no backslash escapes.
func kqlVerbatim(s string) string { return `@"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

type kqlDialect struct {
	src
	table    string
	computed []string
	warnings []string
	rename   map[string]string
}

func (x *kqlDialect) warn(format string, args ...any) {
	w := fmt.Sprintf(format, args...)
	if !slices.Contains(x.warnings, w) {
		x.warnings = append(x.warnings, w)
	}
}

func (x *kqlDialect) and() string { return "and" }
func (x *kqlDialect) or() string  { return "or" }

// need records a computed column a leg must extend before using it.
func (x *kqlDialect) need(f string, col kqlColumn) {
	noteField("kql", f, x.warn)
	if col.Expr == "" {
		return
	}
	e := col.Column + " = " + col.Expr
	if !slices.Contains(x.computed, e) {
		x.computed = append(x.computed, e)
	}
}

func (x *kqlDialect) column(l *Leaf) (kqlColumn, error) {
	if x.table == "" { // after summarize: output names
		if n, ok := x.rename[l.Field]; ok {
			return kqlColumn{Column: n, Type: "long"}, nil
		}
		return kqlColumn{Column: kqlOutName(l.Field, "")}, nil
	}
	col, ok := kqlColumns[x.table][l.Field]
	if !ok {
		return kqlColumn{}, x.errAt(l.Sp, "kql", "field %s has no column in %s (docs/export.md lists the mapping)", l.Field, x.table)
	}
	x.need(l.Field, col)
	return col, nil
}

func (x *kqlDialect) leaf(l *Leaf, _ string) (string, error) {
	col, err := x.column(l)
	if err != nil {
		return "", err
	}
	f := col.Column
	switch l.Kind {
	case KExists:
		return "isnotempty(" + f + ")", nil
	case KEqual:
		if l.Numeric && col.Type != "" {
			if len(l.Values) == 1 {
				return f + " == " + l.Values[0], nil
			}
			return fmt.Sprintf("%s in (%s)", f, strings.Join(l.Values, ", ")), nil
		}
		q := make([]string, len(l.Values))
		for i, v := range l.Values {
			q[i] = kqlStr(v)
		}
		switch {
		case len(q) == 1 && l.IgnoreCase:
			return f + " =~ " + q[0], nil
		case len(q) == 1:
			return f + " == " + q[0], nil
		case l.IgnoreCase:
			return fmt.Sprintf("%s in~ (%s)", f, strings.Join(q, ", ")), nil
		}
		return fmt.Sprintf("%s in (%s)", f, strings.Join(q, ", ")), nil
	case KGlob:
		cs := "_cs"
		if l.IgnoreCase {
			cs = ""
		}
		parts := make([]string, len(l.Values))
		for i, g := range l.Values {
			inner, start, end, simple := globShape(g)
			switch {
			case simple && !start && !end:
				parts[i] = fmt.Sprintf("%s contains%s %s", f, cs, kqlStr(inner))
			case simple && start:
				parts[i] = fmt.Sprintf("%s startswith%s %s", f, cs, kqlStr(inner))
			case simple && end:
				parts[i] = fmt.Sprintf("%s endswith%s %s", f, cs, kqlStr(inner))
			default:
				parts[i] = fmt.Sprintf("%s matches regex %s", f, kqlVerbatim(globPattern(g, l.IgnoreCase)))
			}
		}
		return orJoin(parts, " or "), nil
	case KRegex:
		if _, err := parseRegex(l.Pattern, l.Flags); err != nil {
			return "", x.errAt(l.Sp, "kql", "regex /%s/ is not RE2, which KQL's matches regex requires: %v", l.Pattern, err)
		}
		return fmt.Sprintf("%s matches regex %s", f, kqlVerbatim(regexWithFlags(l))), nil
	case KCIDR:
		parts := make([]string, len(l.Values))
		for i, v := range l.Values {
			fn := "ipv4_is_in_range"
			if p, err := netip.ParsePrefix(v); err == nil && p.Addr().Is6() {
				fn = "ipv6_is_in_range"
			}
			parts[i] = fmt.Sprintf("%s(%s, %s)", fn, f, kqlStr(v))
		}
		return orJoin(parts, " or "), nil
	case KCmp:
		if col.Type == "" {
			return fmt.Sprintf("todouble(%s) %s %s", f, l.Op, l.Values[0]), nil
		}
		return fmt.Sprintf("%s %s %s", f, l.Op, l.Values[0]), nil
	}
	return "", x.errAt(l.Sp, "kql", "comparison on %s is not exported", l.Field)
}

func (x *kqlDialect) notLeaf(l *Leaf, et string) (string, error) {
	col, err := x.column(l)
	if err != nil {
		return "", err
	}
	if l.Kind == KExists {
		return "isempty(" + col.Column + ")", nil
	}
	s, err := x.leaf(l, et)
	if err != nil {
		return "", err
	}
	// CQL's != keeps events without the field.
	return fmt.Sprintf("(isempty(%s) or not(%s))", col.Column, s), nil
}
