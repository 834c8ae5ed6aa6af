package ingest

import (
	"strconv"
	"time"
	"unsafe"
)

// parseMillis reads an event time as epoch milliseconds. It accepts epoch
// numbers in seconds, milliseconds, microseconds or nanoseconds (told apart
// by magnitude; seconds may carry a fraction, as ContextTimeStamp does) and
// ISO 8601 / RFC 3339 date-times with or without fraction and zone (no zone
// means UTC).
func parseMillis(b []byte) (int64, bool) {
	b = trimSpace(b)
	if len(b) == 0 {
		return 0, false
	}
	if isDigit(b[0]) && (len(b) < 5 || b[4] != '-') || b[0] == '-' || b[0] == '+' || b[0] == '.' {
		return epochMillis(b)
	}
	return isoMillis(b)
}

// Thresholds between epoch units: 1e11 s is the year 5138, so anything
// bigger must be a finer unit.
const (
	maxSeconds = 1e11
	maxMillis  = 1e14
	maxMicros  = 1e17
)

func epochMillis(b []byte) (int64, bool) {
	neg := false
	s := b
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	var whole int64
	i := 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		if i >= 18 {
			return floatMillis(b)
		}
		whole = whole*10 + int64(s[i]-'0')
	}
	digits := i
	var frac int64 // the fraction's first three digits: milliseconds of a second
	if i < len(s) && s[i] == '.' {
		i++
		n := 0
		for ; i < len(s) && isDigit(s[i]); i, n = i+1, n+1 {
			if n < 3 {
				frac = frac*10 + int64(s[i]-'0')
			}
		}
		digits += n
		for ; n < 3; n++ {
			frac *= 10
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i != len(s) {
		return floatMillis(b) // an exponent or junk: let strconv judge
	}
	var ms int64
	switch {
	case whole < maxSeconds:
		ms = whole*1000 + frac
	case whole < maxMillis:
		ms = whole
	case whole < maxMicros:
		ms = whole / 1e3
	default:
		ms = whole / 1e6
	}
	if neg {
		ms = -ms
	}
	return ms, true
}

func floatMillis(b []byte) (int64, bool) {
	f, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(b), len(b)), 64)
	if err != nil {
		return 0, false
	}
	a := f
	if a < 0 {
		a = -a
	}
	switch {
	case a < maxSeconds:
		f *= 1e3
	case a < maxMillis:
	case a < maxMicros:
		f /= 1e3
	case a < 9e24:
		f /= 1e6
	default:
		return 0, false
	}
	return int64(f), true
}

// isoMillis parses YYYY-MM-DD[(T| )hh:mm[:ss[.fraction]]][Z|±hh[:mm]].
func isoMillis(b []byte) (int64, bool) {
	p := isoParser{b: b, ok: true}
	year := p.num(4)
	month := p.after('-', 2)
	day := p.after('-', 2)
	var hour, minute, sec, nanos int
	if p.ok && p.i < len(b) && (b[p.i] == 'T' || b[p.i] == 't' || b[p.i] == ' ') {
		p.i++
		hour = p.num(2)
		minute = p.after(':', 2)
		if p.ok && p.i < len(b) && b[p.i] == ':' {
			sec = p.after(':', 2)
			if p.ok && p.i < len(b) && (b[p.i] == '.' || b[p.i] == ',') {
				p.i++
				nanos = p.fraction()
			}
		}
	}
	offset := 0
	if p.ok && p.i < len(b) {
		switch b[p.i] {
		case 'Z', 'z':
			p.i++
		case '+', '-':
			sign := 1
			if b[p.i] == '-' {
				sign = -1
			}
			p.i++
			oh := p.num(2)
			om := 0
			if p.ok && p.i < len(b) {
				if b[p.i] == ':' {
					p.i++
				}
				om = p.num(2)
			}
			offset = sign * (oh*3600 + om*60)
		default:
			p.ok = false
		}
	}
	if !p.ok || p.i != len(b) || month < 1 || month > 12 || day < 1 || day > 31 ||
		hour > 24 || minute > 59 || sec > 60 {
		return 0, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nanos, time.UTC)
	return t.UnixMilli() - int64(offset)*1000, true
}

type isoParser struct {
	b  []byte
	i  int
	ok bool
}

// num reads exactly n digits.
func (p *isoParser) num(n int) int {
	if !p.ok || p.i+n > len(p.b) {
		p.ok = false
		return 0
	}
	v := 0
	for _, c := range p.b[p.i : p.i+n] {
		if !isDigit(c) {
			p.ok = false
			return 0
		}
		v = v*10 + int(c-'0')
	}
	p.i += n
	return v
}

// after reads the separator sep then n digits.
func (p *isoParser) after(sep byte, n int) int {
	if !p.ok || p.i >= len(p.b) || p.b[p.i] != sep {
		p.ok = false
		return 0
	}
	p.i++
	return p.num(n)
}

// fraction reads one or more digits as nanoseconds (extra digits are dropped).
func (p *isoParser) fraction() int {
	start := p.i
	v, scale := 0, 100000000
	for p.i < len(p.b) && isDigit(p.b[p.i]) {
		v += int(p.b[p.i]-'0') * scale
		scale /= 10
		p.i++
	}
	if p.i == start {
		p.ok = false
	}
	return v
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
