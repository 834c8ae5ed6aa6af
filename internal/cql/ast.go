package cql

// The AST. Interfaces are sealed with marker methods; every node knows its
// span. String() on every node prints canonical CQL (see printer.go), and
// Parse(String(q)) yields a query equal to q up to spans.
//
// Layers:
//   Query/Pipeline  →  Step  →  Filter (boolean filter language)
//                              Expr   (expression language of :=, eval, test, args)
//   Values in filter position (patterns) are Pattern nodes.

// Pos is a byte offset into the query source.
type Pos int

// NoPos marks an absent position (e.g. a clause written without `=>`).
const NoPos Pos = -1

// Span is the half-open byte range [Start, End) a node covers.
type Span struct{ Start, End Pos }

// Node is implemented by every AST node.
type Node interface {
	Span() Span
	String() string
}

// Query is a whole query: a pipeline.
type Query struct {
	Pipeline *Pipeline
}

func (q *Query) Span() Span { return q.Pipeline.Span() }

// Pipeline is a sequence of steps joined by `|` (or, for filters, by juxtaposition).
type Pipeline struct {
	Steps []Step
	Sp    Span
	// EndComments are comments on their own lines after the last step (the
	// end of the query, or the end of a { ... } sub-query).
	EndComments []*Comment
}

func (p *Pipeline) Span() Span { return p.Sp }

// ---------------------------------------------------------------------------
// Steps

// Step is one element of a pipeline.
type Step interface {
	Node
	stepNode()
}

// FilterStep is a boolean filter used as a step: `a=b and not c`.
type FilterStep struct {
	Filter   Filter
	Comments Comments
}

// CallStep is a function call standing alone as a step: `groupBy(x)`,
// `table([a, b])`, `drop()`. A negated call (`!in(...)`) is a FilterStep
// holding a NotFilter around a CallFilter.
type CallStep struct {
	Call     *Call
	Comments Comments
}

// AssignStep is `Field := Expr`. When Expr is a *CallExpr of a function that is
// not an expression function, it means `fn(args, as=Field)` (spec §4.1).
type AssignStep struct {
	Field    *FieldName
	Value    Expr
	Sp       Span
	Comments Comments
}

// FieldOpStep is `Field =~ fn(args)`, meaning `fn(field=Field, args)`;
// Negated for `Field =~ !fn()` / `Field =~ not fn()`.
type FieldOpStep struct {
	Field    *FieldName
	Negated  bool
	Call     *Call
	Sp       Span
	Comments Comments
}

// CaseStep is `case { clause; clause; ... }`.
type CaseStep struct {
	Clauses     []*CaseClause
	Sp          Span
	Comments    Comments
	EndComments []*Comment // own-line comments after the last clause
}

// CaseClause is one sub-pipeline of a case. Arrow is the position of a
// dialect `=>` (cond => steps), NoPos when the clause uses `|` or is a single
// step. With an arrow, the Pipeline holds the condition steps followed by
// the steps after the arrow; ArrowAt is the index of the first step after it.
type CaseClause struct {
	Pipeline *Pipeline
	Arrow    Pos
	ArrowAt  int
	Comments Comments
}

func (c *CaseClause) Span() Span { return c.Pipeline.Span() }

// MatchStep is `Field match { guard => pipeline; ... }`.
type MatchStep struct {
	Field       *FieldName
	Clauses     []*MatchClause
	Sp          Span
	Comments    Comments
	EndComments []*Comment // own-line comments after the last clause
}

// MatchClause is `Guard => Body`. Body is nil when written as `*` (pass through).
type MatchClause struct {
	Guard    Guard
	Body     *Pipeline
	Sp       Span
	Comments Comments
}

func (c *MatchClause) Span() Span { return c.Sp }

// StatsStep is the `[f(), g()]` shorthand for stats([f(), g()]). Elements
// may also be sub-queries (`[{status=ok | count()}, max(x)]`): Items holds
// every element in order (*CallExpr or *SubQuery), Calls the calls among them.
type StatsStep struct {
	Calls    []*Call
	Items    []Expr
	Sp       Span
	Comments Comments
}

// SavedQueryStep is `$name(arg=value, ...)` or `$"name"(...)`.
type SavedQueryStep struct {
	Name     string
	Quoted   bool
	Args     []*Arg
	Sp       Span
	Comments Comments
}

func (s *FilterStep) Span() Span     { return s.Filter.Span() }
func (s *CallStep) Span() Span       { return s.Call.Span() }
func (s *AssignStep) Span() Span     { return s.Sp }
func (s *FieldOpStep) Span() Span    { return s.Sp }
func (s *CaseStep) Span() Span       { return s.Sp }
func (s *MatchStep) Span() Span      { return s.Sp }
func (s *StatsStep) Span() Span      { return s.Sp }
func (s *SavedQueryStep) Span() Span { return s.Sp }

