package engine

import (
	"bytes"

	"github.com/tiercel/tiercel/internal/ingest"
)

// minMultiLits is the smallest OR of literals matched by multiLit: below it
// one IndexByte-driven scan per literal is as fast.
const minMultiLits = 3

// multiLit matches "the text contains one of these literals" in a single
// pass. Each literal is anchored at its least common pair of bytes
// (anchorPair: not the leading backslashes of a path); each pair of the
// text is tested in a bitset of the anchors (every case of folded ones),
// and only a pair that may be one looks up the literals anchored at its
// first byte. Letters start most literals, so a table of first bytes alone
// sent most positions of a text to compare strings. The bitset is hashed
// into 4096 bits (512 bytes: a hunt compiles hundreds of these); a
// collision only costs a lookup.
//
// When every literal has three bytes or more, only every stride-th pair of
// the text is looked at: a literal of n bytes spans n-1 pairs, so with a
// stride of at most n-1 one of them lies on a pair looked at, whatever
// the literal's offset. Each literal is anchored once per offset modulo
// the stride (at the rarest pair of that class), so the pair looked at is
// always one of its anchors.
type multiLit struct {
	pairs   [pairBits / 64]uint64 // pairIndex of some literal's anchor (its one byte, for 1-byte ones: every second byte)
	start   [256]uint16           // 1 + index in lists; 0: no anchor starts with this byte
	lists   [][]int32             // indexes in entries (a folded one under both cases of its byte)
	entries []multiEntry
	// a text's anchors lie from minAt to its length less minTail
	minAt, minTail int
	stride         int          // pairs of the text looked at: every stride-th
	ks             []multiEntry // folded literals with k or s (KELVIN SIGN, LONG S)
}

type multiEntry struct {
	text []byte // lower-cased when fold
	fold bool
	at   int     // offset of the anchor in text
	word wordLit // text's first eight bytes
}

// newMultiLit builds the matcher for the litText children of an OR, or
// returns nil when the OR has other kinds of children or too few literals.
func newMultiLit(kids []*litExpr) *multiLit {
	if len(kids) < minMultiLits {
		return nil
	}
	m := &multiLit{minAt: -1, minTail: -1, stride: min(maxMultiStride, max(multiAnchorBudget/len(kids), 1))}
	for _, k := range kids {
		if k.op != litText || k.text == "" {
			return nil
		}
		m.stride = min(m.stride, max(len(k.text)-1, 1))
	}
	for _, k := range kids {
		text := []byte(k.text)
		for _, at := range anchorPairs(k.text, m.stride) {
			e := multiEntry{text: text, fold: k.fold, at: at, word: newWordLit(text, k.fold)}
			if m.minAt < 0 || e.at < m.minAt {
				m.minAt = e.at
			}
			if tail := len(e.text) - e.at; m.minTail < 0 || tail < m.minTail {
				m.minTail = tail
			}
			a := e.text[e.at]
			m.entries = append(m.entries, e)
			m.add(a)
			m.addPairs(e)
			if e.fold {
				if up := upperByte(a); up != a {
					m.add(up)
				}
			}
		}
		if k.fold && bytes.ContainsAny(text, "ks") {
			m.ks = append(m.ks, multiEntry{text: text, fold: true})
		}
	}
	return m
}

// maxMultiStride bounds the stride, and multiAnchorBudget the anchors
// (literals times stride): every anchor lets more pairs of a text
// through, and a stride of 3 forces on some literals a common pair (".e"
// of ".exe"). Measured on the seed's literals (BenchmarkMultiLit...): 25
// domains 33 → 30 ns at stride 2 (41 at 3), 12 paths 90 → 50 and 9 tool
// names over command lines 117 → 56 at stride 3.
const (
	maxMultiStride    = 3
	multiAnchorBudget = 64
)

// anchorPairs returns, for each offset class modulo stride, the offset of
// text's rarest pair in that class (anchorPair's choice when stride is 1);
// a one-byte literal is anchored at its byte. stride must not exceed
// len(text)-1 unless text is one byte long.
func anchorPairs(text string, stride int) []int {
	if len(text) < 2 {
		return []int{0}
	}
	ats := make([]int, stride)
	for r := range ats {
		ats[r] = ingest.RarestPair(text, r, stride)
	}
	return ats
}

// add lists the last entry under its anchor's first byte.
func (m *multiLit) add(first byte) {
	if m.start[first] == 0 {
		m.lists = append(m.lists, nil)
		m.start[first] = uint16(len(m.lists))
	}
	i := m.start[first] - 1
	m.lists[i] = append(m.lists[i], int32(len(m.entries)-1))
}

// addPairs marks the pairs of bytes e's anchor can be.
func (m *multiLit) addPairs(e multiEntry) {
	cases := func(c byte) []byte {
		if e.fold && upperByte(c) != c {
			return []byte{c, upperByte(c)}
		}
		return []byte{c}
	}
	for _, a := range cases(e.text[e.at]) {
		if len(e.text) == 1 {
			for b := range 256 {
				m.setPair(a, byte(b))
			}
			continue
		}
		for _, b := range cases(e.text[e.at+1]) {
			m.setPair(a, b)
		}
	}
}

const pairBits = 4096

// pairIndex hashes two bytes into the bitset: the low six bits of the first
// (which tell letters and their case apart) above the second.
func pairIndex(a, b byte) uint { return (uint(a)<<6 ^ uint(b)) % pairBits }

func (m *multiLit) setPair(a, b byte) {
	p := pairIndex(a, b)
	m.pairs[p/64] |= 1 << (p % 64)
}

// match reports whether h contains one of the literals.
func (m *multiLit) match(h []byte) bool {
	var words wordReader
	words.reset(h)
	for i := m.minAt; i+m.minTail <= len(h); i += m.stride {
		if i+1 < len(h) {
			if p := pairIndex(h[i], h[i+1]); m.pairs[p/64]&(1<<(p%64)) == 0 {
				continue
			}
		}
		s := m.start[h[i]]
		if s == 0 {
			continue
		}
		for _, j := range m.lists[s-1] {
			e := &m.entries[j]
			start, n := i-e.at, len(e.text)
			if start < 0 || len(h)-start < n || !e.word.is(words.at(start), n) {
				continue
			}
			if n <= 8 || e.fold && equalFoldBytes(h[start+8:start+n], e.text[8:]) || !e.fold && bytes.Equal(h[start+8:start+n], e.text[8:]) {
				return true
			}
		}
	}
	if len(m.ks) == 0 || !hasOddRunes(h) {
		return false
	}
	for _, e := range m.ks {
		if containsFoldUnicode(h, e.text) {
			return true
		}
	}
	return false
}
