package ingest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

// At the top of an FDR tree only data/ and fdrv2/ hold records: files beside
// them (a manifest, notes) are not telemetry. Elsewhere every file counts.
func TestOpenFDRRootSkipsTopLevelFiles(t *testing.T) {
	write := func(root, rel string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fdr := t.TempDir()
	for _, rel := range []string{"manifest.json", "data/b1/part-0.gz", "data/b1/_SUCCESS", "fdrv2/aidmaster/x/part-0.gz"} {
		write(fdr, rel)
	}
	plain := t.TempDir()
	for _, rel := range []string{"manifest.json", "data/part-0"} {
		write(plain, rel)
	}
	tests := []struct {
		name string
		root string
		want []File
	}{
		{"fdr tree", fdr, []File{ // its lookups first
			{filepath.Join(fdr, "fdrv2/aidmaster/x/part-0.gz"), event.KindAidmaster},
			{filepath.Join(fdr, "data/b1/part-0.gz"), event.KindTelemetry},
		}},
		{"data/ alone is no FDR root", plain, []File{
			{filepath.Join(plain, "data/part-0"), event.KindTelemetry},
			{filepath.Join(plain, "manifest.json"), event.KindTelemetry},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Open([]string{tc.root}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			got := r.Files()
			if len(got) != len(tc.want) {
				t.Fatalf("files %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("file %d: %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
}
