package cql

// PLACEHOLDER: the parser helper replaces this file with the canonical printer.

func (q *Query) String() string          { return "" }
func (p *Pipeline) String() string       { return "" }
func (c *CaseClause) String() string     { return "" }
func (c *MatchClause) String() string    { return "" }
func (s *FilterStep) String() string     { return "" }
func (s *CallStep) String() string       { return "" }
func (s *AssignStep) String() string     { return "" }
func (s *FieldOpStep) String() string    { return "" }
func (s *CaseStep) String() string       { return "" }
func (s *MatchStep) String() string      { return "" }
func (s *StatsStep) String() string      { return "" }
func (s *SavedQueryStep) String() string { return "" }
func (f *AndFilter) String() string      { return "" }
func (f *OrFilter) String() string       { return "" }
func (f *NotFilter) String() string      { return "" }
func (f *ParenFilter) String() string    { return "" }
func (f *CompareFilter) String() string  { return "" }
func (f *FreeTextFilter) String() string { return "" }
func (f *BoolFilter) String() string     { return "" }
func (f *CallFilter) String() string     { return "" }
func (f *InFilter) String() string       { return "" }
func (p *Word) String() string           { return "" }
func (p *String) String() string         { return "" }
func (p *Regex) String() string          { return "" }
func (p *Param) String() string          { return "" }
func (e *FieldName) String() string      { return "" }
func (e *StringLit) String() string      { return "" }
func (e *NumberLit) String() string      { return "" }
func (e *BoolLit) String() string        { return "" }
func (e *BinaryExpr) String() string     { return "" }
func (e *UnaryExpr) String() string      { return "" }
func (e *ParenExpr) String() string      { return "" }
func (e *CallExpr) String() string       { return "" }
func (e *ArrayExpr) String() string      { return "" }
func (e *SubQuery) String() string       { return "" }
func (e *RegexExpr) String() string      { return "" }
func (e *ParamExpr) String() string      { return "" }
func (e *CorrelateNode) String() string  { return "" }
func (c *Call) String() string           { return "" }
func (a *Arg) String() string            { return "" }
