package run

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/check"
	"github.com/tiercel/tiercel/internal/corpustest"
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
)

const samplesPath = "../../../shared/samples/falcon-fdr-samples.jsonl"

// TestCorpusRuns compiles every real query of the shared corpus that parses
// and checks clean, runs it over the real FDR sample lines and requires that
// nothing panics and nothing fails at compile time. It reports the rates.
func TestCorpusRuns(t *testing.T) {
	recs := corpustest.Load(t)
	samples, err := os.ReadFile(samplesPath)
	if err != nil {
		t.Skipf("samples not available: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(samples)), "\n")

	var total, clean, compiled, ran int
	failures := map[string]int{}
	example := map[string]string{}
	for _, r := range recs {
		total++
		src := strings.TrimPrefix(strings.TrimSpace(r.Query), "|")
		q, ds := cql.Parse(src)
		if ds.HasErrors() || check.Check(q, check.Options{}).HasErrors() {
			continue
		}
		clean++
		prog, ds := engine.Compile(q, engine.Options{Params: anyParams{}.fill(src)})
		if ds.HasErrors() {
			key := ds[0].Code + ": " + firstWords(ds[0].Message)
			failures[key]++
			sp := ds[0].Span
			example[key] = src[max(0, int(sp.Start)-20):min(len(src), max(int(sp.End), int(sp.Start))+20)]
			continue
		}
		compiled++
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("panic running %q: %v", src, p)
				}
			}()
			_, err := Search(context.Background(), []*engine.Program{prog}, newChunks("samples", lines, 10), Options{
				Workers: 2, Emit: func(int, *event.Event) {},
				Reopen: func() (Source, error) { return newChunks("samples", lines, 10), nil },
			})
			if err != nil {
				t.Errorf("run %q: %v", src, err)
				return
			}
			ran++
		}()
	}
	t.Logf("corpus: %d queries, %d parse and check clean, %d compile (%.1f%% of clean), %d ran over %d sample lines",
		total, clean, compiled, 100*float64(compiled)/float64(max(clean, 1)), ran, len(lines))
	for _, k := range corpustest.ByCount(failures)[:min(len(failures), 60)] {
		t.Logf("  %4d  %s\n        e.g. %q", failures[k], k, example[k])
	}
}

func firstWords(s string) string {
	if len(s) > 70 {
		return s[:70]
	}
	return s
}

// anyParams gives every ?param in a query a value, so parameterised corpus
// queries compile.
type anyParams struct{}

func (anyParams) fill(src string) map[string]string {
	out := map[string]string{}
	for i := 0; i < len(src); i++ {
		if src[i] != '?' {
			continue
		}
		j := i + 1
		for j < len(src) && (src[j] == '_' || src[j] == '-' || src[j] == '.' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
			j++
		}
		if j > i+1 {
			out[src[i+1:j]] = fmt.Sprint("tiercel")
		}
	}
	return out
}
