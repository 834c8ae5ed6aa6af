package output

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tiercel/tiercel/internal/event"
)

// DefaultMaxColumnWidth is where table cells are cut.
const DefaultMaxColumnWidth = 40

// minColumnWidth is the narrowest a column shrinks to when fitting the
// terminal: room for a few characters and the ellipsis.
const minColumnWidth = 4

// columnGap separates columns.
const columnGap = "  "

// TableOptions tunes the table layout.
type TableOptions struct {
	MaxColumnWidth int // elide longer cells with "…" (DefaultMaxColumnWidth when 0)
	TerminalWidth  int // when > 0, narrow the widest columns until rows fit
	// Wide prints every cell whole: no column cap, no fitting.
	Wide bool
	// DropEmpty leaves out columns that are empty in every row (a hunt's
	// union of rule columns is mostly empty for any one event type).
	DropEmpty bool
	// Colour, when set, gives the ANSI SGR code (such as "31") for a cell,
	// or "" for none; it is applied after padding so widths stay right.
	Colour func(column, value string) string
}

// tableWriter keeps every row (rowStore), then prints aligned columns at
// Close. The columns' widths are measured as rows come, so printing reads
// each row once. Cells are printed on one line: control characters are
// escaped, so a row never wraps mid-row by itself.
type tableWriter struct {
	w       io.Writer
	opts    TableOptions
	columns []string // fixed, or nil
	seen    []string // every field's name, in first-seen order (columns nil)
	rows    rowStore
	stats   map[string]*columnStat
}

// columnStat is what the rows hold in a column: its widest cell, in
// runes, uncapped, and whether some cell is not empty.
type columnStat struct {
	width  int
	filled bool
}

// NewTable returns a table writer with explicit layout options.
func NewTable(w io.Writer, columns []string, opts TableOptions) Writer {
	switch {
	case opts.Wide:
		opts.MaxColumnWidth, opts.TerminalWidth = int(^uint(0)>>1), 0
	case opts.MaxColumnWidth <= 0 && opts.TerminalWidth > 0:
		// a terminal: as wide as it is, the fitting below narrows columns
		opts.MaxColumnWidth = opts.TerminalWidth
	case opts.MaxColumnWidth <= 0:
		opts.MaxColumnWidth = DefaultMaxColumnWidth
	}
	opts.MaxColumnWidth = max(opts.MaxColumnWidth, minColumnWidth)
	return &tableWriter{w: w, opts: opts, columns: columns, stats: map[string]*columnStat{}}
}

func (t *tableWriter) Write(ev *event.Event) error {
	if t.columns == nil {
		for _, f := range ev.Fields() {
			t.measure(f.Name, f.Value)
		}
	} else {
		for _, c := range t.columns {
			if v, ok := ev.Get(c); ok {
				t.measure(c, v)
			}
		}
	}
	t.rows.add(ev)
	return nil
}

// measure notes the cell value v makes in column c, a column first seen
// when it has no stat yet.
func (t *tableWriter) measure(c, v string) {
	st := t.stats[c]
	if st == nil {
		st = &columnStat{}
		c = strings.Clone(c)
		t.stats[c] = st
		t.seen = append(t.seen, c)
	}
	if v != "" {
		st.filled = true
		st.width = max(st.width, utf8.RuneCountInString(cellOf(c, v)))
	}
}

// cellOf is how a value prints in column c.
func cellOf(c, v string) string {
	if c == event.Timestamp {
		v = isoTime(v)
	}
	return escapeCell(v)
}

