// Package saved holds a library of saved searches (LogScale "user
// functions"), the query fragments a query calls as $name() or
// $"name"(param=value). The engine compiles them inline; the checker checks
// them; the CLI loads them from a directory (--saved DIR).
package saved

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tiercel/tiercel/internal/suggest"
)

// Ext is the file extension of a saved search in a --saved directory.
const Ext = ".cql"

// Search is one saved search.
type Search struct {
	Name   string // as it is called, e.g. crowdstrike/fltr-core:zComputerName
	File   string // where the source came from, for diagnostics
	Source string // CQL text
}

// Library is a set of saved searches looked up by name. Names compare
// case-insensitively, and ':' (LogScale's package separator) equals '/', so
// $"pkg/x:y"() finds the file pkg/x/y.cql. A nil *Library has no searches.
type Library struct {
	byKey map[string]*Search
	names []string // sorted, as written in the files' paths
}

// Key normalises a saved search name for lookup.
func Key(name string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(name), ":", "/"))
}

// New builds a library from searches. Two searches whose names have the
// same key are an error.
func New(searches ...Search) (*Library, error) {
	l := &Library{byKey: make(map[string]*Search, len(searches))}
	for i := range searches {
		s := searches[i]
		if s.File == "" {
			s.File = s.Name + Ext
		}
		k := Key(s.Name)
		if k == "" {
			return nil, fmt.Errorf("%s: empty saved search name", s.File)
		}
		if prev, dup := l.byKey[k]; dup {
			return nil, fmt.Errorf("saved search %q is defined twice: %s and %s", s.Name, prev.File, s.File)
		}
		l.byKey[k] = &s
		l.names = append(l.names, s.Name)
	}
	sort.Strings(l.names)
	return l, nil
}

// Load reads every *.cql file under dir (recursively). A search's name is
// its path relative to dir, with '/' separators and without the extension:
// dir/crowdstrike/fltr-core/zComputerName.cql is called as
// $"crowdstrike/fltr-core:zComputerName"() (or with '/' for ':'). Files
// named with a literal ':' work too where the file system allows it.
func Load(dir string) (*Library, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("saved searches: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("saved searches: %s is not a directory", dir)
	}
	var searches []Search
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.EqualFold(filepath.Ext(path), Ext) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		name = name[:len(name)-len(Ext)]
		searches = append(searches, Search{Name: name, File: path, Source: string(b)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("saved searches: %w", err)
	}
	return New(searches...)
}

// Lookup finds a saved search by the name used in $name().
func (l *Library) Lookup(name string) (*Search, bool) {
	if l == nil {
		return nil, false
	}
	s, ok := l.byKey[Key(name)]
	return s, ok
}

// Names lists the searches' names, sorted.
func (l *Library) Names() []string {
	if l == nil {
		return nil
	}
	return l.names
}

// Len is the number of searches.
func (l *Library) Len() int {
	if l == nil {
		return 0
	}
	return len(l.names)
}

// Closest returns the known name nearest to an unknown one, for a "did you
// mean" hint, or "".
func (l *Library) Closest(name string) string {
	if l == nil {
		return ""
	}
	keys := make([]string, len(l.names))
	for i, n := range l.names {
		keys[i] = Key(n)
	}
	best := suggest.Closest(Key(name), keys)
	if best == "" {
		return ""
	}
	return l.byKey[best].Name
}
