package engine

import (
	"math"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // timezone= works on hosts without a zoneinfo database

	"github.com/tiercel/tiercel/internal/event"
)

func init() {
	registerFunc("formatTime", &funcImpl{params: []string{"format", "as", "field", "timezone", "locale", "unit"},
		defaultAs: "_formatTime", value: compileFormatTime})
	registerFunc("now", &funcImpl{params: []string{"as"}, defaultAs: "_now", value: func(c *compiler, a *args) (expr, error) {
		return constExpr{strconv.FormatInt(c.opts.Now.UnixMilli(), 10)}, nil
	}})
}

// formatTimeExpr formats a time field with a strftime-style pattern.
type formatTimeExpr struct {
	field  string
	layout []timeDirective
	loc    *time.Location
	unit   string // auto, milliseconds, seconds
}

// timeDirective is a literal (verb 0) or one % conversion.
type timeDirective struct {
	lit  string
	verb byte
}

func parseStrftime(f string) ([]timeDirective, error) {
	var out []timeDirective
	var lit strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			lit.WriteByte(f[i])
			continue
		}
		i++
		if f[i] == '%' {
			lit.WriteByte('%')
			continue
		}
		if strings.IndexByte("YymdHMSLZzFTbBaAjepIsNklrRDuwChntc", f[i]) < 0 {
			return nil, errFormat("%" + string(f[i]))
		}
		if lit.Len() > 0 {
			out = append(out, timeDirective{lit: lit.String()})
			lit.Reset()
		}
		out = append(out, timeDirective{verb: f[i]})
	}
	if lit.Len() > 0 {
		out = append(out, timeDirective{lit: lit.String()})
	}
	return out, nil
}

func (e *formatTimeExpr) eval(_ *exec, ev *event.Event) (string, bool) {
	n, ok := numberField(ev, e.field)
	if !ok {
		return "", false
	}
	ms := n
	switch e.unit {
	case "seconds":
		ms = n * 1000
	case "auto":
		if math.Abs(n) <= 100_000_000_000 {
			ms = n * 1000
		}
	}
	t := time.UnixMilli(int64(math.Round(ms))).In(e.loc)
	return formatStrftime(e.layout, t), true
}

func formatStrftime(layout []timeDirective, t time.Time) string {
	var b []byte
	pad := func(n, w int) {
		s := strconv.Itoa(n)
		for i := len(s); i < w; i++ {
			b = append(b, '0')
		}
		b = append(b, s...)
	}
	for _, d := range layout {
		if goLayout, ok := fixedLayouts[d.verb]; ok {
			b = t.AppendFormat(b, goLayout)
			continue
		}
		switch d.verb {
		case 0:
			b = append(b, d.lit...)
		case 'Y':
			pad(t.Year(), 4)
		case 'y':
			pad(t.Year()%100, 2)
		case 'm':
			pad(int(t.Month()), 2)
		case 'd':
			pad(t.Day(), 2)
		case 'e':
			b = append(b, strconv.Itoa(t.Day())...)
		case 'H':
			pad(t.Hour(), 2)
		case 'k':
			b = append(b, strconv.Itoa(t.Hour())...)
		case 'I', 'l':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			pad(h, 2)
		case 'p':
			if t.Hour() < 12 {
				b = append(b, "AM"...)
			} else {
				b = append(b, "PM"...)
			}
		case 'M':
			pad(t.Minute(), 2)
		case 'S':
			pad(t.Second(), 2)
		case 'L':
			pad(t.Nanosecond()/1e6, 3)
		case 'N':
			pad(t.Nanosecond(), 9)
		case 'Z':
			name, _ := t.Zone()
			b = append(b, name...)
		case 'j':
			pad(t.YearDay(), 3)
		case 's':
			b = append(b, strconv.FormatInt(t.Unix(), 10)...)
		case 'C':
			pad(t.Year()/100, 2)
		case 'u':
			wd := int(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			b = append(b, byte('0'+wd))
		case 'w':
			b = append(b, byte('0'+int(t.Weekday())))
		case 'n':
			b = append(b, '\n')
		case 't':
			b = append(b, '\t')
		}
	}
	return string(b)
}

// fixedLayouts are the strftime directives that are one fixed Go layout.
var fixedLayouts = map[byte]string{
	'z': "-0700",
	'F': "2006-01-02",
	'T': "15:04:05",
	'b': "Jan",
	'B': "January",
	'a': "Mon",
	'A': "Monday",
	'r': "03:04:05 PM",
	'R': "15:04",
	'c': "Mon Jan _2 15:04:05 2006",
	'D': "01/02/06",
	'h': "Jan",
}

func compileFormatTime(c *compiler, a *args) (expr, error) {
	f, err := a.required("format")
	if err != nil {
		return nil, err
	}
	layout, err := parseStrftime(f)
	if err != nil {
		return nil, a.errorf("format", "%v", err)
	}
	field, err := a.fieldName("field", event.Timestamp)
	if err != nil {
		return nil, err
	}
	tz, err := a.str("timezone", "UTC")
	if err != nil {
		return nil, err
	}
	loc, ok := loadZone(tz)
	if !ok {
		return nil, a.errorf("timezone", "unknown time zone %q", tz)
	}
	unit, err := a.str("unit", "auto")
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(unit) {
	case "auto":
		unit = "auto"
	case "milliseconds", "millis", "ms":
		unit = "milliseconds"
	case "seconds", "s":
		unit = "seconds"
	default:
		return nil, a.errorf("unit", "unit must be auto, milliseconds or seconds, not %q", unit)
	}
	return &formatTimeExpr{field: field, layout: layout, loc: loc, unit: unit}, nil
}

// loadZone accepts IANA names, "Z", and fixed offsets such as +02:00,
// UTC+2 or GMT-05:30 (Java's ZoneId forms).
func loadZone(tz string) (*time.Location, bool) {
	if tz == "Z" || strings.EqualFold(tz, "utc") || strings.EqualFold(tz, "gmt") {
		return time.UTC, true
	}
	if loc, err := time.LoadLocation(tz); err == nil {
		return loc, true
	}
	off := tz
	for _, p := range []string{"UTC", "GMT", "UT"} {
		if strings.HasPrefix(strings.ToUpper(off), p) {
			off = off[len(p):]
			break
		}
	}
	if off == "" || (off[0] != '+' && off[0] != '-') {
		return nil, false
	}
	sign := 1
	if off[0] == '-' {
		sign = -1
	}
	h, m, found := strings.Cut(off[1:], ":")
	if !found && len(h) == 4 {
		h, m = h[:2], h[2:]
	}
	hours, err := strconv.Atoi(h)
	if err != nil || hours > 18 {
		return nil, false
	}
	mins := 0
	if m != "" {
		if mins, err = strconv.Atoi(m); err != nil || mins > 59 {
			return nil, false
		}
	}
	return time.FixedZone(tz, sign*(hours*3600+mins*60)), true
}
