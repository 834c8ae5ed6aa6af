package run

import (
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
)

// corpusQuery is a real query of the shared corpus that compiles without
// outside data (GeoIP, indicators, DNS), compiled afresh by program.
type corpusQuery struct {
	src string
	q   *cql.Query
}

var corpusNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func (c corpusQuery) program() *engine.Program {
	p, ds := engine.Compile(c.q, engine.Options{Now: corpusNow, Params: anyParams{}.fill(c.src)})
	if ds.HasErrors() {
		return nil
	}
	return p
}

// corpusQueries returns the corpus queries that parse, check clean and
// compile, and the real FDR sample lines; the test is skipped without them.
func corpusQueries(t *testing.T) ([]corpusQuery, []byte) {
	t.Helper()
	recs := corpustest.Load(t)
	samples, err := os.ReadFile(samplesPath)
	if err != nil {
		t.Skipf("samples not available: %v", err)
	}
	var out []corpusQuery
	for _, r := range recs {
		src := strings.TrimPrefix(strings.TrimSpace(r.Query), "|")
		q, ds := cql.Parse(src)
		if ds.HasErrors() || check.Check(q, check.Options{}).HasErrors() {
			continue
		}
		if c := (corpusQuery{src, q}); c.program() != nil {
			out = append(out, c)
		}
	}
	if len(out) < 500 {
		t.Fatalf("only %d corpus queries compile", len(out))
	}
	return out, samples
}

// corpusRows runs progs over data as a search does (several chunks, two
// workers, the input readable again) and returns each program's rows,
// rendered and sorted: the order of rows from aggregates may differ.
func corpusRows(t *testing.T, progs []*engine.Program, data []byte) [][]string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	rows := make([][]string, len(progs))
	for i := range rows {
		rows[i] = []string{}
	}
	_, err := Search(context.Background(), progs, newChunks("samples", lines, 7), Options{
		Workers: 2,
		Emit:    func(i int, row *event.Event) { rows[i] = append(rows[i], render([]*event.Event{row})...) },
		Reopen:  func() (Source, error) { return newChunks("samples", lines, 7), nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		slices.Sort(r)
	}
	return rows
}

// TestCorpusMatchesFullDecoding is TestSearchMatchesFullDecoding for every
// corpus query: Search, decoding only what a query reads and skipping what
// its prefilter rejects, gives the rows the engine gives on fully decoded
// events. A read a function does not declare loses fields here.
func TestCorpusMatchesFullDecoding(t *testing.T) {
	queries, samples := corpusQueries(t)
	events := decodeAll(samples)
	for _, c := range queries {
		copies := make([]*event.Event, len(events))
		for i, e := range events {
			copies[i] = e.Clone()
		}
		rows, err := c.program().Run(copies)
		if err != nil {
			continue // stopped by a limit, as the search would be
		}
		want := render(rows)
		slices.Sort(want)
		got := corpusRows(t, []*engine.Program{c.program()}, samples)[0]
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: rows differ from full decoding (-want +got):\n%s", c.src, diff)
		}
	}
	t.Logf("%d corpus queries compared with full decoding", len(queries))
}

// TestCorpusHuntMatchesEachAlone runs the corpus queries together, as a
// hunt runs its rules in one pass (a shared read, prefilter and dispatch),
// in batches of 50 and of 400: each query's rows are those it gives alone.
func TestCorpusHuntMatchesEachAlone(t *testing.T) {
	queries, samples := corpusQueries(t)
	alone := make([][]string, len(queries))
	withRows := 0
	for i, c := range queries {
		alone[i] = corpusRows(t, []*engine.Program{c.program()}, samples)[0]
		if len(alone[i]) > 0 {
			withRows++
		}
	}
	for _, batch := range []int{50, 400} {
		for start := 0; start < len(queries); start += batch {
			end := min(start+batch, len(queries))
			var progs []*engine.Program
			for _, c := range queries[start:end] {
				progs = append(progs, c.program())
			}
			for i, got := range corpusRows(t, progs, samples) {
				if diff := cmp.Diff(alone[start+i], got); diff != "" {
					t.Errorf("batch of %d: %s: rows differ from its own run (-alone +together):\n%s", batch, queries[start+i].src, diff)
				}
			}
		}
	}
	t.Logf("%d corpus queries, %d with rows, alone and together", len(queries), withRows)
	if withRows < 100 {
		t.Errorf("only %d corpus queries give rows on the samples", withRows)
	}
}
