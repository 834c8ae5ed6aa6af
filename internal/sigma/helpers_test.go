package sigma

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/rules"
)

func engineOpts() engine.Options { return engine.Options{} }

// runEvents decodes NDJSON events and runs a compiled rule over them.
func runEvents(t *testing.T, p *rules.Program, ndjson string) []*event.Event {
	t.Helper()
	dec := ingest.NewDecoder(p.Engine.Needs())
	var evs []*event.Event
	for _, line := range bytes.Split([]byte(ndjson), []byte("\n")) {
		ev := &event.Event{}
		if err := dec.Decode(line, ev); err != nil {
			t.Fatalf("decode %s: %v", line, err)
		}
		ev.Detach()
		evs = append(evs, ev)
	}
	rows, err := p.Engine.Run(evs)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// summarize prints the fields of row that want lines name, in their order.
func summarize(row *event.Event, want []string) string {
	var names []string
	for _, w := range want {
		for _, kv := range strings.Fields(w) {
			k, _, _ := strings.Cut(kv, "=")
			if !slices.Contains(names, k) {
				names = append(names, k)
			}
		}
	}
	if len(names) == 0 {
		names = []string{"_count", "r1.id", "r2.id"}
	}
	var parts []string
	for _, n := range names {
		if v, ok := row.Get(n); ok {
			parts = append(parts, n+"="+v)
		}
	}
	return strings.Join(parts, " ")
}
