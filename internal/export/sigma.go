package export

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// sigmaItem is one `Field|mod|mod: values` line of a selection.
type sigmaItem struct {
	Field  string
	Mods   []string
	Values []any // string or int
}

func (it sigmaItem) key() string {
	return strings.Join(append([]string{it.Field}, it.Mods...), "|")
}

// sigmaSelection is a named search identifier: its items are ANDed.
type sigmaSelection struct {
	Name  string
	Items []sigmaItem
}

// sigmaRule is one exported Sigma rule (one leg).
type sigmaRule struct {
	leg        *Leg
	category   string
	product    string // from an event_platform test; "" for every product
	selections []*sigmaSelection
	condition  string
	fields     []string
}

type sigmaExporter struct {
	src
	d        *Detection
	warnings []string
}

// Sigma writes the detection as a Sigma rule collection: one rule per leg
// (event type and branch), in one multi-document YAML file.
func Sigma(d *Detection, m Meta, s src) (Output, error) {
	x := &sigmaExporter{src: s, d: d}
	for _, p := range d.Post {
		switch p := p.(type) {
		case PostTable:
			// fields: per rule, below
		case PostSort:
			x.warn("sort(%s) is not exported: Sigma rules have no result order", p.Field)
		case PostHead:
			x.warn("head(%d) is not exported: Sigma rules have no result limit", p.N)
		}
	}
	corr, err := x.correlation(d)
	if err != nil {
		return Output{}, err
	}
	var rulesOut []*sigmaRule
	for _, lg := range d.Legs {
		r, err := x.rule(lg)
		if err != nil {
			return Output{}, err
		}
		rulesOut = append(rulesOut, r)
	}
	x.warnings = append(x.warnings, tuningWarnings(m, "Sigma")...)
	var b strings.Builder
	fmt.Fprintf(&b, "# Sigma rule collection exported by tiercel from the LogScale (CQL) rule %s.\n", m.RuleID)
	if corr == nil {
		fmt.Fprintf(&b, "# One rule per Falcon event type and detection branch; the CQL query alerts when any of\n")
		fmt.Fprintf(&b, "# them matches (an OR of the rules, not a correlation). Regenerate with\n")
	} else {
		fmt.Fprintf(&b, "# One rule per Falcon event type and detection branch, and a %s correlation over\n", corr.Type)
		fmt.Fprintf(&b, "# them (the last document) for the query's bucket() and count. Regenerate with\n")
	}
	fmt.Fprintf(&b, "#   tiercel export --to sigma %s\n", m.RuleID)
	for _, w := range x.warnings {
		fmt.Fprintf(&b, "# warning: %s\n", w)
	}
	for i, r := range rulesOut {
		if i > 0 {
			b.WriteString("---\n")
		}
		x.writeRule(&b, r, m)
	}
	if corr != nil {
		x.writeCorrelation(&b, corr, rulesOut, m)
	}
	return Output{Text: b.String(), Warnings: x.warnings}, nil
}

// sigmaCorrelation is an event_count or value_count meta-rule over the legs:
// CQL's bucket(span=..., field=[...], function=count()) and a filter on the
// count.
type sigmaCorrelation struct {
	Type      string // event_count, value_count
	GroupBy   []string
	Field     string // value_count: the distinct field
	Timespan  string
	Condition map[string]int
}

