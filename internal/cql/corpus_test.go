package cql

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

const corpusPath = "../../../shared/corpus/cql-queries-visible.jsonl"

// corpusSkipFlags mark records that are not meant to parse.
var corpusSkipFlags = []string{"contains_intentionally_invalid_example", "ellipsis_placeholder", "angle_placeholder", "parser"}

type corpusRecord struct {
	ID    string   `json:"id"`
	Query string   `json:"query"`
	Flags []string `json:"flags"`
}

// loadCorpus returns the parseable corpus queries (one leading `|` stripped),
// or nil when the corpus file is absent.
func loadCorpus(tb testing.TB) []corpusRecord {
	f, err := os.Open(corpusPath)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []corpusRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var r corpusRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			tb.Fatalf("corpus line: %v", err)
		}
		if slices.ContainsFunc(r.Flags, func(f string) bool { return slices.Contains(corpusSkipFlags, f) }) {
			continue
		}
		q := strings.TrimLeft(r.Query, " \t\r\n")
		r.Query = strings.TrimPrefix(q, "|")
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("reading corpus: %v", err)
	}
	return out
}

func TestCorpus(t *testing.T) {
	recs := loadCorpus(t)
	if recs == nil {
		t.Skip("corpus not found at " + corpusPath)
	}
	ok, roundTrip := 0, 0
	for _, r := range recs {
		q, ds := Parse(r.Query)
		if ds.HasErrors() {
			if testing.Verbose() {
				var b strings.Builder
				for _, d := range ds {
					if d.Severity == SeverityError {
						b.WriteString(d.Render(r.ID, r.Query))
					}
				}
				t.Logf("FAIL %s\n%s", r.ID, b.String())
			}
			continue
		}
		ok++
		q2, ds2 := Parse(q.String())
		if !ds2.HasErrors() && Equal(q, q2) {
			roundTrip++
		} else {
			t.Errorf("%s: round trip differs\nfirst:  %s\nsecond: %s", r.ID, q, q2)
		}
	}
	rate := float64(ok) / float64(len(recs)) * 100
	t.Logf("corpus: parsed %d/%d (%.2f%%), round-tripped %d", ok, len(recs), rate, roundTrip)
	if rate < 98 {
		t.Errorf("parse rate %.2f%% is below 98%%", rate)
	}
}
