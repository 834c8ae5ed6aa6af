package engine

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tiercel/tiercel/internal/event"
)

// distinctEvents gives n events, each with its own k and a 100-byte pad.
func distinctEvents(n int) []*event.Event {
	pad := strings.Repeat("p", 100)
	out := make([]*event.Event, n)
	for i := range out {
		out[i] = ev("@timestamp", strconv.Itoa(1_700_000_000_000+i), "k", "key-"+strconv.Itoa(i), "pad", pad)
	}
	return out
}

// Every stateful function that keeps state per event stops the query with
// an error naming it and the limit, once what it holds passes the budget;
// no rows come out and nothing panics. (table() and sort() rows go to a
// temporary file instead: TestRowsSpillPastTheBudget.)
func TestMemoryBudgetStopsQuery(t *testing.T) {
	events := distinctEvents(20_000)
	tests := []struct {
		query string
		fn    string
		opts  Options
	}{
		{`groupBy(k)`, "groupBy", Options{}},
		{`groupBy(k, function={ tail(5) })`, "groupBy", Options{}},
		{`top(k)`, "top", Options{}},
		{`collect(k, limit=100000)`, "collect", Options{}},
		{`join(query={k=*}, field=k, limit=200000)`, "join", Options{}},
		{`defineTable(name=t, query={k=*}, include=[k, pad]) | match(table=t, field=k)`, "defineTable", Options{}},
		{`regex("(?<c>p)", field=long, repeat=true, limit=1000) | count()`, "regex", Options{}},
		{`count(k, distinct=true)`, "count", Options{}},
		{`neighbor(k)`, "neighbor", Options{}},
		{`sankey(source=k, target=pad)`, "sankey", Options{}},
		{`selfJoinFilter(field=k, where=[{k=*}, {pad=*}])`, "selfJoinFilter", Options{}},
	}
	// one long line: every match copies it
	events = append(events, ev("long", strings.Repeat("p", 100_000)))
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			opts := tt.opts
			opts.Limits = Limits{Memory: 1 << 20}
			p := compileQuery(t, tt.query, opts)
			rows, _ := p.Run(events)
			var le *LimitError
			if err := p.Err(); !errors.As(err, &le) || le.Func != tt.fn || !errors.Is(err, ErrLimit) {
				t.Fatalf("Err() = %v, want a limit error of %s()", err, tt.fn)
			}
			if msg := p.Err().Error(); !strings.Contains(msg, "1 MiB") || !strings.Contains(msg, "--max-memory") {
				t.Errorf("message %q does not name the limit and its flag", msg)
			}
			if len(rows) != 0 {
				t.Errorf("%d rows after the query was stopped", len(rows))
			}
		})
	}
	// the same queries within the default budget run to the end
	p := compileQuery(t, `groupBy(k) | count()`, Options{})
	if rows, _ := p.Run(events); p.Err() != nil || len(rows) != 1 || row(rows[0]) != "_count=20000" {
		t.Errorf("default budget: %v, %d rows", p.Err(), len(rows))
	}
}

// Memory held by a finished aggregate is given back: a chain of
// aggregates each under the budget passes, however many rows flow.
func TestMemoryBudgetReleased(t *testing.T) {
	events := distinctEvents(3000)
	p := compileQuery(t, `groupBy(k) | sort(k, limit=max) | groupBy(k) | count()`, Options{Limits: Limits{Memory: 2 << 20}})
	rows, _ := p.Run(events)
	if p.Err() != nil || len(rows) != 1 || row(rows[0]) != "_count=3000" {
		t.Errorf("err %v, rows %v", p.Err(), rows)
	}
}

// A value built past --max-value, and an event given more fields than
// --max-fields, stop the query naming the function.
func TestValueAndFieldLimits(t *testing.T) {
	q := `y := concat([y, y])`
	for range 30 {
		q += ` | y := concat([y, y])`
	}
	p := compileQuery(t, q, Options{})
	start := time.Now()
	p.Run([]*event.Event{ev("y", "ab")})
	var le *LimitError
	if !errors.As(p.Err(), &le) || le.Func != "concat" || !strings.Contains(le.Error(), "32 MiB") {
		t.Errorf("Err() = %v, want concat() over 32 MiB", p.Err())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}

	p = compileQuery(t, `splitString(field=s, by=",")`, Options{Limits: Limits{MaxFields: 1000}})
	p.Run([]*event.Event{ev("s", strings.Repeat("a,", 5000))})
	if !errors.As(p.Err(), &le) || le.Func != "splitString" || !strings.Contains(le.Error(), "--max-fields") {
		t.Errorf("Err() = %v, want splitString() over the field limit", p.Err())
	}
	var obj strings.Builder
	obj.WriteString(`{"a0":0`)
	for i := 1; i < 2000; i++ {
		fmt.Fprintf(&obj, `,"a%d":%d`, i, i)
	}
	obj.WriteString("}")
	for fn, q := range map[string]string{"parseJson": `parseJson(j)`, "kvParse": `kvParse(kv)`} {
		p = compileQuery(t, q, Options{Limits: Limits{MaxFields: 1000}})
		p.Run([]*event.Event{ev("j", obj.String(), "kv", strings.Repeat("k=v ", 10)+strings.TrimSpace(strings.ReplaceAll(obj.String()[1:len(obj.String())-1], `":`, "=")))})
		if !errors.As(p.Err(), &le) || le.Func != fn {
			t.Errorf("%s: Err() = %v", fn, p.Err())
		}
	}
}

