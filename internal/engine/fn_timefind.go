package engine

import (
	"strconv"
	"strings"
	"time"

	"github.com/tiercel/tiercel/internal/event"
)

// findTimestamp(field=@rawstring, as=@timestamp, timezone, addErrors) looks
// for the first timestamp in the text in one of the common formats below
// (ISO 8601 with T or space, slashes, Apache access log, ctime) and stores
// it in ms. Text without a zone is read in timezone= (UTC by default).
// Formats without a year (syslog's "Jan  2 03:04:05") are not recognised.

var findTimestampFormats = func() [][]tsToken {
	var out [][]tsToken
	for _, f := range []string{
		"yyyy-MM-dd'T'HH:mm:ss[.SSSSSSSSS][XXX]",
		"yyyy-MM-dd HH:mm:ss[.SSSSSSSSS][ ][XXX]",
		"yyyy-MM-dd HH:mm:ss[,SSSSSSSSS][ ][XXX]",
		"yyyy/MM/dd HH:mm:ss[.SSSSSSSSS][ ][XXX]",
		"dd/MMM/yyyy:HH:mm:ss[ Z]",
		"EEE MMM d HH:mm:ss[ zzz] yyyy",
		"EEE, d MMM yyyy HH:mm:ss[ Z]",
	} {
		toks, err := compileTimePattern(f)
		if err != nil {
			panic("findTimestamp format " + f + ": " + err.Error())
		}
		out = append(out, toks)
	}
	return out
}()

func init() {
	registerFunc("findTimestamp", &funcImpl{params: []string{"", "addErrors", "as", "field", "timezone", "timezoneAs", "timezoneField"},
		step: compileFindTimestamp})
}

type findTimestampStep struct {
	field, as string
	loc       *time.Location
	addErrors bool
}

func compileFindTimestamp(c *compiler, a *args) (any, error) {
	s := &findTimestampStep{loc: time.UTC}
	var err error
	if s.field, err = a.fieldName("field", event.RawString); err != nil {
		return nil, err
	}
	s.as = a.asOr(event.Timestamp)
	if s.loc, err = a.zone("timezone"); err != nil {
		return nil, err
	}
	if s.addErrors, err = a.boolean("addErrors", true); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *findTimestampStep) apply(_ *exec, ev *event.Event) bool {
	v, ok := ev.Get(s.field)
	if !ok {
		return true
	}
	if ms, ok := findTimestamp(v, s.loc); ok {
		ev.Set(s.as, strconv.FormatInt(ms, 10))
	} else if s.addErrors {
		ev.Set("@error", "true")
		ev.Set("@error_msg", "findTimestamp: no timestamp found")
	}
	return true
}

// findTimestamp tries every format at each place a timestamp may start: a
// digit or letter that does not continue a word or number.
func findTimestamp(text string, loc *time.Location) (int64, bool) {
	for i := 0; i < len(text); i++ {
		c := text[i]
		alnum := c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
		if !alnum {
			continue
		}
		if i > 0 {
			p := text[i-1]
			if p >= '0' && p <= '9' || p >= 'A' && p <= 'Z' || p >= 'a' && p <= 'z' {
				continue
			}
		}
		// the format reading the most text wins (2026-01-02 03:04:05,250
		// also matches without its fraction)
		best, found := -1, int64(0)
		for _, f := range findTimestampFormats {
			p := &tsParser{s: text, i: i}
			if !p.run(f) || p.i <= best {
				continue
			}
			if t, err := p.f.time(loc); err == nil {
				best, found = p.i, t.UnixMilli()
			}
		}
		if best >= 0 {
			return found, true
		}
		// skip the rest of this word
		for i+1 < len(text) && strings.IndexByte(" \t,;[]()<>\"'=|", text[i+1]) < 0 {
			i++
		}
	}
	return 0, false
}
