package export

import (
	"fmt"
	"slices"
	"strings"
)

// dialect renders single comparisons in one target language.
type dialect interface {
	leaf(l *Leaf, et string) (string, error)
	notLeaf(l *Leaf, et string) (string, error)
	and() string
	or() string
}

// renderCond writes a condition (put in negation normal form first) with
// parentheses around every nested group; top is false when the caller joins
// the result with other operands, so a top-level OR is parenthesised too.
func renderCond(c Cond, d dialect, et string, top bool) (string, error) {
	return renderNested(simplify(nnf(c)), d, et, top)
}

func renderNested(c Cond, d dialect, et string, top bool) (string, error) {
	switch c := c.(type) {
	case *Leaf:
		return d.leaf(c, et)
	case Not:
		lf, ok := c.X.(*Leaf)
		if !ok {
			return "", fmt.Errorf("internal: negation of a non-leaf after nnf")
		}
		return d.notLeaf(lf, et)
	case And, Or:
		var xs []Cond
		op := d.and()
		if a, ok := c.(And); ok {
			xs = a.Xs
		} else {
			xs = c.(Or).Xs
			op = d.or()
		}
		if len(xs) > maxFlatOperands {
			// halves in parentheses: a parser's nesting grows with the log
			// of the operands, not their number (Kusto refused to analyse
			// the 250 alternatives of a SigmaHQ rule written in a row)
			half := func(ys []Cond) Cond {
				if _, ok := c.(And); ok {
					return And{Xs: ys}
				}
				return Or{Xs: ys}
			}
			xs = []Cond{half(xs[:len(xs)/2]), half(xs[len(xs)/2:])}
		}
		parts := make([]string, len(xs))
		for i, x := range xs {
			s, err := renderNested(x, d, et, false)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		s := strings.Join(parts, " "+op+" ")
		if !top {
			s = "(" + s + ")"
		}
		return s, nil
	case Const:
		return "", fmt.Errorf("internal: constant condition left after simplify")
	}
	return "", fmt.Errorf("internal: unknown condition %T", c)
}

// maxFlatOperands: past it, an AND or OR is written as two halves.
const maxFlatOperands = 32

// globParts classifies a single-star-group glob: *x*, x*, *x, or other.
func globShape(g string) (inner string, start, end, simple bool) {
	inner = strings.Trim(g, "*")
	if strings.Contains(inner, "*") || inner == "" {
		return "", false, false, false
	}
	return inner, !strings.HasPrefix(g, "*"), !strings.HasSuffix(g, "*"), true
}

// regexWithFlags is a CQL regex for a PCRE/RE2 engine: flags as an inline group.
func regexWithFlags(l *Leaf) string { return goFlags(l.Flags) + l.Pattern }

// bucketSpan parses a LogScale span (30s, 5m, 1h, 1d, 1w) into a count and unit.
func bucketSpan(s string) (int, string, error) {
	var n int
	var unit string
	if _, err := fmt.Sscanf(s, "%d%s", &n, &unit); err != nil || n <= 0 {
		return 0, "", fmt.Errorf("bucket span %q is not a number and a unit", s)
	}
	switch unit {
	case "s", "sec", "secs", "second", "seconds":
		return n, "s", nil
	case "m", "min", "mins", "minute", "minutes":
		return n, "m", nil
	case "h", "hour", "hours":
		return n, "h", nil
	case "d", "day", "days":
		return n, "d", nil
	case "w", "week", "weeks":
		return n * 7, "d", nil
	}
	return 0, "", fmt.Errorf("bucket span unit %q is not s, m, h, d or w", unit)
}

// falconPlatforms are the event_platform values of Falcon sensors.
var falconPlatforms = []string{"Win", "Lin", "Mac"}

// takePlatform removes a top-level `event_platform = Win|Lin|Mac` test from
// a condition (in negation normal form) and returns the platform, for
// targets that select the platform another way (Sigma's product, a join on
// Defender's DeviceInfo). Other platform tests stay in the condition.
func takePlatform(c Cond) (Cond, string) {
	isPlatform := func(c Cond) (string, bool) {
		lf, ok := c.(*Leaf)
		if !ok || lf.Field != "event_platform" || lf.Kind != KEqual || len(lf.Values) != 1 || lf.IgnoreCase {
			return "", false
		}
		return lf.Values[0], slices.Contains(falconPlatforms, lf.Values[0])
	}
	if p, ok := isPlatform(c); ok {
		return Const(true), p
	}
	a, ok := c.(And)
	if !ok {
		return c, ""
	}
	platform := ""
	var rest []Cond
	for _, y := range a.Xs {
		if p, ok := isPlatform(y); ok && (platform == "" || platform == p) {
			platform = p
			continue
		}
		rest = append(rest, y)
	}
	return simplify(And{rest}), platform
}

// writeGrouped writes an aggregation line: "| VERB aggs BY fields".
func writeGrouped(b *strings.Builder, verb, byWord string, aggs, by []string) {
	fmt.Fprintf(b, "| %s %s", verb, strings.Join(aggs, ", "))
	if len(by) > 0 {
		fmt.Fprintf(b, " %s %s", byWord, strings.Join(by, ", "))
	}
	b.WriteString("\n")
}

// aggSpelling is how a platform writes groupBy()'s aggregates. Each format
// takes the output name (%[1]s), the field (%[2]s) and the function (%[3]s).
type aggSpelling struct {
	distinct, field, all, other string
	upper                       bool // function names in capitals
}

var (
	esqlAggs = aggSpelling{distinct: "%[1]s = COUNT_DISTINCT(%[2]s)", field: "%[1]s = COUNT(%[2]s)", all: "%[1]s = COUNT(*)", other: "%[1]s = %[3]s(%[2]s)", upper: true}
	kqlAggs  = aggSpelling{distinct: "%[1]s = dcount(%[2]s)", field: "%[1]s = countif(isnotempty(%[2]s))", all: "%[1]s = count()", other: "%[1]s = %[3]s(%[2]s)"}
	splAggs  = aggSpelling{distinct: "dc(%[2]s) AS %[1]s", field: "count(%[2]s) AS %[1]s", all: "count AS %[1]s", other: "%[3]s(%[2]s) AS %[1]s"}
)

// aggExprs writes the aggregates, recording each one's output name in
// names (so a later filter on it renders with the platform's name).
func aggExprs(aggs []Agg, sp aggSpelling, out, name func(string) string, names map[string]string) []string {
	exprs := make([]string, 0, len(aggs))
	for _, a := range aggs {
		o := out(a.As)
		format := sp.other
		switch {
		case a.Fn == "count" && a.Distinct:
			format = sp.distinct
		case a.Fn == "count" && a.Field != "":
			format = sp.field
		case a.Fn == "count":
			format = sp.all
		}
		fn := a.Fn
		if sp.upper {
			fn = strings.ToUpper(fn)
		}
		field := ""
		if a.Field != "" {
			field = name(a.Field)
		}
		exprs = append(exprs, fmt.Sprintf(format, o, field, fn))
		names[a.As] = o
	}
	return exprs
}
