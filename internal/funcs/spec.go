// Package funcs is the catalog of LogScale query functions: their
// parameters, which one may be written without a name, what kind of step
// each one is and whether tiercel's engine runs it.
package funcs

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Kind says what a function does to the event stream.
type Kind int

const (
	// Filter keeps or drops events (in, regex, cidr, test, ...).
	Filter Kind = iota + 1
	// Transform changes or adds fields, one event in, at most one out.
	Transform
	// Aggregate turns the stream into result rows (groupBy, count, sort, head, ...).
	Aggregate
	// Source produces events itself (createEvents, readFile).
	Source
	// Expression is a value function meant for use inside expressions (if, coalesce, getField).
	Expression
	// Preamble must come before the main query (defineTable, setTimeInterval).
	Preamble
)

func (k Kind) String() string {
	switch k {
	case Filter:
		return "filter"
	case Transform:
		return "transform"
	case Aggregate:
		return "aggregate"
	case Source:
		return "source"
	case Expression:
		return "expression"
	case Preamble:
		return "preamble"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// ParamType is what a parameter's value must look like.
type ParamType int

const (
	// Any accepts any value; the function interprets it.
	Any ParamType = iota
	// Field is one field name.
	Field
	// Fields is one field name or an array of them.
	Fields
	// String is a literal string (a bare word counts).
	String
	// Strings is a string or an array of strings.
	Strings
	// Number is a numeric literal; Param.Max also allows the word "max".
	Number
	// Bool is true or false.
	Bool
	// Enum is one of Param.Enum (Param.Multi allows an array of them).
	Enum
	// Regex is a regular expression given as a string or /regex/ literal.
	Regex
	// RegexFlags is a string of regex flag letters.
	RegexFlags
	// Duration is a relative time such as 15m or 1h.
	Duration
	// ExpressionArg is an expression evaluated per event (test, if, coalesce).
	ExpressionArg
	// Functions is one aggregate call or an array of them (groupBy's function=).
	Functions
	// Query is a sub-query in braces.
	Query
	// Queries is an array of sub-queries in braces (selfJoinFilter's where=).
	Queries
	// Pairs is an array of arrays (rename's field=[[a,b]], bitfield output=).
	Pairs
)

var paramTypeNames = [...]string{
	Any: "any", Field: "field", Fields: "fields", String: "string", Strings: "strings",
	Number: "number", Bool: "boolean", Enum: "enum", Regex: "regex", RegexFlags: "regex flags",
	Duration: "duration", ExpressionArg: "expression", Functions: "aggregate functions",
	Query: "query", Queries: "queries", Pairs: "array of pairs",
}

func (t ParamType) String() string {
	if int(t) >= 0 && int(t) < len(paramTypeNames) {
		return paramTypeNames[t]
	}
	return fmt.Sprintf("ParamType(%d)", int(t))
}

// Param is one parameter of a function.
type Param struct {
	Name     string
	Type     ParamType
	Required bool
	// Default is the documented default, as LogScale writes it ("" when none).
	Default string
	// Aliases are other accepted names (replace's replacement= for with=).
	Aliases []string
	// Enum lists the accepted values of an Enum parameter (compared case-insensitively).
	Enum []string
	// Max allows the word "max" for a Number (limit=max).
	Max bool
	// Multi allows an array of values for an Enum or Number (sort's order=[asc, desc]).
	Multi bool
}

// Spec describes one LogScale function.
type Spec struct {
	Name   string
	Kind   Kind
	Params []Param
	// DefaultParam is the parameter an unnamed argument binds to ("" when none).
	DefaultParam string
	// Doc is the documentation page.
	Doc         string
	Description string
	// Implemented is true when tiercel's engine runs the function (see implemented.go).
	Implemented bool
	// NotRun says why the engine does not run an unimplemented function
	// (notrun.go); empty for implemented ones.
	NotRun string
	// Negatable functions may be written !fn() / not fn().
	Negatable bool
	// Value functions yield a value and may be called inside expressions.
	Value bool
	// OpenParams functions take arbitrary parameter names (eval(a = 1)).
	OpenParams bool
}

// Param returns the parameter named name (or one of its aliases), compared
// case-sensitively as LogScale does.
func (s *Spec) Param(name string) (*Param, bool) {
	for i := range s.Params {
		p := &s.Params[i]
		if p.Name == name {
			return p, true
		}
		for _, a := range p.Aliases {
			if a == name {
				return p, true
			}
		}
	}
	return nil, false
}

// HasParam reports whether the function has a parameter named name.
func (s *Spec) HasParam(name string) bool {
	_, ok := s.Param(name)
	return ok
}

// ParamNames lists the parameter names in catalog order.
func (s *Spec) ParamNames() []string {
	names := make([]string, len(s.Params))
	for i, p := range s.Params {
		names[i] = p.Name
	}
	return names
}

// DocURL is the documentation address LogScale uses for a function name.
func DocURL(name string) string {
	return "https://library.humio.com/data-analysis/functions-" +
		strings.ToLower(strings.ReplaceAll(name, ":", "-")) + ".html"
}

// registered holds the specs the family files add from their init functions.
var registered []*Spec

func register(specs ...*Spec) { registered = append(registered, specs...) }

var (
	buildOnce sync.Once
	byName    map[string]*Spec
	sorted    []*Spec
)

// build indexes the catalog once, after every init has run.
func build() {
	buildOnce.Do(func() {
		byName = make(map[string]*Spec, len(registered))
		for _, s := range registered {
			key := strings.ToLower(s.Name)
			if _, dup := byName[key]; dup {
				panic("funcs: duplicate spec " + s.Name)
			}
			if s.Doc == "" {
				s.Doc = DocURL(s.Name)
			}
			s.Implemented = implemented[key]
			if !s.Implemented {
				s.NotRun = notRun[key]
			}
			byName[key] = s
			sorted = append(sorted, s)
		}
		sort.Slice(sorted, func(i, j int) bool {
			return strings.ToLower(sorted[i].Name) < strings.ToLower(sorted[j].Name)
		})
	})
}

// Lookup finds a function by name, case-insensitively.
func Lookup(name string) (*Spec, bool) {
	build()
	s, ok := byName[strings.ToLower(name)]
	return s, ok
}

// All returns every spec sorted by name. Callers must not modify them.
func All() []*Spec {
	build()
	return append([]*Spec(nil), sorted...)
}
