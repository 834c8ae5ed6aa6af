package ingest_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/s3store"
	"github.com/tiercel/tiercel/internal/s3store/s3fake"
)

// An s3:// tree reads exactly like the same tree on disk: same files in the
// same order with the same kinds, same decompressed lines.
func TestOpenerS3TreeReadsLikeLocal(t *testing.T) {
	dir := t.TempDir()
	put := func(rel string, data []byte) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var gz, zs bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write([]byte(`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"1"}` + "\n"))
	gw.Close()
	zw, _ := zstd.NewWriter(&zs)
	zw.Write([]byte(`{"event_simpleName":"DnsRequest","aid":"a1","ContextProcessId":"1"}` + "\n"))
	zw.Close()
	put("manifest.json", []byte(`{"not":"telemetry"}`))
	put("data/b1/part-00000.gz", gz.Bytes())
	put("data/b1/part-00001.zst", zs.Bytes())
	put("data/b1/_SUCCESS", nil)
	put("data/b2/part-00000", []byte(`{"event_simpleName":"NetworkConnectIP4","aid":"a2"}`+"\n"))
	put("fdrv2/aidmaster/x/part-00000.gz", gz.Bytes())
	put("fdrv2/userinfo/y/part-00000", []byte(`{"UserSid_readable":"S-1","UserName":"u"}`+"\n"))

	srv := s3fake.Start(t)
	srv.Upload(t, "archive", "fdr/2026", dir)
	ingest.RegisterOpener("s3", &s3store.Opener{Store: srv.Store(t)})
	t.Cleanup(func() { ingest.RegisterOpener("s3", nil) })

	read := func(path, root string) (files []ingest.File, lines string) {
		r, err := ingest.Open([]string{path}, ingest.Options{OnError: func(err error) { t.Error(err) }})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		for _, f := range r.Files() {
			f.Path = strings.TrimPrefix(filepath.ToSlash(f.Path), root)
			files = append(files, f)
		}
		var b strings.Builder
		for {
			c, err := r.Next()
			if err == io.EOF {
				break
			}
			b.WriteString(strings.TrimPrefix(filepath.ToSlash(c.Source), root) + ":")
			b.Write(c.Data)
		}
		return files, b.String()
	}
	localFiles, localLines := read(dir, filepath.ToSlash(dir))
	s3Files, s3Lines := read("s3://archive/fdr/2026", "s3://archive/fdr/2026")
	if len(localFiles) != 5 {
		t.Fatalf("local files: %v", localFiles)
	}
	if len(s3Files) != len(localFiles) {
		t.Fatalf("s3 files %v\nlocal files %v", s3Files, localFiles)
	}
	for i := range s3Files {
		if s3Files[i] != localFiles[i] {
			t.Errorf("file %d: s3 %v, local %v", i, s3Files[i], localFiles[i])
		}
	}
	for i, f := range s3Files {
		remote, rok := ingest.FileSize("s3://archive/fdr/2026" + f.Path)
		local, lok := ingest.FileSize(filepath.Join(dir, filepath.FromSlash(localFiles[i].Path)))
		if !rok || !lok || remote != local {
			t.Errorf("%s: size %d (%v) in S3, %d (%v) on disk", f.Path, remote, rok, local, lok)
		}
	}
	if s3Lines != localLines {
		t.Errorf("lines differ:\n s3 %q\nlocal %q", s3Lines, localLines)
	}
}

// openErrors opens paths and reads them through, returning every error:
// from Open itself or reported per file while reading.
func openErrors(t *testing.T, paths ...string) []error {
	t.Helper()
	var errs []error
	r, err := ingest.Open(paths, ingest.Options{OnError: func(err error) { errs = append(errs, err) }})
	if err != nil {
		return []error{err}
	}
	defer r.Close()
	for {
		if _, err := r.Next(); err == io.EOF {
			return errs
		}
	}
}

func TestOpenerErrors(t *testing.T) {
	srv := s3fake.Start(t)
	srv.Upload(t, "archive", "p", t.TempDir()) // an empty bucket
	ingest.RegisterOpener("s3", &s3store.Opener{Store: srv.Store(t)})
	t.Cleanup(func() { ingest.RegisterOpener("s3", nil) })
	for _, tc := range []struct {
		name, path, want string
	}{
		{"unknown scheme", "gs://bucket/x", "gs://bucket/x: no reader for gs:// paths"},
		{"empty prefix", "s3://archive/p", "s3://archive/p: no such object or prefix"},
		{"missing bucket", "s3://absent-bucket/p", "s3://absent-bucket/p: listing: NoSuchBucket: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := openErrors(t, tc.path)
			var fe *ingest.FileError
			if len(errs) != 1 || !errors.As(errs[0], &fe) || fe.Path != tc.path || !strings.HasPrefix(errs[0].Error(), tc.want) {
				t.Fatalf("errors %v, want one *FileError starting %q", errs, tc.want)
			}
		})
	}
	// An object that vanishes between listing and reading is a file error
	// naming it once; reading goes on.
	ingest.RegisterOpener("s3", vanishing{&s3store.Opener{Store: srv.Store(t)}, "s3://archive/p/gone"})
	errs := openErrors(t, "s3://archive/p")
	var fe *ingest.FileError
	if len(errs) != 1 || !errors.As(errs[0], &fe) || fe.Path != "s3://archive/p/gone" ||
		!strings.HasPrefix(fe.Error(), "s3://archive/p/gone: NoSuchKey: ") {
		t.Fatalf("file errors: %v", errs)
	}
}

// vanishing lists one object that is not there.
type vanishing struct {
	*s3store.Opener
	url string
}

func (v vanishing) List(string) ([]string, error) { return []string{v.url}, nil }
