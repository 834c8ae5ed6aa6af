package engine

import (
	"bytes"
	"encoding/binary"
)

// LiteralSet tells whether a text holds one of a set of byte strings (case
// matters), for sets of many strings of digits and the like (process
// ids, SIDs) that the prefilter's multiLit, anchored on pairs of bytes,
// finds everywhere in lines full of numbers. Strings of four bytes or
// more are found by their 4-byte grams: only every stride-th position of
// the text is looked at, its gram tested in a hashed bitset, and a hit
// compared with the strings holding that gram at that offset. Shorter
// strings, and sets of a few, are looked for one by one.
type LiteralSet struct {
	short  [][]byte
	bits   [gramBits / 64]uint64
	grams  map[uint32][]gramEntry
	stride int
}

type gramEntry struct {
	lit []byte
	at  int // offset of the gram in lit
}

const (
	gramBits      = 1 << 16
	maxGramStride = 8
)

// fewLiterals: up to this many strings are looked for one by one, each
// with one bytes.Index (vectorised), faster than the gram scan.
const fewLiterals = 4

// NewLiteralSet returns the set of lits; empty strings are ignored.
func NewLiteralSet(lits []string) *LiteralSet {
	s := &LiteralSet{grams: map[uint32][]gramEntry{}, stride: maxGramStride}
	few := 0
	for _, l := range lits {
		if len(l) > 0 {
			few++
		}
		if len(l) >= 4 {
			s.stride = min(s.stride, len(l)-3)
		}
	}
	for _, l := range lits {
		b := []byte(l)
		switch {
		case len(b) == 0:
		case len(b) < 4 || few <= fewLiterals:
			s.short = append(s.short, b)
		default:
			// A match spans len-3 gram positions, so any stride of them
			// in a row holds one the scan looks at: the first ones (the
			// last measured no faster on process ids and SIDs).
			for at := range s.stride {
				g := binary.LittleEndian.Uint32(b[at:])
				h := gramHash(g)
				s.bits[h/64] |= 1 << (h % 64)
				s.grams[g] = append(s.grams[g], gramEntry{lit: b, at: at})
			}
		}
	}
	return s
}

func gramHash(g uint32) uint32 { return g * 0x9E3779B1 >> 16 }

// In reports whether text contains one of the set's strings.
func (s *LiteralSet) In(text []byte) bool { return s.Index(text) >= 0 }

// Index returns where the leftmost of the set's strings in text starts,
// -1 when none does.
func (s *LiteralSet) Index(text []byte) int {
	best := -1
	for _, l := range s.short {
		if i := bytes.Index(text, l); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	if len(s.grams) == 0 {
		return best
	}
	// A string starting at p is found at the one position of p..p+stride-1
	// the scan looks at: past best's, none starting before it can be.
	end := len(text)
	if best >= 0 {
		end = min(end, best+s.stride+3)
	}
	for i := 0; i+4 <= end; i += s.stride {
		g := binary.LittleEndian.Uint32(text[i:])
		if h := gramHash(g); s.bits[h/64]&(1<<(h%64)) == 0 {
			continue
		}
		for _, e := range s.grams[g] {
			start := i - e.at
			if start >= 0 && (best < 0 || start < best) && start+len(e.lit) <= len(text) && bytes.Equal(text[start:start+len(e.lit)], e.lit) {
				best = start
				end = min(end, best+s.stride+3)
			}
		}
	}
	return best
}
