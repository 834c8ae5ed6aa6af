package engine

import (
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestSelectFunctions(t *testing.T) {
	events := []*event.Event{
		ev("@timestamp", "3", "id", "a", "from", "x1", "n", "5"),
		ev("@timestamp", "1", "id", "a", "to", "y0", "from", "x0", "n", "9"),
		ev("@timestamp", "2", "id", "a", "to", "y2", "n", "1"),
		ev("@timestamp", "4", "id", "b", "to", "z", "n", "abc"),
	}
	tests := []struct {
		src  string
		want []string
	}{
		// the doc example: each event contributes the fields it has
		{"groupBy(id, function=selectLast([from, to]))", []string{"id=a from=x1 to=y2", "id=b to=z"}},
		{"selectLast(to)", []string{"to=z"}},
		{"selectLast(missing)", nil},
		{"selectFromMax(n, include=[id, @timestamp])", []string{"id=a @timestamp=1"}},
		{"selectFromMin(field=n, include=[to, id])", []string{"to=y2 id=a"}},
		// a group where nothing was selected still has its key row (stats rules)
		{"groupBy(id, function=selectFromMax(n, include=to))", []string{"id=a to=y0", "id=b"}},
		// after an aggregate there is no time: the later row wins
		{"groupBy(id) | selectLast(id)", []string{"id=b"}},
	}
	for _, tc := range tests {
		expect(t, tc.src, events, tc.want)
	}
	for _, src := range []string{"selectFromMax(n)", "selectLast()"} {
		expectCompileError(t, src)
	}
}

func TestSankey(t *testing.T) {
	events := []*event.Event{
		ev("method", "GET", "url", "/a", "bytes", "10"),
		ev("method", "GET", "url", "/a", "bytes", "5"),
		ev("method", "POST", "url", "/a", "bytes", "7"),
		ev("method", "GET", "url", "/b"),
		ev("url", "/c"),
	}
	expect(t, "sankey(source=method, target=url)", events, []string{
		"source=GET target=/a weight=2",
		"source=POST target=/a weight=1",
		"source=GET target=/b weight=1",
	})
	expect(t, "sankey(source=method, target=url, weight=sum(bytes)) | weight > 7", events, []string{
		"source=GET target=/a weight=15",
	})
	expectCompileError(t, "sankey(source=method)")
	expectCompileError(t, "sankey(source=a, target=b, weight=[sum(x), max(y)])")
}

func TestNeighbor(t *testing.T) {
	events := []*event.Event{ev("ts", "3", "u", "c"), ev("ts", "1", "u", "a"), ev("ts", "2", "u", "b")}
	expect(t, "sort(ts, order=asc) | neighbor(u, prefix=prev)", events, []string{
		"ts=1 u=a", "ts=2 u=b prev.u=a", "ts=3 u=c prev.u=b",
	})
	expect(t, "sort(ts, order=asc) | neighbor([u, ts], direction=succeeding, distance=2, prefix=n)", events, []string{
		"ts=1 u=a n.u=c n.ts=3", "ts=2 u=b", "ts=3 u=c",
	})
	// without a prefix the copies replace the fields, read before any write
	expect(t, "sort(ts, order=asc) | neighbor(u)", events, []string{"ts=1 u=a", "ts=2 u=a", "ts=3 u=b"})
	expectCompileError(t, "neighbor(u, direction=sideways)")
	expectCompileError(t, "neighbor(u, distance=0)")
}
