package enrich

import (
	"bufio"
	"os"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/valyala/fastjson"
)

// ev builds an event from name/value pairs.
func ev(kv ...string) *event.Event {
	e := event.New()
	for i := 0; i+1 < len(kv); i += 2 {
		e.Set(kv[i], kv[i+1])
	}
	return e
}

// learnedFrom returns a file-mode enricher that learned records, in order.
func learnedFrom(records []*event.Event) *Enricher {
	e := New(Options{})
	for _, r := range records {
		e.Learn(r)
	}
	return e
}

// fieldMap flattens an event for comparisons.
func fieldMap(e *event.Event) map[string]string {
	m := make(map[string]string, e.Len())
	for _, f := range e.Fields() {
		m[f.Name] = f.Value
	}
	return m
}

// loadSamples decodes the NDJSON sample file: string values as they are,
// other values as their JSON text.
func loadSamples(t testing.TB, path string) []*event.Event {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []*event.Event
	var p fastjson.Parser
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		v, err := p.ParseBytes(sc.Bytes())
		if err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		obj, err := v.Object()
		if err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		e := event.New()
		obj.Visit(func(k []byte, v *fastjson.Value) {
			if v.Type() == fastjson.TypeString {
				e.Set(string(k), string(v.GetStringBytes()))
			} else {
				e.Set(string(k), v.String())
			}
		})
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
