package cli

import (
	"strings"
	"unicode/utf8"
)

// renderMarkdown lays out the Markdown a rule package renders to (rules.Rule
// Markdown: headings, paragraphs, lists, pipe tables, fenced code) for a
// terminal of width columns: prose wrapped, headings set apart, inline
// markup removed, code kept byte for byte. bold adds SGR emphasis.
func renderMarkdown(md string, width int, bold bool) string {
	if width <= 0 {
		width = 80
	}
	width = max(width, 40)
	var b strings.Builder
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "```"):
			for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
				b.WriteString(strings.TrimRight("    "+lines[i], " ") + "\n")
			}
		case strings.HasPrefix(l, "#"):
			level := len(l) - len(strings.TrimLeft(l, "#"))
			title := inlineText(strings.TrimSpace(l[level:]))
			if level <= 2 {
				title = strings.ToUpper(title)
			}
			b.WriteString(paint(bold, "1", title) + "\n")
			if level == 1 {
				b.WriteString(strings.Repeat("=", min(utf8.RuneCountInString(title), width)) + "\n")
			}
		case strings.HasPrefix(l, "|"):
			var rows [][]string
			for ; i < len(lines) && strings.HasPrefix(lines[i], "|"); i++ {
				if cells := tableCells(lines[i]); !isRuleRow(cells) {
					rows = append(rows, cells)
				}
			}
			i--
			b.WriteString(layoutTable(rows, width))
		case strings.HasPrefix(strings.TrimLeft(l, " "), "- "), isNumbered(strings.TrimLeft(l, " ")):
			indent := len(l) - len(strings.TrimLeft(l, " "))
			item := strings.TrimLeft(l, " ")
			marker, text, _ := strings.Cut(item, " ")
			if marker == "-" {
				marker = "•"
			}
			// continuation lines of the item
			for i+1 < len(lines) && strings.HasPrefix(lines[i+1], strings.Repeat(" ", indent+2)) && strings.TrimSpace(lines[i+1]) != "" &&
				!strings.HasPrefix(strings.TrimLeft(lines[i+1], " "), "- ") {
				i++
				text += " " + strings.TrimSpace(lines[i])
			}
			lead := strings.Repeat(" ", indent) + marker + " "
			b.WriteString(wrapText(inlineText(text), width, lead, strings.Repeat(" ", utf8.RuneCountInString(lead))))
		case strings.TrimSpace(l) == "":
			if !strings.HasSuffix(b.String(), "\n\n") && b.Len() > 0 {
				b.WriteString("\n")
			}
		default:
			indent := l[:len(l)-len(strings.TrimLeft(l, " "))]
			b.WriteString(wrapText(inlineText(strings.TrimSpace(l)), width, indent, indent))
		}
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

func isNumbered(s string) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i > 0 && strings.HasPrefix(s[i:], ". ")
}

// inlineText drops Markdown emphasis and code backticks.
func inlineText(s string) string {
	s = strings.ReplaceAll(s, "**", "")
	s = strings.ReplaceAll(s, "`", "")
	return strings.ReplaceAll(s, "*", "")
}

func tableCells(l string) []string {
	l = strings.TrimSpace(l)
	l = strings.TrimPrefix(strings.TrimSuffix(l, "|"), "|")
	cells := strings.Split(l, "|")
	for i := range cells {
		cells[i] = inlineText(strings.TrimSpace(cells[i]))
	}
	return cells
}

func isRuleRow(cells []string) bool {
	for _, c := range cells {
		if strings.Trim(c, "-: ") != "" {
			return false
		}
	}
	return true
}

// layoutTable aligns every column but the last, which wraps in what is
// left of the width. An empty header row is dropped.
func layoutTable(rows [][]string, width int) string {
	if len(rows) == 0 {
		return ""
	}
	if strings.Join(rows[0], "") == "" {
		rows = rows[1:]
	}
	n := 0
	for _, r := range rows {
		n = max(n, len(r))
	}
	widths := make([]int, n)
	for _, r := range rows {
		for j, c := range r[:len(r)-1] {
			widths[j] = max(widths[j], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		var lead strings.Builder
		lead.WriteString("  ")
		for j, c := range r[:len(r)-1] {
			lead.WriteString(c + strings.Repeat(" ", widths[j]-utf8.RuneCountInString(c)) + "  ")
		}
		pad := strings.Repeat(" ", utf8.RuneCountInString(lead.String()))
		if utf8.RuneCountInString(pad) > width/2 { // too wide to hang: wrap below
			b.WriteString(strings.TrimRight(lead.String(), " ") + "\n")
			b.WriteString(wrapText(r[len(r)-1], width, "      ", "      "))
			continue
		}
		b.WriteString(wrapText(r[len(r)-1], width, lead.String(), pad))
	}
	return b.String()
}

// wrapText fills words into lines of at most width columns, the first
// starting with first and the others with rest. A word longer than a line
// (a URL) gets a line of its own.
func wrapText(s string, width int, first, rest string) string {
	var b strings.Builder
	line := first
	empty := true
	for _, w := range strings.Fields(s) {
		if !empty && utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) > width {
			b.WriteString(line + "\n")
			line, empty = rest, true
		}
		if !empty {
			line += " "
		}
		line += w
		empty = false
	}
	b.WriteString(strings.TrimRight(line, " ") + "\n")
	return b.String()
}
