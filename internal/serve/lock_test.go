package serve_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/serve"
)

// TestDataDirLock: a second server on the same data directory is refused
// while the first runs, and starts once the first has stopped.
func TestDataDirLock(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no flock on windows")
	}
	cfg := baseConfig(t)
	first := start(t, cfg, nil)
	second := *cfg
	if _, err := serve.New(&second, shippedPrograms(t, nil, ""), quietLog); err == nil || !strings.Contains(err.Error(), "in use by another tiercel serve") {
		t.Fatalf("second server on %s: err = %v, want in use", cfg.Data, err)
	}
	first.stop()
	start(t, &second, nil).stop()
}
