package sigma

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"

	"github.com/tiercel/tiercel/internal/sigma/mapping"
)

// Converter turns Sigma rules into CQL over Falcon telemetry.
type Converter struct {
	Mapping *mapping.Mapping
	// Placeholders expands `%name%` in values with the expand modifier.
	Placeholders map[string][]string
}

// Query is a converted detection rule.
type Query struct {
	Rule         *Rule
	Filter       string   // the detection as CQL: logsource filter, derive steps, detection
	EventTypes   []string // #event_simpleName values (or globs) the rule reads
	Warnings     []*Error // optional filters dropped
	Fields       []string // Falcon fields the detection reads, in first-use order
	logsource    *mapping.Logsource
	platformName string
	// matchPlatform: the query requires event_platform (the logsource asks
	// for it and the rule names a product).
	matchPlatform bool
	expr          expr
}

// CQL is the query a rule package ships: the filter plus a table() of the
// fields an analyst needs.
func (q *Query) CQL() string {
	cols := []string{"@timestamp", "aid", "ComputerName", "UserName", "event_simpleName"}
	for _, f := range q.Fields {
		if !strings.HasPrefix(f, "#") && !slices.Contains(cols, f) {
			cols = append(cols, f)
		}
	}
	return q.Filter + "\n| table([" + strings.Join(cols, ", ") + "], limit=max)"
}

// NewConverter uses the built-in Falcon table.
func NewConverter() *Converter { return &Converter{Mapping: mapping.Default()} }

// Convert turns a detection rule into CQL. A field the mapping does not know,
// a modifier or value Falcon cannot express, is an error naming the rule.
func (c *Converter) Convert(r *Rule) (*Query, error) {
	return c.ConvertFiltered(r, nil)
}

// ConvertFiltered converts a detection rule with Sigma filter documents
// applied: the rule's condition and not each filter's condition.
func (c *Converter) ConvertFiltered(r *Rule, filters []*Rule) (*Query, error) {
	if r.Detection == nil {
		return nil, r.errAt(r.Line, 1, "a correlation rule is converted together with the rules it names")
	}
	ls := c.Mapping.Lookup(r.Logsource.Category, r.Logsource.Product)
	if ls == nil {
		what := "category " + strconv.Quote(r.Logsource.Category)
		if r.Logsource.Category == "" {
			what = "no category"
		}
		if r.Logsource.Service != "" {
			what += ", service " + strconv.Quote(r.Logsource.Service)
		}
		prod := r.Logsource.Product
		if prod == "" {
			prod = "(none)"
		}
		return nil, r.errAt(r.Logsource.Line, 1, "logsource %s, product %s has no Falcon mapping in %s (covered: %s)",
			what, prod, c.Mapping.Name, strings.Join(c.Mapping.Categories(), ", "))
	}
	cv := &ruleConv{c: c, r: r, d: r.Detection, ls: ls, q: &Query{Rule: r, logsource: ls}}
	e, err := cv.detection()
	if err != nil {
		return nil, err
	}
	for _, f := range filters {
		// The filter's fields map with the rule's logsource; its errors
		// name the filter file.
		fcv := &ruleConv{c: c, r: f, d: f.Filter.Detection, ls: ls, q: cv.q}
		fe, err := fcv.detection()
		if err != nil {
			return nil, err
		}
		e = and(e, not(fe))
	}
	cv.q.expr = e
	cv.q.EventTypes = ls.Events
	cv.q.platformName = c.Mapping.Platforms[r.Logsource.Product]
	cv.q.matchPlatform = ls.MatchPlatform && r.Logsource.Product != ""
	cv.q.Filter = cv.render()
	return cv.q, nil
}

type ruleConv struct {
	c  *Converter
	r  *Rule
	d  *Detection
	ls *mapping.Logsource
	q  *Query
}

func (cv *ruleConv) useField(f string) {
	if !slices.Contains(cv.q.Fields, f) {
		cv.q.Fields = append(cv.q.Fields, f)
	}
}

