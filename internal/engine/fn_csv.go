package engine

import (
	"strings"

	"github.com/tiercel/tiercel/internal/event"
)

// parseCsv(field=@rawstring, columns, delimiter=",", trim=false,
// excludeEmpty=false) splits one CSV record into the named columns
// (reference page functions-parsecsv). Quotes are optional; inside quotes
// the delimiter is literal and "" is one quote. Without trim a quote opens
// a quoted value only as the value's first character; with trim, spaces
// around values are dropped and the quote may follow them. Columns beyond
// the record get no field (result="117,success,27%,3.14" leaves the fifth
// column unset); excludeEmpty drops empty values.

func init() {
	registerFunc("parseCsv", &funcImpl{params: []string{"field", "columns", "delimiter", "trim", "excludeEmpty"}, step: compileParseCsv})
}

type parseCsvStep struct {
	field         string
	columns       []string
	delim         rune
	trim, noEmpty bool
}

func compileParseCsv(c *compiler, a *args) (any, error) {
	s := &parseCsvStep{}
	var err error
	if s.field, err = a.fieldName("field", event.RawString); err != nil {
		return nil, err
	}
	if s.columns, err = a.fieldList("columns"); err != nil {
		return nil, err
	}
	if len(s.columns) == 0 {
		return nil, c.errAt(a.call.Span(), "invalid-argument", "parseCsv(): missing required parameter columns")
	}
	d, err := a.str("delimiter", ",")
	if err != nil {
		return nil, err
	}
	if r := []rune(d); len(r) != 1 {
		return nil, a.errorf("delimiter", "delimiter must be one character, not %q", d)
	} else {
		s.delim = r[0]
	}
	if s.trim, err = a.boolean("trim", false); err != nil {
		return nil, err
	}
	if s.noEmpty, err = a.boolean("excludeEmpty", false); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *parseCsvStep) apply(_ *exec, ev *event.Event) bool {
	v, ok := ev.Get(s.field)
	if !ok {
		return true
	}
	vals := splitCSVRecord(v, s.delim, s.trim)
	for i, col := range s.columns {
		if i >= len(vals) {
			break
		}
		if vals[i] == "" && s.noEmpty {
			continue
		}
		ev.Set(col, vals[i])
	}
	return true
}

// splitCSVRecord splits one record, unquoting quoted values.
func splitCSVRecord(line string, delim rune, trim bool) []string {
	var out []string
	rs := []rune(line)
	i := 0
	for {
		start := i
		if trim {
			for i < len(rs) && (rs[i] == ' ' || rs[i] == '\t') && rs[i] != delim {
				i++
			}
		}
		var b strings.Builder
		quoted := i < len(rs) && rs[i] == '"'
		if quoted {
			i++
			for i < len(rs) {
				if rs[i] == '"' {
					if i+1 < len(rs) && rs[i+1] == '"' {
						b.WriteRune('"')
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteRune(rs[i])
				i++
			}
			// Text between the closing quote and the delimiter is kept.
			for i < len(rs) && rs[i] != delim {
				if !trim || (rs[i] != ' ' && rs[i] != '\t') {
					b.WriteRune(rs[i])
				}
				i++
			}
		} else {
			i = start
			for i < len(rs) && rs[i] != delim {
				b.WriteRune(rs[i])
				i++
			}
		}
		val := b.String()
		if trim && !quoted {
			val = strings.Trim(val, " \t")
		}
		out = append(out, val)
		if i >= len(rs) {
			return out
		}
		i++ // the delimiter
	}
}
