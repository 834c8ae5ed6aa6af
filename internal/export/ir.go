package export

import (
	"github.com/tiercel/tiercel/internal/cql"
)

// Cond is a boolean condition over one event's Falcon fields.
type Cond interface{ isCond() }

// And holds when every operand holds.
type And struct{ Xs []Cond }

// Or holds when some operand holds.
type Or struct{ Xs []Cond }

// Not negates X. After nnf() it wraps only leaves.
type Not struct{ X Cond }

// Const is true or false.
type Const bool

// LeafKind says how a leaf compares its field.
type LeafKind int

const (
	KEqual  LeafKind = iota // field equals one of Values
	KGlob                   // field matches one of Values, `*` a wildcard
	KRegex                  // field matches Regex (unanchored, as CQL)
	KCIDR                   // field is an IP in one of Values (subnets)
	KCmp                    // numeric field Op Values[0]
	KExists                 // field is present
)

// Leaf is one comparison of one field.
type Leaf struct {
	Field      string // Falcon field name as written (#event_simpleName, ComputerName ...)
	Kind       LeafKind
	Values     []string
	Op         string // KCmp: < <= > >=
	Pattern    string // KRegex: the pattern as written between the slashes
	Flags      string // KRegex: CQL flags (i, m, d ...)
	IgnoreCase bool   // KEqual/KGlob: in(ignoreCase=true), wildcard(ignoreCase=true)
	Numeric    bool   // every value is an integer
	Sp         cql.Span
}

func (And) isCond()   {}
func (Or) isCond()    {}
func (Not) isCond()   {}
func (Const) isCond() {}
func (*Leaf) isCond() {}

// Leg is the events one branch of the detection keeps for one event type.
type Leg struct {
	EventType string
	Branch    string // value assigned to the case's field; "" without a case
	Cond      Cond   // over fields other than #event_simpleName
}

// Detection is a lowered query: legs in case order, then what follows.
type Detection struct {
	EventTypes  []string // in first-seen order
	Legs        []*Leg
	AssignField string // field the case assigns (DetectionBranch); "" without a case
	Post        []Post
}

// Post is a step after the detection: table, sort, groupBy, bucket, a filter.
type Post interface{ isPost() }

// PostTable is table([fields]) / select([fields]).
type PostTable struct{ Fields []string }

// PostSort is sort(field, order=asc|desc, limit=N).
type PostSort struct {
	Field string
	Desc  bool
	Limit int // 0: no limit given
}

// Agg is one aggregate: count(), count(f, distinct=true), min, max, sum, avg.
type Agg struct {
	Fn       string // count, dcount, min, max, sum, avg
	Field    string // "" for count()
	As       string // output name
	Distinct bool
}

// PostGroupBy is groupBy([fields], function=[aggs]); Span > 0 makes it a
// bucket(span=..., field=[fields], function=[aggs]) over @timestamp.
type PostGroupBy struct {
	Fields []string
	Aggs   []Agg
	Span   string // bucket span as written (1h, 5m); "" for groupBy
}

// PostFilter is a filter over output fields after the detection (e.g. on
// _count after groupBy, or test()).
type PostFilter struct{ Cond Cond }

// PostHead is head(N) / tail(N) limits.
type PostHead struct{ N int }

func (PostTable) isPost()   {}
func (PostSort) isPost()    {}
func (PostGroupBy) isPost() {}
func (PostFilter) isPost()  {}
func (PostHead) isPost()    {}

// simplify flattens nested And/Or and folds constants.
func simplify(c Cond) Cond {
	switch c := c.(type) {
	case And:
		var xs []Cond
		for _, x := range c.Xs {
			x = simplify(x)
			switch x := x.(type) {
			case Const:
				if !x {
					return Const(false)
				}
				continue
			case And:
				xs = append(xs, x.Xs...)
				continue
			}
			xs = append(xs, x)
		}
		switch len(xs) {
		case 0:
			return Const(true)
		case 1:
			return xs[0]
		}
		return And{xs}
	case Or:
		var xs []Cond
		for _, x := range c.Xs {
			x = simplify(x)
			switch x := x.(type) {
			case Const:
				if x {
					return Const(true)
				}
				continue
			case Or:
				xs = append(xs, x.Xs...)
				continue
			}
			xs = append(xs, x)
		}
		switch len(xs) {
		case 0:
			return Const(false)
		case 1:
			return xs[0]
		}
		return Or{xs}
	case Not:
		x := simplify(c.X)
		switch x := x.(type) {
		case Const:
			return !x
		case Not:
			return x.X
		}
		return Not{x}
	}
	return c
}

// nnf pushes negations down to the leaves (De Morgan), so targets only ever
// negate a single comparison, where they add their missing-field rule.
func nnf(c Cond) Cond {
	switch c := c.(type) {
	case And:
		xs := make([]Cond, len(c.Xs))
		for i, x := range c.Xs {
			xs[i] = nnf(x)
		}
		return And{xs}
	case Or:
		xs := make([]Cond, len(c.Xs))
		for i, x := range c.Xs {
			xs[i] = nnf(x)
		}
		return Or{xs}
	case Not:
		switch x := c.X.(type) {
		case And:
			xs := make([]Cond, len(x.Xs))
			for i, y := range x.Xs {
				xs[i] = nnf(Not{y})
			}
			return Or{xs}
		case Or:
			xs := make([]Cond, len(x.Xs))
			for i, y := range x.Xs {
				xs[i] = nnf(Not{y})
			}
			return And{xs}
		case Not:
			return nnf(x.X)
		case Const:
			return !x
		}
		return c
	}
	return c
}