// render prints the logsource filter, the derive steps, then each top-level
// conjunct of the detection as its own pipeline step.
func (cv *ruleConv) render() string {
	var lines []string
	var evs []string
	for _, e := range cv.ls.Events {
		evs = append(evs, "#event_simpleName="+cqlValue(e, true))
	}
	first := strings.Join(evs, " or ")
	if len(evs) > 1 {
		first = "(" + first + ")"
	}
	if cv.q.matchPlatform {
		first += " event_platform=" + cqlValue(cv.c.Mapping.Platforms[cv.r.Logsource.Product], false)
	}
	lines = append(lines, first)
	lines = append(lines, cv.ls.Derive...)
	if a, ok := cv.q.expr.(exAnd); ok {
		for _, x := range a {
			lines = append(lines, printExpr(x))
		}
	} else {
		lines = append(lines, printExpr(cv.q.expr))
	}
	return strings.Join(lines, "\n| ")
}

// cqlValue prints an unquoted value when CQL reads it back unchanged, else
// a quoted string. glob keeps `*` as a wildcard.
func cqlValue(s string, glob bool) string {
	plain := s != ""
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-' || glob && c == '*') {
			plain = false
		}
	}
	if plain && s != "and" && s != "or" && s != "not" {
		return s
	}
	return strconv.Quote(s)
}

// cond converts a condition. neg tells whether the node sits under an odd
// number of `not`s: there an optional filter that Falcon cannot express may
// be dropped (see optionalFilter).
// detection converts the detection's conditions (ORed).
func (cv *ruleConv) detection() (expr, error) {
	var conds []expr
	for _, cd := range cv.d.Conditions {
		e, err := cv.cond(cd.Root, false)
		if err != nil {
			return nil, err
		}
		conds = append(conds, e)
	}
	return or(conds...), nil
}

func (cv *ruleConv) cond(c cond, neg bool) (expr, error) {
	d := cv.d
	switch c := c.(type) {
	case *condIdent:
		return cv.identOrDrop(d.Idents[c.name], neg)
	case *condNot:
		x, err := cv.cond(c.x, !neg)
		if err != nil {
			return nil, err
		}
		return not(x), nil
	case *condBin:
		var xs []expr
		for _, y := range c.xs {
			x, err := cv.cond(y, neg)
			if err != nil {
				return nil, err
			}
			xs = append(xs, x)
		}
		if c.and {
			return and(xs...), nil
		}
		return or(xs...), nil
	case *condOf:
		var xs []expr
		for _, name := range d.match(c.pattern) {
			x, err := cv.identOrDrop(d.Idents[name], neg)
			if err != nil {
				return nil, err
			}
			xs = append(xs, x)
		}
		if c.all {
			return and(xs...), nil
		}
		return or(xs...), nil
	}
	return nil, fmt.Errorf("unknown condition node %T", c)
}

// optionalPrefix names the filters SigmaHQ's rule convention calls optional:
// exclusions of software that is not part of a default installation, which
// users are expected to switch off as they see fit.
const optionalPrefix = "filter_optional_"

// identOrDrop converts a search identifier. An optional filter that is
// negated and cannot be expressed on Falcon data is dropped (it never
// matches), with a warning: the rule then alerts on what the filter would
// have excluded, as when a user switches the filter off, and never misses
// what the full rule finds.
func (cv *ruleConv) identOrDrop(id *Ident, neg bool) (expr, error) {
	x, err := cv.ident(id)
	if err == nil || !neg || !strings.HasPrefix(id.Name, optionalPrefix) {
		return x, err
	}
	var e *Error
	if !errors.As(err, &e) {
		return nil, err
	}
	cv.q.Warnings = append(cv.q.Warnings, &Error{File: e.File, Line: e.Line, Col: e.Col, Rule: e.Rule,
		Msg: "optional filter " + id.Name + " dropped (the rule may alert on what it excluded): " + e.Msg})
	return exConst(false), nil
}

