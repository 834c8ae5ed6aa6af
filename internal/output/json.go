package output

import (
	"bufio"
	"io"
	"unicode/utf8"

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
		b = appendJSONString(b, name)
		b = append(b, ':')
		if name == event.Timestamp && isInteger(value) {
			b = append(b, value...)
		} else {
			b = appendJSONString(b, value)
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

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD
// so the output always parses.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			// Valid JSON, but they break JavaScript and some line readers.
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
