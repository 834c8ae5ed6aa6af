package ingest

import (
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
)

// Opener reads inputs named by URL (s3://bucket/prefix) instead of local
// paths. A path whose scheme has a registered Opener is listed and opened
// through it by every Reader, so enrichment passes, sub-query passes and
// the search read remote archives the way they read a local tree.
type Opener interface {
	// List returns the objects a URL stands for, in reading order, as URLs
	// Open accepts: the object itself, or every object below a prefix,
	// filtered and ordered as a local directory walk would be.
	List(url string) ([]string, error)
	// Open returns the raw (possibly compressed) bytes of one object.
	Open(url string) (io.ReadCloser, error)
	// ReadAhead is how many objects are worth reading at once (remote
	// reads wait on the network more than on the CPU).
	ReadAhead() int
}

var (
	openersMu sync.RWMutex
	openers   = map[string]Opener{}
)

// RegisterOpener makes paths starting with scheme "://" go through o (nil
// removes it). The CLI registers the S3 opener once its flags are known.
func RegisterOpener(scheme string, o Opener) {
	openersMu.Lock()
	defer openersMu.Unlock()
	if o == nil {
		delete(openers, scheme)
		return
	}
	openers[scheme] = o
}

// Scheme returns the URL scheme of path ("s3" for s3://b/k), or "" for a
// local path or stdin.
func Scheme(path string) string {
	scheme, _, ok := strings.Cut(path, "://")
	if !ok || scheme == "" || strings.ContainsAny(scheme, `/\.`) {
		return ""
	}
	return scheme
}

// openerFor returns the Opener for path's scheme, or nil for local paths.
func openerFor(path string) Opener {
	s := Scheme(path)
	if s == "" {
		return nil
	}
	openersMu.RLock()
	defer openersMu.RUnlock()
	return openers[s]
}

// openFile opens a local file or, through its Opener, a remote object.
func openFile(path string) (io.ReadCloser, error) {
	if o := openerFor(path); o != nil {
		return o.Open(path)
	}
	if s := Scheme(path); s != "" {
		return nil, &unknownSchemeError{s}
	}
	return os.Open(path)
}

// expandRemote lists a URL path through its Opener; remote is false for
// local paths. A failure is a *FileError naming the path.
func expandRemote(p string) (files []string, remote bool, err error) {
	if Scheme(p) == "" {
		return nil, false, nil
	}
	o := openerFor(p)
	if o == nil {
		return nil, true, &FileError{Path: p, Err: &unknownSchemeError{Scheme(p)}}
	}
	files, err = o.List(p)
	if err != nil {
		return nil, true, &FileError{Path: p, Err: err}
	}
	return files, true, nil
}

type unknownSchemeError struct{ scheme string }

func (e *unknownSchemeError) Error() string {
	return "no reader for " + e.scheme + ":// paths"
}

// FileSize is the size of a local file or of a remote object its Opener
// knows the size of (listed objects), for progress displays.
func FileSize(path string) (int64, bool) {
	if o := openerFor(path); o != nil {
		if s, ok := o.(interface{ Size(string) (int64, bool) }); ok {
			return s.Size(path)
		}
		return 0, false
	}
	st, err := os.Stat(path)
	if err != nil {
		return 0, false
	}
	return st.Size(), true
}

// defaultReadAhead is GOMAXPROCS (at least 2), or more when a path is
// remote and its Opener asks for more.
func defaultReadAhead(paths []string) int {
	n := max(runtime.GOMAXPROCS(0), 2)
	for _, p := range paths {
		if o := openerFor(p); o != nil {
			n = max(n, o.ReadAhead())
		}
	}
	return n
}
