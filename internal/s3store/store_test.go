package s3store_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/s3store"
	"github.com/tiercel/tiercel/internal/s3store/s3fake"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    s3store.Location
		wantErr string
	}{
		{"s3://b/p/q", s3store.Location{Bucket: "b", Key: "p/q"}, ""},
		{"s3://b", s3store.Location{Bucket: "b"}, ""},
		{"s3://b/", s3store.Location{Bucket: "b"}, ""},
		{"s3:///k", s3store.Location{}, "no bucket name"},
		{"/tmp/x", s3store.Location{}, "not an s3:// URL"},
	} {
		got, err := s3store.ParseURL(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: err %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %+v %v, want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestSortKeysWalkOrder(t *testing.T) {
	objs := []s3store.Object{{Key: "a.x"}, {Key: "a/b"}, {Key: "a-1/c"}, {Key: "a/a/z"}, {Key: "bkt"}}
	s3store.SortKeys(objs)
	var got []string
	for _, o := range objs {
		got = append(got, o.Key)
	}
	// filepath.WalkDir visits a directory's entries by name: a, a-1, a.x.
	want := []string{"a/a/z", "a/b", "a-1/c", "a.x", "bkt"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestListPaginatesAndFilters(t *testing.T) {
	srv := s3fake.Start(t)
	opts := srv.Options()
	opts.PageSize = 3 // force several pages
	ctx := context.Background()
	st, err := s3store.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateBucket(ctx, "fdr"); err != nil {
		t.Fatal(err)
	}
	keys := []string{
		"tree/manifest.json",
		"tree/data/u1/part-00000.gz", "tree/data/u1/part-00001.gz", "tree/data/u1/_SUCCESS",
		"tree/data/u2/part-00000.gz", "tree/data/.hidden/x.gz",
		"tree/fdrv2/aidmaster/a1/part-00000.gz", "tree/fdrv2/userinfo/u1/part-00000.gz",
		"treeish/not-below.gz", "other/x.gz",
	}
	for _, k := range keys {
		if err := st.Put(ctx, "fdr", k, bytes.NewReader([]byte(k))); err != nil {
			t.Fatal(err)
		}
	}
	all, err := st.List(ctx, "fdr", "tree")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 8 {
		t.Fatalf("listed %d objects below tree/, want 8: %v", len(all), all)
	}
	op := &s3store.Opener{Store: st}
	got, err := op.List("s3://fdr/tree")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"s3://fdr/tree/data/u1/part-00000.gz", "s3://fdr/tree/data/u1/part-00001.gz",
		"s3://fdr/tree/data/u2/part-00000.gz",
		"s3://fdr/tree/fdrv2/aidmaster/a1/part-00000.gz", "s3://fdr/tree/fdrv2/userinfo/u1/part-00000.gz",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("List:\n got %v\nwant %v", got, want)
	}
	one, err := op.List("s3://fdr/other/x.gz")
	if err != nil || !slices.Equal(one, []string{"s3://fdr/other/x.gz"}) {
		t.Fatalf("single object: %v %v", one, err)
	}
	if _, err := op.List("s3://fdr/nothing"); err == nil || err.Error() != "no such object or prefix" {
		t.Fatalf("missing prefix: %v", err)
	}
	if _, err := op.List("s3://no-such-bucket/x"); err == nil || !strings.Contains(err.Error(), "NoSuchBucket") {
		t.Fatalf("missing bucket: %v", err)
	}
	if _, err := op.Open("s3://fdr/tree/absent.gz"); err == nil || !strings.HasPrefix(err.Error(), "NoSuchKey: ") {
		t.Fatalf("missing key: %v (the opener leaves naming the URL to its caller)", err)
	}
	if _, err := st.Open(ctx, "fdr", "tree/absent.gz"); err == nil || !strings.HasPrefix(err.Error(), "s3://fdr/tree/absent.gz: NoSuchKey: ") {
		t.Fatalf("missing key through the store: %v", err)
	}
}

func TestReadAllStableOrder(t *testing.T) {
	srv := s3fake.Start(t)
	opts := srv.Options()
	opts.Concurrency = 4
	ctx := context.Background()
	st, err := s3store.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	var objs []s3store.Object
	for i := range 40 {
		k := fmt.Sprintf("p/%03d", i)
		// Sizes vary so downloads finish out of order.
		body := strings.Repeat(k, 1+(40-i)*500)
		if err := st.Put(ctx, "bkt", k, strings.NewReader(body)); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, s3store.Object{Key: k})
	}
	var order []string
	err = st.ReadAll(ctx, "bkt", objs, func(o s3store.Object, data []byte) error {
		if !bytes.HasPrefix(data, []byte(o.Key)) {
			return fmt.Errorf("%s: got bytes of another object", o.Key)
		}
		order = append(order, o.Key)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range order {
		if k != objs[i].Key {
			t.Fatalf("object %d delivered as %s", i, k)
		}
	}
	// A missing object stops the reads with its name; so does fn's error.
	bad := append(slices.Clone(objs[:5]), s3store.Object{Key: "p/missing"})
	bad = append(bad, objs[5:]...)
	n := 0
	err = st.ReadAll(ctx, "bkt", bad, func(s3store.Object, []byte) error { n++; return nil })
	if err == nil || !strings.Contains(err.Error(), "s3://bkt/p/missing") || n != 5 {
		t.Fatalf("missing object: err %v after %d objects", err, n)
	}
	stop := fmt.Errorf("stop")
	err = st.ReadAll(ctx, "bkt", objs, func(o s3store.Object, _ []byte) error {
		if o.Key == "p/010" {
			return stop
		}
		return nil
	})
	if err != stop {
		t.Fatalf("fn error: %v", err)
	}
	rc, err := st.Open(ctx, "bkt", "p/039")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(rc)
	rc.Close()
	if string(data) != strings.Repeat("p/039", 501) {
		t.Fatalf("Open p/039: %d bytes", len(data))
	}
}
