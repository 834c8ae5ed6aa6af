package export

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGolden exports every query of testdata/queries to every target and
// compares with testdata/golden/NAME.TARGET (an export, or "error: ..." when
// the target refuses the query). Regenerate with -update, then review.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "queries", "*.cql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no queries: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".cql")
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range Targets {
			t.Run(name+"."+target, func(t *testing.T) {
				m := Meta{RuleID: name, Title: name, Level: "high"}
				out, err := Query("testdata/queries/"+name+".cql", string(text), m, target)
				got := out.Text
				if err != nil {
					got = "error: " + err.Error() + "\n"
				}
				path := filepath.Join("testdata", "golden", name+"."+target)
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (generate with -update)", err)
				}
				if d := cmp.Diff(string(want), got); d != "" {
					t.Errorf("%s (-golden +got):\n%s", path, d)
				}
			})
		}
	}
}
