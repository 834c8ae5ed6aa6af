package engine

import (
	"encoding/binary"
	"hash/fnv"
	"math/bits"
	"strconv"

	"github.com/tiercel/tiercel/internal/event"
)

// hash(field, as=_hash, limit, seed): a non-cryptographic hash of one or
// more fields, an integer in [0, 4294967295], modulo limit when given
// (reference page functions-hash). The page does not name the algorithm;
// tiercel uses 32-bit MurmurHash3 over the values joined by a NUL byte, so
// values are stable across tiercel runs but not equal to LogScale's.

func init() {
	registerFunc("hash", &funcImpl{params: []string{"field", "as", "limit", "seed"}, defaultAs: "_hash", value: compileHash})
}

type hashExpr struct {
	fields []string
	limit  uint64
	seed   uint32
}

func compileHash(c *compiler, a *args) (expr, error) {
	e := &hashExpr{}
	var err error
	if e.fields, err = a.readFields("field"); err != nil {
		return nil, err
	}
	if s, err := a.str("limit", ""); err != nil {
		return nil, err
	} else if s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil || n < 1 {
			return nil, a.errorf("limit", "limit must be a whole number of at least 1, not %q", s)
		}
		e.limit = n
	}
	if s, err := a.str("seed", ""); err != nil {
		return nil, err
	} else if s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			e.seed = uint32(n)
		} else {
			h := fnv.New32a()
			h.Write([]byte(s))
			e.seed = h.Sum32()
		}
	}
	return e, nil
}

func (e *hashExpr) eval(x *exec, ev *event.Event) (string, bool) {
	b := x.buf[:0]
	for i, f := range e.fields {
		if i > 0 {
			b = append(b, 0)
		}
		v, _ := ev.Get(f)
		b = append(b, v...)
	}
	x.buf = b
	h := uint64(murmur3(b, e.seed))
	if e.limit > 0 {
		h %= e.limit
	}
	return strconv.FormatUint(h, 10), true
}

// murmur3 is MurmurHash3's x86 32-bit variant.
func murmur3(data []byte, seed uint32) uint32 {
	const c1, c2 = 0xcc9e2d51, 0x1b873593
	h := seed
	n := len(data) / 4
	for i := 0; i < n; i++ {
		k := binary.LittleEndian.Uint32(data[i*4:])
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
		h = bits.RotateLeft32(h, 13)
		h = h*5 + 0xe6546b64
	}
	var k uint32
	tail := data[n*4:]
	switch len(tail) {
	case 3:
		k ^= uint32(tail[2]) << 16
		fallthrough
	case 2:
		k ^= uint32(tail[1]) << 8
		fallthrough
	case 1:
		k ^= uint32(tail[0])
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
	}
	h ^= uint32(len(data))
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}
