package emulate

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

var uuidDir = `[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`

// writeTree runs WriteFDR into a fresh directory and returns it.
func writeTree(t *testing.T, o Options) (string, *Manifest) {
	t.Helper()
	g, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	m, err := WriteFDR(dir, g)
	if err != nil {
		t.Fatal(err)
	}
	return dir, m
}

func gunzipLines(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: not gzip: %v", path, err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		if !json.Valid(sc.Bytes()) {
			t.Fatalf("%s line %d: invalid JSON", path, n+1)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return n
}

func TestFDRLayout(t *testing.T) {
	dir, m := writeTree(t, Options{Seed: 2, Events: 30000, Duration: 30 * time.Minute})
	partRe := regexp.MustCompile(`^data/` + uuidDir + `/part-0000[0-2]\.gz$`)
	successRe := regexp.MustCompile(`^(data|fdrv2/aidmaster|fdrv2/userinfo)/` + uuidDir + `/_SUCCESS$`)
	lookupRe := regexp.MustCompile(`^fdrv2/(aidmaster|userinfo)/` + uuidDir + `/part-00000\.gz$`)
	batches := map[string]int{}
	var dataLines, aidmaster, userinfo int
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		switch {
		case rel == "manifest.json":
		case partRe.MatchString(rel):
			batches[filepath.Dir(rel)]++
			dataLines += gunzipLines(t, path)
		case successRe.MatchString(rel):
			if fi, _ := d.Info(); fi.Size() != 0 {
				t.Errorf("%s is %d bytes, want empty", rel, fi.Size())
			}
			if strings.HasPrefix(rel, "data/") {
				batches[filepath.Dir(rel)] += 100
			}
		case lookupRe.MatchString(rel):
			if strings.Contains(rel, "aidmaster") {
				aidmaster += gunzipLines(t, path)
			} else {
				userinfo += gunzipLines(t, path)
			}
		default:
			t.Errorf("unexpected file %s", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 3 {
		t.Errorf("got %d batches for 30m, want 3 (one per 10 minutes)", len(batches))
	}
	for b, n := range batches {
		if n != 103 {
			t.Errorf("batch %s: %d parts and success marker %v, want 3 parts and _SUCCESS", b, n%100, n >= 100)
		}
	}
	if int64(dataLines) != m.Events {
		t.Errorf("data holds %d lines, manifest says %d", dataLines, m.Events)
	}
	est := mustEstate(t, 2, 40)
	if aidmaster != len(est.Hosts) || userinfo != len(est.Accounts) {
		t.Errorf("aidmaster %d (want %d), userinfo %d (want %d)", aidmaster, len(est.Hosts), userinfo, len(est.Accounts))
	}
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var back Manifest
	if err := json.Unmarshal(raw, &back); err != nil || back.Events != m.Events || len(back.Attacks) != 10 {
		t.Fatalf("manifest.json does not round-trip: %v", err)
	}
}

func TestFDRDeterministic(t *testing.T) {
	digest := func() [32]byte {
		dir, _ := writeTree(t, Options{Seed: 4, Events: 5000})
		h := sha256.New()
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(dir, path)
				b, _ := os.ReadFile(path)
				h.Write([]byte(rel))
				h.Write(b)
			}
			return err
		})
		return [32]byte(h.Sum(nil))
	}
	if a, b := digest(), digest(); !bytes.Equal(a[:], b[:]) {
		t.Fatal("two FDR trees from the same seed differ")
	}
}