// StepComments returns the comments attached to s (nil for a nil step).
func StepComments(s Step) *Comments {
	switch s := s.(type) {
	case *FilterStep:
		return &s.Comments
	case *CallStep:
		return &s.Comments
	case *AssignStep:
		return &s.Comments
	case *FieldOpStep:
		return &s.Comments
	case *CaseStep:
		return &s.Comments
	case *MatchStep:
		return &s.Comments
	case *StatsStep:
		return &s.Comments
	case *SavedQueryStep:
		return &s.Comments
	}
	return nil
}

func (*FilterStep) stepNode()     {}
func (*CallStep) stepNode()       {}
func (*AssignStep) stepNode()     {}
func (*FieldOpStep) stepNode()    {}
func (*CaseStep) stepNode()       {}
func (*MatchStep) stepNode()      {}
func (*StatsStep) stepNode()      {}
func (*SavedQueryStep) stepNode() {}

// ---------------------------------------------------------------------------
// Filters

// Filter is a node of the boolean filter language.
type Filter interface {
	Node
	filterNode()
}

// AndFilter is `X and Y`, or juxtaposition `X Y` when Implicit.
type AndFilter struct {
	X, Y     Filter
	Implicit bool
	Sp       Span
}

// OrFilter is `X or Y`.
type OrFilter struct {
	X, Y Filter
	Sp   Span
}

// NotFilter is `not X`, or `!X` when Bang.
type NotFilter struct {
	X    Filter
	Bang bool
	Sp   Span
}

// ParenFilter is `( X )`.
type ParenFilter struct {
	X  Filter
	Sp Span
}

// CompareFilter is `Field Op Value` with Op one of = != like < <= > >=.
type CompareFilter struct {
	Field *FieldName
	Op    string
	Value Pattern
	Sp    Span
}

// FreeTextFilter is a bare word, quoted string or regex searched over the
// whole event. A bare `*` is a FreeTextFilter of Word "*" (matches all).
type FreeTextFilter struct {
	Value Pattern
}

// BoolFilter is the literal `true` or `false`.
type BoolFilter struct {
	Value bool
	Sp    Span
}

// CallFilter is a filter function inside a boolean combination: `a and in(...)`.
type CallFilter struct {
	Call *Call
}

// InFilter is the dialect extension `Field in [v, ...]`, canonically
// `in(field=Field, values=[v, ...])`.
type InFilter struct {
	Field  *FieldName
	Values []Expr
	Sp     Span
}

func (f *AndFilter) Span() Span      { return f.Sp }
func (f *OrFilter) Span() Span       { return f.Sp }
func (f *NotFilter) Span() Span      { return f.Sp }
func (f *ParenFilter) Span() Span    { return f.Sp }
func (f *CompareFilter) Span() Span  { return f.Sp }
func (f *FreeTextFilter) Span() Span { return f.Value.Span() }
func (f *BoolFilter) Span() Span     { return f.Sp }
func (f *CallFilter) Span() Span     { return f.Call.Span() }
func (f *InFilter) Span() Span       { return f.Sp }

func (*AndFilter) filterNode()      {}
func (*OrFilter) filterNode()       {}
func (*NotFilter) filterNode()      {}
func (*ParenFilter) filterNode()    {}
func (*CompareFilter) filterNode()  {}
func (*FreeTextFilter) filterNode() {}
func (*BoolFilter) filterNode()     {}
func (*CallFilter) filterNode()     {}
func (*InFilter) filterNode()       {}

// ---------------------------------------------------------------------------
// Patterns: values in filter position (right of = != like, free text, guards)

// Pattern is a value in filter position.
type Pattern interface {
	Node
	patternNode()
}

// Word is an unquoted pattern: `ProcessRollup2`, `*login*`, `8.8.8.8`, `400`.
// `*` is a wildcard.
type Word struct {
	Text string
	Sp   Span
}

// String is a quoted string; Value is unescaped. In filter position `*` in it
// is still a wildcard; in expression position it is a plain string.
type String struct {
	Value string
	Sp    Span
}

// Regex is a `/pattern/flags` literal. Pattern is the text between the
// slashes with `\/` turned into `/`; Flags are the letters after it.
type Regex struct {
	Pattern string
	Flags   string
	Sp      Span
}

// Param is a query parameter `?name`, or `?{name=default}` when HasDefault.
type Param struct {
	Name       string
	Default    string
	HasDefault bool
	Braced     bool
	Sp         Span
}

func (p *Word) Span() Span   { return p.Sp }
func (p *String) Span() Span { return p.Sp }
func (p *Regex) Span() Span  { return p.Sp }
func (p *Param) Span() Span  { return p.Sp }

func (*Word) patternNode()   {}
func (*String) patternNode() {}
func (*Regex) patternNode()  {}
func (*Param) patternNode()  {}

// ---------------------------------------------------------------------------
// Match guards

// Guard is the left side of a match clause: a Pattern (Word "*" is the
// catch-all, String "*" / Word "**" test existence), a *Call (filter function
// with implicit field), or a *BoolFilter (`true`).
type Guard interface {
	Node
}

// ---------------------------------------------------------------------------
// Expressions: :=, eval, test, if, function arguments

