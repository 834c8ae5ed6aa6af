package export

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tiercel/tiercel/internal/rules"
)

var update = flag.Bool("update", false, "rewrite the shipped exports and golden files")

// TestShippedExports fails when a rule package's checked-in exports differ
// from what export generates now. Regenerate with
// go test ./internal/export -run TestShippedExports -update.
func TestShippedExports(t *testing.T) {
	set, err := rules.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, r := range set {
		dir := filepath.Join("..", "..", "rules", r.Dir, "exports")
		if _, err := os.Stat(dir); err != nil && !*update {
			continue
		}
		for _, target := range Targets {
			out, err := Rule(r, target)
			if err != nil {
				t.Errorf("%s --to %s: %v", r.ID, target, err)
				continue
			}
			path := filepath.Join(dir, FileName(r.ID, target))
			if *update {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(out.Text), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("%s: %v (regenerate with -update)", r.ID, err)
				continue
			}
			if d := cmp.Diff(string(want), out.Text); d != "" {
				t.Errorf("%s drifted from `tiercel export --to %s %s` (-checked in +generated); regenerate with -update:\n%s", path, target, r.ID, d)
			}
			checked++
		}
	}
	if !*update && checked == 0 {
		t.Fatal("no shipped rule has exports/ checked in")
	}
}
