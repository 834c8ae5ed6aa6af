package output

import (
	"bufio"
	"github.com/tiercel/tiercel/internal/jsonenc"
	"io"

	"github.com/tiercel/tiercel/internal/event"
)

// jsonWriter prints one JSON object per row. @timestamp is a JSON number
// (epoch ms) so scripts can compare it; every other value is a string, as
// LogScale values are. A column the row lacks is left out, not null.
type jsonWriter struct {
	w       *bufio.Writer
	columns []string
	buf     []byte
}

func newJSONWriter(w io.Writer, columns []string) *jsonWriter {
	return &jsonWriter{w: bufio.NewWriterSize(w, 64<<10), columns: columns}
}

func (j *jsonWriter) Write(ev *event.Event) error {
	b := append(j.buf[:0], '{')
	first := true
	field := func(name, value string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = jsonenc.AppendString(b, name)
		b = append(b, ':')
		if name == event.Timestamp && isInteger(value) {
			b = append(b, value...)
		} else {
			b = jsonenc.AppendString(b, value)
		}
	}
	if j.columns != nil {
		for _, c := range j.columns {
			if v, ok := ev.Get(c); ok {
				field(c, v)
			}
		}
	} else {
		for _, f := range ev.Fields() {
			field(f.Name, f.Value)
		}
	}
	b = append(b, '}', '\n')
	j.buf = b
	_, err := j.w.Write(b)
	return err
}

func (j *jsonWriter) Close() error { return j.w.Flush() }

// isInteger reports whether s is a decimal integer that is valid JSON.
func isInteger(s string) bool {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	if s == "" || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
