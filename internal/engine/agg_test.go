package engine

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tiercel/tiercel/internal/event"
)

var statusEvents = []*event.Event{
	ev("status_code", "440", "ip", "1.111.111.111"), ev("status_code", "500", "ip", "1.111.111.111"),
	ev("status_code", "440", "ip", "1.111.111.111"), ev("status_code", "440", "ip", "2.222.222.222"),
	ev("ip", "3.3.3.3"), // no key: not grouped
}

func TestGroupBy(t *testing.T) {
	tests := []struct {
		query string
		want  []string
	}{
		// spec §12 #1-#3
		{`groupBy(status_code)`, []string{"status_code=440 _count=3", "status_code=500 _count=1"}},
		{`groupBy(status_code, function=[])`, []string{"status_code=440", "status_code=500"}},
		{`groupBy([status_code, ip], function=[])`, []string{
			"status_code=440 ip=1.111.111.111", "status_code=500 ip=1.111.111.111", "status_code=440 ip=2.222.222.222"}},
		{`groupBy(status_code, function=[count(), count(ip, distinct=true, as=ips)])`, []string{
			"status_code=440 _count=3 ips=2", "status_code=500 _count=1 ips=1"}},
		{`groupBy(ip, function=collect(status_code))`, []string{
			"ip=1.111.111.111 status_code=440\n500", "ip=2.222.222.222 status_code=440", "ip=3.3.3.3"}},
		{`groupBy(status_code, function={ ip=1* | count(as=n) })`, []string{"status_code=440 n=2", "status_code=500 n=1"}},
		{`groupBy(status_code) | _count > 1`, []string{"status_code=440 _count=3"}},
		{`groupBy(status_code, limit=1)`, []string{"status_code=440 _count=3"}},
		{`count()`, []string{"_count=5"}},
		{`count(status_code)`, []string{"_count=4"}},
		{`n := count(ip, distinct=true)`, []string{"n=3"}},
		{`[count(), max(status_code)]`, []string{"_count=5 _max=500"}},
		{`stats([min(status_code, as=lo), avg(status_code)])`, []string{"lo=440 _avg=455"}},
		{`sum(nothing)`, nil},                             // no numbers: no row
		{`[sum(nothing), count()]`, []string{"_count=5"}}, // stats counts it as one empty row
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) { expectAnyOrder(t, tt.query, statusEvents, tt.want) })
	}
}

func TestStatsCartesian(t *testing.T) {
	xs := []*event.Event{ev("x", "1"), ev("x", "2"), ev("x", "9"), ev("x", "10")}
	// spec §12 #14 (kvParse replaced by pre-split fields)
	expectAnyOrder(t, `stats([avg(x), table([x])])`, xs, []string{"_avg=5.5 x=1", "_avg=5.5 x=2", "_avg=5.5 x=9", "_avg=5.5 x=10"})
	// spec §12 #15: avg over non-numbers yields no row, counted as one empty row
	xy := []*event.Event{ev("x", "1", "y", "N/A"), ev("x", "2", "y", "N/A")}
	expectAnyOrder(t, `stats([sum(x, as=sumX), avg(y, as=avgY), table([x, y])])`, xy, []string{"sumX=3 x=1 y=N/A", "sumX=3 x=2 y=N/A"})
}

func TestTop(t *testing.T) {
	repos := []*event.Event{}
	for _, r := range []string{"frontend-app", "backend-api", "frontend-app", "database-service", "frontend-app", "backend-api", "monitoring-tool", "frontend-app"} {
		repos = append(repos, ev("repo", r))
	}
	// spec §12 #10 (ties keep first-seen order)
	expect(t, `top(repo)`, repos, []string{"repo=frontend-app _count=4", "repo=backend-api _count=2",
		"repo=database-service _count=1", "repo=monitoring-tool _count=1"})
	expect(t, `top(repo, limit=1, percent=true, rest=others)`, repos, []string{"repo=frontend-app _count=4 percent=50", "repo=others _count=4"})
}

func TestDropExamples(t *testing.T) {
	one := []*event.Event{ev("f1", "a", "f2", "b", "f3", "c")}
	expect(t, `drop(f1)`, one, []string{"f2=b f3=c"})  // spec §12 #4
	expect(t, `drop([f2, f3])`, one, []string{"f1=a"}) // spec §12 #5
	expect(t, `dropEvent()`, one, nil)                 // removes the event
	expect(t, `f1=a | dropEvent() | count()`, one, []string{"_count=0"})
}

