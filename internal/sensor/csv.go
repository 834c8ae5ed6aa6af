package sensor

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
)

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
	return c.csvRows(src, func(c *converter, header, rec []string, _ int) error {
		o := &c.row
		o.Fields = o.Fields[:0]
		for i, name := range header {
			o.add(name, rec[i]) // a repeated column is a repeated key, as in the file
		}
		c.emit(o)
		return nil
	})
}
