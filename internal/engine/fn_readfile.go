package engine

import (
	"github.com/tiercel/tiercel/internal/event"
)

// readFile() (spec §7.7) is a source: it emits the rows of lookup files or
// ad-hoc tables as events. Whatever reaches it is discarded, as in LogScale
// when it is not at the start of the query, so it runs as an aggregate that
// ignores its input and emits the rows at the end.
func init() {
	registerFunc("readFile", &funcImpl{
		params: []string{"file", "include", "limit", "table"},
		agg:    compileReadFile,
	})
}

type readFileSpec struct {
	tables  []*lookupTable
	include []string // nil: every column
	limit   int      // 0: no limit
}

func compileReadFile(c *compiler, a *args) (aggSpec, error) {
	param := "file"
	if a.has("table") {
		if a.has("file") {
			return nil, a.errorf("table", "give file= or table=, not both")
		}
		param = "table"
	}
	names, err := a.strList(param)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, c.errAt(a.call.Span(), "invalid-argument", "readFile(): missing required parameter file")
	}
	s := &readFileSpec{}
	for _, name := range names {
		if t, ok := c.adhoc(name); ok {
			c.useTable(t)
			s.tables = append(s.tables, t.t)
			continue
		}
		if param == "table" {
			return nil, a.errorf("table", "no table %q is defined by defineTable() before this point (tables: %s)", name, c.pre.tableNames())
		}
		if c.opts.NoLookupFiles && c.opts.LookupDir == "" {
			s.tables = append(s.tables, &lookupTable{name: name})
			continue
		}
		t, err := loadLookupTable(c.opts.LookupDir, name)
		if err != nil {
			return nil, a.errorf("file", "%v", err)
		}
		s.tables = append(s.tables, t)
	}
	if s.include, err = a.fieldList("include"); err != nil {
		return nil, err
	}
	if a.has("limit") {
		if s.limit, err = a.limit("limit", 0, maxRowLimit); err != nil {
			return nil, err
		}
		if s.limit == 0 {
			return nil, a.errorf("limit", "limit must be at least 1")
		}
	}
	return s, nil
}

func (s *readFileSpec) newAgg(*exec) collector { return &readFileRows{s: s} }

type readFileRows struct{ s *readFileSpec }

func (r *readFileRows) add(*event.Event) {}

// finish emits the rows of each table in the order given, up to limit.
func (r *readFileRows) finish(emit func(*event.Event)) {
	n := 0
	for _, t := range r.s.tables {
		cols := make([]int, 0, len(t.columns))
		if r.s.include == nil {
			for i := range t.columns {
				cols = append(cols, i)
			}
		} else {
			for _, name := range r.s.include {
				if i := t.column(name); i >= 0 {
					cols = append(cols, i)
				}
			}
		}
		for _, row := range t.rows {
			if r.s.limit > 0 && n == r.s.limit {
				return
			}
			ev := &event.Event{}
			for _, i := range cols {
				ev.Set(t.columns[i], row[i])
			}
			emit(ev)
			n++
		}
	}
}
