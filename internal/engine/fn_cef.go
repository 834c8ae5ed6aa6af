package engine

import (
	"strings"

	"github.com/tiercel/tiercel/internal/event"
)

// parseCEF() and parseLEEF(): ArcSight Common Event Format and IBM Log
// Event Extended Format messages (reference pages functions-parsecef,
// functions-parseleef).
//
// parseCEF(field=@rawstring, prefix="cef.ext.", headerprefix="cef.",
// labelprefix="cef.label.", keeplabels=false) skips anything before
// "CEF:0", splits the seven header fields on unescaped | (\| and \\
// escapes) into <headerprefix>version, device.vendor, device.product,
// device.version, event_class_id, name and severity, and the extension
// into key=value pairs separated by spaces or tabs, values running to the
// next key (\= \\ \n \r escapes). A label pair such as cs1Label=foo cs1=bar
// becomes <labelprefix>foo=bar, and both originals are removed unless
// keeplabels=true. Text that is not CEF leaves the event unchanged.
//
// parseLEEF(field=@rawstring, prefix="leef.ext.", headerprefix="leef.",
// delimiter, keeplabels, labelprefix) reads LEEF:1.0 (tab-separated, or the
// given delimiter) and LEEF:2.0 (delimiter in the header) messages: header
// fields <headerprefix>version, vendor, product, product_version and
// event_id, then the extension pairs under prefix. The reference page does
// not show its header field names; tiercel's are documented in
// docs/cql-notes.md. devTime is left as text (parsetime is accepted).

func init() {
	registerFunc("parseCEF", &funcImpl{params: []string{"field", "prefix", "headerprefix", "labelprefix", "keepLabels"}, step: compileParseCEF})
	registerFunc("parseLEEF", &funcImpl{params: []string{"field", "prefix", "headerprefix", "labelprefix", "keeplabels", "delimiter", "parsetime", "timezone"},
		step: compileParseLEEF})
}

type parseCEFStep struct {
	field, prefix, header, label string
	keepLabels                   bool
}

func compileParseCEF(c *compiler, a *args) (any, error) {
	s := &parseCEFStep{}
	var err error
	if s.field, err = a.fieldName("field", event.RawString); err != nil {
		return nil, err
	}
	if s.prefix, err = a.str("prefix", "cef.ext."); err != nil {
		return nil, err
	}
	if s.header, err = a.str("headerprefix", "cef."); err != nil {
		return nil, err
	}
	if s.label, err = a.str("labelprefix", "cef.label."); err != nil {
		return nil, err
	}
	if s.keepLabels, err = a.boolean("keepLabels", false); err != nil {
		return nil, err
	}
	return s, nil
}

var cefHeaderNames = []string{"version", "device.vendor", "device.product", "device.version", "event_class_id", "name", "severity"}

func (s *parseCEFStep) apply(_ *exec, ev *event.Event) bool {
	v, ok := ev.Get(s.field)
	if !ok {
		return true
	}
	i := strings.Index(v, "CEF:")
	if i < 0 {
		return true
	}
	fields, rest, ok := splitHeader(v[i+len("CEF:"):], len(cefHeaderNames))
	if !ok || strings.TrimSpace(fields[0]) != "0" {
		return true
	}
	for k, name := range cefHeaderNames {
		ev.Set(s.header+name, strings.TrimSpace(fields[k]))
	}
	setExtension(ev, parseExtension(rest, 0), s.prefix, s.label, s.keepLabels)
	return true
}

// splitHeader splits n |-separated header fields (\| and \\ escaped) and
// returns them with the text after the last one.
func splitHeader(s string, n int) ([]string, string, bool) {
	var out []string
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && (s[i+1] == '|' || s[i+1] == '\\'):
			b.WriteByte(s[i+1])
			i++
		case s[i] == '|':
			out = append(out, b.String())
			b.Reset()
			if len(out) == n {
				return out, s[i+1:], true
			}
		default:
			b.WriteByte(s[i])
		}
	}
	if len(out) == n-1 { // no extension: the last header field ends the text
		return append(out, b.String()), "", true
	}
	return nil, "", false
}

type kv struct{ k, v string }

