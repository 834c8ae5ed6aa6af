package sigma

import "fmt"

// Error is a problem with one rule, located at file:line:col.
type Error struct {
	File      string
	Line, Col int
	Rule      string // the rule's title (or id) when known
	Msg       string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += fmt.Sprintf(":%d", e.Line)
		if e.Col > 0 {
			loc += fmt.Sprintf(":%d", e.Col)
		}
	}
	if e.Rule != "" {
		return fmt.Sprintf("%s: rule %q: %s", loc, e.Rule, e.Msg)
	}
	return loc + ": " + e.Msg
}

func (r *Rule) errAt(line, col int, format string, a ...any) *Error {
	name := r.Title
	if name == "" {
		name = r.ID
	}
	return &Error{File: r.File, Line: line, Col: col, Rule: name, Msg: fmt.Sprintf(format, a...)}
}

// Warning renders e as a warning line.
func (e *Error) Warning() string {
	loc := (&Error{File: e.File, Line: e.Line, Col: e.Col}).Error()
	loc = loc[:len(loc)-2]
	if e.Rule != "" {
		return fmt.Sprintf("%s: rule %q: warning: %s", loc, e.Rule, e.Msg)
	}
	return loc + ": warning: " + e.Msg
}
