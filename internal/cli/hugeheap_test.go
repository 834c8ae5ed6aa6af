package cli

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestThpDisabled(t *testing.T) {
	for _, tc := range []struct {
		godebug string
		want    bool
	}{
		{"", false},
		{"disablethp=1", true},
		{"disablethp=0", false},
		{"gctrace=1,disablethp=1", true},
		{"disablethp=1, madvdontneed=1", true},
		{"disablethp=1,disablethp=0", false}, // the last setting wins
		{"xdisablethp=1", false},
	} {
		if got := thpDisabled(tc.godebug); got != tc.want {
			t.Errorf("thpDisabled(%q) = %v, want %v", tc.godebug, got, tc.want)
		}
	}
}

func TestHugePagesPay(t *testing.T) {
	for _, tc := range []struct {
		name        string
		huge, small time.Duration
		want        bool
	}{
		{"a trapping hypervisor: 11 µs a small fault", 200 * time.Microsecond, 5600 * time.Microsecond, true},
		{"a host backing huge pages on first touch", 13 * time.Millisecond, 800 * time.Microsecond, false},
		{"alike: the runtime's pages", time.Millisecond, time.Millisecond, false},
	} {
		if got := hugePagesPay(tc.huge, tc.small); got != tc.want {
			t.Errorf("%s: hugePagesPay(%v, %v) = %v, want %v", tc.name, tc.huge, tc.small, got, tc.want)
		}
	}
}

func TestSmallInput(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.ndjson")
	if err := os.WriteFile(small, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.ndjson")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(smallInputBytes); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	for _, tc := range []struct {
		name  string
		paths []string
		want  bool
	}{
		{"standard input", nil, false},
		{"a small file", []string{small}, true},
		{"small files", []string{small, small}, true},
		{"a file of the threshold", []string{big}, false},
		{"a small file beside a big one", []string{small, big}, false},
		{"a directory", []string{dir}, false},
		{"a missing file", []string{filepath.Join(dir, "none")}, false},
		{"a URL", []string{"s3://bucket/fdr"}, false},
	} {
		if got := smallInput(tc.paths); got != tc.want {
			t.Errorf("%s: smallInput(%q) = %v, want %v", tc.name, tc.paths, got, tc.want)
		}
	}
}