// A regex with thousands of named groups is refused when compiled.
func TestRegexGroupLimit(t *testing.T) {
	var b strings.Builder
	for i := range MaxRegexGroups + 1 {
		fmt.Fprintf(&b, "(?<g%d>x)", i)
	}
	if _, err := compileRegex(b.String(), ""); err == nil || !strings.Contains(err.Error(), "too many named groups") {
		t.Errorf("err %v", err)
	}
}

// splitString into a million elements is linear (with a field scan per
// element it took minutes).
func TestSplitStringLinear(t *testing.T) {
	p := compileQuery(t, `splitString(field=s, by=",", as=a) | n := a[999990]`, Options{})
	start := time.Now()
	rows, _ := p.Run([]*event.Event{ev("s", strings.Repeat("x,", 999_990)+"last")})
	if d := time.Since(start); d > 60*time.Second { // quadratic: 100k took 13 s, 1M would take 20 min
		t.Errorf("took %v", d)
	}
	if len(rows) != 1 {
		t.Fatalf("%d rows (%v)", len(rows), p.Err())
	}
	if v, _ := rows[0].Get("n"); v != "last" {
		t.Errorf("a[999990] = %q", v)
	}
}

// A backtracking regex that times out decides nothing: the event is
// neither matched nor excluded (under not either), it is counted, and once
// the query's regex time is spent later events are not even tried.
func TestRegexTimeoutUndecided(t *testing.T) {
	events := []*event.Event{ev("s", "b", "i", "ok")}
	for i := range 60 { // 6 s of timeouts without the query's budget
		events = append(events, ev("s", strings.Repeat("a", 30)+"b", "i", strconv.Itoa(i)))
	}
	for _, q := range []string{`s=/(?=a)(a+)+$|b$/`, `not s=/(?=a)(a+)+$|b$/`, `regex("(?=a)(a+)+$|b$", field=s) | count()`,
		`replace("(?=a)(a+)+$|b$", with="x", field=s) | count()`} {
		t.Run(q, func(t *testing.T) {
			p := compileQuery(t, q, Options{Limits: Limits{RegexTime: 250 * time.Millisecond}})
			start := time.Now()
			rows, _ := p.Run(events)
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v: the query's regex time was not enforced", d)
			}
			for _, r := range rows {
				if i, _ := r.Get("i"); i != "" && i != "ok" {
					t.Errorf("undecided event %s in the results", i)
				}
			}
			u := p.Undecided()
			if len(u) != 1 || u[0].Events != 60 || !strings.HasPrefix(u[0].Pattern, "/(?=a)(a+)+$|b$/") {
				t.Errorf("Undecided() = %+v, want 60 events for the pattern", u)
			}
			if w := p.UndecidedWarnings(); len(w) != 1 || !strings.Contains(w[0], "60 event(s)") {
				t.Errorf("warnings %q", w)
			}
		})
	}
}

// Limits that cut rows say so with the count cut, limit=max included; a
// join whose sub-query gives more rows than its limit keeps only those and
// says how many it dropped.
func TestTruncationStated(t *testing.T) {
	n := maxRowLimit + 50
	events := make([]*event.Event, n)
	for i := range events {
		events[i] = ev("n", strconv.Itoa(i))
	}
	tests := []struct{ query, want string }{
		{`sort(n, limit=max)`, "sort(): 200050 rows, only the first 200000 are shown, 50 cut (limit=max"},
		{`join(query={n=*}, field=n) | count()`, "join(): the sub-query gave 200050 rows; only the first 100000 are used, 100050 cut (the default limit=100000"},
		{`join(query={n=*}, field=n, limit=200000) | count()`, "join(): the sub-query gave 200050 rows; only the first 200000 are used, 50 cut (limit=200000; at most 200000)"},
		{`groupBy(n, limit=max) | count()`, ""},
		{`groupBy(n, limit=200000) | count()`, "groupBy(): more than 200000 groups; results are partial: 50 event(s) of further groups were not counted"},
		{`top(n, limit=5)`, "top(): 200050 distinct values, the 5 first shown, 200045 cut by limit=5"},
		{`collect(n)`, "collect(): more than 2000 distinct values of a field; 198050 value(s) past the limit were not collected (limit=2000)"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			p := compileQuery(t, tt.query, Options{})
			_, warns := p.Run(events)
			got := strings.Join(warns, "\n")
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("warnings %q, want %q", got, tt.want)
			}
		})
	}
}

// A program run again (a service runs the same rules every few minutes)
// does not pile up the charges of its join tables: each run's passes give
// back what the last ones kept.
func TestMemoryBudgetRepeatedRuns(t *testing.T) {
	events := distinctEvents(2000)
	p := compileQuery(t, `join(query={k=*}, field=k) | count()`, Options{Limits: Limits{Memory: 2 << 20}})
	for i := range 20 {
		rows, _ := p.Run(events)
		if p.Err() != nil || len(rows) != 1 || row(rows[0]) != "_count=2000" {
			t.Fatalf("run %d: err %v, rows %v", i, p.Err(), rows)
		}
	}
}
