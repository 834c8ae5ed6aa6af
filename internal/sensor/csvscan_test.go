package sensor

import (
	"bytes"
	"encoding/csv"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// csvRecord is a record and the line it starts on.
type csvRecord struct {
	Line   int
	Fields []string
}

// readCSV is what encoding/csv reads of data with the converter's
// settings: the reference csvScanner follows.
func readCSV(data []byte) []csvRecord {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var recs []csvRecord
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return recs
		}
		if err != nil {
			return append(recs, csvRecord{Line: -1, Fields: []string{err.Error()}})
		}
		line, _ := r.FieldPos(0)
		recs = append(recs, csvRecord{line, rec})
	}
}

func scanCSV(data []byte) []csvRecord {
	s := newCSVScanner(data, 1)
	var recs []csvRecord
	for {
		rec, line, ok := s.next()
		if !ok {
			return recs
		}
		recs = append(recs, csvRecord{line, append([]string(nil), rec...)})
	}
}

// The scanner reads what encoding/csv reads, lines included.
func TestCSVScanner(t *testing.T) {
	tests := []struct{ name, in string }{
		{"plain", "a,b,c\nd,e,f\n"},
		{"empty fields", ",,\na,,b\n,\n"},
		{"no final newline", "a,b\nc,d"},
		{"empty lines skipped", "\n\na,b\n\r\n\nc\n"},
		{"CRLF", "a,b\r\nc,\"d\r\ne\"\r\nf\r"},
		{"a CR inside a field", "a\rb,c\n\"d\re\",f\n"},
		{"quoted with doubled quotes and commas", "\"a,\"\"b\"\"\",c\n"},
		{"a quote kept inside a quoted field", "\"a\"b\",c\n\"d\" e\n"},
		{"a quote inside an unquoted field", "a\"b,c\"\n"},
		{"a quote after a space", "a, \"b,c\"\n"},
		{"an unterminated quoted field", "a,\"b\nc,d\n"},
		{"an unterminated quoted field ending in CR", "a,\"b\r"},
		{"a closing quote at the end", "a,\"b\""},
		{"a closing quote before a lone CR", "\"a\"\rb\n"},
		{"only a quote", "\""},
		{"empty quoted fields", "\"\",\"\"\n\"\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(readCSV([]byte(tt.in)), scanCSV([]byte(tt.in))); diff != "" {
				t.Errorf("%q: records (-encoding/csv +scanner):\n%s", tt.in, diff)
			}
		})
	}
}

// FuzzCSVScanner: whatever the bytes, the scanner reads what encoding/csv
// reads.
func FuzzCSVScanner(f *testing.F) {
	f.Add([]byte("a,\"b\"\"c\"\r\n\n\"d\ne\",f\r"))
	f.Add([]byte("\"a\"b,\"\"\"\",c\"d\n,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if diff := cmp.Diff(readCSV(data), scanCSV(data)); diff != "" {
			t.Fatalf("%q: records (-encoding/csv +scanner):\n%s", data, diff)
		}
	})
}
