// Package output prints result events as an aligned table, JSON lines or CSV.
package output

import (
	"fmt"
	"io"
	"strings"

	"github.com/tiercel/tiercel/internal/event"
)

// Writer prints result rows. Events may be reused by the caller after Write
// returns: writers that buffer copy what they keep. Close flushes; it does
// not close the underlying io.Writer.
type Writer interface {
	Write(ev *event.Event) error
	Close() error
}

// Formats lists the names New accepts.
var Formats = []string{"table", "json", "csv"}

// New returns a writer for format. columns is the column order when the
// query fixes it (table(), select()); nil means every field, in the order
// fields are first seen across rows.
func New(format string, w io.Writer, columns []string) (Writer, error) {
	return NewWithTable(format, w, columns, TableOptions{})
}

// NewWithTable is New with the table layout options (used by the table
// format only: JSON and CSV are for machines and print every value whole).
func NewWithTable(format string, w io.Writer, columns []string, opts TableOptions) (Writer, error) {
	switch format {
	case "table":
		return NewTable(w, columns, opts), nil
	case "json":
		return newJSONWriter(w, columns), nil
	case "csv":
		return newCSVWriter(w, columns), nil
	}
	return nil, fmt.Errorf("unknown output format %q (want %s)", format, strings.Join(Formats, ", "))
}

// columnSet collects column names in first-seen order.
type columnSet struct {
	names []string
	seen  map[string]bool
}

func (c *columnSet) add(ev *event.Event) {
	if c.seen == nil {
		c.seen = make(map[string]bool)
	}
	for _, f := range ev.Fields() {
		if !c.seen[f.Name] {
			c.seen[f.Name] = true
			c.names = append(c.names, strings.Clone(f.Name))
		}
	}
}

// storedRow is a copy of an event's fields that survives the event's reuse.
type storedRow []event.Field

func storeRow(ev *event.Event) storedRow {
	row := make(storedRow, ev.Len())
	for i, f := range ev.Fields() {
		row[i] = event.Field{Name: strings.Clone(f.Name), Value: strings.Clone(f.Value)}
	}
	return row
}

func (r storedRow) get(name string) (string, bool) {
	for _, f := range r {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}
