package ingest

import (
	"testing"
)

// BenchmarkReadPlainRecycled reads like a search does: each chunk goes back
// to the buffer pool once consumed (compare with BenchmarkReadPlain).
func BenchmarkReadPlainRecycled(b *testing.B) { benchmarkRead(b, plainBytes, true) }

// TestRecycleReusesBuffers: a recycled chunk buffer comes back for the next
// read, and buffers of other sizes are not pooled.
func TestRecycleReusesBuffers(t *testing.T) {
	b := chunkBuffer(DefaultChunkSize)
	b[0] = 'x'
	Recycle(b)
	Recycle(make([]byte, 10)) // ignored: wrong capacity
	got := chunkBuffer(100)
	if len(got) != 100 || cap(got) != DefaultChunkSize {
		t.Fatalf("chunkBuffer(100): len %d cap %d", len(got), cap(got))
	}
	if big := chunkBuffer(DefaultChunkSize + 1); len(big) != DefaultChunkSize+1 {
		t.Fatalf("oversized buffer has len %d", len(big))
	}
}
