package engine

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tiercel/tiercel/internal/event"
)

// format(format, field, as=_format, timezone) is printf-style formatting
// (reference page functions-format). LogScale runs on the JVM and its
// format strings are java.util.Formatter's, so tiercel follows Formatter:
//
//	%[index$][flags][width][.precision]conversion
//
// index is n$ or < (the previous argument); flags are - # + space 0 , (;
// conversions are b B h H s S c C d o x X e E f g G % n, and t/T with a
// date suffix (tY, tm, td, tH, tM, tS, tL, tF, tT, tR, tz, tZ, tQ, ts ...)
// over epoch milliseconds, in timezone (UTC by default). A field that is
// missing, or not a number where a number is needed, makes the result null.

func init() {
	registerFunc("format", &funcImpl{params: []string{"format", "field", "as", "timezone"}, defaultAs: "_format", value: compileFormat})
}

// maxFormatWidth bounds widths and precisions so a typo cannot allocate gigabytes.
const maxFormatWidth = 1000

type formatExpr struct {
	verbs  []fmtVerb
	fields []string
	loc    *time.Location
}

// fmtVerb is a literal run (conv == 0) or one conversion.
type fmtVerb struct {
	lit   string
	conv  byte // b h s c d o x e f g t (lower case; upper set)
	upper bool
	tconv byte // the date/time suffix of %t
	flags string
	width int
	prec  int // -1: none
	arg   int // argument index, 0-based
}

type formatError string

func (e formatError) Error() string {
	return "unsupported format directive " + strconv.Quote(string(e))
}

func errFormat(s string) error { return formatError(s) }

// parseFormat reads a Formatter string; n is the number of arguments used.
func parseFormat(f string) ([]fmtVerb, int, error) {
	var out []fmtVerb
	var lit strings.Builder
	next, last, n := 0, -1, 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			lit.WriteByte(f[i])
			continue
		}
		j := i + 1
		// argument index: digits followed by $, or <
		v := fmtVerb{prec: -1, arg: -1}
		if j < len(f) && f[j] == '<' {
			if last < 0 {
				return nil, 0, errFormat(f[i:j+1] + " (no previous argument)")
			}
			v.arg = last
			j++
		} else {
			k := j
			for k < len(f) && f[k] >= '0' && f[k] <= '9' {
				k++
			}
			if k > j && k < len(f) && f[k] == '$' {
				idx, _ := strconv.Atoi(f[j:k])
				if idx < 1 || idx > maxFormatWidth {
					return nil, 0, errFormat(f[i : k+1])
				}
				v.arg = idx - 1
				j = k + 1
			}
		}
		for j < len(f) && strings.IndexByte("-#+ 0,(", f[j]) >= 0 {
			v.flags += string(f[j])
			j++
		}
		for j < len(f) && f[j] >= '0' && f[j] <= '9' {
			v.width = min(v.width*10+int(f[j]-'0'), maxFormatWidth+1)
			j++
		}
		if j < len(f) && f[j] == '.' {
			j++
			v.prec = 0
			for j < len(f) && f[j] >= '0' && f[j] <= '9' {
				v.prec = min(v.prec*10+int(f[j]-'0'), maxFormatWidth+1)
				j++
			}
		}
		if v.width > maxFormatWidth || v.prec > maxFormatWidth {
			return nil, 0, errFormat(f[i:min(j+1, len(f))] + " (width or precision over 1000)")
		}
		if j >= len(f) {
			return nil, 0, errFormat(f[i:])
		}
		c := f[j]
		switch c {
		case '%', 'n':
			if c == '%' {
				lit.WriteString(padText("%", v))
			} else {
				lit.WriteByte('\n')
			}
			i = j
			continue
		case 't', 'T':
			if j+1 >= len(f) || strings.IndexByte("HIklMSLNpzZsQBbhAaCYyjmdeRTrDFc", f[j+1]) < 0 {
				return nil, 0, errFormat(f[i:min(j+2, len(f))])
			}
			v.conv, v.upper, v.tconv = 't', c == 'T', f[j+1]
			j++
		default:
			lc := c | 0x20
			if strings.IndexByte("bhscdoxefg", lc) < 0 || (c >= 'A' && c <= 'Z' && strings.IndexByte("BHSCXEG", c) < 0) {
				return nil, 0, errFormat(f[i : j+1])
			}
			v.conv, v.upper = lc, c >= 'A' && c <= 'Z'
		}
		if v.arg < 0 {
			v.arg = next
			next++
		}
		last = v.arg
		n = max(n, v.arg+1)
		if lit.Len() > 0 {
			out = append(out, fmtVerb{lit: lit.String()})
			lit.Reset()
		}
		out = append(out, v)
		i = j
	}
	if lit.Len() > 0 {
		out = append(out, fmtVerb{lit: lit.String()})
	}
	return out, n, nil
}

