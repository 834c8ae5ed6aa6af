package ingest

import (
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestReadLineInfo(t *testing.T) {
	tests := []struct {
		line       string
		ok         bool
		time       int64
		id, simple string
	}{
		{`{"id":"a-1","event_simpleName":"DnsRequest","timestamp":"1700000000123"}`, true, 1700000000123, "a-1", "DnsRequest"},
		{`{"ContextTimeStamp":"1700000000.5","id":7}`, true, 1700000000500, "7", ""},
		{`{"@timestamp":"2023-11-14T22:13:20Z","timestamp":"1"}`, true, 1700000000000, "", ""},
		{`{"nested":{"id":"x","timestamp":"5"}}`, true, 0, "", ""},
		{`{"id":"a"`, false, 0, "", ""},
		{`not json`, false, 0, "", ""},
	}
	for _, tt := range tests {
		var info LineInfo
		ok := ReadLineInfo([]byte(tt.line), &info)
		if ok != tt.ok || info.Time != tt.time || string(info.ID) != tt.id || string(info.Simple) != tt.simple {
			t.Errorf("%s: ok %v time %d id %q simple %q", tt.line, ok, info.Time, info.ID, info.Simple)
		}
	}
}

// FuzzLineInfoTimeAsDecoded: the time ReadLineInfo reads off a raw line
// (what --start/--end and the event store go by) is the @timestamp the
// decoder gives the line, escaped keys and values included.
func FuzzLineInfoTimeAsDecoded(f *testing.F) {
	for _, line := range []string{
		`{"timestamp":"1700000000123"}`,
		`{"\u0074imestamp":"1700000000123"}`,
		`{"timestamp":"17000000001\u00323"}`,
		`{"@timestamp":"2023-11-14T22:13:20Z","timestamp":"1"}`,
		`{"@timestamp":"soon","ContextTimeStamp":"1700000000.5"}`,
		`{"ContextTimeStamp":1700000000.5,"timestamp":null}`,
		`{"timestamp":"1","timestamp":"1700000000000"}`,
		`{"a":{"timestamp":"5"},"ContextTimeStamp":"1.5"}`,
	} {
		f.Add(line)
	}
	dec := NewDecoder(event.Needs{Fields: []string{event.Timestamp}})
	f.Fuzz(func(t *testing.T, line string) {
		var info LineInfo
		var ev event.Event
		if dec.Decode([]byte(line), &ev) != nil || !ReadLineInfo([]byte(line), &info) {
			return // malformed: the search reports it, the filter keeps it
		}
		var want int64
		if v, ok := ev.Get(event.Timestamp); ok {
			ms, _ := event.ParseNumber(v)
			want = int64(ms)
		}
		if info.Time != want {
			t.Fatalf("%s: line info time %d, decoded @timestamp %d", line, info.Time, want)
		}
	})
}
