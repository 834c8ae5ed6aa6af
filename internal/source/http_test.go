package source

import (
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/ingest"
)

func TestParseFormats(t *testing.T) {
	tests := []struct {
		format, body string
		want         []string
		err          string
	}{
		{FormatRaw, "{\"a\":1}\r\n\n  {\"b\":2}  \n", []string{`{"a":1}`, `{"b":2}`}, ""},
		{FormatRaw, "{\"a\":1}\n[1]\n", nil, "line 2: not a JSON object"},
		{FormatRaw, "{\"a\":1}\n{\"a\":}\n", nil, "line 2: invalid JSON"},
		{FormatHEC, `{"event":{"a":1},"time":"1772442000.25","host":"h"} {"event":"x y","fields":{"f":"v"}}`,
			[]string{`{"a":1,"@timestamp":1772442000250,"host":"h"}`, `{"@rawstring":"x y","f":"v"}`}, ""},
		{FormatHEC, `{"event":{"a":1,"timestamp":"5"},"time":7}`, []string{`{"a":1,"timestamp":"5"}`}, ""},
		{FormatHEC, `{"event":"{\"id\":\"x\"}"}`, []string{`{"id":"x"}`}, ""},
		{FormatHEC, `{"event":5}`, nil, "event 1: event is a number"},
		{FormatHEC, `{"event":{}} {`, nil, "event 2: invalid JSON"},
		{FormatStructured, `[{"tags":{"host":"s"},"events":[{"timestamp":"2026-03-02T09:00:00Z","attributes":{"id":"1"},"rawstring":"raw"}]}]`,
			[]string{`{"id":"1","@rawstring":"raw","@timestamp":"2026-03-02T09:00:00Z","#host":"s"}`}, ""},
		{FormatStructured, `[{"events":[{"timestamp":1,"rawstring":"{\"id\":\"2\"}"}]}]`, []string{`{"id":"2","@timestamp":1}`}, ""},
		{FormatStructured, `[{"events":{}}]`, nil, "element 0"},
		{FormatUnstructured, `[{"fields":{"s":"u"},"messages":["m1","{\"id\":3}"]}]`, []string{`{"@rawstring":"m1","s":"u"}`, `{"id":3,"s":"u"}`}, ""},
		{FormatUnstructured, `[{"messages":[1]}]`, nil, "not a string"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.format, []byte(tt.body))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s %q: err %v, want %q", tt.format, tt.body, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %q: %v", tt.format, tt.body, err)
			continue
		}
		var s []string
		for _, l := range got {
			s = append(s, string(l))
		}
		if strings.Join(s, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s %q:\n got %q\nwant %q", tt.format, tt.body, s, tt.want)
		}
	}
}

// FuzzParseIngest: any body either fails to parse or yields lines that
// are each one JSON object; nothing panics.
func FuzzParseIngest(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"event":{"a":1},"time":1}`, `[{"events":[{"attributes":{"a":1}}]}]`, `[{"messages":["x"]}]`, "{\"a\":\"\\u00e9\"}\n{}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, format := range []string{FormatRaw, FormatHEC, FormatStructured, FormatUnstructured} {
			lines, err := Parse(format, []byte(body))
			if err != nil {
				continue
			}
			var info ingest.LineInfo
			for _, l := range lines {
				if !ingest.ReadLineInfo(l, &info) {
					t.Fatalf("%s %q gave a line that is not a JSON object: %q", format, body, l)
				}
			}
		}
	})
}
