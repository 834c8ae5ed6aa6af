package ingest

import "testing"

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
