// Package sigma reads Sigma rules (specification v2) and turns them into
// CQL over CrowdStrike Falcon telemetry, with the field table of package
// mapping. Detection rules become filters; correlation rules (event_count,
// value_count, temporal, temporal_ordered) become aggregations. The CQL
// runs on tiercel's one engine like any other rule.
package sigma

// Rule is one Sigma document: a detection rule or a correlation rule.
type Rule struct {
	File string // file as shown in messages
	Line int    // line of the document's first key

	Title          string
	ID             string
	Name           string
	Status         string
	Description    string
	Author         string
	License        string
	Level          string
	Date           string
	Modified       string
	References     []string
	Tags           []string
	FalsePositives []string
	Fields         []string

	Logsource   Logsource
	Detection   *Detection   // nil for a correlation rule or a filter
	Correlation *Correlation // set for a correlation rule
	Filter      *Filter      // set for a filter document
}

// Filter is a Sigma filter document's `filter` section: a detection whose
// matches are removed from the named rules (rule and not filter).
type Filter struct {
	Rules     []string
	Detection *Detection
	Line      int
}

// Logsource is the rule's logsource section.
type Logsource struct {
	Category, Product, Service string
	Line                       int
}

// Detection is the detection section: named search identifiers and the
// condition(s), which are ORed when there are several.
type Detection struct {
	Idents     map[string]*Ident
	Order      []string // identifiers in file order (for `them` and wildcards)
	Conditions []*Condition
}

// Condition is one condition string, parsed.
type Condition struct {
	Text      string
	Line, Col int
	Root      cond
}

// Ident is a search identifier: OR over groups, each group an AND of items.
type Ident struct {
	Name      string
	Line, Col int
	Groups    [][]*Item
}

// Item is one `field|mod|mod: value(s)` entry, or keywords (Field "").
type Item struct {
	Field     string
	Mods      []string
	Values    []Value
	Keywords  bool
	Line, Col int
}

// ValueKind is the YAML type of a value.
type ValueKind uint8

const (
	ValueString ValueKind = iota
	ValueNumber
	ValueBool
	ValueNull
)

// Value is one scalar of an item.
type Value struct {
	Kind      ValueKind
	Text      string
	Line, Col int
}

// Correlation is a correlation rule's `correlation` section.
type Correlation struct {
	Type      string
	Rules     []string
	GroupBy   []string
	Timespan  string
	Field     string             // value_count: the counted field
	Condition map[string]float64 // gt, gte, lt, lte, eq, neq
	Aliases   map[string]map[string]string
	Generate  bool
	Line      int
}
