package ingest

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/event"
)

func needsOf(fields ...string) event.Needs {
	var n event.Needs
	for _, f := range fields {
		n.Add(f)
	}
	return n
}

func fd(name, value string) event.Field { return event.Field{Name: name, Value: value} }

func TestDecodeFields(t *testing.T) {
	all := event.Needs{All: true}
	tests := []struct {
		name  string
		needs event.Needs
		line  string
		want  []event.Field
	}{
		{
			name:  "only wanted fields, in line order, with @timestamp from timestamp",
			needs: needsOf("aid", "CommandLine", "@timestamp"),
			line:  `{"CommandLine":"cmd /c","x":"1","aid":"a1","timestamp":"1625677521162"}`,
			want:  []event.Field{fd("CommandLine", "cmd /c"), fd("aid", "a1"), fd("@timestamp", "1625677521162")},
		},
		{
			name:  "@timestamp derived only when wanted",
			needs: needsOf("aid", "CommandLine"),
			line:  `{"CommandLine":"cmd /c","x":"1","aid":"a1","timestamp":"1625677521162"}`,
			want:  []event.Field{fd("CommandLine", "cmd /c"), fd("aid", "a1")},
		},
		{
			name:  "nested objects and arrays flatten",
			needs: all,
			line:  `{"a":{"b":{"c":"x"}},"arr":["p",2,{"q":true}],"n":null}`,
			want:  []event.Field{fd("a.b.c", "x"), fd("arr[0]", "p"), fd("arr[1]", "2"), fd("arr[2].q", "true"), fd("@rawstring", `{"a":{"b":{"c":"x"}},"arr":["p",2,{"q":true}],"n":null}`)},
		},
		{
			name:  "numbers keep their JSON text, strings are unescaped",
			needs: needsOf("n", "f", "s", "b"),
			line:  `{"n":-1.50e3,"f":false,"s":"a\u003db \"q\" \u00e6","b":true}`,
			want:  []event.Field{fd("n", "-1.50e3"), fd("f", "false"), fd("s", `a=b "q" æ`), fd("b", "true")},
		},
		{
			name:  "prefix needs select a subtree",
			needs: event.Needs{Prefixes: []string{"Attacks["}},
			line:  `{"Attacks":[{"Id":"T1"},{"Id":"T2"}],"Other":{"Id":"x"}}`,
			want:  []event.Field{fd("Attacks[0].Id", "T1"), fd("Attacks[1].Id", "T2")},
		},
		{
			name:  "exact nested need",
			needs: needsOf("src.ip"),
			line:  `{"src":{"ip":"10.0.0.1","port":"80"},"dst":{"ip":"x"}}`,
			want:  []event.Field{fd("src.ip", "10.0.0.1")},
		},
		{
			name:  "#event_simpleName is a copy of event_simpleName",
			needs: needsOf("#event_simpleName", "@timestamp"),
			line:  `{"event_simpleName":"DnsRequest","ContextTimeStamp":"1625677521.137"}`,
			want:  []event.Field{fd("@timestamp", "1625677521137"), fd("#event_simpleName", "DnsRequest")},
		},
		{
			name:  "#event_simpleName without @timestamp",
			needs: needsOf("#event_simpleName"),
			line:  `{"event_simpleName":"DnsRequest","ContextTimeStamp":"1625677521.137"}`,
			want:  []event.Field{fd("#event_simpleName", "DnsRequest")},
		},
		{
			name:  "@timestamp field wins and is normalised in place",
			needs: all,
			line:  `{"@timestamp":"2024-05-01T10:00:00.123Z","timestamp":"1"}` + "\r\n",
			want:  []event.Field{fd("@timestamp", "1714557600123"), fd("timestamp", "1"), fd("@rawstring", `{"@timestamp":"2024-05-01T10:00:00.123Z","timestamp":"1"}`)},
		},
		{
			name:  "unparseable @timestamp falls back to timestamp",
			needs: needsOf("@timestamp"),
			line:  `{"@timestamp":"soon","timestamp":1625677521162}`,
			want:  []event.Field{fd("@timestamp", "1625677521162")},
		},
		{
			name:  "no time at all leaves @timestamp absent",
			needs: all,
			line:  `{"@timestamp":"soon"}`,
			want:  []event.Field{fd("@rawstring", `{"@timestamp":"soon"}`)},
		},
		{
			name:  "raw only",
			needs: event.Needs{Raw: true},
			line:  ` {"a":"b"} `,
			want:  []event.Field{fd("@rawstring", ` {"a":"b"} `)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder(tt.needs)
			var ev event.Event
			ev.Set("stale", "x") // Decode must reset
			if err := d.Decode([]byte(tt.line), &ev); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(tt.want, ev.Fields()); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		line    string
		blank   bool
		wantMsg string
	}{
		{line: "", blank: true},
		{line: "  \t\r\n", blank: true},
		{line: `{"a":"b"`, wantMsg: "invalid JSON: unexpected end of JSON input at offset 8"},
		{line: `{"a" "b"}`, wantMsg: "invalid JSON: invalid character '\"' after object key at offset 6"},
		{line: `{"a":"b"} x`, wantMsg: "invalid JSON: invalid character 'x' after top-level value at offset 11"},
		{line: `[1,2]`, wantMsg: "JSON value is array, not an object"},
		{line: `"str"`, wantMsg: "JSON value is string, not an object"},
		{line: `null`, wantMsg: "JSON value is null, not an object"},
	}
	d := NewDecoder(event.Needs{All: true})
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			var ev event.Event
			err := d.Decode([]byte(tt.line), &ev)
			if tt.blank {
				if !errors.Is(err, ErrBlank) {
					t.Fatalf("got %v, want ErrBlank", err)
				}
				return
			}
			if err == nil || err.Error() != tt.wantMsg {
				t.Fatalf("got error %v, want %q", err, tt.wantMsg)
			}
		})
	}
}

