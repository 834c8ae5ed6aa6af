package s3store

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
)

// Opener lets internal/ingest read s3:// URLs (it satisfies
// ingest.Opener): a URL is a prefix listed like a local directory, or one
// object. Its errors do not repeat the URL: ingest names the path.
type Opener struct {
	Store *Store
	// Ctx bounds every request (context.Background when nil).
	Ctx context.Context

	mu    sync.Mutex
	known map[string]int64 // sizes of the object URLs seen in listings
}

func (o *Opener) ctx() context.Context {
	if o.Ctx != nil {
		return o.Ctx
	}
	return context.Background()
}

// ReadAhead is the store's read concurrency.
func (o *Opener) ReadAhead() int { return o.Store.Concurrency() }

// List returns the object URLs below url the way ingest walks a local
// directory: hidden entries and _SUCCESS markers skipped, and at the top
// of an FDR tree (data/ and fdrv2/ below the prefix) only those two read.
// A URL naming one object lists that object. Nothing at all is an error,
// like a missing local path.
func (o *Opener) List(url string) ([]string, error) {
	loc, err := ParseURL(url)
	if err != nil {
		return nil, err
	}
	if _, ok := o.Size(url); ok {
		// An object a listing returned (a distributed hunt names every
		// object of its batch): no request needed to know what it is.
		return []string{url}, nil
	}
	objs, err := o.Store.List(o.ctx(), loc.Bucket, loc.Key)
	if err != nil {
		return nil, withoutURL(err)
	}
	if len(objs) == 0 {
		if loc.Key != "" && !strings.HasSuffix(loc.Key, "/") {
			obj, ok, err := o.Store.Stat(o.ctx(), loc.Bucket, loc.Key)
			if err != nil {
				return nil, withoutURL(err)
			}
			if ok {
				u := obj.URL(loc.Bucket)
				o.mu.Lock()
				if o.known == nil {
					o.known = map[string]int64{}
				}
				o.known[u] = obj.Size
				o.mu.Unlock()
				return []string{u}, nil
			}
		}
		return nil, errors.New("no such object or prefix")
	}
	prefix := loc.Key
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	objs = WalkFilter(objs, prefix)
	out := make([]string, len(objs))
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.known == nil {
		o.known = map[string]int64{}
	}
	for i, obj := range objs {
		out[i] = obj.URL(loc.Bucket)
		o.known[out[i]] = obj.Size
	}
	return out, nil
}

// Size is the size of an object a listing returned (for progress).
func (o *Opener) Size(url string) (int64, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n, ok := o.known[url]
	return n, ok
}

// WalkFilter drops what a local directory walk of prefix skips: keys with
// a hidden segment or a _SUCCESS segment below prefix, and at the top of
// an FDR tree the objects beside data/ and fdrv2/ (a manifest, notes).
func WalkFilter(objs []Object, prefix string) []Object {
	fdr := hasDir(objs, prefix+"data/") && hasDir(objs, prefix+"fdrv2/")
	var out []Object
	for _, obj := range objs {
		rel := strings.TrimPrefix(obj.Key, prefix)
		if fdr && !strings.Contains(rel, "/") {
			continue
		}
		skip := false
		for _, seg := range strings.Split(rel, "/") {
			if strings.HasPrefix(seg, ".") || seg == "_SUCCESS" {
				skip = true
				break
			}
		}
		if !skip {
			out = append(out, obj)
		}
	}
	return out
}

func hasDir(objs []Object, dir string) bool {
	for _, o := range objs {
		if strings.HasPrefix(o.Key, dir) {
			return true
		}
	}
	return false
}

// Open streams the object url names.
func (o *Opener) Open(url string) (io.ReadCloser, error) {
	loc, err := ParseURL(url)
	if err != nil {
		return nil, err
	}
	rc, err := o.Store.Open(o.ctx(), loc.Bucket, loc.Key)
	return rc, withoutURL(err)
}
