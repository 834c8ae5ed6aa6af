// Package s3fake starts an S3-protocol server for tests: gofakes3 with its
// in-memory backend behind httptest on 127.0.0.1, reached through the real
// SDK client of package s3store.
package s3fake

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/tiercel/tiercel/internal/s3store"
)

// Credentials the fake accepts (it does not check signatures).
const (
	AccessKey = "tiercel-test"
	SecretKey = "tiercel-test-secret"
	Region    = "us-east-1"
)

// Server is a running fake.
type Server struct {
	URL  string // http://127.0.0.1:port
	http *httptest.Server
}

// Start runs a fake S3 server until the test ends.
func Start(t testing.TB) *Server { return StartWithLatency(t, 0) }

// StartWithLatency delays every response by d, standing for the first-byte
// latency of a real object store (tens of milliseconds), which parallel
// reads exist to hide; on loopback there is none.
func StartWithLatency(t testing.TB, d time.Duration) *Server {
	t.Helper()
	faker := gofakes3.New(s3mem.New(), gofakes3.WithAutoBucket(false))
	h := faker.Server()
	if d > 0 {
		inner := h
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(d)
			inner.ServeHTTP(w, r)
		})
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &Server{URL: ts.URL, http: ts}
}

// Options are store options reaching this server.
func (s *Server) Options() s3store.Options {
	return s3store.Options{
		Endpoint: s.URL, Region: Region, PathStyle: true,
		AccessKey: AccessKey, SecretKey: SecretKey,
	}
}

// Store is a client of this server.
func (s *Server) Store(t testing.TB) *s3store.Store {
	t.Helper()
	st, err := s3store.New(context.Background(), s.Options())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// Upload creates bucket and copies every file below dir to
// bucket/prefix/<relative path>, returning the number of bytes uploaded.
func (s *Server) Upload(t testing.TB, bucket, prefix, dir string) int64 {
	t.Helper()
	st := s.Store(t)
	ctx := context.Background()
	if err := st.CreateBucket(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	var total int64
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if prefix != "" {
			key = prefix + "/" + key
		}
		total += int64(len(data))
		return st.Put(ctx, bucket, key, bytes.NewReader(data))
	})
	if err != nil {
		t.Fatal(err)
	}
	return total
}
