package engine

import (
	"fmt"
	"strings"

	"github.com/tiercel/tiercel/internal/event"
)

// Rate units of timeChart()/bucket() unit=: "bytes/span to Mi bytes/day"
// turns a per-bucket sum into a daily rate in MiB, whatever the span;
// "bytes/sec to Kibytes/hour" rescales a rate. A unit without " to " only
// labels the column and changes nothing.

type rateUnit struct {
	convert bool
	factor  float64 // unit prefixes and fixed time units
	perSpan bool    // the source is per bucket: divide by the span
}

func parseRateUnit(spec string) (rateUnit, error) {
	src, dst, ok := strings.Cut(spec, " to ")
	if !ok {
		return rateUnit{}, nil
	}
	su, st := splitRate(src)
	du, dt := splitRate(dst)
	from, to := parseUnit(su, false), parseUnit(du, false)
	if from.base != to.base && from.base != "" && to.base != "" {
		return rateUnit{}, fmt.Errorf("cannot convert %s to %s", strings.TrimSpace(su), strings.TrimSpace(du))
	}
	r := rateUnit{convert: true, factor: from.factor / to.factor}
	switch {
	case st == "span" || st == "bucket":
		r.perSpan = true
	case st != "":
		ms, err := timeUnitMs(st)
		if err != nil {
			return rateUnit{}, err
		}
		r.factor /= float64(ms)
	}
	if dt != "" {
		if dt == "span" || dt == "bucket" {
			return rateUnit{}, fmt.Errorf("the target of %q must be per a fixed time unit", spec)
		}
		ms, err := timeUnitMs(dt)
		if err != nil {
			return rateUnit{}, err
		}
		r.factor *= float64(ms)
	} else if r.perSpan || st != "" {
		return rateUnit{}, fmt.Errorf("%q converts a rate to a plain quantity", spec)
	}
	return r, nil
}

// splitRate splits "Mi bytes/day" into "Mibytes" and "day".
func splitRate(s string) (unit, per string) {
	unit, per, _ = strings.Cut(s, "/")
	return strings.ReplaceAll(strings.TrimSpace(unit), " ", ""), strings.ToLower(strings.TrimSpace(per))
}

// timeUnitMs reads a time unit such as sec, hour or 5m.
func timeUnitMs(u string) (int64, error) {
	if u != "" && (u[0] < '0' || u[0] > '9') {
		u = "1" + u
	}
	return parseRelativeTime(u)
}

func (r rateUnit) apply(v string, spanMs int64) string {
	if !r.convert {
		return v
	}
	n, ok := event.ParseNumber(v)
	if !ok {
		return v
	}
	n *= r.factor
	if r.perSpan {
		n /= float64(spanMs)
	}
	return event.FormatNumber(n)
}