func compileFormat(c *compiler, a *args) (expr, error) {
	f, err := a.required("format")
	if err != nil {
		return nil, err
	}
	verbs, n, err := parseFormat(f)
	if err != nil {
		return nil, a.errorf("format", "%v", err)
	}
	fields, err := a.fieldList("field")
	if err != nil {
		return nil, err
	}
	if n > 0 && len(fields) == 0 {
		return nil, a.errorf("field", "missing required parameter field")
	}
	for _, fl := range fields {
		c.read(fl)
	}
	e := &formatExpr{verbs: verbs, fields: fields, loc: time.UTC}
	if tz, err := a.str("timezone", ""); err != nil {
		return nil, err
	} else if tz != "" {
		loc, ok := loadZone(tz)
		if !ok {
			return nil, a.errorf("timezone", "unknown time zone %q", tz)
		}
		e.loc = loc
	}
	return e, nil
}

func (e *formatExpr) eval(_ *exec, ev *event.Event) (string, bool) {
	var b strings.Builder
	for _, v := range e.verbs {
		if v.conv == 0 {
			b.WriteString(v.lit)
			continue
		}
		// More directives than fields reuse the last field, as before.
		val, ok := ev.Get(e.fields[min(v.arg, len(e.fields)-1)])
		if !ok && v.conv != 'b' {
			return "", false
		}
		s, ok := v.apply(val, ok, e.loc)
		if !ok {
			return "", false
		}
		b.WriteString(s)
	}
	return b.String(), true
}

func (v fmtVerb) has(flag byte) bool { return strings.IndexByte(v.flags, flag) >= 0 }

func (v fmtVerb) apply(val string, present bool, loc *time.Location) (string, bool) {
	var s string
	switch v.conv {
	case 'b': // Java: null is false, a Boolean its value, anything else true
		s = "true"
		if !present || val == "false" {
			s = "false"
		}
		s = truncate(s, v.prec)
	case 'h':
		var h int32
		for _, u := range utf16Units(val) {
			h = 31*h + int32(u)
		}
		s = truncate(strconv.FormatUint(uint64(uint32(h)), 16), v.prec)
	case 's':
		s = truncate(val, v.prec)
	case 'c':
		n, ok := parseInteger(val)
		if !ok || n < 0 || n > utf8.MaxRune {
			if r := []rune(val); len(r) == 1 {
				s = val
				break
			}
			return "", false
		}
		s = string(rune(n))
	case 'd', 'o', 'x':
		n, ok := parseInteger(val)
		if !ok {
			return "", false
		}
		s = v.integer(n)
	case 'e', 'f', 'g':
		x, ok := event.ParseNumber(val)
		if !ok {
			return "", false
		}
		s = v.float(x)
	case 't':
		ms, ok := parseInteger(val)
		if !ok {
			return "", false
		}
		s = javaTime(time.UnixMilli(ms).In(loc), v.tconv)
	}
	if v.upper {
		s = strings.ToUpper(s)
	}
	return padText(s, v), true
}

func truncate(s string, prec int) string {
	if prec >= 0 && utf8.RuneCountInString(s) > prec {
		return string([]rune(s)[:prec])
	}
	return s
}

func utf16Units(s string) []uint16 {
	var out []uint16
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, uint16(0xD800+(r>>10)), uint16(0xDC00+(r&0x3FF)))
			continue
		}
		out = append(out, uint16(r))
	}
	return out
}

// parseInteger reads an integer; a number with a fraction is truncated.
func parseInteger(s string) (int64, bool) {
	if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
		return n, true
	}
	f, ok := event.ParseNumber(s)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return int64(f), true
}

// padText pads to the width: left-justified with '-', else on the left.
func padText(s string, v fmtVerb) string {
	pad := v.width - utf8.RuneCountInString(s)
	if pad <= 0 {
		return s
	}
	if v.has('-') {
		return s + strings.Repeat(" ", pad)
	}
	if v.has('0') && v.conv != 's' && v.conv != 'b' && v.conv != 'c' && v.conv != 'h' && v.conv != 't' && v.conv != 0 {
		return s // numbers are zero-padded where they are built
	}
	return strings.Repeat(" ", pad) + s
}

// integer formats d, o and x. Octal and hex of a negative number are its
// 64-bit two's complement, as Java prints a long.
func (v fmtVerb) integer(n int64) string {
	var digits, prefix string
	neg := false
	switch v.conv {
	case 'd':
		neg = n < 0
		u := uint64(n)
		if neg {
			u = uint64(-n)
		}
		digits = strconv.FormatUint(u, 10)
		if v.has(',') {
			digits = groupThousands(digits)
		}
	case 'o':
		digits = strconv.FormatUint(uint64(n), 8)
		if v.has('#') {
			prefix = "0"
		}
	case 'x':
		digits = strconv.FormatUint(uint64(n), 16)
		if v.has('#') {
			prefix = "0x"
		}
	}
	return v.signed(neg, prefix, digits)
}

