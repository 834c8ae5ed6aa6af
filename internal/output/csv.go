package output

import (
	"encoding/csv"
	"io"

	"github.com/tiercel/tiercel/internal/event"
)

// csvWriter prints a header and one record per row, quoted per RFC 4180.
// With known columns it streams; otherwise the header depends on every
// row, so rows are kept until Close.
type csvWriter struct {
	w       *csv.Writer
	columns []string
	header  bool // written
	rows    []storedRow
	cols    columnSet
	record  []string
}

func newCSVWriter(w io.Writer, columns []string) *csvWriter {
	return &csvWriter{w: csv.NewWriter(w), columns: columns}
}

func (c *csvWriter) Write(ev *event.Event) error {
	if c.columns == nil {
		c.cols.add(ev)
		c.rows = append(c.rows, storeRow(ev))
		return nil
	}
	if err := c.writeHeader(); err != nil {
		return err
	}
	c.record = c.record[:0]
	for _, name := range c.columns {
		v, _ := ev.Get(name)
		c.record = append(c.record, v)
	}
	return c.w.Write(c.record)
}

func (c *csvWriter) writeHeader() error {
	if c.header {
		return nil
	}
	c.header = true
	return c.w.Write(c.columns)
}

func (c *csvWriter) Close() error {
	if c.columns == nil && len(c.rows) > 0 {
		c.columns = c.cols.names
		if err := c.writeHeader(); err != nil {
			return err
		}
		for _, row := range c.rows {
			c.record = c.record[:0]
			for _, name := range c.columns {
				v, _ := row.get(name)
				c.record = append(c.record, v)
			}
			if err := c.w.Write(c.record); err != nil {
				return err
			}
		}
		c.rows = nil
	} else if c.columns != nil {
		if err := c.writeHeader(); err != nil {
			return err
		}
	}
	c.w.Flush()
	return c.w.Error()
}
