package engine

import (
	"bufio"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/check"
	"github.com/tiercel/tiercel/internal/cql"
)

// The checker and the engine must agree: a real query that `tiercel check`
// passes must also compile in the engine (with its ?parameters given values),
// or `check` would promise something `search` cannot keep.
func TestCorpusCheckedQueriesCompile(t *testing.T) {
	f, err := os.Open("../../../shared/corpus/cql-queries-visible.jsonl")
	if err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	defer f.Close()
	skip := []string{"contains_intentionally_invalid_example", "ellipsis_placeholder", "angle_placeholder", "parser"}
	paramRe := regexp.MustCompile(`\?\{?\s*([A-Za-z_][\w.-]*)`)
	clean, failed := 0, 0
	reasons := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var rec struct {
			ID    string   `json:"id"`
			Query string   `json:"query"`
			Flags []string `json:"flags"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) != nil || slices.ContainsFunc(rec.Flags, func(f string) bool { return slices.Contains(skip, f) }) {
			continue
		}
		src := strings.TrimSpace(rec.Query)
		src = strings.TrimPrefix(src, "|")
		q, diags := cql.Parse(src)
		if diags.HasErrors() {
			continue
		}
		if check.Check(q, check.Options{}).HasErrors() {
			continue
		}
		clean++
		params := map[string]string{}
		for _, m := range paramRe.FindAllStringSubmatch(src, -1) {
			params[m[1]] = "x"
		}
		if _, diags := Compile(q, Options{Params: params, Now: testNow}); diags.HasErrors() {
			if needsOutsideResource(diags[0].Message) {
				clean-- // saved searches and lookup files the corpus does not ship
				continue
			}
			failed++
			reasons[diags[0].Code+": "+firstWords(diags[0].Message)]++
			if testing.Verbose() {
				t.Logf("%s: %s", rec.ID, diags[0].Message)
			}
		}
	}
	type kv struct {
		k string
		n int
	}
	var top []kv
	for k, n := range reasons {
		top = append(top, kv{k, n})
	}
	sort.Slice(top, func(i, j int) bool { return top[i].n > top[j].n })
	for i, r := range top {
		if i == 10 {
			break
		}
		t.Logf("%4d  %s", r.n, r.k)
	}
	rate := 100 * float64(clean-failed) / float64(max(clean, 1))
	t.Logf("checked clean %d, compile %d (%.1f%%)", clean, clean-failed, rate)
	if rate < 97 {
		t.Errorf("only %.1f%% of the queries check passes compile in the engine", rate)
	}
}

// needsOutsideResource reports compile errors caused by what a query reads
// from outside: saved searches and lookup files are not part of the corpus.
func needsOutsideResource(msg string) bool {
	return strings.Contains(msg, "saved search") || strings.Contains(msg, "lookup file")
}

func firstWords(s string) string {
	w := strings.Fields(s)
	if len(w) > 6 {
		w = w[:6]
	}
	return strings.Join(w, " ")
}
