package output

import (
	"bufio"
	"strings"
	"unicode/utf8"
)

// Cards: when a table has more columns than a terminal can show readably,
// each row becomes a card: the leading columns that fit, aligned, on one
// line, and the row's other non-empty values below it as "Name: value",
// wrapped and indented. Nothing is lost to elision but over-long values.

// cardMinColumn is the narrowest a column may be squeezed to before the
// table is printed as cards instead.
const cardMinColumn = 10

// cardLeadMax caps the width of a lead column on a card line.
const cardLeadMax = 30

// needsCards reports whether widths (natural, capped) cannot be squeezed
// into the terminal without cutting columns below cardMinColumn.
func (t *tableWriter) needsCards(widths []int) bool {
	if t.opts.TerminalWidth <= 0 || len(widths) <= 1 {
		return false
	}
	total := len(columnGap) * (len(widths) - 1)
	for _, w := range widths {
		total += min(w, cardMinColumn)
	}
	return total > t.opts.TerminalWidth
}

// writeCards prints the rows as cards under header; rowWidths are each
// column's widest cell below it.
func (t *tableWriter) writeCards(columns, header []string, rowWidths []int) error {
	width := t.opts.TerminalWidth - 1
	// lead: the longest prefix of columns whose capped widths fit
	nat := make([]int, len(columns))
	for i, w := range rowWidths {
		nat[i] = min(w, cardLeadMax)
	}
	lead, used := 0, 0
	for lead < len(columns) {
		need := nat[lead]
		if lead > 0 {
			need += len(columnGap)
		}
		if used+need > width {
			break
		}
		used += need
		lead++
	}
	lead = max(lead, 1)
	widths := nat[:lead]
	for i := range widths {
		widths[i] = max(widths[i], min(utf8.RuneCountInString(header[i]), cardLeadMax))
	}
	bw := bufio.NewWriter(t.w)
	// the lead columns' header, as a table has
	bw.Write(appendRow(nil, header[:lead], widths, nil))
	rule := make([]string, lead)
	for i, w := range widths {
		rule[i] = strings.Repeat("-", w)
	}
	bw.Write(appendRow(nil, rule, widths, nil))
	line := make([]string, len(columns))
	err := t.rows.each(func(row storedRow) error {
		cellsOf(row, columns, line)
		var colours []string
		if t.opts.Colour != nil {
			for i := range lead {
				colours = append(colours, t.opts.Colour(columns[i], line[i]))
			}
		}
		bw.Write(appendRow(nil, line[:lead], widths, colours))
		var details []string
		for i := lead; i < len(columns); i++ {
			if line[i] != "" {
				details = append(details, header[i]+": "+line[i])
			}
		}
		_, err := bw.WriteString(WrapFields(details, width, "    "))
		return err
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// WrapFields joins fields with " · " into lines of at most width columns,
// each led by indent; a field longer than a line loses its middle.
func WrapFields(fields []string, width int, indent string) string {
	room := max(width-utf8.RuneCountInString(indent), 8)
	var b strings.Builder
	line := ""
	for _, f := range fields {
		if n := utf8.RuneCountInString(f); n > room {
			f = ElideMiddle(f, n, room)
		}
		switch {
		case line == "":
			line = f
		case utf8.RuneCountInString(line)+3+utf8.RuneCountInString(f) <= room:
			line += " · " + f
		default:
			b.WriteString(indent + line + "\n")
			line = f
		}
	}
	if line != "" {
		b.WriteString(indent + line + "\n")
	}
	return b.String()
}
