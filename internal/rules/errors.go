// Package rules is tiercel's detection package format: a directory per rule
// holding rule.yaml, query.cql, tunings, example lookups and tests. It loads
// and validates packages, splices tunings into queries and runs rule tests.
package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tiercel/tiercel/internal/suggest"
)

// Error is one problem in a rule package, located in a file.
type Error struct {
	File   string // path as shown to the user
	Line   int    // 1-based; 0 when the problem concerns the whole file
	Col    int    // 1-based; 0 when unknown
	Msg    string
	Hint   string
	Detail string // optional multi-line context (a rendered query diagnostic)
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString(" (hint: ")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// Errors is every problem found while loading, in file and position order.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Err returns es as an error, or nil when it is empty.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	es.sort()
	return es
}

func (es Errors) sort() {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// closest returns the candidate nearest to s, or "" when none is near
// enough (under half of s plus two edits) to be a plausible typo.
func closest(s string, candidates []string) string {
	return suggest.Within(s, candidates, len(s)/2+1)
}
