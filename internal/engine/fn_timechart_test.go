package engine

import (
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

// at builds an event at minute m after 2026-01-01T00:00Z with more fields.
func at(m int64, kv ...string) *event.Event {
	const base = 1767225600000 // 2026-01-01T00:00:00Z
	e := ev(kv...)
	e.Set(event.Timestamp, event.FormatNumber(float64(base+m*60_000)))
	return e
}

func TestTimeChart(t *testing.T) {
	events := []*event.Event{
		at(0, "u", "a", "n", "1"), at(2, "u", "b", "n", "5"), at(4, "u", "a", "n", "2"),
		at(61, "u", "a", "n", "7"), at(125, "u", "c", "n", "1"),
	}
	tests := []struct {
		src  string
		want []string
	}{
		{"timeChart(span=1h)", []string{
			"_bucket=1767225600000 _count=3",
			"_bucket=1767229200000 _count=1",
			"_bucket=1767232800000 _count=1",
		}},
		{"timeChart(u, span=1h, function=sum(n))", []string{
			"_bucket=1767225600000 u=a _sum=3",
			"_bucket=1767225600000 u=b _sum=5",
			"_bucket=1767225600000 u=c",
			"_bucket=1767229200000 u=a _sum=7",
			"_bucket=1767229200000 u=b",
			"_bucket=1767229200000 u=c",
			"_bucket=1767232800000 u=a",
			"_bucket=1767232800000 u=b",
			"_bucket=1767232800000 u=c _sum=1",
		}},
		// limit keeps the series whose function over the range is largest
		{"timeChart(series=u, span=1h, limit=1)", []string{
			"_bucket=1767225600000 u=a _count=2",
			"_bucket=1767229200000 u=a _count=1",
			"_bucket=1767232800000 u=a _count=0",
		}},
		{"timeChart(span=1h, function=[count(), max(n)]) | _count > 1", []string{
			"_bucket=1767225600000 _count=3 _max=5",
		}},
		// empty buckets are filled with the function's empty result
		{"timeChart(span=30m)", []string{
			"_bucket=1767225600000 _count=3",
			"_bucket=1767227400000 _count=0",
			"_bucket=1767229200000 _count=1",
			"_bucket=1767231000000 _count=0",
			"_bucket=1767232800000 _count=1",
		}},
		// buckets=N splits the events' own time range (0..125 min) in N
		// spans; as in LogScale a trailing bucket may follow (the last event)
		{"timeChart(buckets=2)", []string{
			"_bucket=1767225600000 _count=4",
			"_bucket=1767229350000 _count=0",
			"_bucket=1767233100000 _count=1",
		}},
		// span=auto picks a standard span giving at most 100 buckets: 2h05m -> 5m
		{"timeChart() | _count > 0", []string{
			"_bucket=1767225600000 _count=3",
			"_bucket=1767229200000 _count=1",
			"_bucket=1767233100000 _count=1",
		}},
		// bucket() only has rows for non-empty groups
		{"bucket(span=1h, field=u)", []string{
			"_bucket=1767225600000 u=a _count=2",
			"_bucket=1767225600000 u=b _count=1",
			"_bucket=1767229200000 u=a _count=1",
			"_bucket=1767232800000 u=c _count=1",
		}},
		{"bucket(1d) | drop(_bucket)", []string{"_count=5"}},
		// a zone east of UTC moves day boundaries
		{"bucket(span=1d, timezone=\"Asia/Tokyo\")", []string{
			"_bucket=1767193200000 _count=5",
		}},
	}
	for _, tc := range tests {
		expect(t, tc.src, events, tc.want)
	}
}

func TestTimeChartSeriesLimitWarns(t *testing.T) {
	var events []*event.Event
	for i := 0; i < 12; i++ {
		events = append(events, at(int64(i), "u", string(rune('a'+i))))
	}
	rows, warns := run(t, "timeChart(u, span=1d)", events)
	if len(rows) != 10 {
		t.Errorf("got %d rows, want 10 series", len(rows))
	}
	if len(warns) != 1 {
		t.Errorf("want one truncation warning, got %q", warns)
	}
	if _, warns = run(t, "timeChart(u, span=1d, limit=10)", events); len(warns) != 0 {
		t.Errorf("explicit limit should not warn, got %q", warns)
	}
}

func TestTimeChartArgumentErrors(t *testing.T) {
	for _, src := range []string{
		"timeChart(span=5)",
		"timeChart(span=1month)",
		"timeChart(buckets=0)",
		"timeChart(buckets=2000)",
		"timeChart(limit=501)",
		"timeChart(timezone=Mars/Base)",
		"timeChart(unit=\"bytes/span to Kbytes/fortnight\")",
		"bucket(function=lower(x))",
	} {
		expectCompileError(t, src)
	}
}

func TestParseRelativeTime(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  bool
	}{
		{"15m", 15 * 60_000, false}, {"1hour", 3_600_000, false}, {"3 weeks", 21 * 86_400_000, false},
		{"60min", 3_600_000, false}, {"2d", 2 * 86_400_000, false}, {"500ms", 500, false},
		{"10", 0, true}, {"m", 0, true}, {"1month", 0, true}, {"5 parsecs", 0, true},
	}
	for _, tc := range tests {
		got, err := parseRelativeTime(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("parseRelativeTime(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestTimeChartUnits(t *testing.T) {
	events := []*event.Event{at(0, "b", "1048576"), at(1, "b", "1048576")}
	tests := []struct {
		src  string
		want []string
	}{
		// 2 MiB in one hour is 48 MiB a day
		{`timeChart(span=1h, function=sum(b), unit="bytes/span to Mi bytes/day")`, []string{"_bucket=1767225600000 _sum=48"}},
		{`timeChart(span=1d, function=sum(b), unit="bytes/span to Mibytes/day")`, []string{"_bucket=1767225600000 _sum=2"}},
		{`timeChart(span=1h, function=[sum(b), count()], unit=["bytes", "bytes/sec to bytes/min"])`, []string{"_bucket=1767225600000 _sum=2097152 _count=120"}},
	}
	for _, tc := range tests {
		expect(t, tc.src, events, tc.want)
	}
	expectCompileError(t, `timeChart(unit="bytes/span to seconds/day")`)
	expectCompileError(t, `timeChart(unit="bytes/span to bytes")`)
}
