package enrich

import "math/bits"

// hashBloom is a blocked Bloom filter over 64-bit hashes, a spilled run's
// (processes, user observations): each key sets three bits of one word,
// about 12 bits a key.
type hashBloom struct {
	words []uint64
	shift uint
}

func newHashBloom(n int) hashBloom {
	words := 1 << bits.Len(uint(max(n/5, 1)))
	return hashBloom{words: make([]uint64, words), shift: uint(64 - bits.Len(uint(words-1)))}
}

func (b *hashBloom) bits(h uint64) (int, uint64) {
	h *= 0xBF58476D1CE4E5B9 // mixed again: runs are laid out by the hash's own bits
	return int(h >> b.shift), 1<<(h&63) | 1<<(h>>6&63) | 1<<(h>>12&63)
}

func (b *hashBloom) add(h uint64) {
	w, m := b.bits(h)
	b.words[w] |= m
}

func (b *hashBloom) has(h uint64) bool {
	w, m := b.bits(h)
	return b.words[w]&m == m
}
