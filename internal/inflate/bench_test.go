package inflate

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"testing"

	kgzip "github.com/klauspost/compress/gzip"
)

// benchGzip is TIERCEL_BENCH_GZIP's file, or a gzipped slice of event-like
// text: the decoders side by side on the same bytes.
func benchGzip(b *testing.B) []byte {
	if path := os.Getenv("TIERCEL_BENCH_GZIP"); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	var buf bytes.Buffer
	z := gzip.NewWriter(&buf)
	z.Write(inputs()["text"])
	z.Close()
	return buf.Bytes()
}

func benchDecoder(b *testing.B, open func(io.Reader) (io.Reader, error)) {
	file := benchGzip(b)
	out := make([]byte, 1<<20)
	for b.Loop() {
		r, err := open(bytes.NewReader(file))
		if err != nil {
			b.Fatal(err)
		}
		var n int64
		for {
			k, err := r.Read(out)
			n += int64(k)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		b.SetBytes(n)
	}
}

func BenchmarkGzip(b *testing.B) {
	b.Run("tiercel", func(b *testing.B) {
		benchDecoder(b, func(r io.Reader) (io.Reader, error) { return NewGzipReader(bufio.NewReaderSize(r, 64<<10)) })
	})
	b.Run("klauspost", func(b *testing.B) {
		benchDecoder(b, func(r io.Reader) (io.Reader, error) { return kgzip.NewReader(bufio.NewReaderSize(r, 64<<10)) })
	})
	b.Run("stdlib", func(b *testing.B) {
		benchDecoder(b, func(r io.Reader) (io.Reader, error) { return gzip.NewReader(bufio.NewReaderSize(r, 64<<10)) })
	})
}
