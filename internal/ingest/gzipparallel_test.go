package ingest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A gzip file of many members read from a file decodes in parallel, and
// gives exactly what decoding one member after another gives: the same
// lines, and for damaged input the same lines kept and the same error.
func TestParallelGzipMatchesSequential(t *testing.T) {
	splitSmall(t)

	var text strings.Builder
	for i := range 6000 {
		fmt.Fprintf(&text, "{\"i\":%d,\"pad\":\"%x\"}\n", i, i*7919)
	}
	body := []byte(text.String())
	// members cut at arbitrary bytes: lines run across members and tasks
	members := func(data []byte, size int, level int) [][]byte {
		var out [][]byte
		for len(data) > 0 {
			n := min(size, len(data))
			out = append(out, gzipLevel(t, data[:n], level))
			data = data[n:]
		}
		return out
	}
	join := func(ms [][]byte) []byte { return bytes.Join(ms, nil) }
	many := members(body, 1500, gzip.DefaultCompression)
	// stored blocks copy their bytes: a member start written inside data
	fake := []byte("{\"x\":\"\x1f\x8b\x08\x00\x00\"}\n")
	faked := join(members(bytes.Repeat(append(fake, body[:3000]...), 40), 5000, gzip.NoCompression))
	damaged := join(many)
	damaged[len(damaged)/2] ^= 0x55
	badCRC := append([][]byte(nil), many...)
	badCRC[len(many)/2] = append([]byte(nil), many[len(many)/2]...)
	badCRC[len(many)/2][len(badCRC[len(many)/2])-6] ^= 0xff

	tests := []struct {
		name string
		data []byte
	}{
		{"many members", join(many)},
		{"one member", gzipLevel(t, body, gzip.DefaultCompression)},
		{"member starts inside stored data", faked},
		{"damaged data", damaged},
		{"a bad checksum", join(badCRC)},
		{"truncated", join(many)[:len(join(many))*2/3]},
		{"trailing garbage", append(join(many), "not gzip at all"...)},
		{"a trailing member start", append(join(many), 0x1f, 0x8b, 0x08, 0x00)},
		{"large members", join(members(body, 40000, gzip.NoCompression))},
	}
	read := func(data []byte, file bool) (string, string) {
		cfg := streamConfig{chunkSize: 4096}
		if file {
			cfg.file, cfg.size = bytes.NewReader(data), int64(len(data))
		}
		var out strings.Builder
		err := readStreamWith(bytes.NewReader(data), cfg, func(d []byte, line int) bool {
			if want := strings.Count(out.String(), "\n") + 1; line != want {
				t.Errorf("a chunk starts at line %d, want %d", line, want)
			}
			out.Write(d)
			return true
		})
		return out.String(), fmt.Sprint(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantLines, wantErr := read(tt.data, false)
			tasks := gzipTasksDecoded.Load()
			gotLines, gotErr := read(tt.data, true)
			if tt.name == "large members" && gzipTasksDecoded.Load() != tasks {
				t.Errorf("%d spans of large members decoded in parallel: they are left to one decoder", gzipTasksDecoded.Load()-tasks)
			}
			if gotErr != wantErr {
				t.Errorf("error %q, one member at a time %q", gotErr, wantErr)
			}
			if len(wantLines) < 1000 {
				t.Fatalf("one member at a time kept %d bytes: the case should keep some", len(wantLines))
			}
			if diff := cmp.Diff(wantLines, gotLines); diff != "" {
				t.Errorf("lines differ from one member at a time (-want +got):\n%s", diff)
			}
		})
	}
}

// splitSmall makes files of a few KB take the parallel path, in spans of a
// few members on four goroutines, until the test ends.
func splitSmall(t *testing.T) {
	min, span, maxSpan, procs := parallelGzipMin, gzipTaskSpan, maxGzipTaskSpan, runtime.GOMAXPROCS(4)
	parallelGzipMin, gzipTaskSpan, maxGzipTaskSpan = 512, 2048, 16<<10
	t.Cleanup(func() {
		parallelGzipMin, gzipTaskSpan, maxGzipTaskSpan = min, span, maxSpan
		runtime.GOMAXPROCS(procs)
	})
}

func gzipLevel(t testing.TB, data []byte, level int) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := gzip.NewWriterLevel(&b, level)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Reading a multi-member gzip file from a path takes the parallel path and
// gives the lines of the plain file, numbered alike.
func TestReaderParallelGzipFile(t *testing.T) {
	splitSmall(t)
	var text strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&text, "{\"i\":%d}\n", i)
	}
	body := []byte(text.String())
	var gz []byte
	for i := 0; i < len(body); i += 1000 {
		gz = append(gz, gzipLevel(t, body[i:min(i+1000, len(body))], gzip.BestSpeed)...)
	}
	dir := writeTree(t, map[string][]byte{"a.json": body, "b.json.gz": gz})
	lines := func(name string) []string {
		r, err := Open([]string{dir + "/" + name}, Options{ChunkSize: 4096})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var out []string
		for _, l := range readAll(t, r) {
			_, rest, _ := strings.Cut(l, name+":")
			out = append(out, rest)
		}
		return out
	}
	before := gzipTasksDecoded.Load()
	want, got := lines("a.json"), lines("b.json.gz")
	if gzipTasksDecoded.Load() == before {
		t.Error("no span was decoded in parallel")
	}
	if len(want) != 5000 {
		t.Fatalf("plain file: %d lines, want 5000", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("gzip lines differ from the plain file's (-want +got):\n%s", diff)
	}
}
