package inflate

import "math/bits"

// A decoding table entry packs what one lookup tells:
//
//	bits 0-3    bits the entry's code takes (a link: the primary bits)
//	bits 4-7    extra bits after the code (a link: its subtable's index bits)
//	bits 8-10   kind
//	bits 16-31  value: a literal byte, a length or distance base, or the
//	            subtable's offset for a link
//
// Codes up to the table's primary bits are found in one lookup of the low
// bits of the bit buffer; longer ones through a link to a subtable indexed
// by the bits after the primary ones (two lookups).
const (
	kindLiteral = iota << 8
	kindMatch   // a length (literal/length table) or a distance
	kindEnd     // end of block
	kindLink    // to a subtable
	kindInvalid // a symbol no valid stream uses, or no code at all
)

const kindMask = 7 << 8

func entry(kind, value, extra uint32) uint32 { return value<<16 | kind | extra<<4 }

const maxCodeLen = 15

// Primary table bits: one lookup for nearly every literal/length code;
// subtables of up to 2^(15-litBits) entries for the rest.
const (
	litBits     = 10
	distBits    = 8
	codeLenBits = 7 // code length codes are at most 7 bits: never a subtable

	numLitLen   = 288 // 286 and 287 decode, but are invalid
	numDist     = 32  // 30 and 31 likewise
	numCodeLens = 19

	// a table holds its primary entries and at most one subtable per
	// symbol, each of at most 2^(15-primary) entries
	litTableSize  = 1<<litBits + numLitLen<<(maxCodeLen-litBits)
	distTableSize = 1<<distBits + numDist<<(maxCodeLen-distBits)
)

// litLenEntries, distEntries and codeLenEntries are each symbol's entry
// without its code length (RFC 1951, 3.2.5).
var litLenEntries, distEntries, codeLenEntries = func() (l [numLitLen]uint32, d [numDist]uint32, c [numCodeLens]uint32) {
	for s := range 256 {
		l[s] = entry(kindLiteral, uint32(s), 0)
	}
	l[256] = entry(kindEnd, 0, 0)
	base := uint32(3)
	for s := 257; s < 285; s++ {
		extra := uint32(0)
		if s >= 265 {
			extra = uint32(s-261) / 4
		}
		l[s] = entry(kindMatch, base, extra)
		base += 1 << extra
	}
	l[285] = entry(kindMatch, 258, 0)
	l[286], l[287] = entry(kindInvalid, 0, 0), entry(kindInvalid, 0, 0)
	base = 1
	for s := range 30 {
		extra := uint32(0)
		if s >= 4 {
			extra = uint32(s-2) / 2
		}
		d[s] = entry(kindMatch, base, extra)
		base += 1 << extra
	}
	d[30], d[31] = entry(kindInvalid, 0, 0), entry(kindInvalid, 0, 0)
	for s := range numCodeLens {
		c[s] = entry(kindLiteral, uint32(s), 0)
	}
	return
}()

// build fills tab, whose primary part has 2^primary entries, with the
// canonical Huffman code of lengths (RFC 1951, 3.2.2): symbol s has
// lengths[s] bits (0: not used) and the entry syms[s]. It reports false for
// a code no valid stream has: over-subscribed, or incomplete other than
// empty or a single code of one bit (zlib writes those; decoding an unused
// code is then an error).
func build(tab []uint32, primary uint, lengths []uint8, syms []uint32) bool {
	var count [maxCodeLen + 1]int
	maxLen := 0
	for _, l := range lengths {
		count[l]++
		maxLen = max(maxLen, int(l))
	}
	left := 1
	for l := 1; l <= maxCodeLen; l++ {
		left = left<<1 - count[l]
		if left < 0 {
			return false
		}
	}
	if left > 0 {
		if maxLen != 0 && !(maxLen == 1 && count[1] == 1) {
			return false
		}
		// empty or one code: every other bit sequence is invalid
		for i := range tab[:1<<primary] {
			tab[i] = entry(kindInvalid, 0, 0)
		}
	}
	if maxLen == 0 {
		return true
	}

	// symbols in canonical order: by length, then by symbol
	var offs [maxCodeLen + 2]int
	for l := 1; l <= maxCodeLen; l++ {
		offs[l+1] = offs[l] + count[l]
	}
	var sorted [numLitLen]uint16
	for s, l := range lengths {
		if l != 0 {
			sorted[offs[l]] = uint16(s)
			offs[l]++
		}
	}

	subBits := uint(max(maxLen, int(primary))) - primary
	next := 1 << primary // where the next subtable goes
	prefix := -1         // the primary bits of the current subtable
	mask := 1<<primary - 1
	code, i := 0, 0
	for l := uint(1); l <= uint(maxLen); l++ {
		for range count[l] {
			e := syms[sorted[i]]
			i++
			// DEFLATE sends a code's bits from its most significant
			// end; the bit buffer holds them from its least.
			rev := int(bits.Reverse16(uint16(code)) >> (16 - l))
			code++
			if l <= primary {
				for j := rev; j <= mask; j += 1 << l {
					tab[j] = e | uint32(l)
				}
				continue
			}
			// Canonical codes are increasing: the long codes sharing
			// primary bits come one after another.
			if p := rev & mask; p != prefix {
				prefix = p
				tab[p] = entry(kindLink, uint32(next), uint32(subBits)) | uint32(primary)
				next += 1 << subBits
			}
			off := int(tab[prefix] >> 16)
			sub := l - primary
			for j := rev >> primary; j < 1<<subBits; j += 1 << sub {
				tab[off+j] = e | uint32(sub)
			}
		}
		code <<= 1
	}
	return true
}
