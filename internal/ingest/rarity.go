package ingest

import "strings"

// ValueCommonness ranks how often a byte occurs in Falcon field values,
// case ignored: separators of paths, URLs and command lines and digits
// everywhere, then the most frequent letters. Literal matchers anchor a
// literal on its least common bytes (RarestPair): by their first pair,
// every path literal (\\cmd.exe, \\windows\\...) was compared at every
// backslash of every path.
func ValueCommonness(c byte) int {
	switch {
	case c == '\\' || c == ' ' || c == '.' || c == '-' || c == ':' || c == '/' || c == '_' || '0' <= c && c <= '9':
		return 9
	case strings.IndexByte("etaoinsr", c|0x20) >= 0:
		return 7
	case 'a' <= c|0x20 && c|0x20 <= 'z':
		return 5
	}
	return 4
}

// RarestPair returns the offset of text's least likely pair of bytes
// (ValueCommonness) among those at from, from+step, ... (from itself when
// there is none).
func RarestPair(text string, from, step int) int {
	best, bestScore := from, 1<<30
	for i := from; i+1 < len(text); i += step {
		if s := ValueCommonness(text[i]) + ValueCommonness(text[i+1]); s < bestScore {
			best, bestScore = i, s
		}
	}
	return best
}
