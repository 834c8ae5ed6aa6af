package event

import "unsafe"

// Arena hands out copies of strings held in blocks of bytes it reuses
// once Reset. A block that is full is replaced, not grown: the copies
// made before keep pointing into it. The zero Arena is ready to use.
type Arena struct{ b []byte }

// minArenaBlock is the smallest block an Arena allocates.
const minArenaBlock = 256

// Copy returns a copy of s valid until the next Reset.
func (a *Arena) Copy(s string) string {
	if s == "" {
		return ""
	}
	a.room(len(s))
	start := len(a.b)
	a.b = append(a.b, s...)
	return unsafe.String(&a.b[start], len(s))
}

// CopyBytes is Copy of b.
func (a *Arena) CopyBytes(b []byte) string {
	return a.Copy(unsafe.String(unsafe.SliceData(b), len(b)))
}

// room makes the current block hold n more bytes.
func (a *Arena) room(n int) {
	if cap(a.b)-len(a.b) < n {
		a.b = make([]byte, 0, max(2*cap(a.b), n, minArenaBlock))
	}
}

// Reset lets the last block be written again: the copies made so far
// are no longer valid.
func (a *Arena) Reset() { a.b = a.b[:0] }