// parseExtension reads key=value pairs. With sep 0 (CEF) pairs are
// separated by spaces or tabs and a value runs to the space before the
// next key=; otherwise pairs are separated by sep.
func parseExtension(s string, sep rune) []kv {
	var out []kv
	if sep != 0 {
		for _, part := range strings.Split(s, string(sep)) {
			if k, v, ok := strings.Cut(part, "="); ok && strings.TrimSpace(k) != "" {
				out = append(out, kv{strings.TrimSpace(k), v})
			}
		}
		return out
	}
	// Find the unescaped '=' positions; each key is the word before one.
	type mark struct{ keyStart, eq int }
	var marks []mark
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] != '=' {
			continue
		}
		j := i
		for j > 0 && s[j-1] != ' ' && s[j-1] != '\t' {
			j--
		}
		if j < i {
			marks = append(marks, mark{j, i})
		}
	}
	for n, m := range marks {
		end := len(s)
		if n+1 < len(marks) {
			end = marks[n+1].keyStart
		}
		val := strings.TrimRight(s[m.eq+1:end], " \t")
		out = append(out, kv{s[m.keyStart:m.eq], unescapeCEF(val)})
	}
	return out
}

func unescapeCEF(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case '=', '\\', '|':
				b.WriteByte(s[i+1])
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte(s[i])
				b.WriteByte(s[i+1])
			}
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// setExtension writes the pairs under prefix, turning xLabel=name x=value
// pairs into labelPrefix+name=value.
func setExtension(ev *event.Event, pairs []kv, prefix, labelPrefix string, keepLabels bool) {
	labels := map[string]string{}
	for _, p := range pairs {
		if strings.HasSuffix(p.k, "Label") && len(p.k) > len("Label") {
			labels[strings.TrimSuffix(p.k, "Label")] = p.v
		}
	}
	for _, p := range pairs {
		if name, ok := labels[p.k]; ok {
			ev.Set(labelPrefix+name, p.v)
			if !keepLabels {
				continue
			}
		}
		if _, isLabel := labels[strings.TrimSuffix(p.k, "Label")]; isLabel && strings.HasSuffix(p.k, "Label") && !keepLabels {
			continue
		}
		ev.Set(prefix+p.k, p.v)
	}
}

type parseLEEFStep struct {
	field, prefix, header, label string
	keepLabels                   bool
	delim                        rune
}

func compileParseLEEF(c *compiler, a *args) (any, error) {
	s := &parseLEEFStep{}
	var err error
	if s.field, err = a.fieldName("field", event.RawString); err != nil {
		return nil, err
	}
	if s.prefix, err = a.str("prefix", "leef.ext."); err != nil {
		return nil, err
	}
	if s.header, err = a.str("headerprefix", "leef."); err != nil {
		return nil, err
	}
	if s.label, err = a.str("labelprefix", "leef.label."); err != nil {
		return nil, err
	}
	if s.keepLabels, err = a.boolean("keeplabels", false); err != nil {
		return nil, err
	}
	d, err := a.str("delimiter", "")
	if err != nil {
		return nil, err
	}
	if d != "" {
		r := []rune(d)
		if len(r) != 1 {
			return nil, a.errorf("delimiter", "delimiter must be one character, not %q", d)
		}
		s.delim = r[0]
	}
	if _, err := a.boolean("parsetime", true); err != nil {
		return nil, err
	}
	if _, err := a.str("timezone", "Z"); err != nil {
		return nil, err
	}
	return s, nil
}

var leefHeaderNames = []string{"version", "vendor", "product", "product_version", "event_id"}

func (s *parseLEEFStep) apply(_ *exec, ev *event.Event) bool {
	v, ok := ev.Get(s.field)
	if !ok {
		return true
	}
	i := strings.Index(v, "LEEF:")
	if i < 0 {
		return true
	}
	text := v[i+len("LEEF:"):]
	version := strings.TrimSpace(text[:strings.IndexByte(text+"|", '|')])
	n := 5
	if version == "2.0" {
		n = 6
	} else if version != "1.0" {
		return true
	}
	fields, rest, ok := splitHeader(text, n)
	if !ok {
		return true
	}
	for k, name := range leefHeaderNames {
		ev.Set(s.header+name, strings.TrimSpace(fields[k]))
	}
	sep := '\t'
	if s.delim != 0 {
		sep = s.delim
	}
	if n == 6 {
		sep = leefDelimiter(strings.TrimSpace(fields[5]), sep)
	}
	setExtension(ev, parseExtension(rest, sep), s.prefix, s.label, s.keepLabels)
	return true
}

// leefDelimiter reads LEEF:2.0's delimiter field: a character, or its hex
// code as 0x5E / x5E.
func leefDelimiter(f string, def rune) rune {
	h := strings.TrimPrefix(strings.TrimPrefix(f, "0"), "x")
	if len(f) > 1 && (strings.HasPrefix(f, "0x") || strings.HasPrefix(f, "x")) {
		var n rune
		for _, c := range h {
			d, ok := hexNibble(byte(c))
			if !ok || c > 0x7f {
				return def
			}
			n = n<<4 | rune(d)
		}
		return n
	}
	if r := []rune(f); len(r) == 1 {
		return r[0]
	}
	return def
}