// correlation reads the aggregation after the detection, if any.
func (x *sigmaExporter) correlation(d *Detection) (*sigmaCorrelation, error) {
	fail := func(format string, args ...any) (*sigmaCorrelation, error) {
		return nil, &Error{File: x.file, Target: "sigma", Msg: fmt.Sprintf(format, args...)}
	}
	var c *sigmaCorrelation
	var agg Agg
	for _, p := range d.Post {
		switch p := p.(type) {
		case PostGroupBy:
			if c != nil {
				return fail("a second aggregation after the first has no Sigma form")
			}
			if p.Span == "" {
				return fail("groupBy() counts over the whole search range; a Sigma correlation needs a timespan: use bucket(span=...)")
			}
			if len(p.Aggs) != 1 || p.Aggs[0].Fn != "count" || (p.Aggs[0].Field != "" && !p.Aggs[0].Distinct) {
				return fail("a Sigma correlation counts events or distinct values: bucket(function=count()) or count(field, distinct=true) only")
			}
			n, unit, err := bucketSpan(p.Span)
			if err != nil {
				return fail("%v", err)
			}
			x.warn("bucket() counts in fixed time buckets aligned to the epoch; a Sigma correlation's timespan is a window the backend places")
			agg = p.Aggs[0]
			c = &sigmaCorrelation{Type: "event_count", Timespan: fmt.Sprintf("%d%s", n, unit), Condition: map[string]int{"gte": 1}}
			if agg.Distinct {
				c.Type = "value_count"
				f, err := x.sameSigmaField(d, agg.Field)
				if err != nil {
					return nil, err
				}
				c.Field = f
			}
			for _, g := range p.Fields {
				f, err := x.sameSigmaField(d, g)
				if err != nil {
					return nil, err
				}
				c.GroupBy = append(c.GroupBy, f)
			}
		case PostFilter:
			if c == nil {
				continue // a row filter folded into the legs
			}
			lf, ok := p.Cond.(*Leaf)
			if !ok || lf.Kind != KCmp || lf.Field != agg.As || len(c.Condition) != 1 || c.Condition["gte"] != 1 {
				return fail("only one comparison of the count (%s > N) has a Sigma correlation form", agg.As)
			}
			n, err := strconv.Atoi(lf.Values[0])
			if err != nil {
				return fail("count threshold %s is not an integer", lf.Values[0])
			}
			c.Condition = map[string]int{map[string]string{"<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}[lf.Op]: n}
		case PostTable, PostSort, PostHead:
			if c != nil {
				x.warn("steps after the aggregation (table, sort, head) are not exported: a correlation has no output shape")
			}
		}
	}
	return c, nil
}

// sameSigmaField maps a Falcon field that every leg must know by one name.
func (x *sigmaExporter) sameSigmaField(d *Detection, falcon string) (string, error) {
	name := ""
	for _, lg := range d.Legs {
		sf, ok := sigmaFieldFor(sigmaSources[lg.EventType].Category, falcon)
		if !ok || (name != "" && sf.Sigma != name) {
			return "", &Error{File: x.file, Target: "sigma", Msg: fmt.Sprintf("group-by field %s has no single Sigma name across the rules (%s)", falcon, lg.EventType)}
		}
		name = sf.Sigma
	}
	return name, nil
}

func (x *sigmaExporter) writeCorrelation(b *strings.Builder, c *sigmaCorrelation, rs []*sigmaRule, m Meta) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	b.WriteString("---\n")
	title := m.Title
	if title == "" {
		title = m.RuleID
	}
	p("title: %s\n", yq(title+" (correlation)"))
	p("id: %s\n", stableID(m.RuleID, "correlation"))
	p("name: %s\n", sigmaName(m.RuleID, "correlation"))
	p("status: experimental\n")
	if m.Author != "" {
		p("author: %s\n", yq(m.Author))
	}
	p("correlation:\n    type: %s\n    rules:\n", c.Type)
	for _, r := range rs {
		label := r.leg.Branch
		if label == "" {
			label = r.leg.EventType
		}
		p("        - %s\n", sigmaName(m.RuleID, label))
	}
	if len(c.GroupBy) > 0 {
		p("    group-by:\n")
		for _, g := range c.GroupBy {
			p("        - %s\n", g)
		}
	}
	p("    timespan: %s\n", c.Timespan)
	p("    condition:\n")
	for op, n := range c.Condition {
		p("        %s: %d\n", op, n)
	}
	if c.Field != "" {
		p("        field: %s\n", c.Field)
	}
	if m.Level != "" {
		p("level: %s\n", m.Level)
	}
}

func (x *sigmaExporter) warn(format string, args ...any) {
	w := fmt.Sprintf(format, args...)
	if !slices.Contains(x.warnings, w) {
		x.warnings = append(x.warnings, w)
	}
}

func (x *sigmaExporter) rule(lg *Leg) (*sigmaRule, error) {
	ls, ok := sigmaSources[lg.EventType]
	if !ok {
		return nil, &Error{File: x.file, Target: "sigma", Msg: fmt.Sprintf("event type %s has no Sigma logsource category", lg.EventType)}
	}
	if lg.EventType == "ProcessRollup2" && !slices.Contains(x.d.EventTypes, "SyntheticProcessRollup2") {
		x.warn("Sigma's process_creation also covers SyntheticProcessRollup2 when mapped back to Falcon (pySigma's CrowdStrike pipeline, tiercel's importer); the CQL reads ProcessRollup2 only")
	}
	if ip6 := strings.Replace(lg.EventType, "IP4", "IP6", 1); ip6 != lg.EventType && !slices.Contains(x.d.EventTypes, ip6) {
		x.warn("Sigma's network_connection also covers %s when mapped back to Falcon (tiercel's importer); the CQL reads %s only", ip6, lg.EventType)
	}
	r := &sigmaRule{leg: lg, category: ls.Category}
	c, product, err := x.product(simplify(nnf(lg.Cond)))
	if err != nil {
		return nil, err
	}
	r.product = product
	if c == Const(true) && ls.Initiated == "" {
		return nil, &Error{File: x.file, Target: "sigma", Msg: fmt.Sprintf("the %s branch has no condition beyond its event type; a Sigma detection needs a selection", lg.EventType)}
	}
	b := &selBuilder{x: x, category: ls.Category}
	var extra []sigmaItem
	if ls.Initiated != "" {
		extra = append(extra, sigmaItem{Field: "Initiated", Values: []any{ls.Initiated}})
	}
	cond, err := b.top(c, extra)
	if err != nil {
		return nil, err
	}
	r.selections = b.sels
	r.condition = cond
	for _, p := range x.d.Post {
		if t, ok := p.(PostTable); ok {
			for _, f := range t.Fields {
				if f == x.d.AssignField || isEventTypeField(f) || f == "@timestamp" {
					continue // the rule itself, its logsource and the event time
				}
				if sf, ok := sigmaFieldFor(ls.Category, f); ok {
					if !slices.Contains(r.fields, sf.Sigma) {
						r.fields = append(r.fields, sf.Sigma)
					}
				} else if !mappedAnywhere(f) {
					x.warn("table field %s has no Sigma field; left out of fields:", f)
				}
			}
		}
	}
	return r, nil
}

// sigmaProducts maps Falcon's event_platform to Sigma's logsource product.
var sigmaProducts = map[string]string{"Win": "windows", "Lin": "linux", "Mac": "macos"}

// product takes a top-level `event_platform = X` test out of a leg's
// condition: Sigma says it with logsource.product.
func (x *sigmaExporter) product(c Cond) (Cond, string, error) {
	c, platform := takePlatform(c)
	return c, sigmaProducts[platform], nil
}

// selBuilder turns a condition in negation normal form into named
// selections and a Sigma condition expression.
type selBuilder struct {
	x        *sigmaExporter
	category string
	sels     []*sigmaSelection
}

func (b *selBuilder) name(prefix, field string) string {
	base := prefix + "_" + strings.ToLower(field)
	name := base
	for i := 2; slices.ContainsFunc(b.sels, func(s *sigmaSelection) bool { return s.Name == name }); i++ {
		name = base + "_" + strconv.Itoa(i)
	}
	return name
}

func (b *selBuilder) add(prefix string, items []sigmaItem) string {
	s := &sigmaSelection{Name: b.name(prefix, items[0].Field), Items: items}
	b.sels = append(b.sels, s)
	return s.Name
}

// top builds the rule's condition; extra items (Initiated) join the first
// AND-ed selection.
func (b *selBuilder) top(c Cond, extra []sigmaItem) (string, error) {
	if c == Const(true) {
		b.add("selection", extra)
		b.rename()
		return "selection", nil
	}
	if _, ok := c.(And); !ok && len(extra) > 0 {
		c = And{[]Cond{c}}
	}
	cond, err := b.expr(c, extra, true)
	if err != nil {
		return "", err
	}
	// A single selection is just "selection"; an OR of every selection is
	// "1 of selection_*".
	if len(b.sels) == 1 && cond == b.sels[0].Name {
		b.sels[0].Name = "selection"
		return "selection", nil
	}
	if or, ok := c.(Or); ok && len(or.Xs) == len(b.sels) {
		all := true
		for _, s := range b.sels {
			all = all && strings.HasPrefix(s.Name, "selection_")
		}
		if all && cond == strings.Join(b.names(), " or ") {
			return "1 of selection_*", nil
		}
	}
	return cond, nil
}

func (b *selBuilder) rename() {
	if len(b.sels) == 1 {
		b.sels[0].Name = "selection"
	}
}

func (b *selBuilder) names() []string {
	out := make([]string, len(b.sels))
	for i, s := range b.sels {
		out[i] = s.Name
	}
	return out
}

func (b *selBuilder) expr(c Cond, extra []sigmaItem, top bool) (string, error) {
	switch c := c.(type) {
	case *Leaf:
		it, err := b.item(c)
		if err != nil {
			return "", err
		}
		return b.add("selection", []sigmaItem{it}), nil
	case Not:
		lf, ok := c.X.(*Leaf)
		if !ok {
			return "", fmt.Errorf("internal: negation of a non-leaf after nnf")
		}
		it, err := b.item(lf)
		if err != nil {
			return "", err
		}
		return "not " + b.add("filter", []sigmaItem{it}), nil
	case And:
		// Positive leaves on distinct keys share one selection (a map ANDs
		// its items); everything else is combined in the condition.
		items := append([]sigmaItem(nil), extra...)
		var parts []string
		for _, x := range c.Xs {
			if lf, ok := x.(*Leaf); ok {
				it, err := b.item(lf)
				if err != nil {
					return "", err
				}
				if !slices.ContainsFunc(items, func(o sigmaItem) bool { return o.key() == it.key() }) {
					items = append(items, it)
					continue
				}
			}
			s, err := b.expr(x, nil, false)
			if err != nil {
				return "", err
			}
			if _, isOr := x.(Or); isOr {
				s = "(" + s + ")"
			}
			parts = append(parts, s)
		}
		if len(items) > 0 {
			field := items[0].Field
			if len(extra) > 0 && len(items) > len(extra) {
				field = items[len(extra)].Field
			}
			s := &sigmaSelection{Name: b.name("selection", field), Items: items}
			b.sels = append(b.sels, s)
			parts = append([]string{s.Name}, parts...)
		}
		return strings.Join(parts, " and "), nil
	case Or:
		var parts []string
		for _, x := range c.Xs {
			s, err := b.expr(x, nil, false)
			if err != nil {
				return "", err
			}
			if _, isAnd := x.(And); isAnd && strings.Contains(s, " and ") {
				s = "(" + s + ")"
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, " or "), nil
	case Const:
		return "", fmt.Errorf("internal: constant inside a simplified condition")
	}
	return "", fmt.Errorf("internal: unknown condition %T", c)
}

// item maps one Falcon comparison onto a Sigma field and modifiers.
func (b *selBuilder) item(l *Leaf) (sigmaItem, error) {
	fail := func(format string, args ...any) (sigmaItem, error) {
		return sigmaItem{}, b.x.errAt(l.Sp, "sigma", format, args...)
	}
	sf, ok := sigmaFieldFor(b.category, l.Field)
	if !ok {
		return fail("field %s has no Sigma field in category %s (docs/export.md lists the mapping)", l.Field, b.category)
	}
	it := sigmaItem{Field: sf.Sigma}
	cased := func(vals []string, ignoreCase bool) {
		if ignoreCase {
			return
		}
		for _, v := range vals {
			if strings.ToLower(v) != strings.ToUpper(v) {
				it.Mods = append(it.Mods, "cased")
				return
			}
		}
	}
	switch l.Kind {
	case KExists:
		it.Mods = []string{"exists"}
		it.Values = []any{true}
		return it, nil
	case KCIDR:
		it.Mods = []string{"cidr"}
		for _, v := range l.Values {
			it.Values = append(it.Values, v)
		}
		return it, nil
	case KCmp:
		it.Mods = []string{map[string]string{"<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}[l.Op]}
		n, _ := strconv.Atoi(l.Values[0])
		it.Values = []any{n}
		return it, nil
	case KEqual:
		if l.Numeric && sf.Kind == valuePlain {
			for _, v := range l.Values {
				n, _ := strconv.Atoi(v)
				it.Values = append(it.Values, n)
			}
			return it, nil
		}
		return b.literals(it, sf, l, l.Values, true, true, l.IgnoreCase)
	case KGlob:
		if len(l.Values) == 1 {
			g := l.Values[0]
			inner := strings.Trim(g, "*")
			if !strings.Contains(inner, "*") && inner != "" {
				start, end := !strings.HasPrefix(g, "*"), !strings.HasSuffix(g, "*")
				return b.literals(it, sf, l, []string{inner}, start, end, l.IgnoreCase)
			}
		}
		switch sf.Kind {
		case valueDevicePath:
			return fail("a wildcard pattern on %s would compare a \\Device\\HarddiskVolumeN path with Sigma's drive-letter %s", l.Field, sf.Sigma)
		case valueBaseName:
			var alts []string
			for _, g := range l.Values {
				parts := strings.Split(g, "*")
				for i, p := range parts {
					parts[i] = regexp.QuoteMeta(p)
				}
				alts = append(alts, strings.Join(parts, `[^\\/]*`))
			}
			return b.baseNameRe(it, `(?:^|[\\/])(?:`+strings.Join(alts, "|")+`)$`, l.IgnoreCase), nil
		}
		for _, g := range l.Values {
			parts := strings.Split(g, "*")
			for i, p := range parts {
				parts[i] = sigmaEscape(p)
			}
			it.Values = append(it.Values, strings.Join(parts, "*"))
		}
		cased(l.Values, l.IgnoreCase)
		return it, nil
	case KRegex:
		if set, ok := regexLiterals(l.Pattern, l.Flags); ok {
			return b.literals(it, sf, l, set.lits, set.anchoredStart, set.anchoredEnd, set.fold)
		}
		if _, err := parseRegex(l.Pattern, l.Flags); err != nil {
			b.x.warn("regex /%s/ is not RE2; passed to Sigma's re modifier unchanged", l.Pattern)
		}
		if sf.Kind == valueBaseName {
			return fail("regex /%s/ on the file name %s cannot be rewritten exactly for the full path in Sigma's %s", l.Pattern, l.Field, sf.Sigma)
		}
		if sf.Kind == valueDevicePath && strings.HasPrefix(strings.TrimPrefix(l.Pattern, "(?i)"), "^") {
			return fail("anchored regex on %s would compare a \\Device\\HarddiskVolumeN path with Sigma's drive-letter %s", l.Field, sf.Sigma)
		}
		pat, mods := l.Pattern, []string{"re"}
		if strings.HasPrefix(pat, "(?i)") {
			pat = pat[len("(?i)"):]
			mods = append(mods, "i")
		}
		for _, f := range l.Flags {
			switch f {
			case 'i':
				if !slices.Contains(mods, "i") {
					mods = append(mods, "i")
				}
			case 'm':
				mods = append(mods, "m")
			case 'd', 's':
				mods = append(mods, "s")
			case 'g', 'F':
			default:
				return fail("regex flag %c has no Sigma modifier", f)
			}
		}
		it.Mods = mods
		it.Values = []any{pat}
		return it, nil
	}
	return fail("comparison on %s is not exported", l.Field)
}

// literals writes "value is / starts with / ends with / contains one of
// lits" for the Sigma field, adapting to how the field names a file.
func (b *selBuilder) literals(it sigmaItem, sf sigmaField, l *Leaf, lits []string, start, end, ignoreCase bool) (sigmaItem, error) {
	switch sf.Kind {
	case valueDevicePath:
		if start {
			return sigmaItem{}, b.x.errAt(l.Sp, "sigma", "%s compares the start of a \\Device\\HarddiskVolumeN path, which Sigma's %s writes with a drive letter", l.Field, sf.Sigma)
		}
	case valueBaseName:
		// Falcon holds the file name, Sigma the full path: "name contains x"
		// is "path has x after its last separator".
		if end && !start {
			break // endswith is the same on the name and the path
		}
		alts := make([]string, len(lits))
		for i, s := range lits {
			alts[i] = regexp.QuoteMeta(s)
		}
		re := "(?:" + strings.Join(alts, "|") + ")"
		switch {
		case start && end:
			re = `(?:^|[\\/])` + re + `$`
		case start:
			re = `(?:^|[\\/])` + re + `[^\\/]*$`
		default:
			re = re + `[^\\/]*$`
		}
		return b.baseNameRe(it, re, ignoreCase), nil
	}
	switch {
	case start && end:
	case start:
		it.Mods = append(it.Mods, "startswith")
	case end:
		it.Mods = append(it.Mods, "endswith")
	default:
		it.Mods = append(it.Mods, "contains")
	}
	if !ignoreCase {
		for _, v := range lits {
			if strings.ToLower(v) != strings.ToUpper(v) {
				it.Mods = append(it.Mods, "cased")
				break
			}
		}
	}
	for _, v := range lits {
		it.Values = append(it.Values, sigmaEscape(v))
	}
	return it, nil
}

func (b *selBuilder) baseNameRe(it sigmaItem, re string, ignoreCase bool) sigmaItem {
	it.Mods = []string{"re"}
	if ignoreCase {
		it.Mods = append(it.Mods, "i")
	}
	it.Values = []any{re}
	return it
}

// sigmaEscape makes a literal safe as a Sigma plain value: * and ? are
// wildcards there, and a backslash before them (or before another
// backslash) escapes.
func sigmaEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '*', '?':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\\':
			if i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '?' || s[i+1] == '\\') || i+1 == len(s) {
				b.WriteString(`\\`)
			} else {
				b.WriteByte('\\')
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// yq single-quotes a YAML scalar.
func yq(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func yval(v any) string {
	switch v := v.(type) {
	case int:
		return strconv.Itoa(v)
	case bool:
		return strconv.FormatBool(v)
	case string:
		return yq(v)
	}
	return fmt.Sprint(v)
}

func sigmaName(parts ...string) string {
	s := strings.ToLower(strings.Join(parts, "_"))
	return regexp.MustCompile(`[^a-z0-9_]+`).ReplaceAllString(s, "_")
}

func (x *sigmaExporter) writeRule(b *strings.Builder, r *sigmaRule, m Meta) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	lg := r.leg
	label := lg.Branch
	if label == "" {
		label = lg.EventType
	}
	title := m.Title
	if len(x.d.Legs) > 1 {
		title += " (" + label + ")"
	}
	p("title: %s\n", yq(title))
	p("id: %s\n", stableID(m.RuleID, label))
	p("name: %s\n", sigmaName(m.RuleID, label))
	p("status: experimental\n")
	desc := strings.TrimSpace(m.Description)
	if bd := m.Branches[lg.Branch]; bd != "" {
		desc = strings.TrimSpace(bd) + " Part of: " + desc
	}
	if desc != "" {
		p("description: %s\n", yq(desc))
	}
	if len(m.References) > 0 {
		p("references:\n")
		for _, ref := range m.References {
			p("    - %s\n", yq(ref))
		}
	}
	if m.Author != "" {
		p("author: %s\n", yq(m.Author))
	}
	if len(m.Tags) > 0 {
		p("tags:\n")
		for _, t := range m.Tags {
			p("    - %s\n", t)
		}
	}
	p("logsource:\n    category: %s\n", r.category)
	if r.product != "" {
		p("    product: %s\n", r.product)
	}
	p("detection:\n")
	for _, s := range r.selections {
		p("    %s:\n", s.Name)
		for _, it := range s.Items {
			if len(it.Values) == 1 {
				p("        %s: %s\n", it.key(), yval(it.Values[0]))
				continue
			}
			p("        %s:\n", it.key())
			for _, v := range it.Values {
				p("            - %s\n", yval(v))
			}
		}
	}
	p("    condition: %s\n", r.condition)
	if len(r.fields) > 0 {
		p("fields:\n")
		for _, f := range r.fields {
			p("    - %s\n", f)
		}
	}
	var fps []string
	for _, fp := range m.FalsePositives {
		if len(fp.Branches) == 0 || slices.Contains(fp.Branches, lg.Branch) {
			fps = append(fps, fp.Text)
		}
	}
	if len(fps) > 0 {
		p("falsepositives:\n")
		for _, f := range fps {
			p("    - %s\n", yq(f))
		}
	}
	if m.Level != "" {
		p("level: %s\n", m.Level)
	}
	p("falcon_event_type: %s\n", lg.EventType)
	if lg.Branch != "" {
		p("detection_branch: %s\n", yq(lg.Branch))
	}
}
