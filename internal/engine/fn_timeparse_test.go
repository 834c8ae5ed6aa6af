package engine

import (
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestTimeParts(t *testing.T) {
	// 2026-01-04T23:30:15.250Z is a Sunday, ISO week 1
	events := []*event.Event{ev("@timestamp", "1767569415250", "tz", "Asia/Tokyo")}
	tests := []struct {
		src  string
		want []string
	}{
		{"time:hour() | select(_hour)", []string{"_hour=23"}},
		{"h := time:hour(timezone=\"Asia/Tokyo\") | select(h)", []string{"h=8"}},
		{"time:hour(timezoneField=tz, as=h) | select(h)", []string{"h=8"}},
		{"time:dayOfWeek() | select(_dayOfWeek)", []string{"_dayOfWeek=7"}},
		{"time:dayOfWeekName() | select(_dayOfWeekName)", []string{"_dayOfWeekName=Sunday"}},
		{"time:monthName() | select(_monthName)", []string{"_monthName=January"}},
		{"time:weekOfYear() | select(_weekOfYear)", []string{"_weekOfYear=1"}},
		{"time:millisecond() | select(_millisecond)", []string{"_millisecond=250"}},
		{"time:dayOfYear() | select(_dayOfYear)", []string{"_dayOfYear=4"}},
		{"time:year(field=tz) | select(_year)", []string{""}},
	}
	for _, tc := range tests {
		expect(t, tc.src, events, tc.want)
	}
}

func TestFormatDuration(t *testing.T) {
	events := []*event.Event{ev("d", "23452553", "s", "90061", "z", "0", "f", "1.5", "n", "-1500")}
	tests := []struct {
		src  string
		want []string
	}{
		{"formatDuration(d) | select(d)", []string{"d=6h30m52s553ms"}},
		{"formatDuration(d, precision=2) | select(d)", []string{"d=6h30m"}},
		{"formatDuration(s, from=s, as=o) | select(o)", []string{"o=1d1h1m1s"}},
		{"formatDuration(z) | select(z)", []string{"z=0ms"}},
		{"formatDuration(f) | select(f)", []string{"f=1.5"}},
		{"formatDuration(n) | select(n)", []string{"n=-1s500ms"}},
	}
	for _, tc := range tests {
		expect(t, tc.src, events, tc.want)
	}
	expectCompileError(t, "formatDuration(d, from=fortnight)")
}

func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		src, in, want string
	}{
		{`parseTimestamp(field=t)`, "2026-01-02T03:04:05Z", "1767323045000"},
		{`parseTimestamp(field=t)`, "2026-01-02T03:04:05.123456+01:00", "1767319445123"},
		{`parseTimestamp("yyyy-MM-dd HH:mm:ss", field=t)`, "2026-01-02 03:04:05", "1767323045000"},
		{`parseTimestamp("yyyy-MM-dd HH:mm:ss", field=t, timezone="Asia/Tokyo")`, "2026-01-02 03:04:05", "1767290645000"},
		{`parseTimestamp("dd/MMM/yyyy:HH:mm:ss Z", field=t)`, "02/Jan/2026:03:04:05 -0500", "1767341045000"},
		{`parseTimestamp("MMM d, yyyy h:mm:ss a", field=t)`, "Jan 2, 2026 3:04:05 pm", "1767366245000"},
		{`parseTimestamp("EEE MMM dd HH:mm:ss zzz yyyy", field=t)`, "Fri Jan 02 03:04:05 UTC 2026", "1767323045000"},
		{`parseTimestamp("yyyyMMdd'T'HHmmss", field=t)`, "20260102T030405", "1767323045000"},
		{`parseTimestamp("MMM dd yyyy", field=t, caseSensitive=false)`, "JAN 02 2026", "1767312000000"},
		{`parseTimestamp(seconds, field=t)`, "1767323045.5", "1767323045500"},
		{`parseTimestamp(format=millis, field=t)`, "1767323045123", "1767323045123"},
		{`parseTimestamp(format=nanos, field=t)`, "1767323045123456789", "1767323045123"},
	}
	for _, tc := range tests {
		expect(t, tc.src+" | select(@timestamp)", []*event.Event{ev("t", tc.in)}, []string{"@timestamp=" + tc.want})
	}
	// failures add @error unless addErrors=false; other fields stay
	bad := []*event.Event{ev("t", "2026-13-02T03:04:05Z")}
	expect(t, `parseTimestamp(field=t, as=ts) | select([ts, @error])`, bad, []string{"@error=true"})
	expect(t, `parseTimestamp(field=t, addErrors=false) | select([@timestamp, @error])`, bad, []string{""})
	expect(t, `parseTimestamp("MMM dd yyyy", field=t) | select(@error)`, []*event.Event{ev("t", "JAN 02 2026")}, []string{"@error=true"})
	for _, src := range []string{
		`parseTimestamp("yyyy-MM-dd[", field=t)`,
		`parseTimestamp("yyyy 'x", field=t)`,
		`parseTimestamp("qqq", field=t)`,
		`parseTimestamp(field=t, timezone="Nowhere/City")`,
	} {
		expectCompileError(t, src)
	}
}

func TestFindTimestamp(t *testing.T) {
	tests := []struct {
		raw, want string
	}{
		{"INFO 2026-01-02T03:04:05.5Z started", "@timestamp=1767323045500"},
		{"2026-01-02 03:04:05,250 WARN x", "@timestamp=1767323045250"},
		{`10.0.0.1 - - [02/Jan/2026:03:04:05 +0100] "GET /"`, "@timestamp=1767319445000"},
		{"id=42 at 2026/01/02 03:04:05", "@timestamp=1767323045000"},
		{"Fri Jan 2 03:04:05 UTC 2026 boot", "@timestamp=1767323045000"},
		{"no time here 12345", "@error=true"},
	}
	for _, tc := range tests {
		expect(t, "findTimestamp() | select([@timestamp, @error])", []*event.Event{ev("@rawstring", tc.raw)}, []string{tc.want})
	}
	expect(t, `findTimestamp(field=m, as=ts, timezone="Asia/Tokyo", addErrors=false) | select([ts, @error])`,
		[]*event.Event{ev("m", "at 2026-01-02 03:04:05 ok"), ev("m", "none")}, []string{"ts=1767290645000", ""})
}
