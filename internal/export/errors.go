package export

import (
	"fmt"

	"github.com/tiercel/tiercel/internal/cql"
)

// Error is a construct a target cannot express, at its place in the query.
type Error struct {
	File   string
	Line   int
	Col    int
	Target string // sigma, spl, kql, esql; "" when no target could
	Msg    string
}

func (e *Error) Error() string {
	prefix := ""
	switch {
	case e.File != "" && e.Line > 0:
		prefix = fmt.Sprintf("%s:%d:%d: ", e.File, e.Line, e.Col)
	case e.File != "":
		prefix = e.File + ": "
	}
	if e.Target != "" {
		return fmt.Sprintf("%scannot export to %s: %s", prefix, e.Target, e.Msg)
	}
	return fmt.Sprintf("%scannot export: %s", prefix, e.Msg)
}

// src locates spans of one query file in messages.
type src struct {
	file string
	text string
}

func (s src) errAt(sp cql.Span, target, format string, args ...any) *Error {
	line, col := cql.LineCol(s.text, sp.Start)
	return &Error{File: s.file, Line: line, Col: col, Target: target, Msg: fmt.Sprintf(format, args...)}
}

// Warning is something a target expresses with a documented difference, or
// leaves out on purpose (result order, lookup tunings).
type Warning struct {
	Target string
	Msg    string
}

func (w Warning) String() string { return w.Msg }
