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
	runes := []rune(strings.ReplaceAll(lineText(src, d.Span.Start), "\t", " "))
	width := 1
	if d.Span.End > d.Span.Start {
		endLine, endCol := LineCol(src, d.Span.End)
		if endLine == line {
			width = max(endCol-col, 1)
		} else {
			width = max(len(runes)-col+1, 1)
		}
	}
	shown, caret := window(runes, col-1)
	width = min(width, max(len([]rune(shown))-caret, 1))
	fmt.Fprintf(&b, "  | %s\n", shown)
	fmt.Fprintf(&b, "  | %s^%s\n", strings.Repeat(" ", caret), strings.Repeat("~", width-1))
	if d.Hint != "" {
		fmt.Fprintf(&b, "  = hint: %s\n", d.Hint)
	}
	return b.String()
}

// diagWindow is how many columns of a long source line a diagnostic shows
// around its caret: a one-line 1 MB query must not print 1 MB per error.
const diagWindow = 120

// window cuts a long line to diagWindow columns around column c (0-based),
// marking cut ends with "…"; it returns the text and the caret's column in it.
func window(runes []rune, c int) (string, int) {
	if len(runes) <= diagWindow {
		return string(runes), c
	}
	start := max(0, c-diagWindow/2)
	end := min(len(runes), start+diagWindow)
	start = max(0, end-diagWindow)
	text := string(runes[start:end])
	caret := c - start
	if start > 0 {
		text = "…" + text
		caret++
	}
	if end < len(runes) {
		text += "…"
	}
	return text, caret
}

// lineText returns the whole line holding byte offset p.
func lineText(src string, p Pos) string {
	i := min(max(int(p), 0), len(src))
	start := strings.LastIndexByte(src[:i], '\n') + 1
	end := strings.IndexByte(src[start:], '\n')
	if end < 0 {
		return src[start:]
	}
	return src[start : start+end]
}
