package rules

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// CopyLookupFiles writes the plain files among entries, as listed from the
// directory from of fsys, into dir (subdirectories are skipped). Callers list
// the directory themselves: a missing one means different things to them.
func CopyLookupFiles(fsys fs.FS, from string, entries []fs.DirEntry, dir string) error {
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := fs.ReadFile(fsys, path.Join(from, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
