package cli

import (
	"bufio"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/output"
)

// alertCards is hunt's table on a terminal, in the manner of Hayabusa: a
// rule's union of columns is far wider than a terminal, so each alert is
// one aligned line of what triage reads first (time, severity, host, user,
// branch) and, indented below it, its other non-empty fields as
// "Name: value" wrapped to the terminal. --wide gives the plain table.
type alertCards struct {
	w      io.Writer
	width  int
	colour func(column, value string) string
	rows   [][]event.Field
}

// cardColumns lead each card, in this order; the last that is empty for
// every alert is left out.
var cardColumns = []string{event.Timestamp, "severity", "ComputerName", "UserName", "DetectionBranch"}

// cardHidden are not repeated in the details: they lead the card. The rule
// comes first in the details, and aid only when there is no host name.
var cardHidden = map[string]bool{event.Timestamp: true, "severity": true, "ComputerName": true, "UserName": true, "DetectionBranch": true}

func newAlertCards(w io.Writer, opts output.TableOptions) *alertCards {
	return &alertCards{w: w, width: max(opts.TerminalWidth, 40), colour: opts.Colour}
}

func (c *alertCards) Write(ev *event.Event) error {
	row := make([]event.Field, 0, ev.Len())
	for _, f := range ev.Fields() {
		row = append(row, event.Field{Name: strings.Clone(f.Name), Value: strings.Clone(f.Value)})
	}
	c.rows = append(c.rows, row)
	return nil
}

func get(row []event.Field, name string) string {
	for _, f := range row {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

func (c *alertCards) Close() error {
	if len(c.rows) == 0 {
		return nil
	}
	var cols []string
	for _, name := range cardColumns {
		for _, r := range c.rows {
			if get(r, name) != "" {
				cols = append(cols, name)
				break
			}
		}
	}
	cells := make([][]string, len(c.rows))
	widths := make([]int, len(cols))
	for i, r := range c.rows {
		cells[i] = make([]string, len(cols))
		for j, name := range cols {
			v := get(r, name)
			if name == event.Timestamp {
				v = cardTime(v)
			}
			cells[i][j] = oneLine(v)
			widths[j] = max(widths[j], utf8.RuneCountInString(cells[i][j]))
		}
	}
	// Narrow host and user (the widest first, down to 10 columns), then the
	// branch, until the line fits; time and severity keep their width.
	for {
		total := 2 * (len(widths) - 1)
		widest := -1
		for j, w := range widths {
			total += w
			if (cols[j] == "ComputerName" || cols[j] == "UserName") && w > 10 && (widest < 0 || w > widths[widest]) {
				widest = j
			}
		}
		if total <= c.width-1 {
			break
		}
		if widest < 0 {
			widest = len(widths) - 1
			if widths[widest] <= 6 {
				break
			}
		}
		widths[widest]--
	}
	bw := bufio.NewWriter(c.w)
	for i, r := range c.rows {
		var line strings.Builder
		for j, cell := range cells[i] {
			if j > 0 {
				line.WriteString("  ")
			}
			n := utf8.RuneCountInString(cell)
			if n > widths[j] {
				cell, n = output.ElideMiddle(cell, n, widths[j]), widths[j]
			}
			code := ""
			if c.colour != nil {
				code = c.colour(cols[j], cell)
			}
			line.WriteString(paint(code != "", code, cell))
			if j < len(cells[i])-1 {
				line.WriteString(strings.Repeat(" ", widths[j]-n))
			}
		}
		bw.WriteString(line.String() + "\n")
		var details []string
		if rule := get(r, "rule"); rule != "" {
			details = append(details, "rule: "+rule)
		}
		for _, f := range r {
			if f.Value == "" || cardHidden[f.Name] || f.Name == "rule" || (f.Name == "aid" && get(r, "ComputerName") != "") {
				continue
			}
			details = append(details, f.Name+": "+oneLine(f.Value))
		}
		bw.WriteString(output.WrapFields(details, c.width-1, "    "))
	}
	c.rows = nil
	return bw.Flush()
}

// oneLine escapes line breaks and tabs so a value stays on its line.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n\t\x1b") {
		return s
	}
	return strings.NewReplacer("\r", `\r`, "\n", `\n`, "\t", `\t`, "\x1b", `\x1b`).Replace(s)
}

// cardTime shows epoch ms as "2006-01-02 15:04:05" UTC.
func cardTime(v string) string {
	ms, ok := event.ParseNumber(v)
	if !ok {
		return v
	}
	return time.UnixMilli(int64(ms)).UTC().Format("2006-01-02 15:04:05")
}
