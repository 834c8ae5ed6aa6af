package ingest

// Words of the bytes that end, escape or break a JSON string, to test
// eight bytes at a time (SWAR): stringEnd without assembly, a document's
// string runs (plainStringRun).
const (
	quotes      = 0x2222222222222222
	backslashes = 0x5c5c5c5c5c5c5c5c
	newlines    = 0x0a0a0a0a0a0a0a0a
	lowBits     = 0x0101010101010101
	highBits    = 0x8080808080808080
)

// zeroBytes has the high bit set in the lowest zero byte of w (and maybe in
// higher bytes after it), and is 0 when w has no zero byte.
func zeroBytes(w uint64) uint64 { return (w - lowBits) &^ w & highBits }
