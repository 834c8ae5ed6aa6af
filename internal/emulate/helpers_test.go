package emulate

import (
	"bytes"
	"encoding/json"
	"testing"
)

// generate runs a generator with opts and returns its lines and manifest.
func generate(t *testing.T, opts Options) ([][]byte, *Manifest) {
	t.Helper()
	g, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	m, err := g.Run(&buf)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
	return lines, m
}

// decode parses one line into string fields, failing on any non-string value.
func decode(t *testing.T, n int, line []byte) map[string]string {
	t.Helper()
	var raw map[string]any
	if err := json.Unmarshal(line, &raw); err != nil {
		t.Fatalf("line %d is not valid JSON: %v\n%s", n, err, line)
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		s, ok := v.(string)
		if !ok {
			t.Fatalf("line %d: field %s is %T, want string", n, k, v)
		}
		out[k] = s
	}
	return out
}

// index maps (aid, TargetProcessId) of every ProcessRollup2 to the event.
func index(events []map[string]string) map[[2]string]map[string]string {
	m := map[[2]string]map[string]string{}
	for _, e := range events {
		if e["event_simpleName"] == "ProcessRollup2" {
			m[[2]string{e["aid"], e["TargetProcessId"]}] = e
		}
	}
	return m
}
