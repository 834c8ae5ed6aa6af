package engine

import (
	"strconv"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestSlidingAndAccumulate(t *testing.T) {
	// examples-slidingtimewindow's data: head() | slidingTimeWindow(sum(value), span=3s)
	var events []*event.Event
	for _, r := range [][2]string{{"1", "1451606301001"}, {"4", "1451606301002"}, {"11", "1451606302400"}, {"2", "1451606304001"}, {"5", "1451606304003"}, {"1", "1451606305300"}} {
		events = append(events, ev("value", r[0], "@timestamp", r[1]))
	}
	expect(t, "head() | slidingTimeWindow(sum(value), span=3s) | select([value, _sum])", events, []string{
		"value=1 _sum=1", "value=4 _sum=5", "value=11 _sum=16", "value=2 _sum=17", "value=5 _sum=18", "value=1 _sum=19"})
	expect(t, "head() | slidingTimeWindow(sum(value), span=3s, current=exclude) | select([value, _sum])", events[:3], []string{
		"value=1", "value=4 _sum=1", "value=11 _sum=5"})
	expect(t, "head() | slidingWindow([sum(value), count()], events=2) | select([value, _sum, _count])", events[:4], []string{
		"value=1 _sum=1 _count=1", "value=4 _sum=5 _count=2", "value=11 _sum=15 _count=2", "value=2 _sum=13 _count=2"})
	expect(t, "head() | accumulate(sum(value)) | select([value, _sum])", events[:4], []string{
		"value=1 _sum=1", "value=4 _sum=5", "value=11 _sum=16", "value=2 _sum=18"})
	expect(t, "head() | accumulate(max(value), current=exclude) | select([value, _max])", events[:3], []string{
		"value=1", "value=4 _max=1", "value=11 _max=4"})
	expectCompileErrorMsg(t, "slidingWindow(sum(x))", "events")
}

func TestPartitionAndSession(t *testing.T) {
	ts := func(min int) string { return strconv.Itoa(1_700_000_000_000 + min*60_000) }
	clicks := []*event.Event{
		ev("cookie_id", "a", "@timestamp", ts(0), "bet", "5"),
		ev("cookie_id", "a", "@timestamp", ts(10), "bet", "9"),
		ev("cookie_id", "a", "@timestamp", ts(60), "bet", "1"),
		ev("cookie_id", "b", "@timestamp", ts(5), "bet", "7"),
	}
	// functions-session: find the visits with most clicks.
	expect(t, "groupBy(cookie_id, function=session(maxpause=15m, count(as=clicks))) | sort([cookie_id, clicks], order=[asc, desc])", clicks, []string{
		"cookie_id=a clicks=2", "cookie_id=a clicks=1", "cookie_id=b clicks=1"})
	// ... count unique visitors.
	expect(t, "groupBy(cookie_id, function=session(maxpause=15m)) | count()", clicks, []string{"_count=3"})
	// ... min and max of bet within each session.
	expect(t, "groupBy(cookie_id, function=session([max(bet), min(bet)])) | sort([cookie_id, _max], order=[asc, desc])", clicks, []string{
		"cookie_id=a _max=9 _min=5", "cookie_id=a _max=1 _min=1", "cookie_id=b _max=7 _min=7"})

	// partition: a new run before (or after) each event matching the condition.
	seq := []*event.Event{ev("v", "1", "k", "start"), ev("v", "2"), ev("v", "3", "k", "start"), ev("v", "4")}
	expect(t, "head() | partition(sum(v), condition={k=start})", seq, []string{"_sum=3", "_sum=7"})
	expect(t, "head() | partition(sum(v), condition={k=start}, split=after)", seq, []string{"_sum=1", "_sum=5", "_sum=4"})
}

func TestWindowInBuckets(t *testing.T) {
	day := int64(86_400_000)
	base := int64(1_700_006_400_000) // a UTC midnight
	var events []*event.Event
	for d, n := range []int{2, 4, 6, 8} {
		for range n {
			events = append(events, ev("@timestamp", strconv.FormatInt(base+int64(d)*day+1000, 10), "host", "a"))
		}
	}
	// functions-window: a running aggregate over buckets of bucket()/timeChart().
	expect(t, "bucket(span=1d, function=[count(as=n), window(count(as=w), buckets=2)]) | select([n, w])", events, []string{
		"n=2", "n=4 w=6", "n=6 w=10", "n=8 w=14"})
	// The corpus's form: per-day counts, then a window of stdDev and avg.
	expect(t, "bucket(span=1d, function=[sum(x, as=s), window([avg(x), max(x)], span=2d)]) | select([_avg, _max])",
		[]*event.Event{ev("@timestamp", strconv.FormatInt(base+1, 10), "x", "1"), ev("@timestamp", strconv.FormatInt(base+day+1, 10), "x", "3")},
		[]string{"", "_avg=2 _max=3"})
	expectCompileErrorMsg(t, "bucket(span=1d, function=window(count(), buckets=2, span=1d))", "exactly one")
}

func TestPercentage(t *testing.T) {
	events := []*event.Event{ev("status", "200"), ev("status", "201"), ev("status", "400"), ev("status", "500")}
	// functions-percentage: the share of successful requests, and error rates.
	expect(t, "percentage({status=2*})", events, []string{"_percentage=50"})
	expect(t, "[percentage({status=4*}, as=clientErrorPct), percentage({status=5*}, as=serverErrorPct)]", events, []string{"clientErrorPct=25 serverErrorPct=25"})
	expect(t, "groupBy(x, function=percentage({status=2*}))", []*event.Event{ev("x", "a", "status", "200"), ev("x", "a", "status", "404"), ev("x", "a", "status", "204")},
		[]string{"x=a _percentage=66.66666666666667"})
}

func TestSelfJoin(t *testing.T) {
	// examples-selfjoin: emails (one event per header) from peter to anders.
	events := []*event.Event{
		ev("email_id", "1", "from", "peter@example.com"),
		ev("email_id", "1", "to", "anders@example.com"),
		ev("email_id", "1", "subject", "hi"),
		ev("email_id", "2", "from", "peter@example.com"),
		ev("email_id", "2", "to", "bob@example.com"),
		ev("email_id", "3", "from", "eve@example.com"),
		ev("email_id", "3", "to", "anders@example.com"),
	}
	expect(t, "selfJoin(email_id, where=[{from=*peter*}, {to=*anders*}], collect=[from, to])", events,
		[]string{"email_id=1 from=peter@example.com to=anders@example.com"})
	expect(t, "selfJoin(email_id, where=[{from=*peter*}, {to=*anders*}], select=[subject])", events, []string{"email_id=1 subject=hi"})
	// prefilter: only events matching a clause are collated.
	expect(t, "selfJoin(email_id, where=[{from=*peter*}, {to=*anders*}], collect=[subject], prefilter=true)", events, []string{"email_id=1"})
	// postfilter re-checks the clauses on the collated row.
	expect(t, "selfJoin(email_id, where=[{from=*peter*}, {to=*anders*}], collect=[to], postfilter=true)", events, nil)
	expect(t, "selfJoin(email_id, where=[{from=*peter*}, {to=*anders*}], collect=[from, to], postfilter=true)", events,
		[]string{"email_id=1 from=peter@example.com to=anders@example.com"})
}
