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
}

// Compile prepares r for hunting with the named tunings. opts.Unlimited is
// forced on: an alert is never lost to a table()/sort() row limit.
func Compile(r *Rule, tunings []string, opts engine.Options) (*Program, error) {
	src, err := r.QueryWith(tunings)
	if err != nil {
		return nil, err
	}
	name := r.Origin + "/" + "query.cql"
	if len(tunings) > 0 {
		name += " with tunings " + strings.Join(tunings, ", ")
	}
	q, diags := cql.Parse(src)
	if diags.HasErrors() {
		return nil, diagError(name, src, diags)
	}
	widenTable(q)
	opts.Unlimited = true
	prog, diags := engine.Compile(q, opts)
	if diags.HasErrors() {
		return nil, diagError(name, src, diags)
	}
	return &Program{Rule: r, Tunings: tunings, Query: src, Columns: prog.Columns(), Engine: prog}, nil
}

func diagError(name, src string, diags cql.Diagnostics) error {
	var b strings.Builder
	for _, d := range diags {
		if d.Severity == cql.SeverityError {
			b.WriteString(d.Render(name, src))
		}
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
