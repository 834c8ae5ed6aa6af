package engine

import (
	"net/netip"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tiercel/tiercel/internal/event"
)

// match() joins events with a lookup file (spec §7.6): the event's field
// values (one field, or several paired with as many columns) select rows of
// the file; the selected rows' columns are added to the event.
func init() {
	registerFunc("match", &funcImpl{
		params: []string{"file", "field", "column", "include", "strict", "mode", "ignoreCase", "nrows", "table", "glob"},
		step: func(c *compiler, a *args) (any, error) {
			m, err := compileMatchFunc(c, a)
			if err != nil || m.nrows == 1 {
				return m, err
			}
			return matchRows{m: m}, nil
		},
		test: func(c *compiler, a *args) (tester, error) { return compileMatchFunc(c, a) },
	})
}

// Match modes.
const (
	matchString = iota // exact value
	matchGlob          // the column holds anchored glob patterns (`*` wildcards)
	matchCIDR          // the column holds subnets; the most specific wins
)

type matchFunc struct {
	table    *lookupTable
	fields   []string
	cols     []int // column of each field
	include  []int // columns added to a matching event
	strict   bool
	fold     bool
	nrows    int
	mode     int
	index    map[string][]int32 // string mode: key → rows in file order
	globs    [][]*glob          // glob mode: per row, per column
	prefixes [][]netip.Prefix   // cidr mode: per row, per column (invalid when unparseable)
}

func compileMatchFunc(c *compiler, a *args) (*matchFunc, error) {
	file, err := c.matchTableName(a) // file=, or table= for defineTable() tables
	if err != nil {
		return nil, err
	}
	fields, err := a.fieldList("field")
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return nil, c.errAt(a.call.Span(), "invalid-argument", "match(): missing required parameter field")
	}
	columns, err := a.fieldList("column")
	if err != nil {
		return nil, err
	}
	if columns == nil {
		columns = fields
	}
	if len(columns) != len(fields) {
		return nil, a.errorf("column", "column lists %d names but field lists %d; they pair up one to one", len(columns), len(fields))
	}
	m := &matchFunc{fields: fields}
	if m.strict, err = a.boolean("strict", true); err != nil {
		return nil, err
	}
	if m.fold, err = a.boolean("ignoreCase", false); err != nil {
		return nil, err
	}
	if m.nrows, err = a.limit("nrows", 1, 500); err != nil {
		return nil, err
	}
	if m.nrows == 0 {
		return nil, a.errorf("nrows", "nrows must be at least 1")
	}
	mode, err := a.str("mode", "string")
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(mode) {
	case "string":
		m.mode = matchString
	case "glob":
		m.mode = matchGlob
	case "cidr":
		m.mode = matchCIDR
	default:
		return nil, a.errorf("mode", "mode must be string, glob or cidr, not %q", mode)
	}
	if g, err := a.boolean("glob", false); err != nil {
		return nil, err
	} else if g {
		m.mode = matchGlob
	}
	include, err := a.fieldList("include")
	if err != nil {
		return nil, err
	}
	if m.table, err = c.matchTable(a, file, append(slices.Clone(columns), include...)); err != nil {
		return nil, a.errorf("file", "%v", err)
	}
	for _, col := range columns {
		i := m.table.column(col)
		if i < 0 {
			return nil, a.errorf("column", "lookup file %q has no column %q (columns: %s)", file, col, strings.Join(m.table.columns, ", "))
		}
		m.cols = append(m.cols, i)
	}
	if include == nil {
		// every column except the ones matched on (the doc's examples)
		for i := range m.table.columns {
			if !containsInt(m.cols, i) {
				m.include = append(m.include, i)
			}
		}
	}
	for _, col := range include {
		i := m.table.column(col)
		if i < 0 {
			return nil, a.errorf("include", "lookup file %q has no column %q (columns: %s)", file, col, strings.Join(m.table.columns, ", "))
		}
		m.include = append(m.include, i)
	}
	for _, f := range fields {
		c.read(f)
	}
	m.build()
	c.whenFilled(m.table, func() { // ad-hoc tables are filled after compilation
		if include == nil { // an include=* table may have gained columns
			m.include = m.include[:0]
			for i := range m.table.columns {
				if !containsInt(m.cols, i) {
					m.include = append(m.include, i)
				}
			}
		}
		m.build()
	})
	return m, nil
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// build prepares the per-mode structures over the table's rows.
func (m *matchFunc) build() {
	rows := m.table.rows
	switch m.mode {
	case matchString:
		m.index = make(map[string][]int32, len(rows))
		var key []byte
		for r, row := range rows {
			key = key[:0]
			for j, col := range m.cols {
				if j > 0 {
					key = append(key, 0)
				}
				key = m.appendKey(key, row[col])
			}
			m.index[string(key)] = append(m.index[string(key)], int32(r))
		}
	case matchGlob:
		m.globs = make([][]*glob, len(rows))
		for r, row := range rows {
			for _, col := range m.cols {
				m.globs[r] = append(m.globs[r], newGlob(row[col], true, m.fold))
			}
		}
	case matchCIDR:
		m.prefixes = make([][]netip.Prefix, len(rows))
		for r, row := range rows {
			for _, col := range m.cols {
				m.prefixes[r] = append(m.prefixes[r], lookupSubnet(row[col]))
			}
		}
	}
}

