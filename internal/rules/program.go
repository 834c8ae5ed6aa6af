package rules

import (
	"fmt"
	"strings"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
)

// AlertFields are kept on every alert when the event has them, whatever the
// rule's table() lists: they identify the host and the Falcon event.
var AlertFields = []string{"aid", "ComputerName", "id", event.Timestamp}

// Program is a rule compiled for hunting or testing: its query with the
// chosen tunings, table() widened by AlertFields, row limits off.
type Program struct {
	Rule    *Rule
	Tunings []string
	Query   string   // the query text that was compiled (tunings spliced in)
	Columns []string // the rule's table() columns, then the AlertFields it lacked
	Engine  *engine.Program
	// alertHead is appendAlertHead of Rule, for its alerts (AlertOf)
	alertHead []byte
}

// Compile prepares r for hunting with the named tunings. opts.Unlimited is
// forced on: an alert is never lost to a table()/sort() row limit.
func Compile(r *Rule, tunings []string, opts engine.Options) (*Program, error) {
	src, parts, err := r.splice(tunings)
	if err != nil {
		return nil, err
	}
	q, diags := cql.Parse(src)
	if diags.HasErrors() {
		return nil, r.diagError(src, parts, diags)
	}
	widenTable(q)
	opts.Unlimited = true
	prog, diags := engine.Compile(q, opts)
	if diags.HasErrors() {
		return nil, r.diagError(src, parts, diags)
	}
	return &Program{Rule: r, Tunings: tunings, Query: src, Columns: prog.Columns(), Engine: prog, alertHead: appendAlertHead(nil, r)}, nil
}

// diagError renders error diagnostics of a spliced query against the file
// they come from: the rule's query.cql or the tuning file.
func (r *Rule) diagError(src string, parts []splicedPart, diags cql.Diagnostics) error {
	var b strings.Builder
	for _, d := range diags {
		if d.Severity != cql.SeverityError {
			continue
		}
		name, text, dd := joinOrigin(r.Origin, "query.cql"), src, *d
		for _, p := range parts {
			if int(d.Span.Start) >= p.start && int(d.Span.Start) <= p.end {
				shift := cql.Pos(p.fileStart - p.start)
				dd.Span = cql.Span{Start: d.Span.Start + shift, End: d.Span.End + shift}
				name, text = joinOrigin(r.Origin, p.tuning.File), p.tuning.CQL
			}
		}
		if text == src && len(parts) > 0 {
			name += " (with tunings spliced in)"
		}
		b.WriteString(dd.Render(name, text))
	}
	return fmt.Errorf("%s", strings.TrimRight(b.String(), "\n"))
}

// widenTable adds AlertFields to the top-level table() field list.
func widenTable(q *cql.Query) {
	st, ok := tableStep(q).(*cql.CallStep)
	if !ok {
		return
	}
	for _, a := range st.Call.Args {
		if a.Name != "" && a.Name != "fields" {
			continue
		}
		arr, isArr := a.Value.(*cql.ArrayExpr)
		if !isArr {
			arr = &cql.ArrayExpr{Elems: []cql.Expr{a.Value}, Sp: a.Value.Span()}
			a.Value = arr
		}
		have := map[string]bool{}
		for _, e := range arr.Elems {
			if f, ok := e.(*cql.FieldName); ok {
				have[f.Name] = true
			}
		}
		for _, f := range AlertFields {
			if !have[f] {
				arr.Elems = append(arr.Elems, &cql.FieldName{Name: f, Sp: arr.Sp})
			}
		}
		return
	}
}
