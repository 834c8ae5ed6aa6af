package sensor

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// recordsEnd ends a block after the last newline that ends a record, as
// encoding/csv with LazyQuotes reads them.
func TestRecordsEnd(t *testing.T) {
	tests := []struct {
		name, in string
		want     int
	}{
		{"no newline", `a,b`, 0},
		{"plain rows", "a,b\nc,d\ne", 8},
		{"a newline inside quotes", "a,\"b\nc\"\nd", 8},
		{"an open quoted field", "a,b\nc,\"d\ne,f\n", 4},
		{"doubled quotes stay inside", "a,\"b\"\"\nc\"\n", 10},
		{"a quote inside an unquoted field is kept", "a,b\"c\nd,\"e\n", 6},
		{"a quote after a space opens nothing", "a, \"b\nc\n", 8},
		{"a quote kept inside a quoted field", "\"a\"b\nc\"\nd\n", 10},
		{"CRLF after a closing quote", "\"a\"\r\nb\r\n", 8},
		{"a closing quote at the end decides nothing", "a\n\"b\"", 2},
		{"a quoted field closed before a comma", "\"a\nb\",c\nd", 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := recordsEnd([]byte(tt.in)); got != tt.want {
				t.Errorf("recordsEnd(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

// convertCSV converts data as a Falcon CSV in blocks of size, returning
// the output and the problems and counts, as text.
func convertCSV(t testing.TB, data []byte, size int) (string, string) {
	var out bytes.Buffer
	var problems strings.Builder
	c := &converter{source: "x.csv", w: bufio.NewWriter(&out), csvBlock: size,
		skip: func(p Problem) { fmt.Fprintf(&problems, "%d: %v\n", p.Line, p.Err) }}
	if err := c.falconCSV(bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	c.w.Flush()
	fmt.Fprintf(&problems, "%+v", c.st)
	return out.String(), problems.String()
}

// Converted in blocks on several goroutines, a CSV gives what one reader
// gives: rows in order, problems at their lines, the same counts.
func TestCSVBlocks(t *testing.T) {
	in := "\ufeffevent_simpleName,aid,CommandLine\n" +
		"ProcessRollup2,a1,\"x \"\"y\"\"\"\n" +
		"DnsRequest,a2,\"two\nlines, and a comma\"\n" +
		"DnsRequest,a3\n" + // too few values: reported at line 5
		"\n" +
		"NetworkConnectIP4,a\"4,bare \"quote\" kept\r\n" +
		"ProcessRollup2,a5,\"open \"quote\n"
	whole, wholeProblems := convertCSV(t, []byte(in), len(in)+1)
	if !strings.Contains(wholeProblems, "5: CSV row has 2 values for 3 columns") || strings.Count(whole, "\n") != 4 {
		t.Fatalf("reference conversion:\n%s\n%s", whole, wholeProblems)
	}
	for size := 1; size <= len(in); size++ {
		got, problems := convertCSV(t, []byte(in), size)
		if diff := cmp.Diff(whole, got); diff != "" {
			t.Errorf("blocks of %d: output (-whole +blocks):\n%s", size, diff)
		}
		if diff := cmp.Diff(wholeProblems, problems); diff != "" {
			t.Errorf("blocks of %d: problems (-whole +blocks):\n%s", size, diff)
		}
	}
}

// FuzzCSVBlocks: whatever the bytes, blocks give what one reader gives,
// and cutting where recordsEnd says splits no record encoding/csv reads.
func FuzzCSVBlocks(f *testing.F) {
	f.Add([]byte("event_simpleName,a\nx,\"1\n2\"\ny,\"\"\"\"\n"))
	f.Add([]byte("event_simpleName,a\r\nx,b\"c\r\n\"y\"z,\"\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if end := recordsEnd(data); end > 0 {
			if data[end-1] != '\n' {
				t.Fatalf("recordsEnd(%q) = %d, not after a newline", data, end)
			}
			want, got := csvFields(data), append(csvFields(data[:end]), csvFields(data[end:])...)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("cut at recordsEnd(%q) = %d: records (-whole +cut):\n%s", data, end, diff)
			}
		}
		whole, wholeProblems := convertCSV(t, data, len(data)+1)
		for _, size := range []int{1, 7, 64} {
			got, problems := convertCSV(t, data, size)
			if got != whole || problems != wholeProblems {
				t.Fatalf("blocks of %d:\n%q\n%s\nwhole:\n%q\n%s", size, got, problems, whole, wholeProblems)
			}
		}
	})
}

// csvFields is the fields of what encoding/csv reads of data.
func csvFields(data []byte) [][]string {
	var fields [][]string
	for _, r := range readCSV(data) {
		fields = append(fields, r.Fields)
	}
	return fields
}

// A read error (a truncated gzip under the CSV) ends the conversion after
// the whole records read before it, and is returned with the line.
func TestCSVReadError(t *testing.T) {
	in := "event_simpleName,aid\nDnsRequest,a1\nDnsRequest,a2\nDnsRe"
	broken := errors.New("unexpected EOF")
	for _, size := range []int{1, 8, 1 << 20} {
		var out bytes.Buffer
		c := &converter{source: "x.csv", w: bufio.NewWriter(&out), csvBlock: size}
		err := c.falconCSV(io.MultiReader(strings.NewReader(in), iotest.ErrReader(broken)))
		c.w.Flush()
		if !errors.Is(err, broken) || !strings.Contains(err.Error(), "after line 3") {
			t.Errorf("blocks of %d: error %v, want %v after line 3", size, err, broken)
		}
		if got := strings.Count(out.String(), "\n"); got != 2 {
			t.Errorf("blocks of %d: %d rows before the error, want 2:\n%s", size, got, out.String())
		}
	}
}
