// Package corpustest reads the shared corpus of real LogScale queries for
// the tests that parse, check, compile and run them. Only tests import it.
package corpustest

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"sort"
	"testing"
)

// Path is the corpus file as seen from a package directory under internal/.
const Path = "../../../shared/corpus/cql-queries-visible.jsonl"

// notQueryFlags mark records that are not meant to be valid queries.
var notQueryFlags = []string{"contains_intentionally_invalid_example", "ellipsis_placeholder", "angle_placeholder", "parser"}

// Record is one corpus query.
type Record struct {
	ID    string   `json:"id"`
	Query string   `json:"query"`
	Flags []string `json:"flags"`
}

// NotAQuery reports whether r is flagged as an intentionally invalid
// example, a placeholder or a parser note rather than a real query.
func (r Record) NotAQuery() bool {
	return slices.ContainsFunc(r.Flags, func(f string) bool { return slices.Contains(notQueryFlags, f) })
}

// Load returns every record of the corpus. It skips tb when the corpus is
// not there and fails it on a malformed line.
func Load(tb testing.TB) []Record {
	tb.Helper()
	f, err := os.Open(Path)
	if err != nil {
		tb.Skipf("corpus not available: %v", err)
	}
	defer f.Close()
	var out []Record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for line := 1; sc.Scan(); line++ {
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			tb.Fatalf("%s:%d: %v", Path, line, err)
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("reading %s: %v", Path, err)
	}
	return out
}

// ByCount returns the keys of counts, most frequent first, for reports of
// what keeps corpus queries from passing.
func ByCount(counts map[string]int) []string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}