func (cv *ruleConv) ident(id *Ident) (expr, error) {
	var groups []expr
	for _, g := range id.Groups {
		var items []expr
		for _, it := range g {
			x, err := cv.item(it)
			if err != nil {
				return nil, err
			}
			items = append(items, x)
		}
		groups = append(groups, and(items...))
	}
	return or(groups...), nil
}

// mods are an item's modifiers, checked.
type mods struct {
	list       []string // value transformations in order
	all, cased bool
	re         bool
	reFlags    string
	cmp        string // gt, gte, lt, lte
	exists     bool
	cidr       bool
	neq        bool
	fieldref   bool
	expand     bool
}

var knownMods = []string{"contains", "startswith", "endswith", "all", "re", "i", "m", "s", "ignorecase", "multiline", "dotall",
	"cased", "windash", "base64", "base64offset", "wide", "utf16le", "utf16be", "utf16", "exists", "gt", "gte", "lt", "lte",
	"cidr", "neq", "expand", "fieldref"}

func (cv *ruleConv) parseMods(it *Item) (*mods, error) {
	m := &mods{}
	for _, name := range it.Mods {
		switch name {
		case "all":
			m.all = true
		case "cased":
			m.cased = true
		case "re":
			m.re = true
		case "i", "ignorecase":
			m.reFlags += "i"
		case "m", "multiline":
			m.reFlags += "m"
		case "s", "dotall":
			m.reFlags += "d" // LogScale's dot-all flag
		case "gt", "gte", "lt", "lte":
			m.cmp = name
		case "exists":
			m.exists = true
		case "cidr":
			m.cidr = true
		case "neq":
			m.neq = true
		case "fieldref":
			m.fieldref = true
		case "expand":
			m.expand = true
		case "contains", "startswith", "endswith", "windash", "base64", "base64offset", "wide", "utf16le", "utf16be", "utf16":
			m.list = append(m.list, name)
		case "minute", "hour", "day", "week", "month", "year":
			return nil, cv.r.errAt(it.Line, it.Col, "time modifier %q is not supported: Falcon events carry no such date field to take it from", name)
		default:
			return nil, cv.r.errAt(it.Line, it.Col, "unknown modifier %q (known: %s)", name, strings.Join(knownMods, ", "))
		}
	}
	if m.reFlags != "" && !m.re {
		return nil, cv.r.errAt(it.Line, it.Col, "regex flags need the re modifier")
	}
	if m.all && len(it.Values) < 2 {
		return nil, cv.r.errAt(it.Line, it.Col, "the all modifier needs a list of values")
	}
	if m.re && len(m.list) > 0 {
		return nil, cv.r.errAt(it.Line, it.Col, "re cannot be combined with %s", m.list[0])
	}
	return m, nil
}

// value is one Sigma value on its way to CQL.
type value struct {
	p     pattern
	cased bool // case-sensitive (cased, encodings)
}

func (cv *ruleConv) item(it *Item) (expr, error) {
	m, err := cv.parseMods(it)
	if err != nil {
		return nil, err
	}
	if it.Keywords {
		return cv.keywords(it, m)
	}
	f := cv.c.Mapping.Field(cv.ls, it.Field)
	where := cv.r.Logsource.Category + "/" + cv.r.Logsource.Product
	if f == nil {
		return nil, cv.r.errAt(it.Line, it.Col, "field %s has no Falcon equivalent for %s in %s", it.Field, where, cv.c.Mapping.Name)
	}
	if f.Unsupported != "" {
		return nil, cv.r.errAt(it.Line, it.Col, "field %s cannot be mapped for %s: %s", it.Field, where, f.Unsupported)
	}
	if f.Hashes != nil && (m.re || m.cidr || m.cmp != "" || m.fieldref || m.exists) {
		return nil, cv.r.errAt(it.Line, it.Col, "field %s takes ALGO=hash values only", it.Field)
	}
	switch {
	case m.exists:
		if len(it.Values) != 1 || it.Values[0].Kind != ValueBool {
			return nil, cv.r.errAt(it.Line, it.Col, "exists takes true or false")
		}
		cv.useField(f.Field)
		x := exLeaf{cql: quoteField(f.Field) + "=*", neg: quoteField(f.Field) + "!=*", m: &leafMatch{kind: leafExists, field: f.Field}}
		if it.Values[0].Text == "false" {
			return not(x), nil
		}
		return x, nil
	case m.cmp != "":
		return cv.compare(it, m, f)
	case m.cidr:
		return cv.cidr(it, m, f)
	case m.fieldref:
		return cv.fieldref(it, m, f)
	}
	var xs []expr
	for _, v := range it.Values {
		x, err := cv.oneValue(it, m, f, v)
		if err != nil {
			return nil, err
		}
		xs = append(xs, x)
	}
	var e expr
	if m.all {
		e = and(xs...)
	} else if in := numberList(xs); in != nil {
		e = in
	} else {
		e = or(xs...)
	}
	if m.neq {
		return not(e), nil
	}
	return e, nil
}

