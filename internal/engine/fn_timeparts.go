package engine

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tiercel/tiercel/internal/event"
)

// time:* take a time field (ms since the epoch, default @timestamp) apart
// in a time zone (timezone=, or the zone named by timezoneField=, default
// UTC); formatDuration writes a duration as 6h30m52s553ms.

var timeParts = map[string]func(t time.Time) string{
	"time:year":        func(t time.Time) string { return strconv.Itoa(t.Year()) },
	"time:month":       func(t time.Time) string { return strconv.Itoa(int(t.Month())) },
	"time:monthName":   func(t time.Time) string { return t.Month().String() },
	"time:dayOfMonth":  func(t time.Time) string { return strconv.Itoa(t.Day()) },
	"time:dayOfYear":   func(t time.Time) string { return strconv.Itoa(t.YearDay()) },
	"time:hour":        func(t time.Time) string { return strconv.Itoa(t.Hour()) },
	"time:minute":      func(t time.Time) string { return strconv.Itoa(t.Minute()) },
	"time:second":      func(t time.Time) string { return strconv.Itoa(t.Second()) },
	"time:millisecond": func(t time.Time) string { return strconv.Itoa(t.Nanosecond() / 1e6) },
	"time:dayOfWeekName": func(t time.Time) string {
		return t.Weekday().String()
	},
	// ISO: Monday is 1, Sunday 7
	"time:dayOfWeek": func(t time.Time) string { return strconv.Itoa((int(t.Weekday())+6)%7 + 1) },
	"time:weekOfYear": func(t time.Time) string {
		_, w := t.ISOWeek()
		return strconv.Itoa(w)
	},
}

func init() {
	for name, part := range timeParts {
		registerFunc(name, &funcImpl{params: []string{"field", "as", "timezone", "timezoneField"},
			defaultAs: "_" + name[len("time:"):],
			value: func(c *compiler, a *args) (expr, error) {
				e := &timePartExpr{part: part, loc: time.UTC}
				var err error
				if e.field, err = a.fieldName("field", event.Timestamp); err != nil {
					return nil, err
				}
				if e.zoneField, err = a.fieldName("timezoneField", ""); err != nil {
					return nil, err
				}
				if e.loc, err = a.zone("timezone"); err != nil {
					return nil, err
				}
				return e, nil
			}})
	}
	registerFunc("formatDuration", &funcImpl{params: []string{"field", "as", "from", "precision"}, step: compileFormatDuration})
}

type timePartExpr struct {
	field     string
	zoneField string
	loc       *time.Location
	part      func(time.Time) string
}

func (e *timePartExpr) eval(_ *exec, ev *event.Event) (string, bool) {
	v, ok := ev.Get(e.field)
	if !ok {
		return "", false
	}
	ms, ok := event.ParseNumber(v)
	if !ok || math.Abs(ms) > 1e16 {
		return "", false
	}
	loc := e.loc
	if e.zoneField != "" {
		if z, ok := ev.Get(e.zoneField); ok {
			l, ok := loadZone(z)
			if !ok {
				return "", false
			}
			loc = l
		}
	}
	t := time.UnixMilli(int64(math.Floor(ms))).In(loc)
	return e.part(t), true
}

// durationUnitNs is each unit formatDuration writes, largest first, in ns.
var durationUnitNs = []struct {
	name string
	ns   int64
}{
	{"d", 86_400e9}, {"h", 3_600e9}, {"m", 60e9}, {"s", 1e9}, {"ms", 1e6}, {"us", 1e3}, {"ns", 1},
}

type formatDurationExpr struct {
	field     string
	unitNs    int64
	unitName  string
	precision int
}

func compileFormatDuration(c *compiler, a *args) (any, error) {
	field, err := a.fieldName("field", "")
	if err != nil {
		return nil, err
	}
	if field == "" {
		return nil, a.errorf("field", "missing required parameter field")
	}
	e := &formatDurationExpr{field: field}
	from, err := a.str("from", "ms")
	if err != nil {
		return nil, err
	}
	for _, u := range durationUnitNs {
		if u.name == from {
			e.unitNs, e.unitName = u.ns, u.name
		}
	}
	if e.unitNs == 0 {
		return nil, a.errorf("from", "from must be one of d, h, m, s, ms, us, ns, not %q", from)
	}
	p, err := a.str("precision", "0")
	if err != nil {
		return nil, err
	}
	if e.precision, err = strconv.Atoi(p); err != nil || e.precision < 0 {
		return nil, a.errorf("precision", "precision must be a non-negative integer, not %q", p)
	}
	return &assignStep{field: a.asOr(field), e: e}, nil
}

// eval: only integers are converted; precision > 0 keeps that many units.
func (e *formatDurationExpr) eval(_ *exec, ev *event.Event) (string, bool) {
	v, ok := ev.Get(e.field)
	if !ok {
		return "", false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return "", false
	}
	neg := n < 0
	if neg {
		n = -n
	}
	if e.unitNs > 1 && n > math.MaxInt64/e.unitNs {
		return "", false
	}
	ns := n * e.unitNs
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	used := 0
	for _, u := range durationUnitNs {
		if u.ns < e.unitNs || (e.precision > 0 && used >= e.precision) {
			break
		}
		if q := ns / u.ns; q > 0 || (used > 0 && e.precision > 0) {
			if q > 0 {
				b.WriteString(strconv.FormatInt(q, 10))
				b.WriteString(u.name)
			}
			ns -= q * u.ns
			used++
		}
	}
	if used == 0 {
		b.WriteString("0" + e.unitName)
	}
	return b.String(), true
}
