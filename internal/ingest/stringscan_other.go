//go:build !amd64

package ingest

import (
	"encoding/binary"
	"math/bits"
)

// indexQuoteOrEscape returns the index of the first '"' or '\\' in b, or
// -1: where a JSON string ends or escapes a byte. It tests eight bytes at
// a time (SWAR).
func indexQuoteOrEscape(b []byte) int {
	j := 0
	for ; j+8 <= len(b); j += 8 {
		w := binary.LittleEndian.Uint64(b[j:])
		if m := zeroBytes(w^quotes) | zeroBytes(w^backslashes); m != 0 {
			return j + bits.TrailingZeros64(m)/8
		}
	}
	for ; j < len(b); j++ {
		if b[j] == '"' || b[j] == '\\' {
			return j
		}
	}
	return -1
}
