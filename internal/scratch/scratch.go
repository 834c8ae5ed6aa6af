// Package scratch makes the temporary files tiercel spills to when what it
// holds outgrows memory: process details, candidate lines, result rows.
package scratch

import "os"

// File is a temporary file removed as soon as it is made where the system
// lets an open file go (its space is freed when it is closed, or when the
// process ends however it ends); elsewhere Close removes it.
type File struct {
	*os.File
	path string // still to remove at Close
}

// New makes a File in the directory TMPDIR names (os.TempDir), its name
// made from pattern as os.CreateTemp makes it.
func New(pattern string) (*File, error) {
	f, err := os.CreateTemp("", pattern)
	if err != nil {
		return nil, err
	}
	s := &File{File: f}
	if os.Remove(f.Name()) != nil {
		s.path = f.Name()
	}
	return s, nil
}

// Close closes the file and removes it if it is still there.
func (f *File) Close() error {
	err := f.File.Close()
	if f.path != "" {
		if rerr := os.Remove(f.path); err == nil {
			err = rerr
		}
		f.path = ""
	}
	return err
}
