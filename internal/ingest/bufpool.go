package ingest

import "sync"

// Chunk buffers are recycled: a fresh 1 MiB buffer per chunk costs page
// faults and zeroing on every read and keeps the GC busy, which at GB/s
// rates is a large share of the reader's time.
var chunkBuffers sync.Pool // of *[]byte with cap >= DefaultChunkSize

// chunkBuffer returns a buffer of length n, reused when one of DefaultChunkSize
// fits. Its bytes are not zeroed: readers fill it before handing it out.
func chunkBuffer(n int) []byte {
	if n <= DefaultChunkSize {
		if p, ok := chunkBuffers.Get().(*[]byte); ok {
			return (*p)[:n]
		}
		return make([]byte, n, DefaultChunkSize)
	}
	return make([]byte, n)
}

// Recycle gives a chunk's data back for reuse by later reads. Call it only
// when nothing refers to the data any more (decoded events copy what they
// keep). Chunks of other sizes are left to the GC.
func Recycle(data []byte) {
	if cap(data) != DefaultChunkSize {
		return
	}
	b := data[:0]
	chunkBuffers.Put(&b)
}
