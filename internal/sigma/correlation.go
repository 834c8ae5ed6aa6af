package sigma

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// correlate compiles a correlation rule over the queries of the rules it
// names. event_count and value_count count per group-by key in fixed time
// windows of the timespan (_window, the start of the window, like bucket();
// a burst that straddles two windows is split, which Sigma's spec allows for
// backends with fixed windows).
// A bucket holds only keys that occurred, so lt/lte are checked among the
// groups seen at all.
// temporal and temporal_ordered become correlate() with one node per rule,
// linked on the group-by fields, within the timespan (in order for
// temporal_ordered).
func (c *Converter) correlate(r *Rule, byRef map[string]*Rule, queries map[*Rule]*Query, qerrs map[*Rule]error) (string, []string, error) {
	corr := r.Correlation
	var base []*Query
	var names []string
	for _, ref := range corr.Rules {
		b := byRef[ref]
		switch {
		case b == nil:
			return "", nil, r.errAt(corr.Line, 1, "correlation names rule %q, which is not in the set", ref)
		case b.Correlation != nil:
			return "", nil, r.errAt(corr.Line, 1, "correlation names correlation %q: chained correlations are not supported", ref)
		case qerrs[b] != nil:
			return "", nil, r.errAt(corr.Line, 1, "correlation names rule %q, which does not convert: %v", ref, qerrs[b])
		}
		base = append(base, queries[b])
		names = append(names, ref)
	}
	// Group-by fields: the Falcon field of each rule, unified under one name
	// (the Sigma name or alias) when the rules map it differently.
	type groupField struct {
		name   string
		perRul []string // Falcon field per base rule
	}
	var groups []groupField
	for _, g := range corr.GroupBy {
		gf := groupField{name: g}
		for i, q := range base {
			sigmaField := g
			if a, ok := corr.Aliases[g]; ok {
				f, ok := a[names[i]]
				if !ok && q.Rule.ID != "" {
					f, ok = a[q.Rule.ID]
				}
				if !ok {
					return "", nil, r.errAt(corr.Line, 1, "alias %s names no field for rule %q", g, names[i])
				}
				sigmaField = f
			}
			m := c.Mapping.Field(q.logsource, sigmaField)
			if m == nil || m.Field == "" {
				if isFalconField(c, sigmaField) {
					gf.perRul = append(gf.perRul, sigmaField)
					continue
				}
				return "", nil, r.errAt(corr.Line, 1, "group-by field %s has no Falcon equivalent for rule %q", sigmaField, names[i])
			}
			gf.perRul = append(gf.perRul, m.Field)
		}
		same := true
		for _, f := range gf.perRul {
			same = same && f == gf.perRul[0]
		}
		if same {
			gf.name = gf.perRul[0]
		}
		groups = append(groups, gf)
	}
	var groupNames []string
	for _, g := range groups {
		groupNames = append(groupNames, quoteField(g.name))
	}
	node := func(i int) string {
		q := base[i]
		steps := []string{strings.ReplaceAll(q.Filter, "\n| ", " | ")}
		for _, g := range groups {
			if g.name != g.perRul[i] {
				steps = append(steps, quoteField(g.name)+" := "+quoteField(g.perRul[i]))
			}
		}
		return strings.Join(steps, " | ")
	}
	var types []string
	for _, q := range base {
		for _, t := range q.EventTypes {
			if !slices.Contains(types, t) {
				types = append(types, t)
			}
		}
	}
	var b strings.Builder
	switch corr.Type {
	case "event_count", "value_count":
		b.WriteString("case {\n")
		for i := range base {
			fmt.Fprintf(&b, "  %s | _sigma_rule := %s ;\n", node(i), strconv.Quote(names[i]))
		}
		b.WriteString("}\n")
		fn := "count(as=_count)"
		if corr.Type == "value_count" {
			var fs []string
			for _, q := range base {
				m := c.Mapping.Field(q.logsource, corr.Field)
				if m == nil || m.Field == "" {
					return "", nil, r.errAt(corr.Line, 1, "value_count field %s has no Falcon equivalent for rule %q", corr.Field, q.Rule.Title)
				}
				if !slices.Contains(fs, m.Field) {
					fs = append(fs, m.Field)
				}
			}
			if len(fs) > 1 {
				return "", nil, r.errAt(corr.Line, 1, "value_count field %s maps to different Falcon fields (%s); use one rule per field", corr.Field, strings.Join(fs, ", "))
			}
			fn = "count(" + quoteField(fs[0]) + ", distinct=true, as=_count)"
		}
		// Time windows of the timespan, as bucket() would cut them, but with
		// groupBy's unbounded group count (bucket() keeps at most 500 series).
		ms, _ := timespanMillis(corr.Timespan)
		fmt.Fprintf(&b, "| _window := @timestamp - (@timestamp %% %d)\n", ms)
		fmt.Fprintf(&b, "| groupBy([%s], function=%s, limit=max)\n", strings.Join(append([]string{"_window"}, groupNames...), ", "), fn)
		var conds []string
		for _, op := range []string{"gt", "gte", "lt", "lte", "eq", "neq"} {
			v, ok := corr.Condition[op]
			if !ok {
				continue
			}
			num := strconv.FormatFloat(v, 'f', -1, 64)
			switch op {
			case "gt":
				conds = append(conds, "_count > "+num)
			case "gte":
				conds = append(conds, "_count >= "+num)
			case "lt":
				conds = append(conds, "_count < "+num)
			case "lte":
				conds = append(conds, "_count <= "+num)
			case "eq":
				conds = append(conds, "test(_count == "+num+")")
			case "neq":
				conds = append(conds, "test(_count != "+num+")")
			}
		}
		b.WriteString("| " + strings.Join(conds, " | "))
		fmt.Fprintf(&b, "\n| table([%s], limit=max)", strings.Join(append(append([]string{"_window"}, groupNames...), "_count"), ", "))
	case "temporal", "temporal_ordered":
		if len(base) < 2 || len(base) > 5 {
			return "", nil, r.errAt(corr.Line, 1, "%s needs 2 to 5 rules (correlate() nodes), not %d", corr.Type, len(base))
		}
		b.WriteString("correlate(\n")
		for i := range base {
			steps := node(i)
			if i > 0 {
				for _, g := range groups {
					steps += " | " + quoteField(g.name) + " <=> r1." + quoteField(g.name)
				}
			}
			fmt.Fprintf(&b, "  r%d: { %s },\n", i+1, steps)
		}
		fmt.Fprintf(&b, "  within=%s, sequence=%t)", corr.Timespan, corr.Type == "temporal_ordered")
	}
	return b.String(), types, nil
}

// isFalconField reports whether name is already a field of the mapping's
// Falcon side (a correlation may group by ComputerName directly).
func isFalconField(c *Converter, name string) bool {
	for _, ls := range c.Mapping.Logsources {
		for _, f := range ls.Fields {
			if f.Field == name {
				return true
			}
		}
	}
	for _, f := range c.Mapping.Common {
		if f.Field == name {
			return true
		}
	}
	return name == "aid"
}
