package engine

import (
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

// TestFormatJavaFormatter pins format() to java.util.Formatter, which
// LogScale's printf-style format strings are: flags, argument indexes,
// conversions and %t dates.
func TestFormatJavaFormatter(t *testing.T) {
	events := []*event.Event{ev("x", "42", "y", "3.14159", "s", "abc", "n", "-7", "big", "1234567", "m", "-3.14159",
		"fb", "1234567.891", "tiny", "0.00001", "huge", "123456789", "t", "1700000000000", "a", "65")}
	tests := []struct{ format, fields, want string }{
		{"%05d", "x", "00042"},
		{"%-5s|", "s", "abc  |"},
		{"%5s|", "s", "  abc|"},
		{"%+d", "x", "+42"},
		{"% d", "x", " 42"},
		{"%(d", "n", "(7)"},
		{"%,d", "big", "1,234,567"},
		{"%x", "x", "2a"},
		{"%X", "x", "2A"},
		{"%#x", "x", "0x2a"},
		{"%o", "x", "52"},
		{"%#o", "x", "052"},
		{"%x", "n", "fffffffffffffff9"},
		{"%.2f", "y", "3.14"},
		{"%10.3f|", "y", "     3.142|"},
		{"%08.2f", "m", "-0003.14"},
		{"%,.2f", "fb", "1,234,567.89"},
		{"%e", "y", "3.141590e+00"},
		{"%.2E", "y", "3.14E+00"},
		{"%g", "y", "3.14159"},
		{"%g", "tiny", "1.00000e-05"},
		{"%g", "huge", "1.23457e+08"},
		{"%s-%s", "[s, x]", "abc-42"},
		{"%2$s %1$s", "[s, x]", "42 abc"},
		{"%s %<S", "s", "abc ABC"},
		{"%b %B", "[s, missing]", "true FALSE"},
		{"%.2s", "s", "ab"},
		{"%c", "a", "A"},
		{"%h", "s", "17862"},
		{"100%%", "s", "100%"},
		{"%tF %<tT", "t", "2023-11-14 22:13:20"},
		{"%tY-%<tm-%<td %<tH:%<tM:%<tS.%<tL %<tz", "t", "2023-11-14 22:13:20.000 +0000"},
		{"%tB %<te, %<tY %<tl:%<tM %<tp", "t", "November 14, 2023 10:13 pm"},
		{"%tQ %<ts", "t", "1700000000000 1700000000"},
	}
	for _, tc := range tests {
		src := `f := format("` + tc.format + `", field=` + tc.fields + `) | select(f)`
		expect(t, src, events, []string{"f=" + tc.want})
	}
	// timezone= applies to %t, fixed offsets included.
	expect(t, `f := format("%tH:%<tM %<tz", field=t, timezone="-05:00") | select(f)`, events, []string{"f=17:13 -0500"})
	expect(t, `f := format("%tR", field=t, timezone="Europe/Berlin") | select(f)`, events, []string{"f=23:13"})
	// A number conversion over text is null, so the field is not set.
	expect(t, `f := format("%d", field=s) | select(f)`, events, []string{""})
	for _, bad := range []string{`format("%q", field=x)`, `format("%<s", field=x)`, `format("%tX", field=x)`, `format("%1001d", field=x)`} {
		expectCompileError(t, bad)
	}
}

// TestNumericZoneOffsets: every timezone= parameter takes Java's fixed
// offsets (-05:00, +0530, UTC+2) as well as IANA names.
func TestNumericZoneOffsets(t *testing.T) {
	events := []*event.Event{ev("t", "1700000000000", "z", "+05:30")}
	expect(t, `h := time:hour(t, timezone="-05:00") | select(h)`, events, []string{"h=17"})
	expect(t, `h := time:hour(t, timezone="UTC+2") | select(h)`, events, []string{"h=0"})
	expect(t, `h := time:hour(t, timezoneField=z) | select(h)`, events, []string{"h=3"})
	expect(t, `f := formatTime("%H:%M", field=t, timezone="+0530") | select(f)`, events, []string{"f=03:43"})
	expect(t, `parseTimestamp("yyyy-MM-dd HH:mm", field=s, timezone="-05:00") | select(@timestamp)`,
		[]*event.Event{ev("s", "2023-11-14 17:13")}, []string{"@timestamp=1699999980000"})
}

func TestTrigMath(t *testing.T) {
	events := []*event.Event{ev("one", "1", "zero", "0", "half", "0.5", "d", "180", "two", "2")}
	expect(t, "a := math:arccos(one) | b := math:arcsin(one) | c := math:arctan(one) | select([a, b, c])", events,
		[]string{"a=0 b=1.5707963267948966 c=0.7853981633974483"})
	expect(t, "math:deg2rad(d) | math:rad2deg(half) | select([_deg2rad, _rad2deg])", events, []string{"_deg2rad=3.141592653589793 _rad2deg=28.64788975654116"})
	expect(t, "math:cosh(zero) | math:sinh(zero) | math:tanh(zero) | math:expm1(zero) | math:log1p(zero) | select([_cosh, _sinh, _tanh, _expm1, _log1p])", events,
		[]string{"_cosh=1 _sinh=0 _tanh=0 _expm1=0 _log1p=0"})
	expect(t, "math:arctan2(x=zero, y=one) | select(_arctan2)", events, []string{"_arctan2=1.5707963267948966"})
	expect(t, "math:arccos(two) | select(_arccos)", events, []string{""})
}

func TestEventInformation(t *testing.T) {
	events := []*event.Event{ev("a", "xyz", "b", "12", "#type", "syslog")}
	expect(t, "eventFieldCount() | eventSize() | select([_eventFieldCount, _eventSize])", events, []string{"_eventFieldCount=3 _eventSize=12"})
	expect(t, "n := eventFieldCount() | select(n)", events, []string{"n=3"})
	expect(t, `copyEvent(type=copy) | select([a, #type])`, events, []string{"a=xyz #type=syslog", "a=xyz #type=copy"})
}