// numberList folds `f=80 or f=443 ...` (exact numbers on one field) into
// in(field=f, values=[80, 443]).
func numberList(xs []expr) expr {
	if len(xs) < 3 {
		return nil
	}
	var field string
	var vals []string
	for _, x := range xs {
		l, ok := x.(exLeaf)
		if !ok || l.m == nil || l.m.kind != leafPattern {
			return nil
		}
		lit, ok := l.m.p.literal()
		if !ok || lit == "" || !isDigits(lit) || field != "" && l.m.field != field {
			return nil
		}
		field = l.m.field
		vals = append(vals, lit)
	}
	return exLeaf{cql: "in(field=" + strconv.Quote(field) + ", values=[" + strings.Join(vals, ", ") + "])",
		m: &leafMatch{kind: leafIn, field: field, values: vals}}
}

func quoteField(f string) string {
	for _, c := range f {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '#' || c == '@' || c == '[' || c == ']') {
			return strconv.Quote(f)
		}
	}
	return f
}

// oneValue converts one value of an item (possibly several CQL filters, ORed,
// for encodings with variants).
func (cv *ruleConv) oneValue(it *Item, m *mods, f *mapping.Field, v Value) (expr, error) {
	at := func(format string, a ...any) error {
		return cv.r.errAt(v.Line, v.Col, "%s: "+format, append([]any{it.Field}, a...)...)
	}
	if v.Kind == ValueNull {
		cv.useField(f.Field)
		return not(exLeaf{cql: quoteField(f.Field) + "=*", neg: quoteField(f.Field) + "!=*", m: &leafMatch{kind: leafExists, field: f.Field}}), nil
	}
	if m.re {
		if v.Kind != ValueString {
			return nil, at("re needs a string")
		}
		field := f.Field
		nameRegex := false // already a regex over the file name (tiercel's export)
		if f.Basename {
			if re, ok := fileNameRegex(v.Text); ok {
				v.Text, nameRegex = re, true
			}
		}
		if f.Basename && !nameRegex && !basenameRegex(v.Text) {
			field = f.PathField
		}
		if f.Values != nil || f.EventTypes != nil || field == "" {
			return nil, at("a regex cannot be translated for %s, which holds %s", f.Field, fieldKind(f))
		}
		if err := checkRegex(v.Text); err != nil {
			return nil, at("%v", err)
		}
		cv.useField(field)
		return exLeaf{cql: quoteField(field) + "=/" + escapeSlash(v.Text) + "/" + m.reFlags,
			m: &leafMatch{kind: leafRegex, field: field, re: goRegex(v.Text, m.reFlags)}}, nil
	}
	texts := []string{v.Text}
	if m.expand {
		var err error
		if texts, err = cv.expand(v.Text); err != nil {
			return nil, at("%v", err)
		}
	}
	var vals []value
	for _, t := range texts {
		p := parsePattern(t)
		if v.Kind != ValueString {
			p = pattern{{kind: partLit, text: t}}
		}
		vals = append(vals, value{p: p, cased: m.cased})
	}
	for _, mod := range m.list {
		var err error
		if vals, err = applyMod(mod, vals); err != nil {
			return nil, at("%v", err)
		}
	}
	var xs []expr
	for _, val := range vals {
		x, err := cv.leaf(f, val, at)
		if err != nil {
			return nil, err
		}
		xs = append(xs, x)
	}
	return or(xs...), nil
}