// Close prints the table; nothing when there are no rows.
func (t *tableWriter) Close() error {
	if t.rows.empty() {
		return nil
	}
	defer t.rows.close()
	columns := t.columns
	if columns == nil {
		columns = t.seen
	}
	if t.opts.DropEmpty {
		columns = t.nonEmpty(columns)
	}
	header := make([]string, len(columns))
	rowWidths := make([]int, len(columns)) // the widest cell below the header
	for i, c := range columns {
		header[i] = escapeCell(c)
		if st := t.stats[c]; st != nil {
			rowWidths[i] = st.width
		}
	}
	natural := make([]int, len(columns))
	for i, w := range rowWidths {
		natural[i] = min(max(w, utf8.RuneCountInString(header[i])), t.opts.MaxColumnWidth)
	}
	if !t.opts.Wide && t.needsCards(natural) {
		return t.writeCards(columns, header, rowWidths)
	}
	widths := t.fit(natural)

	bw := bufio.NewWriter(t.w)
	rule := make([]string, len(widths))
	for i, w := range widths {
		rule[i] = strings.Repeat("-", w)
	}
	b := appendRow(nil, header, widths, nil)
	b = appendRow(b, rule, widths, nil)
	bw.Write(b)
	line := make([]string, len(columns))
	var colours []string
	err := t.rows.each(func(row storedRow) error {
		cellsOf(row, columns, line)
		colours = colours[:0]
		if t.opts.Colour != nil {
			for i, c := range columns {
				colours = append(colours, t.opts.Colour(c, line[i]))
			}
		}
		b = appendRow(b[:0], line, widths, colours)
		_, err := bw.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// cellsOf fills line with row's cells in columns.
func cellsOf(row storedRow, columns, line []string) {
	for i, c := range columns {
		v, _ := row.get(c)
		line[i] = cellOf(c, v)
	}
}

// fit narrows the widest of the natural widths one step at a time until
// the table fits the terminal.
func (t *tableWriter) fit(natural []int) []int {
	widths := natural
	if t.opts.TerminalWidth <= 0 {
		return widths
	}
	total := len(columnGap) * (len(widths) - 1)
	for _, w := range widths {
		total += w
	}
	for total > t.opts.TerminalWidth {
		widest := 0
		for i, w := range widths {
			if w > widths[widest] {
				widest = i
			}
		}
		if widths[widest] <= minColumnWidth {
			break // cannot fit: let the terminal wrap rather than lose columns
		}
		widths[widest]--
		total--
	}
	return widths
}

// nonEmpty keeps the columns that have a value in some row.
func (t *tableWriter) nonEmpty(columns []string) []string {
	var out []string
	for _, c := range columns {
		if st := t.stats[c]; st != nil && st.filled {
			out = append(out, c)
		}
	}
	if out == nil {
		return columns
	}
	return out
}

// appendRow pads and elides each cell to its width, colouring it when
// colours has a code for it; trailing spaces are dropped.
func appendRow(b []byte, line []string, widths []int, colours []string) []byte {
	for i, cell := range line {
		if i > 0 {
			b = append(b, columnGap...)
		}
		colour := ""
		if i < len(colours) && colours[i] != "" {
			colour = colours[i]
			b = append(b, "\033["+colour+"m"...)
		}
		n := utf8.RuneCountInString(cell)
		if n > widths[i] {
			b = append(b, ElideMiddle(cell, n, widths[i])...)
			n = widths[i]
		} else {
			b = append(b, cell...)
		}
		if colour != "" {
			b = append(b, "\033[0m"...)
		}
		for ; n < widths[i]; n++ {
			b = append(b, ' ')
		}
	}
	end := len(b)
	for end > 0 && b[end-1] == ' ' {
		end--
	}
	return append(b[:end], '\n')
}

// ElideMiddle shortens s (n runes) to width runes by replacing its middle
// with "…": the start of a command line and the end of a path both stay.
func ElideMiddle(s string, n, width int) string {
	if width <= 1 {
		return "…"
	}
	head := width / 2
	tail := width - 1 - head
	return cutRunes(s, head) + "…" + lastRunes(s, n, tail)
}

// lastRunes returns the last k runes of s, which has n runes.
func lastRunes(s string, n, k int) string {
	skip := n - k
	for i := range s {
		if skip == 0 {
			return s[i:]
		}
		skip--
	}
	return ""
}

// cutRunes returns the first n runes of s.
func cutRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// escapeCell makes a value printable on one line: newlines, tabs and other
// control characters become escapes, invalid UTF-8 becomes U+FFFD.
func escapeCell(s string) string {
	clean := true
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				b.WriteRune(utf8.RuneError)
			} else {
				b.WriteRune(r)
			}
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&0xf])
		case r >= 0x80 && r < 0xa0 || r == '\u2028' || r == '\u2029':
			b.WriteString(`\u`)
			b.WriteString(strconv.FormatInt(int64(r)+0x10000, 16)[1:])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isoTime shows an epoch-ms @timestamp as ISO 8601 UTC; other values stay.
func isoTime(v string) string {
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return v
	}
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
}
