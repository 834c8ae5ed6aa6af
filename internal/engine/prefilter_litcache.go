package engine

import "hash/maphash"

// litCache remembers, for one key of a dispatch, which literals recent
// values hold. Telemetry repeats many of its values: the same images,
// parents, registry keys and domains over and over, and a hunt's literal
// scan of a value (litSet.match, a table lookup at every byte) costs
// several times a hash of it and a comparison with the value remembered.
// Other keys repeat nothing (hashes, most command lines): a cache whose
// first litCacheTrial values found fewer than one in four remembered
// scans every value from then on. One per key and worker, direct-mapped;
// values longer than maxCachedValue are scanned each time.
type litCache struct {
	seed        maphash.Seed
	tries, hits int
	off         bool
	entries     []litCacheEntry // litCacheSize, until off
}

type litCacheEntry struct {
	val  []byte // a copy; nil: empty
	bits []uint64
}

const (
	litCacheSize   = 256 // a power of two
	litCacheTrial  = 1024
	maxCachedValue = 512
)

func newLitCache() *litCache {
	return &litCache{seed: maphash.MakeSeed(), entries: make([]litCacheEntry, litCacheSize)}
}

// match sets in bits the literals of ls that v holds, as ls.match does.
func (c *litCache) match(ls *litSet, v []byte, bits []uint64) {
	if c.off || len(v) > maxCachedValue {
		ls.match(v, bits)
		return
	}
	if c.tries++; c.tries == litCacheTrial && c.hits < litCacheTrial/4 {
		c.off, c.entries = true, nil
		ls.match(v, bits)
		return
	}
	e := &c.entries[maphash.Bytes(c.seed, v)&(litCacheSize-1)]
	if e.val != nil && string(e.val) == string(v) {
		c.hits++
		copy(bits, e.bits)
		return
	}
	ls.match(v, bits)
	e.val = append(e.val[:0], v...)
	e.bits = append(e.bits[:0], bits...)
}