// The path regexes `tiercel export --to sigma` writes for a Falcon file-name
// field: "the name contains / is / starts with X" over a full path.
const (
	sepClass   = `[\\/]`
	afterSep   = `(?:^|` + sepClass + `)`
	restOfName = `[^\\/]*$`
)

// fileNameRegex turns such a path regex back into the regex over the file
// name: `X[^\\/]*$` is `X`, `(?:^|[\\/])X$` is `^X$`, `(?:^|[\\/])X[^\\/]*$`
// is `^X`, when X itself names no separator. ok is false for other regexes.
func fileNameRegex(re string) (string, bool) {
	flags := ""
	if strings.HasPrefix(re, "(?i)") {
		flags, re = "(?i)", re[len("(?i)"):]
	}
	var x, out string
	switch {
	case strings.HasPrefix(re, afterSep) && strings.HasSuffix(re, restOfName):
		x = re[len(afterSep) : len(re)-len(restOfName)]
		out = "^" + x
	case strings.HasPrefix(re, afterSep) && strings.HasSuffix(re, "$"):
		x = re[len(afterSep) : len(re)-1]
		out = "^" + x + "$"
	case strings.HasSuffix(re, restOfName):
		x = re[:len(re)-len(restOfName)]
		out = x
	default:
		return "", false
	}
	if x == "" || strings.Contains(x, `\\`) || strings.Contains(x, "/") || strings.Contains(x, `\x5c`) || strings.HasPrefix(x, "^") {
		return "", false
	}
	// X must be one operand: `a|b[^\\/]*$` is "a anywhere, or b in the name".
	// (Parsed with a character after it: a lone group `(?:a|b)` parses as
	// the alternation itself.)
	if t, err := syntax.Parse(x+"#", syntax.Perl); err != nil || t.Op == syntax.OpAlternate {
		return "", false
	}
	return flags + out, true
}

// basenameRegex reports whether a regex written for a full path may run on
// the file name alone: it names no directory separator and is not anchored
// at the start, so a match in the file name is a match in the path.
func basenameRegex(re string) bool {
	t := strings.TrimPrefix(re, "(?i)")
	return !strings.HasPrefix(t, "^") && !strings.Contains(re, `\\`) && !strings.Contains(re, "/") && !strings.Contains(re, `\x5c`)
}

func fieldKind(f *mapping.Field) string {
	switch {
	case f.Basename:
		return "only the file name"
	case f.EventTypes != nil:
		return "the event type"
	}
	return "coded values"
}

