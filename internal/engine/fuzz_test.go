package engine

import (
	"testing"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
)

// FuzzCompileRun: any query that parses either fails to compile with a
// diagnostic or runs over a few events; nothing panics.
func FuzzCompileRun(f *testing.F) {
	for _, seed := range []string{
		`#event_simpleName=ProcessRollup2 | groupBy(aid)`,
		`case { a=1 | b := 2; * => drop() }`,
		`x match { /a(?<y>b)/ => z := y * 2 ; * => * }`,
		`regex("(?<a.b>\\d+)", repeat=true) | stats([count(), max(a.b)])`,
		`table([a, b], sortby=b, order=asc, limit=2) | sort(a)`,
		`f := format("%05.2f %s", field=[n, s]) | formatTime("%F", field=n, as=t)`,
		`a in [1, "2*"] or cidr(ip, subnet="10.0.0.0/8") | top(a, percent=true, rest=other)`,
		`RemotePort in [80, 443] | in(a, values=[1, "1.0"]) | n=3.5`,
		// issue 16's functions
		`parseCEF(s) | parseLEEF(s) | parseCsv(s, columns=[c, d]) | writeJson([a, c]) | series([a, s], maxpause=1m)`,
		`f := format("%2$s %<x %,.2f %tF", field=[n, a, n]) | communityId(sourceip=ip, destinationip=ip, proto=a) | transpose()`,
		`array:sort("a[]", type=number) | objectArray:exists("a[]", condition={x=1}) | array:eval("a[]", var=v, function={a := v})`,
		`geohash(lat=n, lon=n, precision=5) | hash([a, b], limit=3) | subnet(ip, bits=8) | sample(50) | fieldstats()`,
		`setTimeInterval(start=7d) | slidingTimeWindow(sum(n), span=1h) | session(maxpause=1m) | percentage({a=1})`,
	} {
		f.Add(seed)
	}
	events := []*event.Event{
		ev("a", "1", "b", "x", "n", "3.5", "s", "str", "x", "abab", "ip", "10.1.1.1", "@timestamp", "1700000000000"),
		ev("a", "2*", "#event_simpleName", "ProcessRollup2", "aid", "h1", "@rawstring", "k=12 v=345"),
		ev(),
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, ds := cql.Parse(src)
		if ds.HasErrors() {
			return
		}
		p, ds := Compile(q, Options{Now: testNow})
		if ds.HasErrors() {
			if ds[0].Message == "" {
				t.Errorf("%q: diagnostic without message", src)
			}
			return
		}
		p.Run(events)
		if f := p.Prefilter(nil); f != nil {
			f.Match([]byte(`{"event_simpleName":"ProcessRollup2","a":"1"}`))
			f.Match([]byte(`{"a":1,"RemotePort":443,"n":3.5}`))
		}
	})
}
