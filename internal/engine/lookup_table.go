package engine

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// lookupTable is a lookup file read into memory: a header and rows of
// strings, in file order (match() prefers later rows).
type lookupTable struct {
	name    string
	columns []string
	rows    [][]string
}

func (t *lookupTable) column(name string) int {
	for i, c := range t.columns {
		if c == name {
			return i
		}
	}
	return -1
}

// lookupCache keeps parsed files across compilations (hunt compiles one
// program per rule, often over the same files); an entry is reused while
// the file's size and modification time are unchanged.
var lookupCache = struct {
	sync.Mutex
	m map[string]cachedTable
}{m: map[string]cachedTable{}}

type cachedTable struct {
	size  int64
	mtime time.Time
	table *lookupTable
}

// resolveLookupPath joins a match(file=...) name to the lookup directory,
// refusing names that climb out of it.
func resolveLookupPath(dir, name string) (string, error) {
	if dir == "" {
		return "", fmt.Errorf("lookup file %q: no lookup directory given (use --lookups DIR)", name)
	}
	clean := filepath.Clean(filepath.FromSlash(name))
	if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("lookup file %q: must be a path inside the lookup directory", name)
	}
	return filepath.Join(dir, clean), nil
}

// maxLookupBytes bounds one lookup file: it is read whole into memory.
const maxLookupBytes = 256 << 20

// confineLookup refuses a lookup path that resolves, through symbolic
// links, to somewhere outside the lookup directory: a link inside --lookups
// must not read (and quote in errors) other files of the machine.
func confineLookup(dir, path string) error {
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(realDir, real)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return errors.New("is a link to a file outside the lookup directory; refused")
	}
	return nil
}

// loadLookupTable reads a CSV or JSON lookup file (JSON when the name ends
// in .json). Errors name the file and, for malformed content, the line.
func loadLookupTable(dir, name string) (*lookupTable, error) {
	path, err := resolveLookupPath(dir, name)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("lookup file %q not found in %s", name, dir)
		}
		return nil, fmt.Errorf("lookup file %q: %v", name, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("lookup file %q is a directory", name)
	}
	if err := confineLookup(dir, path); err != nil {
		return nil, fmt.Errorf("lookup file %q: %v", name, err)
	}
	if !st.Mode().IsRegular() {
		// a FIFO would block, a device never end
		return nil, fmt.Errorf("lookup file %q is not a regular file", name)
	}
	if st.Size() > maxLookupBytes {
		return nil, fmt.Errorf("lookup file %q is %d MiB; lookup files are limited to %d MiB", name, st.Size()>>20, maxLookupBytes>>20)
	}
	lookupCache.Lock()
	c, ok := lookupCache.m[path]
	lookupCache.Unlock()
	if ok && c.size == st.Size() && c.mtime.Equal(st.ModTime()) {
		return c.table, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("lookup file %q: %v", name, err)
	}
	var t *lookupTable
	if strings.EqualFold(filepath.Ext(name), ".json") {
		t, err = parseLookupJSON(name, data)
	} else {
		t, err = parseLookupCSV(name, data)
	}
	if err != nil {
		return nil, err
	}
	lookupCache.Lock()
	lookupCache.m[path] = cachedTable{size: st.Size(), mtime: st.ModTime(), table: t}
	lookupCache.Unlock()
	return t, nil
}

// parseLookupCSV reads a CSV whose first line is the header. Whitespace in
// keys and values is kept, as LogScale does; every row must have as many
// fields as the header.
func parseLookupCSV(name string, data []byte) (*lookupTable, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = false
	header, err := r.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("lookup file %q: line 1: empty file, expected a header line", name)
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	seen := map[string]bool{}
	for i, h := range header {
		if h == "" {
			return nil, fmt.Errorf("lookup file %q: line 1: column %d has an empty name", name, i+1)
		}
		if seen[h] {
			return nil, fmt.Errorf("lookup file %q: line 1: duplicate column %q", name, h)
		}
		seen[h] = true
	}
	t := &lookupTable{name: name, columns: header}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		t.rows = append(t.rows, rec)
	}
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return fmt.Errorf("lookup file %q: line %d: row has a different number of fields than the header", name, pe.Line)
		}
		return fmt.Errorf("lookup file %q: line %d, column %d: %v", name, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("lookup file %q: %v", name, err)
}

// parseLookupJSON reads an array of objects, or an object whose values are
// objects (`{"1": {...}, "2": {...}}`), keeping rows in file order. Columns
// are the union of keys in order of first appearance; a row lacking a column
// holds "" there. Values must be strings, numbers, booleans or null.
func parseLookupJSON(name string, data []byte) (*lookupTable, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	t := &lookupTable{name: name}
	colIdx := map[string]int{}
	fail := func(format string, a ...any) error {
		line := 1 + bytes.Count(data[:min(int(dec.InputOffset()), len(data))], []byte("\n"))
		return fmt.Errorf("lookup file %q: line %d: %s", name, line, fmt.Sprintf(format, a...))
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, fail("%v", err)
	}
	open, ok := tok.(json.Delim)
	if !ok || (open != '[' && open != '{') {
		return nil, fail("expected an array of objects or an object of objects")
	}
	for dec.More() {
		if open == '{' {
			if _, err := dec.Token(); err != nil { // the row key
				return nil, fail("%v", err)
			}
		}
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return nil, fail("each row must be an object")
		}
		rec := make([]string, len(t.columns))
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, fail("%v", err)
			}
			k, _ := kt.(string)
			vt, err := dec.Token()
			if err != nil {
				return nil, fail("%v", err)
			}
			i, ok := colIdx[k]
			if !ok {
				i = len(t.columns)
				colIdx[k] = i
				t.columns = append(t.columns, k)
				rec = append(rec, "")
			}
			switch v := vt.(type) {
			case string:
				rec[i] = v
			case json.Number:
				rec[i] = v.String()
			case bool:
				rec[i] = boolString(v)
			case nil:
			default:
				return nil, fail("value of %q must be a string, number, boolean or null", k)
			}
		}
		if _, err := dec.Token(); err != nil { // the row's closing brace
			return nil, fail("%v", err)
		}
		t.rows = append(t.rows, rec)
	}
	for i, r := range t.rows {
		for len(r) < len(t.columns) {
			r = append(r, "")
		}
		t.rows[i] = r
	}
	return t, nil
}