// The decoder must keep working after a bad line, and an event decoded
// earlier must be fully replaced.
func TestDecodeReuse(t *testing.T) {
	d := NewDecoder(needsOf("a"))
	var ev event.Event
	for i, line := range []string{`{"a":"first"}`, `{"a":`, `{"b":"x"}`, `{"a":"third"}`} {
		err := d.Decode([]byte(line), &ev)
		got, _ := ev.Get("a")
		switch i {
		case 1:
			if err == nil {
				t.Fatalf("line %d: want error", i)
			}
		case 2:
			if err != nil || ev.Has("a") {
				t.Fatalf("line %d: err=%v a present=%v", i, err, ev.Has("a"))
			}
		default:
			if err != nil || !strings.HasSuffix(line, `"`+got+`"}`) {
				t.Fatalf("line %d: err=%v a=%q", i, err, got)
			}
		}
	}
}

// Keys whose hash another wanted name shares are looked up; an unwanted
// key with the hash of one wanted name alone is compared and skipped.
func TestDecodeKeysSharingAHash(t *testing.T) {
	// same length, first, middle and last bytes: one hash
	if keyHash([]byte("aXcYe")) != keyHash([]byte("aZcWe")) || keyHash([]byte("q1234")) != keyHash([]byte("qA2B4")) {
		t.Fatal("the names below no longer share hashes")
	}
	d := NewDecoder(needsOf("aXcYe", "aZcWe", "q1234"))
	var ev event.Event
	line := `{"aXcYe":"1","aZcWe":"2","aQcRe":"3","q1234":"4","qA2B4":"5","other":"6"}`
	if err := d.Decode([]byte(line), &ev); err != nil {
		t.Fatal(err)
	}
	want := []event.Field{fd("aXcYe", "1"), fd("aZcWe", "2"), fd("q1234", "4")}
	if diff := cmp.Diff(want, ev.Fields()); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}

// Every real FDR sample line decodes; telemetry lines get a millisecond
// @timestamp and the tag.
func TestDecodeSamples(t *testing.T) {
	data, err := os.ReadFile("testdata/falcon-fdr-samples.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	d := NewDecoder(needsOf("#event_simpleName", "aid", "@timestamp"))
	var ev event.Event
	n := 0
	Lines(event.Chunk{Source: "samples", FirstLine: 1, Data: data}, func(line []byte, lineNo int) bool {
		n++
		if err := d.Decode(line, &ev); err != nil {
			t.Errorf("line %d: %v", lineNo, err)
			return true
		}
		ts, ok := ev.Get(event.Timestamp)
		hasTime := bytes.Contains(line, []byte(`"timestamp"`)) || bytes.Contains(line, []byte(`"ContextTimeStamp"`))
		if ms, _ := event.ParseNumber(ts); ok != hasTime || ok && (ms < 1e12 || ms > 2e12) {
			// Lookup records (aidmaster, userinfo) carry only _time: no @timestamp.
			t.Errorf("line %d: @timestamp = %q (present %v)", lineNo, ts, ok)
		}
		if bytes.Contains(line, []byte(`"event_simpleName"`)) && !ev.Has(event.SimpleName) {
			t.Errorf("line %d: no #event_simpleName", lineNo)
		}
		return true
	})
	if n != 54 {
		t.Errorf("read %d lines, want 54", n)
	}
}

// Decoding grows linearly with the number of keys: 200,000 keys cost about
// twice 100,000 (with a linear field scan it was four times, > 100 s).
func TestDecodeManyKeysLinear(t *testing.T) {
	d := NewDecoder(event.Needs{All: true})
	var ev event.Event
	timeIt := func(n int) time.Duration {
		line := hugeLine(n)
		start := time.Now()
		if err := d.Decode(line, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Len() < n {
			t.Fatalf("%d fields, want %d", ev.Len(), n)
		}
		return time.Since(start)
	}
	timeIt(1000) // warm up
	t1, t2 := timeIt(100_000), timeIt(200_000)
	if t2 > 10*time.Second { // quadratic took minutes; generous for -race and busy machines
		t.Errorf("200k keys took %v (100k: %v)", t2, t1)
	}
}

// A line with more than MaxFields wanted fields is refused with a message,
// not handed on.
func TestDecodeTooManyFields(t *testing.T) {
	d := NewDecoder(event.Needs{All: true})
	var ev event.Event
	err := d.Decode(hugeLine(MaxFields+1), &ev)
	if err == nil || !strings.Contains(err.Error(), "too many fields: 1000001") || ev.Len() != 0 {
		t.Errorf("err %v, %d fields", err, ev.Len())
	}
	if err := d.Decode(hugeLine(1000), &ev); err != nil || ev.Len() != 1001 { // and @rawstring
		t.Errorf("err %v, %d fields", err, ev.Len())
	}
}
