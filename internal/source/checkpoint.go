package source

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
)

// Checkpoint is a small JSON document a source keeps its position in,
// replaced atomically (write, fsync, rename, fsync the directory) so a
// crash leaves the old or the new one, never a torn one.
type Checkpoint struct {
	Path string
	mu   sync.Mutex
}

// Load reads the checkpoint into v; a missing file leaves v as it is.
func (c *Checkpoint) Load(v any) error {
	data, err := os.ReadFile(c.Path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// Save replaces the checkpoint with v.
func (c *Checkpoint) Save(v any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(c.Path), 0o755); err != nil {
		return err
	}
	tmp := c.Path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, c.Path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(c.Path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
