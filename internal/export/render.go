package export

import (
	"fmt"
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
