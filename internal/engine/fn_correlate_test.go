package engine

import (
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

// procEv is a ProcessRollup2 event at ms on host aid.
func procEv(ms, aid, file string) *event.Event {
	return ev("#event_simpleName", "ProcessRollup2", "@timestamp", ms, "aid", aid, "FileName", file)
}

func TestCorrelate(t *testing.T) {
	// the community example: whoami, net and systeminfo on one host within 5m
	const recon = `correlate(
		whoami: { #event_simpleName=ProcessRollup2 FileName="whoami.exe" } include: [aid, FileName],
		net: { #event_simpleName=ProcessRollup2 FileName=/^net1?\.exe$/ | aid <=> whoami.aid } include: [FileName],
		sysinfo: { #event_simpleName=ProcessRollup2 FileName="systeminfo.exe" | aid <=> net.aid } include: [FileName],
		sequence=false, within=5m)`
	const pair = `correlate(a: { kind=a } include: [id], b: { kind=b | host <=> a.host } include: [id], within=60s%s)`
	at := func(ms, kind, host, id string) *event.Event {
		return ev("@timestamp", ms, "kind", kind, "host", host, "id", id)
	}
	tests := []struct {
		name   string
		src    string
		events []*event.Event
		want   []string
	}{
		{
			name: "doc example: one constellation, fields prefixed by node",
			src:  recon,
			events: []*event.Event{
				procEv("1000", "h1", "whoami.exe"), procEv("2000", "h1", "net.exe"),
				procEv("3000", "h1", "systeminfo.exe"), procEv("3500", "h2", "net1.exe"),
			},
			want: []string{"whoami.aid=h1 whoami.FileName=whoami.exe whoami.@timestamp=1000 " +
				"net.FileName=net.exe net.aid=h1 net.@timestamp=2000 " +
				"sysinfo.FileName=systeminfo.exe sysinfo.aid=h1 sysinfo.@timestamp=3000 @timestamp=1000"},
		},
		{
			name: "link constraint: other host does not join",
			src:  recon,
			events: []*event.Event{
				procEv("1000", "h1", "whoami.exe"), procEv("2000", "h2", "net.exe"), procEv("3000", "h2", "systeminfo.exe"),
			},
		},
		{
			name: "within: an event 6 minutes away is outside 5m",
			src:  recon,
			events: []*event.Event{
				procEv("0", "h1", "whoami.exe"), procEv("1000", "h1", "net.exe"), procEv("360000", "h1", "systeminfo.exe"),
			},
		},
		{
			name:   "order independent: input sorted backwards",
			src:    strings.Replace(pair, "%s", "", 1),
			events: []*event.Event{at("70000", "b", "x", "b1"), at("50000", "a", "x", "a1")},
			want:   []string{"a.id=a1 a.host=x a.@timestamp=50000 b.id=b1 b.host=x b.@timestamp=70000 @timestamp=50000"},
		},
		{
			name:   "within is inclusive at exactly 60s, before or after",
			src:    strings.Replace(pair, "%s", "", 1),
			events: []*event.Event{at("60000", "b", "x", "b1"), at("120000", "a", "x", "a1"), at("180000", "b", "x", "b2"), at("180001", "b", "x", "b3")},
			want:   []string{"a.id=a1 a.host=x a.@timestamp=120000 b.id=b1 b.host=x b.@timestamp=60000 @timestamp=60000"},
		},
		{
			name:   "sequence=true: b before a does not match",
			src:    strings.Replace(pair, "%s", ", sequence=true", 1),
			events: []*event.Event{at("1000", "b", "x", "b1"), at("2000", "a", "x", "a1")},
		},
		{
			name:   "sequence=true: a then b matches",
			src:    strings.Replace(pair, "%s", ", sequence=true, includeConstraintValues=false", 1),
			events: []*event.Event{at("1000", "a", "x", "a1"), at("2000", "b", "x", "b1")},
			want:   []string{"a.id=a1 a.@timestamp=1000 b.id=b1 b.@timestamp=2000 @timestamp=1000"},
		},
		{
			name:   "maxPerRoot=1 (default): one row per root event",
			src:    strings.Replace(pair, "%s", ", includeConstraintValues=false", 1),
			events: []*event.Event{at("1000", "a", "x", "a1"), at("2000", "b", "x", "b1"), at("3000", "b", "x", "b2")},
			want:   []string{"a.id=a1 a.@timestamp=1000 b.id=b1 b.@timestamp=2000 @timestamp=1000"},
		},
		{
			name:   "maxPerRoot=2",
			src:    strings.Replace(pair, "%s", ", includeConstraintValues=false, maxPerRoot=2", 1),
			events: []*event.Event{at("1000", "a", "x", "a1"), at("2000", "b", "x", "b1"), at("3000", "b", "x", "b2")},
			want: []string{
				"a.id=a1 a.@timestamp=1000 b.id=b1 b.@timestamp=2000 @timestamp=1000",
				"a.id=a1 a.@timestamp=1000 b.id=b2 b.@timestamp=3000 @timestamp=1000",
			},
		},
		{
			name:   "includeMatchesOnceOnly: b1 serves one root only",
			src:    strings.Replace(pair, "%s", ", includeConstraintValues=false, includeMatchesOnceOnly=true", 1),
			events: []*event.Event{at("1000", "a", "x", "a1"), at("1500", "a", "x", "a2"), at("2000", "b", "x", "b1")},
			want:   []string{"a.id=a1 a.@timestamp=1000 b.id=b1 b.@timestamp=2000 @timestamp=1000"},
		},
		{
			name:   "root=b: one row per b event",
			src:    strings.Replace(pair, "%s", ", includeConstraintValues=false, root=b", 1),
			events: []*event.Event{at("1000", "a", "x", "a1"), at("1500", "a", "x", "a2"), at("2000", "b", "x", "b1"), at("2500", "b", "x", "b2")},
			want: []string{
				"a.id=a1 a.@timestamp=1000 b.id=b1 b.@timestamp=2000 @timestamp=1000",
				"a.id=a1 a.@timestamp=1000 b.id=b2 b.@timestamp=2500 @timestamp=1000",
			},
		},
		{
			name: "globalConstraints: same user on both",
			src: `correlate(a: { kind=a } include: [id], b: { kind=b } include: [id],
				globalConstraints=[user], within=1h, includeConstraintValues=false)`,
			events: []*event.Event{
				ev("@timestamp", "1", "kind", "a", "user", "u1", "id", "a1"),
				ev("@timestamp", "2", "kind", "b", "user", "u2", "id", "b1"),
				ev("@timestamp", "3", "kind", "b", "user", "u1", "id", "b2"),
			},
			want: []string{"a.id=a1 a.@timestamp=1 b.id=b2 b.@timestamp=3 @timestamp=1"},
		},
		{
			name: "one event cannot fill two nodes",
			src:  `correlate(a: { kind=* } include: [id], b: { kind=* | host <=> a.host } include: [id], includeConstraintValues=false)`,
			events: []*event.Event{
				ev("@timestamp", "1", "kind", "a", "host", "x", "id", "e1"),
			},
		},
		{
			name: "node queries may compute fields; results filter further",
			src: `correlate(a: { kind=a | tag := "first" } include: [tag], b: { kind=b | host <=> a.host } include: [id], within=1m)
				| b.id = "b1" | select([a.tag, b.id])`,
			events: []*event.Event{at("1000", "a", "x", "a1"), at("2000", "b", "x", "b1")},
			want:   []string{"a.tag=first b.id=b1"},
		},
		{
			name: "inside join(): keep the a events that start a constellation (the browser-prefetch shape)",
			src: `kind=a | join({correlate(a: { kind=a } include: [id], b: { kind=b | host <=> a.host }, within=60s)},
				field=id, key=a.id)`,
			events: []*event.Event{
				at("1000", "a", "x", "a1"), at("50000", "b", "x", "b1"),
				at("1000", "a", "y", "a2"), at("100000", "b", "y", "b2"),
			},
			want: []string{"@timestamp=1000 kind=a host=x id=a1"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { expect(t, tc.src, tc.events, tc.want) })
	}
}

func TestCorrelateErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{`correlate(a: { x=1 })`, "at least two node queries"},
		{`correlate(a: { x=1 }, b: { y <=> c.y })`, "must name another node's field"},
		{`correlate(a: { x=1 }, b: { y <=> a.y or z=1 })`, "only be and-ed"},
		{`correlate(a: { x=1 | y <=> a.y }, b: { z=1 })`, "another node"},
		{`correlate(a: { x=1 }, b: { z=1 }, within=soon)`, "not a relative time"},
		{`correlate(a: { x=1 }, b: { z=1 }, within=5fortnights)`, "unknown time unit"},
		{`correlate(a: { x=1 }, b: { z=1 }, root=c)`, "not one of the node names"},
		{`correlate(a: { x=1 }, b: { z=1 }, iterationLimit=11)`, "exceeds the maximum"},
		{`correlate(a: { x=1 }, b: { z=1 }, sequenceBy=t)`, "sequenceBy is not supported"},
		{`correlate(a: { x=1 }, a: { z=1 })`, "defined twice"},
		{`correlate(a: { count() }, b: { z=1 })`, "aggregate functions are not allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) { expectCompileErrorMsg(t, tc.src, tc.want) })
	}
}

func TestParseRelTime(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"60s", 60_000}, {"5m", 300_000}, {"24hr", 86_400_000}, {"1h", 3_600_000},
		{"15 minutes", 900_000}, {"500ms", 500}, {"2d", 172_800_000}, {"1.5s", 1500}, {"30", 30_000},
	}
	for _, tc := range tests {
		got, err := parseRelTime(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("parseRelTime(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}
