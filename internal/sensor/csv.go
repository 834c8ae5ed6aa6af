package sensor

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// csvRows reads an RFC 4180 CSV export whose first row names the columns
// and calls fn with each row and the line it starts on. A row of another
// width, a broken quote or fn's error is reported with its line and the
// row skipped; a read error ends the file.
func (c *converter) csvRows(src io.Reader, fn func(header, rec []string, line int) error) error {
	r := csv.NewReader(src)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		c.problem(1, 0, fmt.Errorf("CSV header: %v", err))
		return nil
	}
	header = append([]string(nil), header...)
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				c.problem(pe.StartLine, 0, err)
				if pe.Err == csv.ErrQuote || pe.Err == csv.ErrBareQuote {
					continue
				}
			}
			return nil
		}
		c.st.Records++
		if len(rec) != len(header) {
			c.problem(line, 0, fmt.Errorf("CSV row has %d values for %d columns", len(rec), len(header)))
			continue
		}
		if err := fn(header, rec, line); err != nil {
			c.problem(line, 0, err)
		}
		if c.werr != nil {
			return c.werr
		}
	}
}

// Falcon events exported as CSV (LogScale's "Export to file", Falcon
// Event Search) carry Falcon's field names in the header row. Each row
// becomes the JSON object NDJSON would hold: the header's names as keys,
// in order, every value a string, an empty cell left out (Falcon omits
// fields it has no value for). They stay Falcon events: no #sensor.

// isFalconCSVHeader recognises the header row of a CSV of Falcon events:
// one of its columns is event_simpleName (or LogScale's
// #event_simpleName).
func isFalconCSVHeader(line []byte) bool {
	if len(line) == 0 || line[0] == '{' || line[0] == '[' || bytes.IndexByte(line, ',') < 0 {
		return false
	}
	rec, err := csv.NewReader(bytes.NewReader(line)).Read()
	if err != nil {
		return false
	}
	for _, f := range rec {
		switch strings.TrimPrefix(strings.TrimSpace(f), "\ufeff") {
		case "event_simpleName", "#event_simpleName":
			return true
		}
	}
	return false
}

// falconCSV converts a CSV of Falcon events into NDJSON.
func (c *converter) falconCSV(src io.Reader) error {
	var o Out
	return c.csvRows(src, func(header, rec []string, _ int) error {
		o.Fields = o.Fields[:0]
		for i, name := range header {
			o.add(name, rec[i]) // a repeated column is a repeated key, as in the file
		}
		c.emit(&o)
		return nil
	})
}
