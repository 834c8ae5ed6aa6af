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

// At most idleChunks recycled buffers wait for reuse; the rest are the
// GC's, not held as live heap. Once they are taken, buffers are fresh.
func TestRecycledBuffersWaitingAreBounded(t *testing.T) {
	for len(chunkBuffers) > 0 {
		<-chunkBuffers
	}
	recycled := map[*byte]bool{}
	for range idleChunks + 5 {
		b := make([]byte, 1, DefaultChunkSize)
		recycled[&b[0]] = true
		Recycle(b)
	}
	if n := len(chunkBuffers); n != idleChunks {
		t.Fatalf("%d buffers wait, want %d", n, idleChunks)
	}
	reused := 0
	for range idleChunks + 1 {
		b := chunkBuffer(DefaultChunkSize)
		if len(b) != DefaultChunkSize || cap(b) != DefaultChunkSize {
			t.Fatalf("chunkBuffer: len %d cap %d", len(b), cap(b))
		}
		if recycled[&b[0]] {
			reused++
		}
	}
	if reused != idleChunks {
		t.Fatalf("%d recycled buffers came back, want %d", reused, idleChunks)
	}
}