// lookupSubnet reads `10.0.0.0/8` or a bare address (a host subnet); an
// unparseable value yields the zero (invalid) prefix, which never matches.
func lookupSubnet(s string) netip.Prefix {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked()
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen())
	}
	return netip.Prefix{}
}

func (m *matchFunc) appendKey(dst []byte, s string) []byte {
	if !m.fold {
		return append(dst, s...)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, lowerByte(c))
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
		i += n
	}
	return dst
}

// rows calls fn with the matching rows, most preferred first (later rows
// first; in cidr mode more specific subnets first), at most nrows of them.
// It reports whether any row matched.
func (m *matchFunc) rows(x *exec, ev *event.Event, fn func(row []string)) bool {
	switch m.mode {
	case matchString:
		var hits []int32
		if len(m.fields) == 1 && !m.fold {
			v, ok := ev.Get(m.fields[0])
			if !ok {
				return false
			}
			hits = m.index[v]
		} else {
			key := x.buf[:0]
			for j, f := range m.fields {
				v, ok := ev.Get(f)
				if !ok {
					x.buf = key
					return false
				}
				if j > 0 {
					key = append(key, 0)
				}
				key = m.appendKey(key, v)
			}
			x.buf = key
			hits = m.index[string(key)]
		}
		if fn != nil {
			for i, n := len(hits)-1, 0; i >= 0 && n < m.nrows; i, n = i-1, n+1 {
				fn(m.table.rows[hits[i]])
			}
		}
		return len(hits) > 0
	case matchGlob:
		n := 0
		for r := len(m.globs) - 1; r >= 0 && n < m.nrows; r-- {
			if m.globRow(ev, r) {
				if fn == nil {
					return true
				}
				fn(m.table.rows[r])
				n++
			}
		}
		return n > 0
	default:
		return m.cidrRows(ev, fn)
	}
}

func (m *matchFunc) globRow(ev *event.Event, r int) bool {
	for j, f := range m.fields {
		v, ok := ev.Get(f)
		if !ok || !m.globs[r][j].match(v) {
			return false
		}
	}
	return true
}

// cidrRows finds rows whose subnets contain the event's addresses, most
// specific (longest total prefix) first, later rows first among equals.
func (m *matchFunc) cidrRows(ev *event.Event, fn func(row []string)) bool {
	addrs := make([]netip.Addr, len(m.fields))
	for j, f := range m.fields {
		v, ok := ev.Get(f)
		if !ok {
			return false
		}
		a, err := netip.ParseAddr(strings.TrimSpace(v))
		if err != nil {
			return false
		}
		addrs[j] = a.Unmap()
	}
	type hit struct{ row, bits int }
	var hits []hit
	for r := len(m.prefixes) - 1; r >= 0; r-- {
		bits := 0
		ok := true
		for j, p := range m.prefixes[r] {
			if !p.IsValid() || !p.Contains(addrs[j]) {
				ok = false
				break
			}
			bits += p.Bits()
		}
		if ok {
			hits = append(hits, hit{r, bits})
		}
	}
	if fn != nil {
		// stable insertion sort by specificity keeps later rows first among equals
		for i := 1; i < len(hits); i++ {
			for j := i; j > 0 && hits[j].bits > hits[j-1].bits; j-- {
				hits[j], hits[j-1] = hits[j-1], hits[j]
			}
		}
		for i := 0; i < len(hits) && i < m.nrows; i++ {
			fn(m.table.rows[hits[i].row])
		}
	}
	return len(hits) > 0
}

func (m *matchFunc) add(ev *event.Event, row []string) {
	for _, i := range m.include {
		ev.Set(m.table.columns[i], row[i])
	}
}

// test makes match() a filter in boolean context (`!match(...)`): true when
// some row matches; it adds no fields.
func (m *matchFunc) test(x *exec, ev *event.Event) bool { return m.rows(x, ev, nil) }

// apply is match() as a step with nrows=1.
func (m *matchFunc) apply(x *exec, ev *event.Event) bool {
	if !m.rows(x, ev, func(row []string) { m.add(ev, row) }) {
		return !m.strict
	}
	return true
}

// matchRows is match() as a step with nrows>1: one event per matching row.
type matchRows struct{ m *matchFunc } // not embedded: it must not be a step

func (s matchRows) each(x *exec, ev *event.Event, emit func(*event.Event)) {
	m := s.m
	saved := ev.AppendFields(nil)
	found := m.rows(x, ev, func(row []string) {
		ev.RestoreFields(saved)
		m.add(ev, row)
		emit(ev)
	})
	ev.RestoreFields(saved)
	if !found && !m.strict {
		emit(ev)
	}
}
