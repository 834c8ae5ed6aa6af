package engine

import (
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

// defineTable() (spec §7.9) runs a sub-query over the whole input into an
// in-memory table that match(table=...) and readFile() read. It stands in
// the query preamble and produces no stage of its own.
func init() {
	registerFunc("defineTable", &funcImpl{
		params: []string{"query", "name", "include", "start", "end", "view"},
		step:   compileDefineTable,
	})
}

// maxAdhocTables is LogScale's limit of tables per query.
const maxAdhocTables = 10

func compileDefineTable(c *compiler, a *args) (any, error) {
	pre := c.prepass()
	if !pre.preamble[a.call] || len(pre.stack) > 0 {
		return nil, c.errAt(a.call.NameSp, "invalid-argument", "defineTable() must stand in the query preamble: at the top level, before the main query")
	}
	for _, p := range []string{"start", "end", "view"} {
		if a.has(p) {
			return nil, a.errorf(p, "%s= is not supported: tiercel runs sub-queries over the same input as the main query", p)
		}
	}
	name, err := a.required("name")
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, a.errorf("name", "the table name must not be empty")
	}
	if _, dup := pre.tables[name]; dup {
		return nil, a.errorf("name", "table %q is defined twice", name)
	}
	if len(pre.tables) == maxAdhocTables {
		return nil, a.errorf("name", "a query may define at most %d tables", maxAdhocTables)
	}
	if !a.has("include") {
		return nil, c.errAt(a.call.Span(), "invalid-argument", "defineTable(): missing required parameter include (a list of fields, or *)")
	}
	t := &adhocTable{name: name, t: &lookupTable{name: name}, span: a.call.Span()}
	if fe, ok := a.vals["include"].(*cql.FieldName); ok && fe.Name == "*" {
		t.all = true
	} else if s, ok := a.vals["include"].(*cql.StringLit); ok && s.Value == "*" {
		t.all = true
	} else {
		cols, err := a.fieldList("include")
		if err != nil {
			return nil, err
		}
		for _, col := range cols {
			if t.t.column(col) >= 0 {
				return nil, a.errorf("include", "column %q is listed twice", col)
			}
			t.t.columns = append(t.t.columns, col)
		}
	}
	q, ok := a.vals["query"].(*cql.SubQuery)
	if !ok {
		if !a.has("query") {
			return nil, c.errAt(a.call.Span(), "invalid-argument", "defineTable(): missing required parameter query")
		}
		return nil, a.errorf("query", "query must be a sub-query in braces: query={ ... }")
	}
	s, err := c.compileSubQuery(q, func(rows []*event.Event) { fillTable(t, rows) })
	if err != nil {
		return nil, err
	}
	s.fn = "defineTable"
	c.subReads(s, t.t.columns, t.all)
	t.level = s.level
	// defined after its query compiled: the query cannot read its own table
	pre.tables[name] = t
	pre.order = append(pre.order, name)
	return nil, nil
}
