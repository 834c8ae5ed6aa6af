//go:build !amd64

package ingest

import (
	"encoding/binary"
	"math/bits"
)

// stringEnd finds the closing quote of a string whose contents start at
// s[i]; esc reports whether the contents hold a backslash. It tests eight
// bytes at a time for a quote or backslash (SWAR), the scan's hottest
// loop.
func stringEnd(s []byte, i int) (end int, esc bool, ok bool) {
	j := i
	for j+8 <= len(s) {
		w := binary.LittleEndian.Uint64(s[j:])
		m := zeroBytes(w^quotes) | zeroBytes(w^backslashes)
		if m == 0 {
			j += 8
			continue
		}
		k := j + bits.TrailingZeros64(m)/8
		if s[k] == '"' {
			return k, esc, true
		}
		esc = true
		j = k + 2 // skip the escaped byte
	}
	for ; j < len(s); j++ {
		switch s[j] {
		case '"':
			return j, esc, true
		case '\\':
			esc = true
			j++
		}
	}
	return 0, false, false
}
