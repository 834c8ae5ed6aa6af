package engine

import (
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestTranspose(t *testing.T) {
	// functions-transpose: groupBy(loglevel) | transpose()
	var events []*event.Event
	for lvl, n := range map[string]int{"ERROR": 2, "WARN": 4, "INFO": 3} {
		for range n {
			events = append(events, ev("loglevel", lvl))
		}
	}
	expect(t, "groupBy(loglevel) | sort(loglevel, order=asc) | transpose()", events, []string{
		"column=_count row[1]=2 row[2]=3 row[3]=4",
		"column=loglevel row[1]=ERROR row[2]=INFO row[3]=WARN",
	})
	// ... | transpose(header=loglevel)
	expect(t, "groupBy(loglevel) | sort(loglevel, order=asc) | transpose(header=loglevel)", events, []string{"column=_count ERROR=2 INFO=3 WARN=4"})
	expect(t, "groupBy(loglevel) | sort(loglevel, order=asc) | transpose(loglevel)", events, []string{"loglevel=_count ERROR=2 INFO=3 WARN=4"})
	expect(t, "groupBy(loglevel) | sort(loglevel, order=asc) | transpose(limit=1, column=name)", events, []string{"name=_count row[1]=2", "name=loglevel row[1]=ERROR"})
	expectCompileErrorMsg(t, "transpose(limit=1001)", "exceeds the maximum")
}

func TestSeries(t *testing.T) {
	events := []*event.Event{
		ev("@timestamp", "1000", "id", "a", "msg", "login"),
		ev("@timestamp", "3000", "id", "a", "msg", "read"),
		ev("@timestamp", "2000", "id", "b", "msg", "login"),
		ev("@timestamp", "60000", "id", "a", "msg", "logout"),
		ev("@timestamp", "61000", "id", "a"),
	}
	// functions-series: combined with groupBy() it gathers transactions by id.
	expect(t, `groupBy(id, function=series(collect=msg, separator=",")) | sort(id, order=asc)`, events, []string{
		"id=a @timestamp=1000 _duration=60000 msg=login,read,logout",
		"id=b @timestamp=2000 _duration=0 msg=login",
	})
	// The default separator is a newline; maxpause splits the sequence.
	expect(t, `id = a | series(msg, maxpause=10s)`, events, []string{
		"@timestamp=1000 _duration=2000 msg=login\nread",
		"@timestamp=60000 _duration=1000 msg=logout",
	})
	expect(t, `id = a | series(msg, maxduration=1s, separator="|")`, events, []string{
		"@timestamp=1000 _duration=0 msg=login", "@timestamp=3000 _duration=0 msg=read", "@timestamp=60000 _duration=1000 msg=logout"})
	// startmatch ignores events before a start; endmatch ends a series.
	expect(t, `series(msg, separator="|", startmatch={msg=read})`, events, []string{"@timestamp=3000 _duration=58000 msg=read|logout"})
	expect(t, `series(msg, separator="|", endmatch={msg=login})`, events, []string{
		"@timestamp=1000 _duration=0 msg=login", "@timestamp=2000 _duration=0 msg=login", "@timestamp=3000 _duration=58000 msg=read|logout"})
	// memlimit bounds the collected bytes.
	p := compileQuery(t, `series(msg, memlimit=8)`, Options{})
	rows, warns := p.Run(events)
	if len(rows) != 1 || len(warns) != 1 {
		t.Errorf("memlimit: rows %v warnings %v", rows, warns)
	}
	expectCompileErrorMsg(t, `series(msg, memlimit=lots)`, "memlimit must be")
}
