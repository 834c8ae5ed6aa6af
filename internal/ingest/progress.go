package ingest

import (
	"io"
	"sync/atomic"
)

// fileBytesRead counts bytes read from input files (before decompression)
// by every Reader in the process: progress displays divide it by the size
// of the inputs, whichever pass (scan, learn, search) is reading them.
var fileBytesRead atomic.Int64

// FileBytesRead returns the bytes read from input files so far.
func FileBytesRead() int64 { return fileBytesRead.Load() }

// countingReader adds what it reads to fileBytesRead.
type countingReader struct{ r io.Reader }

// countingReaderAt counts what is read at offsets (parallel gzip).
type countingReaderAt struct{ r io.ReaderAt }

func (c countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	fileBytesRead.Add(int64(n))
	return n, err
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	fileBytesRead.Add(int64(n))
	return n, err
}
