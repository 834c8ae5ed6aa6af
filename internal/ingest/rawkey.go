package ingest

import "bytes"

// IndexKey returns the index in line of quoted, a JSON key with its quotes,
// or -1. It scans for the key's byte at anchor, its rarest in Falcon
// NDJSON: bytes.Index would look for the opening quote, which starts every
// string of the line. Finding the text does not make it a key (it may lie
// in a nested object); not finding it means the line has no such key
// written plainly (a \u escape may still spell it).
func IndexKey(line, quoted []byte, anchor int) int {
	if anchor <= 0 || anchor >= len(quoted) {
		return bytes.Index(line, quoted)
	}
	a := quoted[anchor]
	for i := anchor; i < len(line); {
		j := bytes.IndexByte(line[i:], a)
		if j < 0 {
			return -1
		}
		start := i + j - anchor
		if start+len(quoted) <= len(line) && bytes.Equal(line[start:start+len(quoted)], quoted) {
			return start
		}
		i += j + 1
	}
	return -1
}
