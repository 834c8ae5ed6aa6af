package engine

import "bytes"

// maxLocatedKeys bounds the distinct JSON keys one prefilter locates per
// line; nodes on further keys search the line themselves.
const maxLocatedKeys = 8

// keyCache holds, for one line, where the value of each located key is.
// It lives on the stack of Match.
type keyCache struct {
	count [maxLocatedKeys]uint8 // occurrences seen, capped at 2
	val   [maxLocatedKeys][]byte
}

// locate finds every wanted key in one pass over the line's colons: a key
// ends with an unescaped quote followed (after optional spaces) by ':',
// which cannot happen inside a string value, where quotes are escaped.
func (f *Prefilter) locate(line []byte, c *keyCache) {
	for i := 0; i < len(line); {
		j := bytes.IndexByte(line[i:], ':')
		if j < 0 {
			return
		}
		colon := i + j
		i = colon + 1
		q := colon - 1
		for q > 0 && isJSONSpace(line[q]) {
			q--
		}
		if q < 1 || line[q] != '"' || escaped(line, q) {
			continue
		}
		open := bytes.LastIndexByte(line[:q], '"')
		if open < 0 {
			continue
		}
		key := line[open+1 : q]
		for k, want := range f.keys {
			if len(key) != len(want) || string(key) != string(want) {
				continue
			}
			if c.count[k] == 0 {
				c.val[k] = jsonValue(line[colon+1:])
			}
			if c.count[k] < 2 {
				c.count[k]++
			}
			break
		}
	}
}

// escaped reports whether the quote at q is preceded by an odd number of
// backslashes.
func escaped(line []byte, q int) bool {
	n := 0
	for k := q - 1; k >= 0 && line[k] == '\\'; k-- {
		n++
	}
	return n%2 == 1
}

// jsonValue returns the value starting in b (after a key's colon): a
// string's raw contents, or for other values the rest of the line.
func jsonValue(b []byte) []byte {
	i := 0
	for i < len(b) && isJSONSpace(b[i]) {
		i++
	}
	if i >= len(b) || b[i] != '"' {
		return b[i:]
	}
	start := i + 1
	for j := start; j < len(b); {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			break
		}
		if !escaped(b, j+k) {
			return b[start : j+k]
		}
		j += k + 1
	}
	return b[start:]
}

// matchField tests the key's value. A line where the key occurs several
// times (nested objects) has every occurrence tested; a line without it is
// tested whole (conservative: keys could be written with escapes).
func (n *pfNode) matchField(line []byte, c *keyCache) bool {
	if n.key < 0 {
		return n.matchFieldFrom(line, line, c)
	}
	switch c.count[n.key] {
	case 0:
		return n.kids[0].match(line, c)
	case 1:
		return n.kids[0].match(c.val[n.key], c)
	}
	return n.matchFieldFrom(line, line, c)
}
