package engine

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tiercel/tiercel/internal/event"
)

// parseTimestamp(format, field, as=@timestamp, timezone, caseSensitive,
// addErrors) parses text into ms since the epoch. format is a Java
// DateTimeFormatter pattern (yyyy-MM-dd'T'HH:mm:ss[.SSS]XXX: letters are
// fields, 'quoted' text and other characters are literal, [..] is optional)
// or one of the words seconds, millis, milliseconds, nanos, unixtime,
// unixTimeSeconds, unixTimeMillis. Text without a zone is read in timezone=
// (UTC when not given). On failure, with addErrors, @error=true and
// @error_msg say why.

const defaultTimestampFormat = "yyyy-MM-dd'T'HH:mm:ss[.SSSSSSSSS]XXXXX"

func init() {
	registerFunc("parseTimestamp", &funcImpl{
		params: []string{"format", "field", "as", "timezone", "caseSensitive", "addErrors", "timezoneAs", "timezoneField"},
		step:   compileParseTimestamp,
	})
}

// tsToken is one element of a compiled pattern.
type tsToken struct {
	letter   byte // 0: literal
	count    int
	adjacent bool // a numeric field follows directly: take count digits only
	lit      string
	optional []tsToken // a [..] section
}

func compileTimePattern(p string) ([]tsToken, error) {
	toks, rest, err := compileTimeSection(p, 0)
	if err != nil {
		return nil, err
	}
	if rest != len(p) {
		return nil, fmt.Errorf("unbalanced ] at offset %d", rest)
	}
	markAdjacent(toks)
	return toks, nil
}

func isNumericLetter(c byte) bool { return strings.IndexByte("yuMLdDHhKkmsSn", c) >= 0 }

func markAdjacent(toks []tsToken) {
	for i := range toks {
		if toks[i].optional != nil {
			markAdjacent(toks[i].optional)
			continue
		}
		if i+1 < len(toks) && isNumericLetter(toks[i+1].letter) {
			toks[i].adjacent = true
		}
	}
}

