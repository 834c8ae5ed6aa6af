package sigma

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tiercel/tiercel/internal/rules"
)

// TestCorpusVerdicts derives at least two matching events and two near
// misses from every converted visible rule and runs the generated CQL over
// them through the engine (as `tiercel test` does): the engine's alerts must
// be exactly the events Sigma's semantics match.
func TestCorpusVerdicts(t *testing.T) {
	c := NewConverter()
	total, cases := 0, 0
	for _, file := range corpusFiles(t) {
		data, _ := os.ReadFile(file)
		rs, err := Parse(filepath.Base(file), data)
		if err != nil {
			t.Fatal(err)
		}
		q, err := c.Convert(rs[0])
		if err != nil {
			continue
		}
		total++
		pos, neg := q.Examples(4)
		if len(pos) < 2 || len(neg) < 2 {
			t.Errorf("%s: derived %d matching and %d near-miss events, want at least 2 each", filepath.Base(file), len(pos), len(neg))
			continue
		}
		cases += len(pos) + len(neg)
		r := ToRule(RuleID(rs[0], 0), rs[0], q.CQL(), q.EventTypes)
		tc, err := rules.ParseTestCase("derived.txtar", filepath.Base(file)+" (derived)", TestArchive(rs[0].Title, pos, neg))
		if err != nil {
			t.Fatal(err)
		}
		if res := rules.RunTest(r, tc); !res.Passed {
			t.Errorf("%s:\n%s\nquery:\n%s\ninput:\n%s", filepath.Base(file), res.Diff, q.CQL(), tc.Input)
		}
	}
	t.Logf("%d converted rules, %d derived events run through the engine", total, cases)
}
