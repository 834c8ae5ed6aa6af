package run

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/check"
	"github.com/tiercel/tiercel/internal/corpustest"
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// TestCorpusMatchesFullDecoding is TestSearchMatchesFullDecoding for every
// real query of the shared corpus that compiles: over the real FDR sample
// lines, Search (decoding only what a query reads, skipping what its
// prefilter rejects) gives the rows the engine gives on fully decoded
// events, in any order. A read a function does not declare loses fields.
func TestCorpusMatchesFullDecoding(t *testing.T) {
	recs := corpustest.Load(t)
	samples, err := os.ReadFile(samplesPath)
	if err != nil {
		t.Skipf("samples not available: %v", err)
	}
	dec := ingest.NewDecoder(event.Needs{All: true, Raw: true})
	var events []*event.Event
	for _, line := range bytes.Split(samples, []byte("\n")) {
		var ev event.Event
		if dec.Decode(line, &ev) == nil {
			events = append(events, ev.Clone())
		}
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	compared := 0
	for _, r := range recs {
		src := strings.TrimPrefix(strings.TrimSpace(r.Query), "|")
		q, ds := cql.Parse(src)
		if ds.HasErrors() || check.Check(q, check.Options{}).HasErrors() {
			continue
		}
		compile := func() *engine.Program {
			p, ds := engine.Compile(q, engine.Options{Now: now, Params: anyParams{}.fill(src)})
			if ds.HasErrors() {
				return nil
			}
			return p
		}
		ref := compile()
		if ref == nil {
			continue // needs data the test does not give (GeoIP, indicators, DNS)
		}
		copies := make([]*event.Event, len(events))
		for i, e := range events {
			copies[i] = e.Clone()
		}
		rows, err := ref.Run(copies)
		if err != nil {
			continue // stopped by a limit: both would be
		}
		want := render(rows)
		got := []string{}
		if _, err := Search(context.Background(), []*engine.Program{compile()}, &oneChunk{data: samples}, Options{
			Workers: 1,
			Emit:    func(_ int, row *event.Event) { got = append(got, render([]*event.Event{row})...) },
			Reopen:  func() (Source, error) { return &oneChunk{data: samples}, nil },
		}); err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		compared++
		slices.Sort(want)
		slices.Sort(got)
		if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b []string) bool { return strings.Join(a, "\n") == strings.Join(b, "\n") })); diff != "" {
			t.Errorf("%s: rows differ from full decoding (-want +got):\n%s", src, diff)
		}
	}
	t.Logf("%d corpus queries compared with full decoding", compared)
	if compared < 500 {
		t.Errorf("only %d corpus queries compared", compared)
	}
}