func compileTimeSection(p string, i int) ([]tsToken, int, error) {
	var out []tsToken
	for i < len(p) {
		c := p[i]
		switch {
		case c == '[':
			sub, j, err := compileTimeSection(p, i+1)
			if err != nil {
				return nil, 0, err
			}
			if j >= len(p) || p[j] != ']' {
				return nil, 0, fmt.Errorf("unclosed [ at offset %d", i)
			}
			out = append(out, tsToken{optional: sub})
			i = j + 1
		case c == ']':
			return out, i, nil
		case c == '\'':
			j := i + 1
			var lit strings.Builder
			for {
				if j >= len(p) {
					return nil, 0, fmt.Errorf("unclosed quote at offset %d", i)
				}
				if p[j] == '\'' {
					if j+1 < len(p) && p[j+1] == '\'' {
						lit.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				lit.WriteByte(p[j])
				j++
			}
			if j == i+1 {
				lit.WriteByte('\'') // '' is a quote
			}
			out = append(out, tsToken{lit: lit.String()})
			i = j + 1
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(p) && p[j] == c {
				j++
			}
			if !strings.ContainsRune("yuMLdHhKkmsSaEeXxZzVDn", rune(c)) {
				return nil, 0, fmt.Errorf("pattern letter %q is not supported", c)
			}
			out = append(out, tsToken{letter: c, count: j - i})
			i = j
		default:
			out = append(out, tsToken{lit: string(c)})
			i++
		}
	}
	return out, i, nil
}

// tsFields collects what a pattern read.
type tsFields struct {
	year, month, day, hour, min, sec, nanos int
	yearDay                                 int
	pm, hasAmPm, hour12                     bool
	offset                                  int // seconds east of UTC
	hasOffset                               bool
	loc                                     *time.Location
}

type tsParser struct {
	s        string
	i        int
	fold     bool // case-insensitive names
	f        tsFields
	haveDate bool
}

func (p *tsParser) digits(min, max int) (int, bool) {
	j := p.i
	for j < len(p.s) && j-p.i < max && p.s[j] >= '0' && p.s[j] <= '9' {
		j++
	}
	if j-p.i < min {
		return 0, false
	}
	n, err := strconv.Atoi(p.s[p.i:j])
	if err != nil {
		return 0, false
	}
	p.i = j
	return n, true
}

func (p *tsParser) name(names []string) (int, bool) {
	for k, n := range names {
		if len(p.s)-p.i >= len(n) {
			cand := p.s[p.i : p.i+len(n)]
			if cand == n || p.fold && strings.EqualFold(cand, n) {
				p.i += len(n)
				return k, true
			}
		}
	}
	return 0, false
}

var (
	monthsLong  = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	monthsShort = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	daysLong    = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	daysShort   = []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
)

func (p *tsParser) run(toks []tsToken) bool {
	for _, t := range toks {
		if t.optional != nil {
			save, saveF := p.i, p.f
			if !p.run(t.optional) {
				p.i, p.f = save, saveF
			}
			continue
		}
		if t.letter == 0 {
			if !strings.HasPrefix(p.s[p.i:], t.lit) && !(p.fold && len(p.s)-p.i >= len(t.lit) && strings.EqualFold(p.s[p.i:p.i+len(t.lit)], t.lit)) {
				return false
			}
			p.i += len(t.lit)
			continue
		}
		if !p.field(t) {
			return false
		}
	}
	return true
}

// width is how many digits a numeric field takes: exactly count when
// count >= 2, otherwise 1 or 2.
func width(count int) (int, int) {
	if count >= 2 {
		return count, count
	}
	return 1, 2
}

func (p *tsParser) field(t tsToken) bool {
	var ok bool
	switch t.letter {
	case 'y', 'u':
		if t.count == 2 {
			var yy int
			if yy, ok = p.digits(2, 2); ok {
				p.f.year = 2000 + yy
			}
		} else {
			most := 9
			if t.adjacent {
				most = max(t.count, 1)
			}
			p.f.year, ok = p.digits(max(t.count, 1), most)
		}
	case 'M', 'L':
		switch {
		case t.count >= 4:
			var k int
			k, ok = p.name(monthsLong)
			p.f.month = k + 1
		case t.count == 3:
			var k int
			k, ok = p.name(monthsShort)
			p.f.month = k + 1
		default:
			p.f.month, ok = p.digits(width(t.count))
		}
	case 'd':
		p.f.day, ok = p.digits(width(t.count))
	case 'D':
		p.f.yearDay, ok = p.digits(max(t.count, 1), 3)
	case 'H', 'k':
		p.f.hour, ok = p.digits(width(t.count))
	case 'h', 'K':
		p.f.hour, ok = p.digits(width(t.count))
		p.f.hour12 = true
	case 'm':
		p.f.min, ok = p.digits(width(t.count))
	case 's':
		p.f.sec, ok = p.digits(width(t.count))
	case 'S', 'n':
		// fractions: up to count digits (at least one), scaled to ns
		j := p.i
		for j < len(p.s) && j-p.i < max(t.count, 9) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		if j == p.i {
			return false
		}
		frac := p.s[p.i:j]
		if t.letter == 'n' {
			p.f.nanos, _ = strconv.Atoi(frac)
		} else {
			n, _ := strconv.Atoi((frac + "000000000")[:9])
			p.f.nanos = n
		}
		p.i, ok = j, true
	case 'a':
		var k int
		fold := p.fold
		p.fold = true // AM, am, Am
		k, ok = p.name([]string{"AM", "PM"})
		p.fold = fold
		p.f.pm, p.f.hasAmPm = k == 1, ok
	case 'E', 'e':
		if _, ok = p.name(daysLong); !ok {
			_, ok = p.name(daysShort)
		}
	case 'X', 'x', 'Z':
		ok = p.offset(t.letter != 'x')
	case 'z', 'V':
		ok = p.zone()
	}
	return ok
}

// offset reads Z (when allowed) or ±HH[[:]MM[[:]SS]].
func (p *tsParser) offset(allowZ bool) bool {
	if allowZ && p.i < len(p.s) && (p.s[p.i] == 'Z' || p.s[p.i] == 'z') {
		p.i++
		p.f.hasOffset, p.f.offset = true, 0
		return true
	}
	if p.i >= len(p.s) || (p.s[p.i] != '+' && p.s[p.i] != '-') {
		return false
	}
	sign := 1
	if p.s[p.i] == '-' {
		sign = -1
	}
	p.i++
	h, ok := p.digits(2, 2)
	if !ok {
		return false
	}
	secs := h * 3600
	for _, mult := range []int{60, 1} {
		save := p.i
		if p.i < len(p.s) && p.s[p.i] == ':' {
			p.i++
		}
		v, ok := p.digits(2, 2)
		if !ok {
			p.i = save
			break
		}
		secs += v * mult
	}
	p.f.hasOffset, p.f.offset = true, sign*secs
	return true
}

// zone reads a zone id (Europe/Paris), UTC/GMT/Z, or an offset.
func (p *tsParser) zone() bool {
	if p.offset(true) {
		return true
	}
	j := p.i
	for j < len(p.s) && (p.s[j] == '/' || p.s[j] == '_' || p.s[j] == '-' || p.s[j] >= 'A' && p.s[j] <= 'Z' || p.s[j] >= 'a' && p.s[j] <= 'z') {
		j++
	}
	if j == p.i {
		return false
	}
	name := p.s[p.i:j]
	if strings.EqualFold(name, "GMT") || strings.EqualFold(name, "UT") {
		name = "UTC"
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return false
	}
	p.i = j
	p.f.loc = loc
	return true
}

func (f *tsFields) time(def *time.Location) (time.Time, error) {
	if f.year == 0 {
		return time.Time{}, fmt.Errorf("no year")
	}
	hour := f.hour
	if f.hour12 || f.hasAmPm {
		if hour < 1 || hour > 12 {
			return time.Time{}, fmt.Errorf("hour %d out of range for AM/PM", hour)
		}
		hour %= 12
		if f.pm {
			hour += 12
		}
	}
	month, day := f.month, f.day
	if f.yearDay > 0 && month == 0 {
		month, day = 1, f.yearDay
	}
	if month == 0 {
		month = 1
	}
	if day == 0 {
		day = 1
	}
	if month > 12 || hour > 23 || f.min > 59 || f.sec > 60 || (f.yearDay == 0 && day > 31) {
		return time.Time{}, fmt.Errorf("field out of range")
	}
	loc := def
	switch {
	case f.hasOffset:
		loc = time.FixedZone("", f.offset)
	case f.loc != nil:
		loc = f.loc
	}
	t := time.Date(f.year, time.Month(month), day, hour, f.min, f.sec, f.nanos, loc)
	if f.yearDay == 0 && t.Day() != day {
		return time.Time{}, fmt.Errorf("day %d does not exist in month %d", day, month)
	}
	return t, nil
}

type parseTimestampStep struct {
	field, as string
	special   string // epoch format, or ""
	pattern   []tsToken
	loc       *time.Location
	fold      bool
	addErrors bool
}

func compileParseTimestamp(c *compiler, a *args) (any, error) {
	s := &parseTimestampStep{loc: time.UTC}
	var err error
	if s.field, err = a.fieldName("field", ""); err != nil {
		return nil, err
	}
	if s.field == "" {
		return nil, a.errorf("field", "missing required parameter field")
	}
	s.as = a.asOr(event.Timestamp)
	format, err := a.str("format", defaultTimestampFormat)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(format) {
	case "seconds", "unixtime", "unixtimeseconds":
		s.special = "s"
	case "millis", "milliseconds", "unixtimemillis":
		s.special = "ms"
	case "nanos":
		s.special = "ns"
	default:
		if s.pattern, err = compileTimePattern(format); err != nil {
			return nil, a.errorf("format", "%v", err)
		}
	}
	if s.loc, err = a.zone("timezone"); err != nil {
		return nil, err
	}
	cs, err := a.boolean("caseSensitive", true)
	if err != nil {
		return nil, err
	}
	s.fold = !cs
	if s.addErrors, err = a.boolean("addErrors", true); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *parseTimestampStep) apply(_ *exec, ev *event.Event) bool {
	v, ok := ev.Get(s.field)
	if !ok {
		return true
	}
	ms, err := s.parse(strings.TrimSpace(v))
	if err != nil {
		if s.addErrors {
			ev.Set("@error", "true")
			ev.Set("@error_msg", "parseTimestamp: "+err.Error())
		}
		return true
	}
	ev.Set(s.as, strconv.FormatInt(ms, 10))
	return true
}

func (s *parseTimestampStep) parse(v string) (int64, error) {
	if s.special != "" {
		f, ok := event.ParseNumber(v)
		if !ok {
			return 0, fmt.Errorf("%q is not a number", v)
		}
		switch s.special {
		case "s":
			f *= 1000
		case "ns":
			f /= 1e6
		}
		if math.Abs(f) > 1e16 {
			return 0, fmt.Errorf("%q is out of range", v)
		}
		return int64(math.Floor(f)), nil
	}
	p := &tsParser{s: v, fold: s.fold}
	if !p.run(s.pattern) || p.i != len(v) {
		return 0, fmt.Errorf("%q does not match the format", v)
	}
	t, err := p.f.time(s.loc)
	if err != nil {
		return 0, fmt.Errorf("%q: %v", v, err)
	}
	return t.UnixMilli(), nil
}
