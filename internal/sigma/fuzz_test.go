package sigma

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tiercel/tiercel/internal/cql"
)

// FuzzConvert: no input panics the parser or the converter, and every
// query it produces parses as CQL.
func FuzzConvert(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(visibleDir, "*.yml"))
	for i, file := range files {
		if i%10 == 0 {
			data, _ := os.ReadFile(file)
			f.Add(string(data))
		}
	}
	f.Add("title: x\nlogsource: {category: process_creation, product: windows}\ndetection:\n  s: {CommandLine|contains|windash: ' -a'}\n  condition: not (s or 1 of s*)\n")
	f.Add("title: x\ncorrelation: {type: temporal, rules: [a, b], group-by: [User], timespan: 1m}\n")
	c := NewConverter()
	f.Fuzz(func(t *testing.T, src string) {
		rs, err := Parse("f.yml", []byte(src))
		if err != nil {
			return
		}
		set, _ := c.ConvertSet([]*Source{{Path: "f.yml", Rules: rs}})
		for _, cv := range set {
			if _, diags := cql.Parse(cv.CQL); diags.HasErrors() {
				t.Fatalf("generated CQL does not parse:\n%s", cv.CQL)
			}
			if cv.Query != nil {
				cv.Query.Examples(2)
			}
		}
	})
}
