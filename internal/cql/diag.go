package cql

import (
	"fmt"
	"strings"
)

// Severity of a diagnostic.
type Severity int

const (
	SeverityError Severity = iota
	SeverityWarning
)

func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem found in a query. Code is stable (scripts match
// on it): syntax errors start with "syntax", dialect extensions start with
// "dialect-", semantic ones are e.g. "unknown-function".
type Diagnostic struct {
	Span     Span
	Severity Severity
	Code     string
	Message  string
	Hint     string
}

// Diagnostics is a list of problems in source order.
type Diagnostics []*Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == SeverityError {
			return true
		}
	}
	return false
}

// LineCol converts a byte offset to 1-based line and column (columns count
// runes, so a caret lines up under non-ASCII text).
func LineCol(src string, p Pos) (line, col int) {
	if p < 0 {
		p = 0
	}
	if int(p) > len(src) {
		p = Pos(len(src))
	}
	line, col = 1, 1
	for _, r := range src[:p] {
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// Render formats a diagnostic as
//
//	name:3:14: error: unknown function "gropBy" [unknown-function]
//	  | groupBy(x) | gropBy(y)
//	  |              ^~~~~~
//	  = hint: did you mean "groupBy"?
//
// name is the query's origin (a file name, or "query").
func (d *Diagnostic) Render(name, src string) string {
	line, col := LineCol(src, d.Span.Start)
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d:%d: %s: %s [%s]\n", name, line, col, d.Severity, d.Message, d.Code)
	lines := strings.Split(src, "\n")
	if line-1 < len(lines) {
		text := lines[line-1]
		fmt.Fprintf(&b, "  | %s\n", strings.ReplaceAll(text, "\t", " "))
		width := 1
		if d.Span.End > d.Span.Start {
			endLine, endCol := LineCol(src, d.Span.End)
			if endLine == line {
				width = max(endCol-col, 1)
			} else {
				width = max(len([]rune(text))-col+1, 1)
			}
		}
		fmt.Fprintf(&b, "  | %s^%s\n", strings.Repeat(" ", col-1), strings.Repeat("~", width-1))
	}
	if d.Hint != "" {
		fmt.Fprintf(&b, "  = hint: %s\n", d.Hint)
	}
	return b.String()
}
