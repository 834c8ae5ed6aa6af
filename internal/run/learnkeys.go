package run

import (
	"math/bits"
	"strconv"
	"strings"

	"github.com/tiercel/tiercel/internal/engine"
)

// keySet is what a targeted read looks for when the keys are too many
// (or too short) for a scan of whole chunks: process ids as numbers,
// found in any run of digits that spells one as the enricher reads pids
// (leading zeros and all), and the other keys as they are written. Every
// teaching line is looked at, not only the lines a chunk scan finds.
type keySet struct {
	nums  map[uint64]struct{}
	bloom []uint64 // a bit per hash of nums: most runs of digits are none
	shift uint     // 64 - log2 of the bloom's bits
	words *engine.LiteralSet
}

// newKeySet returns the set of keys; false when a key is neither a process
// id nor a literal lines can be searched for (targetable).
func newKeySet(keys []string) (*keySet, bool) {
	s := &keySet{nums: map[uint64]struct{}{}}
	var words []string
	for _, k := range keys {
		if n, ok := canonicalPID(k); ok {
			s.nums[n] = struct{}{}
			continue
		}
		words = append(words, k)
	}
	wordSet := make(map[string]bool, len(words))
	for _, w := range words {
		wordSet[w] = true
	}
	if !targetable(wordSet) {
		return nil, false
	}
	if len(words) > 0 {
		s.words = engine.NewLiteralSet(words)
	}
	// 16 bits a key or more: one run of digits in 8 that is no key gets
	// past the bloom to the map, at most
	logBits := max(12, bits.Len(uint(16*len(s.nums))))
	s.bloom = make([]uint64, 1<<logBits/64)
	s.shift = uint(64 - logBits)
	for n := range s.nums {
		h := s.hash(n)
		s.bloom[h/64] |= 1 << (h % 64)
	}
	return s, true
}

// canonicalPID reads k as a process id written as the enricher notes them
// (enrich.Enricher.LookupKeys): decimal, no leading zero, not 0.
func canonicalPID(k string) (uint64, bool) {
	if k == "" || k[0] == '0' || len(k) > 20 || strings.Trim(k, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseUint(k, 10, 64)
	return n, err == nil
}

func (s *keySet) hash(n uint64) uint64 { return n * 0x9E3779B97F4A7C15 >> s.shift }

// heldBy reports whether line holds one of the keys: a word as written, or
// a process id of the set as a whole JSON value, which is how parsePID
// reads one: a run of digits (leading zeros aside) with nothing beside it
// in its string or number but spaces.
func (s *keySet) heldBy(line []byte) bool {
	if s.words != nil && s.words.In(line) {
		return true
	}
	if len(s.nums) == 0 {
		return false
	}
	for i := 0; i < len(line); {
		if !isDigit(line[i]) {
			i++
			continue
		}
		start := i
		for i < len(line) && isDigit(line[i]) {
			i++
		}
		if !valueStartsAt(line, start) || i < len(line) && !valueEndsAt(line[i]) {
			continue
		}
		run := line[start:i]
		for len(run) > 1 && run[0] == '0' {
			run = run[1:]
		}
		if len(run) > 20 {
			continue
		}
		var n uint64
		if len(run) < 20 {
			for _, c := range run {
				n = n*10 + uint64(c-'0')
			}
		} else if v, err := strconv.ParseUint(string(run), 10, 64); err == nil {
			n = v
		}
		if n != 0 && s.has(n) {
			return true
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// valueStartsAt reports whether a run of digits at i may begin a JSON
// value or follow only spaces in it: after a quote or a separator, a
// space (raw, or escaped: \t, \n, \r, \f), or a byte of a multi-byte
// character (Unicode spaces). Anything else (a letter of a hex id, the
// dash of a SID, a dot) makes the value no process id.
func valueStartsAt(line []byte, i int) bool {
	if i == 0 {
		return true
	}
	switch c := line[i-1]; c {
	case '"', ':', ',', '[', '{', ' ', '\t', '\n', '\r', '\v', '\f':
		return true
	case 't', 'n', 'r', 'f':
		return i >= 2 && line[i-2] == '\\'
	default:
		return c >= 0x80
	}
}

// valueEndsAt reports whether c, after a run of digits, may end its JSON
// value or begin the spaces after it.
func valueEndsAt(c byte) bool {
	switch c {
	case '"', ',', '}', ']', ' ', '\t', '\n', '\r', '\v', '\f', '\\':
		return true
	}
	return c >= 0x80
}

func (s *keySet) has(n uint64) bool {
	h := s.hash(n)
	if s.bloom[h/64]&(1<<(h%64)) == 0 {
		return false
	}
	_, ok := s.nums[n]
	return ok
}
