package scratch

import (
	"os"
	"path/filepath"
	"testing"
)

// A scratch file reads back what was written and leaves nothing in its
// directory, open or closed.
func TestScratchFileLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	f, err := New("tiercel-test-*")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("rows"), 3); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 4)
	if _, err := f.ReadAt(b, 3); err != nil || string(b) != "rows" {
		t.Errorf("read back %q, %v", b, err)
	}
	left := func() []string {
		names, _ := filepath.Glob(filepath.Join(dir, "*"))
		return names
	}
	if names := left(); len(names) != 0 && f.path == "" {
		t.Errorf("open: %v left in the directory though the file was unlinked", names)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if names := left(); len(names) != 0 {
		t.Errorf("closed: %v left in the directory", names)
	}
}

// Without a writable TMPDIR, New says why.
func TestScratchFileNeedsADirectory(t *testing.T) {
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	if _, err := New("tiercel-test-*"); !os.IsNotExist(err) {
		t.Errorf("New = %v, want a missing-directory error", err)
	}
}
