package run

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// TestSearchRecyclesChunks: chunk buffers go back to the reader's pool once
// a worker is done with them; results must not change (rows keep copies)
// with one or several workers. Run with -race to catch a buffer reused
// while still read.
func TestSearchRecyclesChunks(t *testing.T) {
	lines := realisticLines(6000)
	file := filepath.Join(t.TempDir(), "events.ndjson")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	prog := compile(t, `#event_simpleName=DnsRequest DomainName=/shodan/i | table([DomainName, @timestamp])`)
	search := func(workers int) []string {
		r, err := ingest.Open([]string{file}, ingest.Options{ChunkSize: 8 << 10})
		if err != nil {
			t.Fatal(err)
		}
		var rows []string
		_, err = Search(context.Background(), []*engine.Program{prog}, r, Options{
			Workers: workers,
			Emit: func(_ int, row *event.Event) {
				ts, _ := row.Get("@timestamp")
				name, _ := row.Get("DomainName")
				rows = append(rows, ts+" "+name)
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	one := search(1)
	if len(one) == 0 {
		t.Fatal("no rows: the test data should hold shodan lookups")
	}
	for range 3 {
		if many := search(4); !slices.Equal(one, many) {
			t.Fatalf("4 workers: %d rows differ from 1 worker's %d", len(many), len(one))
		}
	}
}
