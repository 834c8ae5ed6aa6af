package enrich

import (
	"encoding/binary"
	"errors"
	"hash/maphash"
	"io"
	"math"
	"math/bits"
	"slices"
	"sync"

	"github.com/tiercel/tiercel/internal/scratch"
)

// A file-mode user directory learns every identity and logon event of the
// input before the kept events are enriched, so its per-host maps grow
// with the input's (sensor, SID) pairs, logon ids and UIDs: on random
// telemetry of 300 sensors and 5,000 SIDs, 623 k mappings took 31 MB, a
// fifth of what a search may hold. Past its budget the directory writes
// those observations to a temporary file as a run, in blocks by the top
// bits of a hash of the key, and starts its maps (and their string
// numbers) afresh. A lookup reads the one block of each run whose Bloom
// filter may hold the key and takes the newest observation of all, as
// putNewest does in memory, so the name does not depend on where the
// budget cut the input; what it read back is kept in memory while under
// budget, marked complete, so the key's next lookups read nothing. Below
// the budget, nothing of this runs.

// userEntryCost is what an observation costs in a per-host map: its key
// and stamp in a slot, the map's control bytes and free slots.
const userEntryCost = 40

// userRunBlock is about how many observations a block holds: a lookup
// reads one block, about 2 KB.
const userRunBlock = 32

// userKind is which per-host map an observation is of.
type userKind uint8

const (
	bySidKind userKind = iota
	byAuthKind
	byUIDKind
)

// userObs is an observation as a run holds it.
type userObs struct {
	hash          uint64
	kind          userKind
	aid, id, name string
	time          float64
}

// userRuns is what a user directory spilled.
type userRuns struct {
	seed  maphash.Seed
	f     *scratch.File
	end   int64
	runs  []userRun
	names map[string]string // every name spilled, by itself (anyName, nameOf)
	// spilled counts observations written; reads the blocks read back
	spilled, reads int64
	// err is the first failure: writing, the directory keeps the rest in
	// memory; reading, a lookup went without what the run held (lost)
	err  error
	lost bool
	mu   sync.Mutex // reads and err, taken by lookups under the directory's read lock
}

type userRun struct {
	off   []int64
	shift uint
	bloom hashBloom
}

// hash is the key's hash, made from its strings' (strHash): a spill
// hashes each distinct string once, however many keys use it.
func (r *userRuns) hash(kind userKind, aid, id string) uint64 {
	return keyHash(kind, r.strHash(aid), r.strHash(id))
}

func (r *userRuns) strHash(s string) uint64 { return maphash.String(r.seed, s) }

func keyHash(kind userKind, aid, id uint64) uint64 {
	h := aid ^ bits.RotateLeft64(id, 29) ^ uint64(kind)<<56
	h ^= h >> 31 // splitmix64's finalizer: the blocks are by the top bits
	h *= 0xBF58476D1CE4E5B9
	h ^= h >> 27
	h *= 0x94D049BB133111EB
	return h ^ h>>31
}

