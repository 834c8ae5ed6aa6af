package sensor

import "bytes"

// csvScanner reads CSV records from memory as encoding/csv reads them
// with LazyQuotes (any number of fields, no comment lines, spaces kept):
// empty lines are skipped; a field that starts with a quote runs to a
// quote followed by a comma or a line end, "" inside it is a quote, any
// other quote is kept, and its newlines are the field's; a quote anywhere
// else is kept as it is; a CR before a line end (and at the very end) is
// dropped. With LazyQuotes encoding/csv reports no error, and neither
// does this. Half the time of a CSV's conversion went to encoding/csv's
// reader: a search for a comma through a rune-aware call for every field,
// most of them empty in an export of several event types.
type csvScanner struct {
	data []byte
	line int      // the line data starts on
	buf  []byte   // the record's fields, back to back
	ends []int    // where each field ends in buf
	rec  []string // the record, reused
}

func newCSVScanner(data []byte, line int) *csvScanner {
	return &csvScanner{data: data, line: line}
}

// next returns the next record (a slice the next call fills again; its
// strings stay) and the line it starts on; false at the end of the data.
func (s *csvScanner) next() ([]string, int, bool) {
	d := s.data
	for len(d) > 0 { // empty lines
		switch {
		case d[0] == '\n':
			d = d[1:]
			s.line++
			continue
		case d[0] == '\r' && (len(d) == 1 || d[1] == '\n'):
			d = d[1:]
			continue
		}
		break
	}
	if len(d) == 0 {
		s.data = d
		return nil, 0, false
	}
	start := s.line
	s.buf, s.ends = s.buf[:0], s.ends[:0]
	for ended := false; !ended; {
		if len(d) > 0 && d[0] == ',' { // an empty field: most of an export's
			s.ends = append(s.ends, len(s.buf))
			d = d[1:]
			continue
		}
		if len(d) == 0 || d[0] != '"' {
			i := indexCommaOrNewline(d)
			if i < len(d) && d[i] == ',' {
				s.buf = append(s.buf, d[:i]...)
				s.ends = append(s.ends, len(s.buf))
				d = d[i+1:]
				continue
			}
			field := d[:i]
			if n := len(field); n > 0 && field[n-1] == '\r' {
				field = field[:n-1] // a CR before the line end, or the data's end
			}
			s.buf = append(s.buf, field...)
			s.ends = append(s.ends, len(s.buf))
			if i < len(d) {
				i++
				s.line++
			}
			d = d[i:]
			break
		}
		d = d[1:] // a quoted field
		for {
			q := bytes.IndexByte(d, '"')
			if q < 0 {
				// no closing quote: the field runs to the end of the data
				s.quoted(d, true)
				d, ended = d[len(d):], true
				break
			}
			s.quoted(d[:q], false)
			d = d[q+1:]
			if len(d) > 0 && d[0] == '"' {
				s.buf = append(s.buf, '"')
				d = d[1:]
				continue
			}
			if len(d) > 0 && d[0] == ',' {
				d = d[1:]
				break
			}
			if k, nl := lineEnd(d); k >= 0 {
				if nl {
					s.line++
				}
				d, ended = d[k:], true
				break
			}
			s.buf = append(s.buf, '"') // a quote kept in the field
		}
		s.ends = append(s.ends, len(s.buf))
	}
	s.data = d
	str := string(s.buf)
	s.rec = s.rec[:0]
	from := 0
	for _, end := range s.ends {
		s.rec = append(s.rec, str[from:end])
		from = end
	}
	return s.rec, start, true
}

// quoted appends a quoted field's bytes, a CR before a newline dropped
// (and at the end of the data, when last), counting the newlines.
func (s *csvScanner) quoted(b []byte, last bool) {
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			if n := len(b); last && n > 0 && b[n-1] == '\r' {
				b = b[:n-1]
			}
			s.buf = append(s.buf, b...)
			return
		}
		s.line++
		if i > 0 && b[i-1] == '\r' {
			s.buf = append(append(s.buf, b[:i-1]...), '\n')
		} else {
			s.buf = append(s.buf, b[:i+1]...)
		}
		b = b[i+1:]
	}
}

// lineEnd returns the length of the line end d starts with (0 at the end
// of the data; a CR alone only there) and whether it holds a newline;
// -1 when d starts with no line end.
func lineEnd(d []byte) (int, bool) {
	switch {
	case len(d) == 0:
		return 0, false
	case d[0] == '\n':
		return 1, true
	case d[0] == '\r' && len(d) == 1:
		return 1, false
	case d[0] == '\r' && d[1] == '\n':
		return 2, true
	}
	return -1, false
}

// indexCommaOrNewline returns the index of the first comma or newline in
// d, or len(d).
func indexCommaOrNewline(d []byte) int {
	i := bytes.IndexByte(d, ',')
	if i < 0 {
		i = len(d)
	}
	if j := bytes.IndexByte(d[:i], '\n'); j >= 0 {
		return j
	}
	return i
}
