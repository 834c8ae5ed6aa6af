package engine

import (
	"bufio"
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/cql"
)

func TestScratchCorpusCompile(t *testing.T) {
	f, err := os.Open("../../../shared/corpus/cql-queries-visible.jsonl")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	counts := map[string]int{}
	examples := map[string]string{}
	ok, total := 0, 0
	for sc.Scan() {
		var r struct {
			Query string   `json:"query"`
			Flags []string `json:"flags"`
		}
		json.Unmarshal(sc.Bytes(), &r)
		src := r.Query
		if t2 := strings.TrimLeft(src, " \t\r\n"); strings.HasPrefix(t2, "|") {
			src = t2[1:]
		}
		q, ds := cql.Parse(src)
		if ds.HasErrors() {
			continue
		}
		total++
		_, ds = Compile(q, Options{Params: map[string]string{}})
		if !ds.HasErrors() {
			ok++
			continue
		}
		d := ds[0]
		key := d.Code + ": " + d.Message
		if len(key) > 90 {
			key = key[:90]
		}
		counts[key]++
		examples[key] = src[max(0, int(d.Span.Start)-30):min(len(src), int(d.Span.End)+30)]
	}
	t.Logf("compiled %d/%d", ok, total)
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return counts[keys[i]] > counts[keys[j]] })
	for _, k := range keys {
		t.Logf("%4d %s   <<%s>>", counts[k], k, strings.ReplaceAll(examples[k], "\n", " "))
	}
}