// leaf applies the field mapping to one value and prints the CQL filter.
func (cv *ruleConv) leaf(f *mapping.Field, val value, at func(string, ...any) error) (expr, error) {
	p := val.p
	field := f.Field
	if f.EventTypes != nil {
		lit, ok := p.literal()
		types := f.EventTypes[strings.ToLower(lit)]
		if !ok || types == nil {
			return nil, at("value %q does not pick an event type (want one of %s)", lit, strings.Join(mapKeys(f.EventTypes), ", "))
		}
		var q []string
		for _, t := range types {
			q = append(q, cqlValue(t, false))
		}
		return exLeaf{cql: "in(field=" + strconv.Quote(field) + ", values=[" + strings.Join(q, ", ") + "])",
			m: &leafMatch{kind: leafIn, field: field, values: types}}, nil
	}
	if f.Hashes != nil {
		var err error
		if field, p, err = hashValue(f, p); err != nil {
			return nil, at("%v", err)
		}
		val.cased = false
	}
	if f.Values != nil {
		lit, ok := p.literal()
		mapped, known := f.Values[strings.ToLower(lit)]
		if !ok || !known {
			return nil, at("value %q has no Falcon equivalent in %s (known: %s)", lit, field, strings.Join(mapKeys(f.Values), ", "))
		}
		p, val.cased = pattern{{kind: partLit, text: mapped}}, true
	}
	if f.DWordField != "" {
		if n, ok := dwordValue(p); ok {
			field, p, val.cased = f.DWordField, pattern{{kind: partLit, text: n}}, true
		}
	}
	if f.IPv6Field != "" {
		if lit, ok := p.literal(); ok && strings.Contains(lit, ":") {
			field = f.IPv6Field
		}
	}
	if f.Contains {
		if _, ok := p.literal(); ok {
			p = p.wrap(true, true)
		}
	}
	if f.DevicePath {
		p = devicePath(p)
	}
	if f.Basename {
		bp, err := basename(p)
		switch {
		case err == nil:
			p = bp
		case f.PathField != "":
			// The value names a directory: compare the full path.
			field, p = f.PathField, devicePath(p)
		default:
			return nil, at("%s holds only the file name: %v", field, err)
		}
	}
	cv.useField(field)
	return exLeaf{cql: matchCQL(quoteField(field), p, val.cased), m: &leafMatch{kind: leafPattern, field: field, p: p, cased: val.cased}}, nil
}

var dwordRe = regexp.MustCompile(`^(?i)DWORD \(0x([0-9a-f]{1,8})\)$`)

// dwordValue reads Sysmon's registry data form `DWORD (0x00000001)` (alone
// or under contains) as a decimal number.
func dwordValue(p pattern) (string, bool) {
	inner := p
	if inner.startsStar() {
		inner = inner[1:]
	}
	if inner.endsStar() {
		inner = inner[:len(inner)-1]
	}
	lit, ok := inner.literal()
	m := dwordRe.FindStringSubmatch(lit)
	if !ok || m == nil {
		return "", false
	}
	n, err := strconv.ParseUint(m[1], 16, 32)
	return strconv.FormatUint(n, 10), err == nil
}

// hashValue reads a Sysmon hash string (`SHA256=ab12...`, possibly inside
// wildcards from contains) and returns the Falcon hash field and value.
func hashValue(f *mapping.Field, p pattern) (string, pattern, error) {
	inner := p
	if inner.startsStar() {
		inner = inner[1:]
	}
	if inner.endsStar() {
		inner = inner[:len(inner)-1]
	}
	lit, ok := inner.literal()
	algo, hash, found := strings.Cut(lit, "=")
	if !ok || !found || hash == "" {
		return "", nil, fmt.Errorf("want ALGO=hash, not %q", lit)
	}
	field := f.Hashes[strings.ToUpper(algo)]
	if field == "" {
		return "", nil, fmt.Errorf("%s hashes have no Falcon field (known: %s)", algo, strings.Join(mapKeys(f.Hashes), ", "))
	}
	return field, pattern{{kind: partLit, text: hash}}, nil
}

