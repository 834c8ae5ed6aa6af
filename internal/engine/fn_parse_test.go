package engine

import (
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestParseJSON(t *testing.T) {
	events := []*event.Event{ev("j", `{"a":{"b":1,"c":"x\"y"},"l":[true,null,{"d":2.5}],"e":""}`, "bad", "{nope")}
	tests := []struct {
		src  string
		want []string
	}{
		{"parseJson(j) | drop([j, bad])", []string{`a.b=1 a.c=x"y l[0]=true l[1]=null l[2].d=2.5 e=`}},
		{`parseJson(j, prefix="p.", handleNull=discard, excludeEmpty=true) | drop([j, bad])`, []string{`p.a.b=1 p.a.c=x"y p.l[0]=true p.l[2].d=2.5`}},
		{`parseJson(j, include=["a"], handleNull=empty) | drop([j, bad])`, []string{`a.b=1 a.c=x"y`}},
		{`parseJson(j, exclude=[l, "a.c"]) | drop([j, bad])`, []string{`a.b=1 e=`}},
		{`parseJson(j, removePrefixes=["a."], include=a) | drop([j, bad])`, []string{`b=1 c=x"y`}},
		{"parseJson(bad) | drop([j, bad])", []string{""}},
		{"parseJson(missing) | drop([j, bad])", []string{""}},
	}
	for _, tc := range tests {
		expect(t, tc.src, events, tc.want)
	}
	expectCompileError(t, "parseJson(j, handleNull=maybe)")
}

func TestKVParse(t *testing.T) {
	events := []*event.Event{ev("@rawstring", `user=alice action="log in" ip = 10.0.0.1, empty= n='a\'b' user=bob`, "action", "old")}
	tests := []struct {
		src  string
		want []string
	}{
		// user repeats: the last value wins (onDuplicate=keepLast, functions-kvparse)
		{"kvParse() | drop(@rawstring)", []string{`action=old user=bob ip=10.0.0.1 empty= n=a'b`}},
		{"kvParse(onDuplicate=keepFirst) | drop(@rawstring)", []string{`action=old user=alice ip=10.0.0.1 empty= n=a'b`}},
		{"kvParse(override=true, excludeEmpty=true) | drop(@rawstring)", []string{`action=log in user=bob ip=10.0.0.1 n=a'b`}},
		{`kvParse(as="kv.") | select(["kv.user", "kv.ip"])`, []string{`kv.user=bob kv.ip=10.0.0.1`}},
	}
	for _, tc := range tests {
		expect(t, tc.src, events, tc.want)
	}
	expect(t, `kvParse(field=s, separator=":") | drop(s)`, []*event.Event{ev("s", "a:1 b:2")}, []string{"a=1 b=2"})
}

func TestJSONPrettyPrint(t *testing.T) {
	events := []*event.Event{ev("j", `{"a":[1,2]}`, "bad", "{x")}
	expect(t, "json:prettyPrint(j) | select(j)", events, []string{"j={\n  \"a\": [\n    1,\n    2\n  ]\n}"})
	expect(t, "json:prettyPrint(j, step=0, as=p) | select(p)", events, []string{"p={\n\"a\": [\n1,\n2\n]\n}"})
	expect(t, "json:prettyPrint(bad, as=p) | select(p)", events, []string{"p={x"})
	expect(t, "json:prettyPrint(bad, as=p, strict=true) | select(p)", events, []string{""})
}
