package output

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/tiercel/tiercel/internal/event"
)

// csvWriter prints a header and one record per row, quoted per RFC 4180.
// With known columns it streams; otherwise the header depends on every
// row, so rows are kept until Close (rowStore).
type csvWriter struct {
	w       *csv.Writer
	columns []string
	header  bool // written
	rows    rowStore
	cols    columnSet
	record  []string
}

func newCSVWriter(w io.Writer, columns []string) *csvWriter {
	return &csvWriter{w: csv.NewWriter(w), columns: columns}
}

func (c *csvWriter) Write(ev *event.Event) error {
	if c.columns == nil {
		c.cols.add(ev)
		c.rows.add(ev)
		return nil
	}
	if err := c.writeHeader(); err != nil {
		return err
	}
	c.record = c.record[:0]
	for _, name := range c.columns {
		v, _ := ev.Get(name)
		c.record = append(c.record, neutralise(v))
	}
	return c.w.Write(c.record)
}

func (c *csvWriter) writeHeader() error {
	if c.header {
		return nil
	}
	c.header = true
	names := make([]string, len(c.columns))
	for i, n := range c.columns {
		names[i] = n
		if !plainAtName(n) {
			names[i] = neutralise(n) // field names come from the input too
		}
	}
	return c.w.Write(names)
}

// plainAtName reports a field name such as @timestamp or @rawstring: an @
// and letters, digits or _ only, which the header keeps as it is.
func plainAtName(n string) bool {
	if len(n) < 2 || n[0] != '@' {
		return false
	}
	for _, c := range n[1:] {
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// neutralise defuses a cell a spreadsheet would run as a formula: one that
// starts with =, +, -, @, a tab or a carriage return gets a leading ' (the
// OWASP advice, which Excel and LibreOffice honour). Numbers such as -5 or
// +1.5 are left alone: they cannot be formulas.
func neutralise(v string) string {
	if v == "" {
		return v
	}
	switch v[0] {
	case '=', '@', '\t', '\r':
	case '+', '-':
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			return v
		}
	default:
		return v
	}
	return "'" + v
}

func (c *csvWriter) Close() error {
	if c.columns == nil && !c.rows.empty() {
		defer c.rows.close()
		c.columns = c.cols.names
		if err := c.writeHeader(); err != nil {
			return err
		}
		err := c.rows.each(func(row storedRow) error {
			c.record = c.record[:0]
			for _, name := range c.columns {
				v, _ := row.get(name)
				c.record = append(c.record, neutralise(v))
			}
			return c.w.Write(c.record)
		})
		if err != nil {
			return err
		}
	} else if c.columns != nil {
		if err := c.writeHeader(); err != nil {
			return err
		}
	}
	c.w.Flush()
	return c.w.Error()
}
