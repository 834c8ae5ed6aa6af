package ingest

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func sampleData(b *testing.B, size int) []byte {
	b.Helper()
	lines, err := os.ReadFile("testdata/falcon-fdr-samples.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	for buf.Len() < size {
		buf.Write(lines)
	}
	return buf.Bytes()
}

func benchmarkDecode(b *testing.B, needs event.Needs) {
	data := sampleData(b, 1<<20)
	var lines [][]byte
	Lines(event.Chunk{Data: data, FirstLine: 1}, func(line []byte, _ int) bool {
		lines = append(lines, line)
		return true
	})
	d := NewDecoder(needs)
	var ev event.Event
	b.SetBytes(int64(len(data)) / int64(len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := d.Decode(lines[i%len(lines)], &ev); err != nil {
			b.Fatal(err)
		}
	}
}

// A detection's typical needs: a few top-level fields and the tag.
func BenchmarkDecodeFew(b *testing.B) {
	benchmarkDecode(b, needsOf("#event_simpleName", "CommandLine", "ImageFileName", "aid", "RemotePort"))
}

func BenchmarkDecodeAll(b *testing.B) { benchmarkDecode(b, event.Needs{All: true}) }

// benchmarkRead reads encode(sample) to the end; recycle hands each chunk
// back to the buffer pool, as a search does.
func benchmarkRead(b *testing.B, encode func(testing.TB, []byte) []byte, recycle bool) {
	data := sampleData(b, 16<<20)
	file := filepath.Join(b.TempDir(), "data")
	if err := os.WriteFile(file, encode(b, data), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := Open([]string{file}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			c, err := r.Next()
			if err == io.EOF {
				break
			}
			if recycle {
				Recycle(c.Data)
			}
		}
	}
}

func plainBytes(_ testing.TB, d []byte) []byte { return d }

func BenchmarkReadPlain(b *testing.B) { benchmarkRead(b, plainBytes, false) }
func BenchmarkReadGzip(b *testing.B)  { benchmarkRead(b, gzipBytes, false) }
func BenchmarkReadZstd(b *testing.B)  { benchmarkRead(b, zstdBytes, false) }

// Several gzip files: decompressed in parallel by the read-ahead.
func BenchmarkReadGzipFiles(b *testing.B) {
	data := sampleData(b, 4<<20)
	dir := b.TempDir()
	const files = 4
	for i := range files {
		name := filepath.Join(dir, "part-"+string(rune('0'+i))+".gz")
		if err := os.WriteFile(name, gzipBytes(b, data), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(files * int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := Open([]string{dir}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			}
		}
	}
}

// hugeLine is one JSON object of n distinct keys.
func hugeLine(n int) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%d":%d`, i, i)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// A line of 100,000 keys decodes in linear time (it took 20 s when every
// field was found by scanning the others).
func BenchmarkDecode100kKeys(b *testing.B) {
	line := hugeLine(100_000)
	d := NewDecoder(event.Needs{All: true})
	var ev event.Event
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if err := d.Decode(line, &ev); err != nil {
			b.Fatal(err)
		}
	}
}