// spill writes every per-host observation of d to a run and empties the
// maps and their string numbers. The caller holds d's lock.
func (d *userDir) spill() error {
	r := d.runs
	if r.f == nil {
		f, err := scratch.New("tiercel-users-*")
		if err != nil {
			return err
		}
		r.f = f
	}
	n := d.observations()
	blocks := 1 << bits.Len(uint(n/userRunBlock))
	run := userRun{off: make([]int64, blocks+1), shift: uint(64 - bits.TrailingZeros(uint(blocks))), bloom: newHashBloom(n)}
	// Placed by a counting sort on the hash's top bits: the maps are
	// walked twice (counting, then placing), the observations held once.
	type entry struct {
		key   userKey
		stamp userStamp
		kind  userKind
	}
	strHashes := make([]uint64, len(d.nums.strs))
	for i, str := range d.nums.strs {
		strHashes[i] = r.strHash(str)
	}
	each := func(fn func(h uint64, e entry)) {
		for kind, m := range d.perHost() {
			for k, v := range m {
				fn(keyHash(userKind(kind), strHashes[k.aid], strHashes[k.id]), entry{k, v, userKind(kind)})
			}
		}
	}
	start := make([]int, blocks+1)
	each(func(h uint64, _ entry) { start[run.block(h)+1]++ })
	for b := range blocks {
		start[b+1] += start[b]
	}
	placed, hashes := make([]entry, n), make([]uint64, n)
	next := slices.Clone(start[:blocks])
	each(func(h uint64, e entry) {
		b := run.block(h)
		placed[next[b]], hashes[next[b]] = e, h
		next[b]++
		run.bloom.add(h)
	})
	if r.names == nil {
		r.names = map[string]string{}
	}
	// written a few blocks at a time: a run of a hundred thousand
	// observations is megabytes the heap need not hold
	buf := make([]byte, 0, 64<<10)
	off := r.end
	flush := func() error {
		_, err := r.f.WriteAt(buf, off)
		off += int64(len(buf))
		buf = buf[:0]
		return err
	}
	for b := range blocks {
		run.off[b] = off + int64(len(buf))
		for i := start[b]; i < start[b+1]; i++ {
			e := &placed[i]
			o := userObs{hash: hashes[i], kind: e.kind, aid: d.nums.str(e.key.aid), id: d.nums.str(e.key.id), name: d.nums.str(e.stamp.name), time: e.stamp.time}
			buf = appendUserObs(buf, &o)
			if _, ok := r.names[o.name]; !ok {
				r.names[o.name] = o.name
			}
		}
		if len(buf) >= cap(buf)/2 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	run.off[blocks] = off
	r.end = off
	r.runs = append(r.runs, run)
	r.spilled += int64(n)
	// sized for what they held: they fill to the budget again, and growing
	// a map from nothing rehashed each entry several times
	d.byHSid, d.byAuth, d.byUID = make(map[userKey]userStamp, len(d.byHSid)), make(map[userKey]userStamp, len(d.byAuth)), make(map[userKey]userStamp, len(d.byUID))
	d.nums = shardStrings{}
	return nil
}

// observations counts the per-host maps' entries.
func (d *userDir) observations() int { return len(d.byHSid) + len(d.byAuth) + len(d.byUID) }

// block is the block of a run holding the observations hashed h.
func (run *userRun) block(h uint64) int {
	if run.shift == 64 {
		return 0
	}
	return int(h >> run.shift)
}

// spillOver spills d once its per-host observations pass its budget; a
// failed write keeps them all in memory from then on. The caller holds
// d's lock.
func (d *userDir) spillOver() {
	r := d.runs
	if r == nil || r.err != nil || d.footprint() <= d.budget {
		return
	}
	if err := d.spill(); err != nil {
		r.mu.Lock()
		r.err = err
		r.mu.Unlock()
	}
}

// footprint is what the per-host maps cost in memory.
func (d *userDir) footprint() int {
	return d.observations()*userEntryCost + d.nums.cost()
}

// newest returns the newest observation the runs hold of the key, over
// name at t (found: one was already known).
func (r *userRuns) newest(kind userKind, aid, id, name string, t float64, found bool) (string, float64, bool) {
	h := r.hash(kind, aid, id)
	bp := blockPool.Get().(*[]byte)
	defer blockPool.Put(bp)
	for i := range r.runs {
		run := &r.runs[i]
		b := run.block(h)
		if !run.bloom.has(h) || run.off[b] == run.off[b+1] {
			continue
		}
		blk := slices.Grow((*bp)[:0], int(run.off[b+1]-run.off[b]))[:run.off[b+1]-run.off[b]]
		*bp = blk
		if err := r.readAt(blk, run.off[b]); err != nil {
			continue
		}
		for len(blk) > 0 {
			var o rawUserObs
			var ok bool
			if blk, ok = o.read(blk); !ok {
				r.fail(errors.New("a spilled user block does not decode"))
				break
			}
			if o.hash == h && o.kind == kind && string(o.aid) == aid && string(o.id) == id && (!found || !stands(name, t, string(o.name), o.time)) {
				t, found = o.time, true
				name = r.nameOf(o.name)
			}
		}
	}
	return name, t, found
}

// mayHold reports whether some run may hold the key (r nil: none).
func (r *userRuns) mayHold(kind userKind, aid, id string) bool {
	if r == nil || len(r.runs) == 0 {
		return false
	}
	h := r.hash(kind, aid, id)
	for i := range r.runs {
		run := &r.runs[i]
		if b := run.block(h); run.bloom.has(h) && run.off[b] != run.off[b+1] {
			return true
		}
	}
	return false
}

// blockPool holds the buffers lookups read blocks into.
var blockPool = sync.Pool{New: func() any { return new([]byte) }}

// nameOf returns the spilled name b spells, without a copy of its own.
func (r *userRuns) nameOf(b []byte) string {
	if n, ok := r.names[string(b)]; ok {
		return n
	}
	return string(b)
}

func (r *userRuns) readAt(b []byte, off int64) error {
	_, err := r.f.ReadAt(b, off)
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reads++
	if err != nil {
		r.lost = true
		if r.err == nil {
			r.err = err
		}
	}
	return err
}

func (r *userRuns) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lost = true
	if r.err == nil {
		r.err = err
	}
}

func (r *userRuns) close() error {
	if r == nil || r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}

// appendUserObs encodes o: its hash, time and kind, then its strings, each
// after its length.
func appendUserObs(b []byte, o *userObs) []byte {
	b = binary.LittleEndian.AppendUint64(b, o.hash)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(o.time))
	b = append(b, byte(o.kind))
	for _, s := range [...]string{o.aid, o.id, o.name} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// rawUserObs is an observation as a block holds it: its strings point
// into the block.
type rawUserObs struct {
	hash          uint64
	kind          userKind
	aid, id, name []byte
	time          float64
}

// read decodes the observation b starts with into o and returns the rest
// of b; false when b is cut short.
func (o *rawUserObs) read(b []byte) ([]byte, bool) {
	if len(b) < 17 {
		return nil, false
	}
	o.hash = binary.LittleEndian.Uint64(b)
	o.time = math.Float64frombits(binary.LittleEndian.Uint64(b[8:]))
	o.kind = userKind(b[16])
	b = b[17:]
	for _, s := range [...]*[]byte{&o.aid, &o.id, &o.name} {
		n, w := binary.Uvarint(b)
		if w <= 0 || uint64(len(b)-w) < n {
			return nil, false
		}
		*s = b[w : w+int(n)]
		b = b[w+int(n):]
	}
	return b, true
}