// matchCQL prints `field` compared with a pattern.
func matchCQL(field string, p pattern, cased bool) string {
	if len(p) == 0 {
		return field + `=""`
	}
	if len(p) == 1 && p[0].kind == partStar {
		return field + "=*"
	}
	if lit, ok := p.literal(); ok && lit != "" && isDigits(lit) {
		return field + "=" + lit
	}
	flags := ""
	if !cased && p.hasLetters() {
		flags = "i"
	}
	if p.innerWildcard() {
		flags += "d" // LogScale's dot-all: Sigma wildcards match newlines
	}
	return field + "=/" + p.regex() + "/" + flags
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func mapKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// devicePath rewrites Windows drive paths for Falcon's NT device paths: a
// drive letter starting the value (or right after a leading `*`) becomes
// \Device\HarddiskVolumeN (or the drive itself), and a drive-less `:\`
// after a leading `*` loses its colon.
func devicePath(p pattern) pattern {
	i := 0
	if p.startsStar() {
		i = 1
	}
	if i >= len(p) || p[i].kind != partLit {
		return p
	}
	t := p[i].text
	out := append(pattern(nil), p[:i]...)
	switch {
	case len(t) >= 3 && isLetter(t[0]) && t[1] == ':' && t[2] == '\\':
		// Falcon writes \Device\HarddiskVolumeN; exports that resolved the
		// drive letter are matched too.
		drive := strings.ToUpper(t[:1]) + ":"
		out = append(out, part{kind: partRegex, text: `(\\Device\\HarddiskVolume\d+|` + drive + `)`,
			alts: []string{`\Device\HarddiskVolume3`, drive, `\Device\HarddiskVolume12`}}, part{kind: partLit, text: t[2:]})
	case i == 1 && strings.HasPrefix(t, `:\`):
		out = append(out, part{kind: partLit, text: t[1:]})
	default:
		return p
	}
	return append(out, p[i+1:]...)
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// basename turns a path pattern into a file-name pattern: what follows the
// last separator, when only a wildcard precedes it (`*\cmd.exe` → `cmd.exe`).
// A pattern without separators applies to the file name as it is.
func basename(p pattern) (pattern, error) {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i].kind != partLit {
			continue
		}
		j := strings.LastIndexAny(p[i].text, `\/`)
		if j < 0 {
			continue
		}
		head := p[:i]
		for _, x := range head {
			if x.kind != partStar {
				return nil, fmt.Errorf("the value names a directory")
			}
		}
		if p[i].text[:j] != "" {
			return nil, fmt.Errorf("the value names a directory")
		}
		out := pattern{}
		if rest := p[i].text[j+1:]; rest != "" {
			out = append(out, part{kind: partLit, text: rest})
		}
		out = append(out, p[i+1:]...)
		if len(out) == 0 { // `*\`: any file name
			out = pattern{{kind: partStar}}
		}
		return out, nil
	}
	return p, nil
}

func escapeSlash(re string) string {
	var b strings.Builder
	esc := false
	for _, c := range re {
		if c == '/' && !esc {
			b.WriteString(`\/`)
			continue
		}
		esc = c == '\\' && !esc
		b.WriteRune(c)
	}
	return b.String()
}

func (cv *ruleConv) keywords(it *Item, m *mods) (expr, error) {
	if m.re || m.cidr || m.cmp != "" || m.exists || m.fieldref {
		return nil, cv.r.errAt(it.Line, it.Col, "keywords take only string modifiers")
	}
	var xs []expr
	for _, v := range it.Values {
		if v.Kind == ValueNull {
			return nil, cv.r.errAt(v.Line, v.Col, "a keyword cannot be null")
		}
		vals := []value{{p: parsePattern(v.Text), cased: m.cased}}
		if v.Kind != ValueString {
			vals[0].p = pattern{{kind: partLit, text: v.Text}}
		}
		for _, mod := range m.list {
			var err error
			if vals, err = applyMod(mod, vals); err != nil {
				return nil, cv.r.errAt(v.Line, v.Col, "keyword: %v", err)
			}
		}
		var alts []expr
		for _, val := range vals {
			flags := ""
			if !val.cased && val.p.hasLetters() {
				flags = "i"
			}
			kp := val.p.wrap(true, true)
			if kp.innerWildcard() {
				flags += "d"
			}
			alts = append(alts, exLeaf{cql: "/" + kp.regex() + "/" + flags, m: &leafMatch{kind: leafKeyword, p: kp, cased: val.cased}})
		}
		xs = append(xs, or(alts...))
	}
	if m.all {
		return and(xs...), nil
	}
	return or(xs...), nil
}

func (cv *ruleConv) compare(it *Item, m *mods, f *mapping.Field) (expr, error) {
	op := map[string]string{"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[m.cmp]
	var xs []expr
	for _, v := range it.Values {
		if _, err := strconv.ParseFloat(v.Text, 64); err != nil || v.Kind == ValueBool {
			return nil, cv.r.errAt(v.Line, v.Col, "%s: %s needs a number, not %q", it.Field, m.cmp, v.Text)
		}
		cv.useField(f.Field)
		num, _ := strconv.ParseFloat(v.Text, 64)
		xs = append(xs, exLeaf{cql: quoteField(f.Field) + op + v.Text, m: &leafMatch{kind: leafCmp, field: f.Field, op: op, num: num}})
	}
	if m.all {
		return and(xs...), nil
	}
	return or(xs...), nil
}

func (cv *ruleConv) cidr(it *Item, m *mods, f *mapping.Field) (expr, error) {
	var v4, v6 []string
	var p4, p6 []netip.Prefix
	for _, v := range it.Values {
		pfx, err := netip.ParsePrefix(v.Text)
		if err != nil {
			return nil, cv.r.errAt(v.Line, v.Col, "%s: %q is not a CIDR network", it.Field, v.Text)
		}
		if pfx.Addr().Is4() {
			v4, p4 = append(v4, strconv.Quote(v.Text)), append(p4, pfx.Masked())
		} else {
			v6, p6 = append(v6, strconv.Quote(v.Text)), append(p6, pfx.Masked())
		}
	}
	var xs []expr
	for _, g := range []struct {
		field string
		nets  []string
		pfx   []netip.Prefix
	}{{f.Field, v4, p4}, {cmpOr(f.IPv6Field, f.Field), v6, p6}} {
		if len(g.nets) == 0 {
			continue
		}
		cv.useField(g.field)
		xs = append(xs, exLeaf{cql: "cidr(" + quoteField(g.field) + ", subnet=[" + strings.Join(g.nets, ", ") + "])",
			m: &leafMatch{kind: leafCIDR, field: g.field, nets: g.pfx}})
	}
	e := or(xs...)
	if m.all {
		return nil, cv.r.errAt(it.Line, it.Col, "cidr with all can never match two networks at once")
	}
	if m.neq {
		return not(e), nil
	}
	return e, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (cv *ruleConv) fieldref(it *Item, m *mods, f *mapping.Field) (expr, error) {
	var xs []expr
	for _, v := range it.Values {
		g := cv.c.Mapping.Field(cv.ls, v.Text)
		if g == nil || g.Unsupported != "" || g.Field == "" {
			return nil, cv.r.errAt(v.Line, v.Col, "%s|fieldref: field %s has no Falcon equivalent", it.Field, v.Text)
		}
		if f.DevicePath != g.DevicePath {
			return nil, cv.r.errAt(v.Line, v.Col, "%s|fieldref %s: the Falcon fields hold different forms (%s, %s)", it.Field, v.Text, f.Field, g.Field)
		}
		cv.useField(f.Field)
		cv.useField(g.Field)
		a, b := quoteField(f.Field), quoteField(g.Field)
		if !m.cased {
			a, b = "lower("+a+")", "lower("+b+")"
		}
		xs = append(xs, exLeaf{cql: "test(" + a + " == " + b + ")", m: &leafMatch{kind: leafFieldRef, field: f.Field, other: g.Field, cased: m.cased}})
	}
	e := or(xs...)
	if m.all {
		e = and(xs...)
	}
	if m.neq {
		return not(e), nil
	}
	return e, nil
}

func (cv *ruleConv) expand(s string) ([]string, error) {
	i := strings.IndexByte(s, '%')
	if i < 0 {
		return []string{s}, nil
	}
	j := strings.IndexByte(s[i+1:], '%')
	if j < 0 {
		return []string{s}, nil
	}
	name := s[i+1 : i+1+j]
	vals, ok := cv.c.Placeholders[name]
	if !ok {
		return nil, fmt.Errorf("placeholder %%%s%% has no values (give them with --placeholders FILE)", name)
	}
	var out []string
	for _, v := range vals {
		rest, err := cv.expand(s[i+1+j+1:])
		if err != nil {
			return nil, err
		}
		for _, r := range rest {
			out = append(out, s[:i]+v+r)
		}
	}
	return out, nil
}
