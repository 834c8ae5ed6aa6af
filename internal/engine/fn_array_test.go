package engine

import (
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestArrayFunctions(t *testing.T) {
	events := []*event.Event{
		ev("id", "1", "s[0]", "dopey", "s[1]", "doc", "s[2]", "dopey", "s[4]", "gap"),
		ev("id", "2", "s[0]", "happy"),
		ev("id", "3"),
	}
	tests := []struct {
		src  string
		want []string
	}{
		{`array:contains("s[]", value=doc) | select(id)`, []string{"id=1"}},
		{`!array:contains(array="s[]", value="doc") | select(id)`, []string{"id=2", "id=3"}},
		{`array:regex("s[]", regex="^h") | select(id)`, []string{"id=2"}},
		{`n := array:length("s[]") | select([id, n])`, []string{"id=1 n=3", "id=2 n=1", "id=3 n=0"}},
		{`concatArray(s, separator=",", prefix="[", suffix="]") | select(_concatArray)`, []string{"_concatArray=[dopey,doc,dopey]", "_concatArray=[happy]", ""}},
		{`concatArray(s, from=1, to=1, as=c) | select(c)`, []string{"c=doc", "", ""}},
		{`array:dedup("s[]") | id=1 | select(["s[0]", "s[1]", "s[2]"])`, []string{"s[0]=dopey s[1]=doc"}},
		{`array:append("s[]", values=["x", id]) | id=2 | select(["s[0]", "s[1]", "s[2]"])`, []string{"s[0]=happy s[1]=x s[2]=2"}},
		{`array:drop("s[]") | id=1`, []string{"id=1"}},
		{`array:filter("s[]", function={x != "dopey"}, var=x, asArray="k[]") | id=1 | select(["k[0]", "k[1]"])`, []string{"k[0]=doc"}},
		{`array:reduceAll("s[]", var=x, function=count(x, distinct=true))`, []string{"_count=3"}},
	}
	for _, tc := range tests {
		expect(t, tc.src, events, tc.want)
	}
	expectCompileError(t, `array:reduceAll("s[]", var=x)`)
	expectCompileError(t, `array:filter("s[]", function=count(), var=x)`)
}

func TestSplit(t *testing.T) {
	events := []*event.Event{
		ev("@id", "1", "a[0]", "1", "a[1]", "2", "k", "v"),
		ev("c[0].n", "x", "c[0].m", "y", "c[1].n", "z"),
		ev("k", "plain"),
	}
	expect(t, "split(a)", events[:1], []string{
		"@id=1__0 a=1 k=v _index=0",
		"@id=1__1 a=2 k=v _index=1",
	})
	expect(t, "split(c)", events[1:2], []string{
		"c.n=x c.m=y _index=0",
		"c.n=z _index=1",
	})
	expect(t, "split(c, strip=true)", events[1:2], []string{
		"n=x m=y _index=0",
		"n=z _index=1",
	})
	expect(t, "split(a)", events[2:], []string{"k=plain"})
	expect(t, "split(a) | groupBy(a)", events, []string{"a=1 _count=1", "a=2 _count=1"})
}
