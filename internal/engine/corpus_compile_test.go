package engine

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/check"
	"github.com/tiercel/tiercel/internal/corpustest"
	"github.com/tiercel/tiercel/internal/cql"
)

// The checker and the engine must agree: a real query that `tiercel check`
// passes must also compile in the engine (with its ?parameters given values),
// or `check` would promise something `search` cannot keep.
func TestCorpusCheckedQueriesCompile(t *testing.T) {
	recs := corpustest.Load(t)
	paramRe := regexp.MustCompile(`\?\{?\s*([A-Za-z_][\w.-]*)`)
	clean, failed := 0, 0
	// The outside data LogScale ships in the cluster, built small here.
	data := DataSources{GeoIP: testGeoIP(t), IOC: testIOCStore(t)}
	reasons := map[string]int{}
	for _, rec := range recs {
		if rec.NotAQuery() {
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
		if _, diags := Compile(q, Options{Params: params, Now: testNow, Data: data}); diags.HasErrors() {
			if needsOutsideResource(diags[0].Message) || diags[0].Code == CodeMissingData {
				clean-- // saved searches, lookup files and DNS the corpus does not ship
				continue
			}
			failed++
			reasons[diags[0].Code+": "+firstWords(diags[0].Message)]++
			if testing.Verbose() {
				t.Logf("%s: %s", rec.ID, diags[0].Message)
			}
		}
	}
	for _, k := range corpustest.ByCount(reasons)[:min(len(reasons), 10)] {
		t.Logf("%4d  %s", reasons[k], k)
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
