package output

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/event"
)

// A table or CSV of rows kept past the memory budget, in a temporary file,
// prints what one kept in memory prints: same widths, columns, order and
// cards.
func TestRowsPastTheBudgetPrintTheSame(t *testing.T) {
	var rows [][]event.Field
	for i := range 300 {
		row := []event.Field{fd("@timestamp", fmt.Sprint(1714557600000+i)), fd("aid", fmt.Sprintf("a%d", i%7))}
		if i%3 == 0 {
			row = append(row, fd("CommandLine", fmt.Sprintf("cmd /c \"x%d\"\nline two é %s", i, bytes.Repeat([]byte("y"), i%60))))
		}
		if i == 250 {
			row = append(row, fd("Late", "a column only the spilled rows have"))
		}
		rows = append(rows, row)
	}
	tests := []struct {
		name    string
		columns []string
		opts    TableOptions
		csv     bool
	}{
		{name: "every field"},
		{name: "fixed columns", columns: []string{"aid", "Late", "@timestamp", "Missing"}},
		{name: "a terminal", opts: TableOptions{TerminalWidth: 60}},
		{name: "cards", opts: TableOptions{TerminalWidth: 24}},
		{name: "empty columns dropped", columns: []string{"aid", "Missing", "Late"}, opts: TableOptions{DropEmpty: true}},
		{name: "wide", opts: TableOptions{Wide: true}},
		{name: "csv", csv: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out [2]string
			for i, limit := range []int64{0, 1} {
				var buf bytes.Buffer
				var w Writer
				if tc.csv {
					c := newCSVWriter(&buf, tc.columns)
					c.rows.limit = limit
					w = c
				} else {
					tw := NewTable(&buf, tc.columns, tc.opts).(*tableWriter)
					tw.rows.limit = limit
					w = tw
				}
				out[i] = render(t, w, &buf, rows)
				if spilled := limit == 1 && (tc.csv && tc.columns == nil || !tc.csv); spilled {
					if s := storeOf(w); s.spill != nil || s.mem != nil {
						t.Errorf("rows still held after Close: %d in memory, file %v", len(s.mem), s.spill != nil)
					}
				}
			}
			if diff := cmp.Diff(out[0], out[1]); diff != "" {
				t.Errorf("output differs past the budget (-in memory +in a file):\n%s", diff)
			}
			if n := bytes.Count([]byte(out[0]), []byte("\n")); n < 300 {
				t.Errorf("%d lines, too few for every row: %q", n, out[0])
			}
		})
	}
}

func storeOf(w Writer) *rowStore {
	switch w := w.(type) {
	case *tableWriter:
		return &w.rows
	case *csvWriter:
		return &w.rows
	}
	return nil
}

// The store spills once past its budget and gives the rows back in the
// order they came, whatever was in memory and whatever in the file.
func TestRowStoreSpillsPastItsBudget(t *testing.T) {
	s := rowStore{limit: 200}
	var ev event.Event
	for i := range 50 {
		ev.Reset()
		ev.Set("n", fmt.Sprint(i))
		ev.Set("v", string(bytes.Repeat([]byte{'x'}, i)))
		s.add(&ev)
	}
	defer s.close()
	if s.spill == nil || len(s.mem) == 0 || len(s.mem) > 5 {
		t.Fatalf("%d rows in memory, a file: %v; want a few, then the file", len(s.mem), s.spill != nil)
	}
	var got []string
	if err := s.each(func(row storedRow) error {
		n, _ := row.get("n")
		v, _ := row.get("v")
		if len(v) != len(got) {
			return fmt.Errorf("row %s: value of %d bytes, want %d", n, len(v), len(got))
		}
		got = append(got, n)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i, n := range got {
		if n != fmt.Sprint(i) {
			t.Fatalf("rows out of order: %v", got)
		}
	}
	if len(got) != 50 {
		t.Fatalf("%d rows back, want 50", len(got))
	}
}

// Without a writable temporary directory the rows stay in memory, and the
// table is the same.
func TestRowStoreWithoutATemporaryFile(t *testing.T) {
	rows := [][]event.Field{{fd("aid", "a1"), fd("n", "1")}, {fd("aid", "a2"), fd("n", "22")}, {fd("aid", "a3"), fd("Late", "x")}}
	var want bytes.Buffer
	render(t, NewTable(&want, nil, TableOptions{}), &want, rows)
	t.Setenv("TMPDIR", t.TempDir()+"/missing")
	var got bytes.Buffer
	w := NewTable(&got, nil, TableOptions{}).(*tableWriter)
	w.rows.limit = 1
	render(t, w, &got, rows)
	if diff := cmp.Diff(want.String(), got.String()); diff != "" {
		t.Errorf("output differs without a temporary file (-want +got):\n%s", diff)
	}
	if !w.rows.noFile {
		t.Error("the store did not find it could not make a file")
	}
}