// signed assembles sign, prefix and digits, zero-padding between them.
func (v fmtVerb) signed(neg bool, prefix, digits string) string {
	lead, trail := "", ""
	switch {
	case neg && v.has('('):
		lead, trail = "(", ")"
	case neg:
		lead = "-"
	case v.has('+'):
		lead = "+"
	case v.has(' '):
		lead = " "
	}
	lead += prefix
	if v.has('0') && !v.has('-') {
		if pad := v.width - len(lead) - len(digits) - len(trail); pad > 0 {
			digits = strings.Repeat("0", pad) + digits
		}
	}
	return lead + digits + trail
}

func groupThousands(d string) string {
	if len(d) <= 3 {
		return d
	}
	var b strings.Builder
	first := len(d) % 3
	if first > 0 {
		b.WriteString(d[:first])
	}
	for i := first; i < len(d); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(d[i : i+3])
	}
	return b.String()
}

// float formats e, f and g the way Formatter does: precision 6 by
// default; %g chooses scientific form below 10^-4 or at 10^precision and
// above, and keeps trailing zeros.
func (v fmtVerb) float(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		s := "NaN"
		if math.IsInf(x, 1) {
			s = "Infinity"
		} else if math.IsInf(x, -1) {
			s = "-Infinity"
		}
		return s
	}
	prec := v.prec
	if prec < 0 {
		prec = 6
	}
	neg := math.Signbit(x) && x != 0
	ax := math.Abs(x)
	var digits string
	switch v.conv {
	case 'f':
		digits = strconv.FormatFloat(ax, 'f', prec, 64)
	case 'e':
		digits = strconv.FormatFloat(ax, 'e', prec, 64)
	case 'g':
		if prec == 0 {
			prec = 1
		}
		rounded, _ := strconv.ParseFloat(strconv.FormatFloat(ax, 'e', prec-1, 64), 64)
		if rounded != 0 && (rounded < 1e-4 || rounded >= math.Pow10(prec)) {
			digits = strconv.FormatFloat(ax, 'e', prec-1, 64)
		} else {
			exp := 0
			if rounded != 0 {
				exp = int(math.Floor(math.Log10(rounded)))
			}
			digits = strconv.FormatFloat(ax, 'f', max(prec-1-exp, 0), 64)
		}
	}
	if v.has(',') && v.conv != 'e' {
		intPart, frac, _ := strings.Cut(digits, ".")
		if !strings.ContainsAny(intPart, "e") {
			digits = groupThousands(intPart)
			if frac != "" {
				digits += "." + frac
			}
		}
	}
	if v.has('#') && v.prec == 0 && !strings.Contains(digits, ".") && v.conv == 'f' {
		digits += "."
	}
	return v.signed(neg, "", digits)
}

// javaTime formats one %t conversion.
func javaTime(t time.Time, c byte) string {
	two := func(n int) string {
		if n < 10 {
			return "0" + strconv.Itoa(n)
		}
		return strconv.Itoa(n)
	}
	h12 := t.Hour() % 12
	if h12 == 0 {
		h12 = 12
	}
	switch c {
	case 'H':
		return two(t.Hour())
	case 'I':
		return two(h12)
	case 'k':
		return strconv.Itoa(t.Hour())
	case 'l':
		return strconv.Itoa(h12)
	case 'M':
		return two(t.Minute())
	case 'S':
		return two(t.Second())
	case 'L':
		return t.Format(".000")[1:]
	case 'N':
		return t.Format(".000000000")[1:]
	case 'p':
		if t.Hour() < 12 {
			return "am"
		}
		return "pm"
	case 'z':
		return t.Format("-0700")
	case 'Z':
		name, _ := t.Zone()
		return name
	case 's':
		return strconv.FormatInt(t.Unix(), 10)
	case 'Q':
		return strconv.FormatInt(t.UnixMilli(), 10)
	case 'B':
		return t.Format("January")
	case 'b', 'h':
		return t.Format("Jan")
	case 'A':
		return t.Format("Monday")
	case 'a':
		return t.Format("Mon")
	case 'C':
		return two(t.Year() / 100)
	case 'Y':
		y := strconv.Itoa(t.Year())
		for len(y) < 4 {
			y = "0" + y
		}
		return y
	case 'y':
		return two(t.Year() % 100)
	case 'j':
		d := strconv.Itoa(t.YearDay())
		for len(d) < 3 {
			d = "0" + d
		}
		return d
	case 'm':
		return two(int(t.Month()))
	case 'd':
		return two(t.Day())
	case 'e':
		return strconv.Itoa(t.Day())
	case 'R':
		return t.Format("15:04")
	case 'T':
		return t.Format("15:04:05")
	case 'r':
		return t.Format("03:04:05 PM")
	case 'D':
		return t.Format("01/02/06")
	case 'F':
		return t.Format("2006-01-02")
	case 'c':
		return t.Format("Mon Jan 02 15:04:05 MST 2006")
	}
	return ""
}
