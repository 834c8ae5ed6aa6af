package ingest

// Chunk buffers are recycled: a fresh 1 MiB buffer per chunk costs page
// faults and zeroing on every read and keeps the GC busy, which at GB/s
// rates is a large share of the reader's time.
//
// They wait in a list of at most idleChunks, not a sync.Pool: a pool keeps
// what was put in it through the next collection (its victim cache), so
// the buffers of one stretch of the read were live heap beside those of
// the next. Free text over 5.7 GB of five files peaked at 147-152 MB of
// RSS with the pool and at 136-139 with the list, as fast.
var chunkBuffers = make(chan []byte, idleChunks)

// idleChunks is how many recycled chunk buffers wait for reuse: more than
// a search has in flight between its reader and its workers (two files of
// compressed chunks queued ahead aside, which are read further ahead only
// while memory is not short).
const idleChunks = 16

// chunkBuffer returns a buffer of length n, reused when one of DefaultChunkSize
// fits. Its bytes are not zeroed: readers fill it before handing it out.
func chunkBuffer(n int) []byte {
	if n <= DefaultChunkSize {
		select {
		case b := <-chunkBuffers:
			return b[:n]
		default:
		}
		return make([]byte, n, DefaultChunkSize)
	}
	return make([]byte, n)
}

// Recycle gives a chunk's data back for reuse by later reads. Call it only
// when nothing refers to the data any more (decoded events copy what they
// keep). Chunks of other sizes, and chunks past idleChunks waiting, are
// left to the GC.
func Recycle(data []byte) {
	if cap(data) != DefaultChunkSize {
		return
	}
	select {
	case chunkBuffers <- data[:0]:
	default:
	}
}