func logEvents() []*event.Event {
	levels := []string{"ERROR", "INFO", "ERROR", "WARN", "ERROR", "INFO", "ERROR", "ERROR", "INFO", "ERROR", "ERROR", "ERROR"}
	base := time.Date(2025, 8, 6, 10, 0, 0, 0, time.UTC)
	var out []*event.Event
	for i, l := range levels {
		ts := base.Add(time.Duration(i*5) * time.Second).UnixMilli()
		out = append(out, ev("@timestamp", strconv.FormatInt(ts, 10), "loglevel", l, "n", strconv.Itoa(i)))
	}
	// shuffle time order: head/tail follow @timestamp, not input order
	out[0], out[11] = out[11], out[0]
	return out
}

func TestHeadTailSort(t *testing.T) {
	events := logEvents()
	pick := func(q string) string {
		got, _ := run(t, q+" | select([n])", events)
		return strings.Join(got, ",")
	}
	tests := []struct{ query, want string }{
		// spec §12 #6: the ERROR events, oldest first
		{`loglevel=ERROR | head(10)`, "n=0,n=2,n=4,n=6,n=7,n=9,n=10,n=11"},
		{`head(3)`, "n=0,n=1,n=2"},
		{`tail(2)`, "n=10,n=11"},
		{`sort(n, type=number, order=asc, limit=3)`, "n=0,n=1,n=2"},
		{`sort(n, type=string, order=asc, limit=3)`, "n=0,n=1,n=10"},
		{`sort([loglevel, n], order=[asc, desc], limit=4)`, "n=11,n=10,n=9,n=7"},
		{`sort(@timestamp, limit=2)`, "n=11,n=10"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if got := pick(tt.query); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSortHex(t *testing.T) {
	events := []*event.Event{ev("h", "0x1f"), ev("h", "a"), ev("h", "0x2")}
	expect(t, `sort(h, type=hex, order=asc)`, events, []string{"h=0x2", "h=a", "h=0x1f"})
}

func manyEvents(n int) []*event.Event {
	out := make([]*event.Event, n)
	for i := range out {
		out[i] = ev("@timestamp", strconv.Itoa(1_700_000_000_000+i), "i", strconv.Itoa(i))
	}
	return out
}

// TestRowLimits: LogScale's default 200-row limits, limit=max, hunt mode.
// Every limit that cuts rows says so, an explicit one too.
func TestRowLimits(t *testing.T) {
	events := manyEvents(250)
	tests := []struct {
		query     string
		opts      Options
		rows      int
		first     string
		truncated bool
	}{
		{`table([i])`, Options{}, 200, "i=249", true}, // newest first
		{`table([i], limit=max)`, Options{}, 250, "i=249", false},
		{`table([i], limit=10)`, Options{}, 10, "i=249", true}, // explicit: still stated
		{`table([i])`, Options{Unlimited: true}, 250, "i=249", false},
		{`sort(i)`, Options{}, 200, "@timestamp=1700000000249 i=249", true},
		{`head()`, Options{}, 200, "@timestamp=1700000000000 i=0", true},
		{`tail()`, Options{}, 200, "@timestamp=1700000000050 i=50", true},
		{`head(5)`, Options{Unlimited: true}, 5, "@timestamp=1700000000000 i=0", true},
		{`head(250)`, Options{Unlimited: true}, 250, "@timestamp=1700000000000 i=0", false},
		{`select([i])`, Options{}, 250, "i=0", false}, // no implicit tail(200) in exports
		{`i=*`, Options{}, 250, "@timestamp=1700000000000 i=0", false},
		{`groupBy(i, limit=100)`, Options{}, 100, "i=0 _count=1", true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%+v", tt.query, tt.opts.Unlimited), func(t *testing.T) {
			p := compileQuery(t, tt.query, tt.opts)
			rows, warns := p.Run(events)
			if len(rows) != tt.rows {
				t.Fatalf("%d rows, want %d", len(rows), tt.rows)
			}
			if got := row(rows[0]); got != tt.first {
				t.Errorf("first row %q, want %q", got, tt.first)
			}
			if (len(warns) > 0) != tt.truncated {
				t.Errorf("warnings %v, want truncation=%v", warns, tt.truncated)
			}
		})
	}
}