// Expr is a node of the expression language.
type Expr interface {
	Node
	exprNode()
}

// FieldName is a field reference: `ImageFileName`, `@timestamp`,
// `#event_simpleName`, `a.b[0]`, `a[]`, or a quoted `"user name"`, or a
// back-ticked name. In argument position it may also stand for a bare word
// value (`order=desc`, `limit=max`, `test.csv`, `1h`); the function's
// parameter type decides.
type FieldName struct {
	Name     string
	Quoted   bool // written as "..."
	Backtick bool // written as `...`
	Sp       Span
}

// StringLit is a quoted string in expression position.
type StringLit struct {
	Value string
	Sp    Span
}

// NumberLit is a numeric literal; Text as written (`400`, `0.5`).
type NumberLit struct {
	Text string
	Sp   Span
}

// BoolLit is `true` or `false` in expression position.
type BoolLit struct {
	Value bool
	Sp    Span
}

// BinaryExpr is `X Op Y` with Op one of + - * / % == != < <= > >= and the
// filter-like `=` used inside some arguments.
type BinaryExpr struct {
	Op   string
	X, Y Expr
	Sp   Span
}

// UnaryExpr is `-X` or `!X`.
type UnaryExpr struct {
	Op string
	X  Expr
	Sp Span
}

// ParenExpr is `( X )`.
type ParenExpr struct {
	X  Expr
	Sp Span
}

// Unparen returns e without the parentheses around it.
func Unparen(e Expr) Expr {
	for {
		p, ok := e.(*ParenExpr)
		if !ok {
			return e
		}
		e = p.X
	}
}

// CallExpr is a function call in expression position.
type CallExpr struct {
	Call *Call
}

// ArrayExpr is `[a, b, ...]`.
type ArrayExpr struct {
	Elems []Expr
	Sp    Span
}

// SubQuery is `{ pipeline }` used as an argument (function=, query=, where=).
type SubQuery struct {
	Pipeline *Pipeline
	Sp       Span
}

// RegexExpr is a regex literal where an argument or guard allows one.
type RegexExpr struct {
	Regex *Regex
}

// ParamExpr is a query parameter in expression position.
type ParamExpr struct {
	Param *Param
}

// CorrelateNode is one `Name: { query } include: [fields]` node of
// correlate(); Include is nil when absent.
type CorrelateNode struct {
	Name    string
	Query   *SubQuery
	Include Expr
	Sp      Span
}

func (e *FieldName) Span() Span     { return e.Sp }
func (e *StringLit) Span() Span     { return e.Sp }
func (e *NumberLit) Span() Span     { return e.Sp }
func (e *BoolLit) Span() Span       { return e.Sp }
func (e *BinaryExpr) Span() Span    { return e.Sp }
func (e *UnaryExpr) Span() Span     { return e.Sp }
func (e *ParenExpr) Span() Span     { return e.Sp }
func (e *CallExpr) Span() Span      { return e.Call.Span() }
func (e *ArrayExpr) Span() Span     { return e.Sp }
func (e *SubQuery) Span() Span      { return e.Sp }
func (e *RegexExpr) Span() Span     { return e.Regex.Span() }
func (e *ParamExpr) Span() Span     { return e.Param.Span() }
func (e *CorrelateNode) Span() Span { return e.Sp }

func (*FieldName) exprNode()     {}
func (*StringLit) exprNode()     {}
func (*NumberLit) exprNode()     {}
func (*BoolLit) exprNode()       {}
func (*BinaryExpr) exprNode()    {}
func (*UnaryExpr) exprNode()     {}
func (*ParenExpr) exprNode()     {}
func (*CallExpr) exprNode()      {}
func (*ArrayExpr) exprNode()     {}
func (*SubQuery) exprNode()      {}
func (*RegexExpr) exprNode()     {}
func (*ParamExpr) exprNode()     {}
func (*CorrelateNode) exprNode() {}

// ---------------------------------------------------------------------------
// Calls

// Call is `name(args)`. Name is as written (functions are case-insensitive:
// compare with strings.EqualFold or the catalog's lookup). NameSp covers the
// name alone, for diagnostics.
type Call struct {
	Name   string
	NameSp Span
	Args   []*Arg
	Sp     Span
}

func (c *Call) Span() Span { return c.Sp }

// Arg is one argument: `Name = Value`, or positional (Name == "") for the
// function's default parameter. In correlate(), node arguments are
// positional with a *CorrelateNode value.
type Arg struct {
	Name   string
	NameSp Span
	Value  Expr
}

func (a *Arg) Span() Span {
	if a.Name == "" {
		return a.Value.Span()
	}
	return Span{a.NameSp.Start, a.Value.Span().End}
}

// LinkFilter is correlate()'s link constraint `X <=> Other.field`, allowed
// inside correlate sub-queries.
type LinkFilter struct {
	X, Y *FieldName
	Sp   Span
}

func (f *LinkFilter) Span() Span { return f.Sp }
func (*LinkFilter) filterNode()  {}
