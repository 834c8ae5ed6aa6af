package event

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCopiesOutliveTheirSources: each copy keeps what its source held when
// added, after the source is reused, and after the storage filled up and
// was replaced by larger storage while copies were still pointing into
// the old.
func TestCopiesOutliveTheirSources(t *testing.T) {
	tests := []struct {
		name   string
		fields [][]Field // one source event's fields each
	}{
		{"one row", [][]Field{{{"a", "1"}, {"b", "2"}}}},
		{"empty values and a row without fields", [][]Field{{{"a", ""}, {"", "x"}}, {}}},
		{"a value larger than the first storage", [][]Field{{{"a", "1"}}, {{"big", strings.Repeat("v", 10<<10)}}, {{"c", "3"}}}},
		{"more rows and fields than the first storage holds", manyRows(40, 5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Copies
			src := &Event{}
			for _, fs := range tt.fields {
				src.Reset()
				for _, f := range fs {
					src.SetBytes(f.Name, []byte(f.Value))
				}
				c.Add(src)
				src.Reset()
				src.SetBytes("overwritten", []byte(strings.Repeat("#", 64))) // the arena reused
			}
			if c.Len() != len(tt.fields) {
				t.Fatalf("Len %d, want %d", c.Len(), len(tt.fields))
			}
			for i, row := range c.Rows() {
				want := tt.fields[i]
				if len(want) == 0 {
					want = nil
				}
				got := row.Fields()
				if len(got) == 0 {
					got = nil
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("row %d (-want +got):\n%s", i, diff)
				}
			}
		})
	}
}

func manyRows(n, fields int) [][]Field {
	rows := make([][]Field, n)
	for i := range rows {
		for j := range fields {
			rows[i] = append(rows[i], Field{fmt.Sprintf("f%d", j), fmt.Sprintf("row %d value %d", i, j)})
		}
	}
	return rows
}

// TestCopiesResetReusesStorage: a batch of rows like the last is copied
// into the storage the last one grew, allocating nothing.
func TestCopiesResetReusesStorage(t *testing.T) {
	src := New(Field{"ComputerName", "WS-0142"}, Field{"CommandLine", strings.Repeat("x", 300)}, Field{"@timestamp", "1730000001235"})
	var c Copies
	fill := func() {
		for range 256 {
			c.Add(src)
		}
	}
	fill()
	c.Reset()
	if c.Len() != 0 {
		t.Fatalf("Reset left %d rows", c.Len())
	}
	if allocs := testing.AllocsPerRun(5, func() { fill(); c.Reset() }); allocs != 0 {
		t.Errorf("a batch like the last allocated %v times, want 0", allocs)
	}
	fill()
	if v, _ := c.Rows()[255].Get("ComputerName"); v != "WS-0142" {
		t.Errorf("a copy made into reused storage reads %q", v)
	}
}
