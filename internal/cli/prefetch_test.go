package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tiercel/tiercel/internal/emulate"
)

// The emulation's manifest says, per BrowserPrefetch scenario, whether the
// browser-prefetch tuning removes it; `hunt --tuning browser-prefetch` on
// the same output must do exactly that.
func TestHuntBrowserPrefetchMatchesManifest(t *testing.T) {
	fdr := filepath.Join(t.TempDir(), "fdr")
	emulateTo(t, "--fdr", fdr)
	data, err := os.ReadFile(filepath.Join(fdr, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m emulate.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	untuned := alertKeys(t, "", fdr)
	tuned := alertKeys(t, "", "--tuning", "browser-prefetch", fdr)
	var removed, kept int
	for _, fp := range m.FalsePositives {
		if fp.Source != "BrowserPrefetch" {
			continue
		}
		for _, x := range fp.Expectations {
			for _, id := range x.Signals {
				key := id + " " + emulate.BranchDNS
				if !slices.Contains(untuned, key) {
					t.Errorf("%s lookup %s: no untuned alert", x.Host, id)
				}
				if got := slices.Contains(tuned, key); got == x.Removed {
					t.Errorf("%s (%s) lookup %s: kept by the tuning = %v, manifest says removed = %v (%s)", x.Host, x.Role, id, got, x.Removed, x.Reason)
				}
			}
			if x.Removed {
				removed++
			} else {
				kept++
			}
		}
	}
	if removed == 0 || kept == 0 {
		t.Errorf("%d lookups removed, %d kept; the estate should show both", removed, kept)
	}
}
