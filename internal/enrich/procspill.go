package enrich

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/tiercel/tiercel/internal/scratch"
)

// A file-mode process table learns every process start of the input before
// the candidates it kept are enriched, so it grows with the input's
// distinct processes. Past its memory budget a shard writes its older half
// to a temporary file as a run sorted by key and keeps the newer. A lookup
// reads the runs that may hold the key (each keeps a Bloom filter and the
// first key of each block in memory, 2-4 bytes a process) and merges
// what it finds with what memory holds, as put merges records of one
// process (mergeStr: in any order, the same details); the answer is kept
// in memory, so the process's next events read nothing back. Below the
// budget, nothing of this runs.

// DefaultProcessMemory is how many bytes a file-mode process table keeps in
// memory before it spills to a temporary file. At 32 MiB, with the heap
// limit the CLI sets, the seed search peaked at 144-148 MB over 15.2 GB
// (1.8 M processes; 185-189 MB all in memory). At 16 MiB it peaked at
// 138-141 MB, but a hunt of the seed rule over 3.8 GB, whose table keeps
// command lines, ran 25% slower (it reads spilled processes back) and no
// smaller; at 32 MiB it does not spill.
const DefaultProcessMemory = 32 << 20

// spillFile is the temporary file every shard's runs go to, made at the
// first spill.
type spillFile struct {
	mu  sync.Mutex
	f   *scratch.File
	end atomic.Int64
	// reads counts blocks read back (Stats.ReadBack), runs read whole
	// for carriers included.
	reads atomic.Int64
	// err is the first failure. After a write failure shards stop
	// spilling and keep all in memory; a read failure loses a process's
	// details for that lookup and is reported (Stats.SpillError).
	err atomic.Pointer[error]
	// lost: a read failed, and some lookups went without their process
	lost atomic.Bool
	// bufs holds the buffers spills wrote out, for the next ones: a fresh
	// one each spill (hundreds of KB, in memory the runtime had given
	// back) cost the filling of a table from random processes a fifth of
	// its time in page faults.
	bufs chan []byte
}

// spillBuffers is how many spill buffers are kept for reuse: about one a
// worker spilling at once.
const spillBuffers = 4

// buffer returns an empty buffer of at least size bytes.
func (f *spillFile) buffer(size int) []byte {
	select {
	case b := <-f.bufs:
		if cap(b) >= size {
			return b[:0]
		}
	default:
	}
	return make([]byte, 0, size)
}

// release keeps b for another spill when there is room.
func (f *spillFile) release(b []byte) {
	select {
	case f.bufs <- b:
	default:
	}
}

func (f *spillFile) fail(err error) {
	f.err.CompareAndSwap(nil, &err)
}

// lose records a failure to read a run back.
func (f *spillFile) lose(err error) {
	f.lost.Store(true)
	f.fail(err)
}

func (f *spillFile) failed() error {
	if p := f.err.Load(); p != nil {
		return *p
	}
	return nil
}

// file opens the temporary file once.
func (f *spillFile) file() (*scratch.File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.f != nil {
		return f.f, nil
	}
	tmp, err := scratch.New("tiercel-processes-*")
	if err != nil {
		return nil, err
	}
	f.f = tmp
	return tmp, nil
}

// write appends b and returns where it went.
func (f *spillFile) write(b []byte) (int64, error) {
	file, err := f.file()
	if err != nil {
		return 0, err
	}
	off := f.end.Add(int64(len(b))) - int64(len(b))
	_, err = file.WriteAt(b, off)
	return off, err
}

func (f *spillFile) readAt(b []byte, off int64) error {
	f.reads.Add(1)
	_, err := f.f.ReadAt(b, off)
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return err
}

func (f *spillFile) close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.f == nil {
		return nil
	}
	err := f.f.Close()
	f.f = nil
	return err
}

// spillRun is one spill of a shard: its records sorted by key, in blocks.
type spillRun struct {
	blocks []spillBlock
	bloom  hashBloom
	n      int
}

// spillBlock locates runBlock records; first is the key of the first.
type spillBlock struct {
	first    procKey
	off      int64
	size     int32
	lastRead uint32 // the shard's readClock when a lookup last found a key here
}

// hotSpan is how many reads back a block must have been read before for
// a lookup that finds a key in it again to keep all of it in memory: a
// second read (the input again, every process in input order) reads the
// blocks of one run over and over; lookups of a few processes here and
// there do not.
const hotSpan = 64

// runBlock is how many records a block holds: a lookup reads one block.
const runBlock = 32

func keyLess(a, b procKey) int {
	if c := cmp.Compare(a.aid, b.aid); c != 0 {
		return c
	}
	return cmp.Compare(a.pid, b.pid)
}

// spill writes the older half of the shard's processes (slots are in the
// order they were learned) to f as a run and drops them. Context events
// mostly follow their process start closely: the newer half, kept, is
// what lookups ask for next. The caller holds the lock.
func (s *procShard) spill(f *spillFile) error {
	cut := max(s.n/2, 1)
	order := make([]int32, 0, cut)
	for i := range cut {
		if s.cols.merged.get(i) != mergedCopy { // the runs have it already
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int32) int { return keyLess(s.slot(a).key, s.slot(b).key) })
	run := spillRun{n: len(order), bloom: newHashBloom(len(order))}
	buf := f.buffer((s.cols.cmdlineBytes+s.strs.cost())*len(order)/int(s.n) + len(order)*24) // about the records' size
	defer func() { f.release(buf) }()
	for start := 0; start < len(order); start += runBlock {
		blk := order[start:min(start+runBlock, len(order))]
		run.blocks = append(run.blocks, spillBlock{first: s.slot(blk[0]).key, off: int64(len(buf))})
		for _, i := range blk {
			info := s.infoAt(i)
			buf = appendRecord(buf, s.slot(i).key, &info)
			run.bloom.add(bloomKey(s.slot(i).key))
		}
		b := &run.blocks[len(run.blocks)-1]
		b.size = int32(int64(len(buf)) - b.off)
	}
	if len(order) > 0 {
		off, err := f.write(buf)
		if err != nil {
			return fmt.Errorf("spilling the process table: %w", err)
		}
		for i := range run.blocks {
			run.blocks[i].off += off
		}
		s.runs = append(s.runs, run)
		s.spilled += int64(run.n)
	}
	s.dropOldest(cut)
	return nil
}

// dropOldest forgets slots [0, cut), moving the rest to the front; the
// pages stay for the processes to come.
func (s *procShard) dropOldest(cut int32) {
	keep := s.n - cut
	for i := range cut {
		s.cols.cmdlineBytes -= len(s.cols.cmdline.get(i))
	}
	for i := range keep {
		*s.slot(i) = *s.slot(i + cut)
		s.cols.move(i, i+cut)
	}
	for i := keep; i < s.n; i++ {
		*s.slot(i) = procSlot{}
		s.cols.move(i, -1)
	}
	s.n = keep
	clear(s.index.ents)
	s.index.n = 0
	for i := range keep {
		s.bind(s.slot(i).key, i)
	}
}

// spilledMay reports whether some run but except (-1: none) may hold k.
func (s *procShard) spilledMay(k procKey, except int) bool {
	for i := range s.runs {
		if i != except && s.runs[i].bloom.has(bloomKey(k)) {
			return true
		}
	}
	return false
}

// mergedAt reports whether slot i, if found (ok), holds all the runs have
// of its key: lookups of it read no runs.
func (s *procShard) mergedAt(i int32, ok bool) bool {
	return ok && s.cols.merged.get(i) != notMerged
}

// needsRuns reports whether a lookup of k, found in memory at slot i or
// not (ok), must read the runs: some run may hold k and memory does not
// hold all of it already. The caller holds the lock.
func (s *procShard) needsRuns(k procKey, i int32, ok bool) bool {
	return len(s.runs) > 0 && !s.mergedAt(i, ok) && s.spilledMay(k, -1)
}

// mergeState says what a slot holds of what its key's spilled records have.
type mergeState uint8

const (
	notMerged   mergeState = iota // lookups merge the runs' records with it
	mergedWhole                   // all of them and more: a spill writes it
	mergedCopy                    // only what the runs hold: a spill drops it
)

// readSpilled answers a lookup that needsRuns, and keeps the answer in
// memory, marked merged, so the next lookups of the process read no runs:
// a process looked up once is mostly looked up again (its other events),
// and a search's second read asks for every process in input order, most
// of which a long input has spilled. What memory holds then counts
// against the budget like any process. Under the write lock the answer is
// exact whatever else runs: runs change only under it.
func (t *procTable) readSpilled(s *procShard, k procKey) (procInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, found := t.bringBack(s, k)
	if !found {
		return procInfo{}, false
	}
	p := s.infoAt(i)
	t.spillOver(s)
	return p, true
}

// bringBack merges what the runs hold of k into memory, marked merged, and
// returns its slot. The caller holds the write lock.
func (t *procTable) bringBack(s *procShard, k procKey) (int32, bool) {
	p, found := s.lookup(k, &t.spill)
	if !found {
		return 0, false
	}
	i, ok := s.find(k)
	switch {
	case s.mergedAt(i, ok):
		return i, true
	case ok: // memory held some of it: a spill must write it
		s.cols.put(i, &p, &s.strs, true)
		s.cols.merged.set(i, mergedWhole)
	default:
		i = s.addMerged(k, &p, mergedCopy) // the slot copies what p views of s.blocks
	}
	if s.hot >= 0 {
		s.keepBlock(s.blocks[s.hot], s.hotRun)
	}
	return i, true
}

// keepBlock keeps in memory, as copies, the processes of a block of run
// whose record is all the shard has of them: none in memory, none that
// another run may hold.
func (s *procShard) keepBlock(buf []byte, run int) {
	eachRecord(buf, func(k procKey, p *procInfo) bool {
		if _, ok := s.find(k); !ok && !s.spilledMay(k, run) {
			s.addMerged(k, p, mergedCopy)
		}
		return true
	})
}

// addMerged puts p, read back from the runs, in a new slot for k, copying
// its strings, and returns the slot.
func (s *procShard) addMerged(k procKey, p *procInfo, state mergeState) int32 {
	i := s.grow()
	*s.slot(i) = procSlot{key: k}
	s.bind(k, i)
	s.cols.put(i, p, &s.strs, true)
	s.cols.merged.set(i, state)
	return i
}

// lookup returns k's details merged from the runs and memory, as put
// merges them. What comes from the runs views the shard's block buffers,
// valid until the next lookup. The caller holds the write lock.
func (s *procShard) lookup(k procKey, f *spillFile) (procInfo, bool) {
	s.hot = -1
	if i, ok := s.find(k); s.mergedAt(i, ok) {
		return s.infoAt(i), true
	}
	var p procInfo
	found := false
	used := 0
	for i := range s.runs {
		r := &s.runs[i]
		if !r.bloom.has(bloomKey(k)) {
			continue
		}
		if used == len(s.blocks) {
			s.blocks = append(s.blocks, nil)
		}
		rec, ok, b, buf, err := r.read(k, f, s.blocks[used])
		s.blocks[used] = buf
		if err != nil {
			f.lose(err)
			continue
		}
		if ok {
			s.readClock++
			blk := &r.blocks[b]
			if blk.lastRead != 0 && s.readClock-blk.lastRead <= hotSpan && s.hot < 0 {
				s.hot, s.hotRun = used, i
			}
			blk.lastRead = s.readClock
			p.merge(&rec)
			found = true
			used++
		}
	}
	if i, ok := s.find(k); ok {
		m := s.infoAt(i)
		p.merge(&m)
		found = true
	}
	return p, found
}

// read finds k in the run, reading its block into buf (grown as needed
// and returned); the details view buf.
func (r *spillRun) read(k procKey, f *spillFile, buf []byte) (procInfo, bool, int, []byte, error) {
	b, _ := slices.BinarySearchFunc(r.blocks, k, func(blk spillBlock, k procKey) int { return keyLess(blk.first, k) })
	if b == len(r.blocks) || r.blocks[b].first != k {
		b-- // the block before the first one starting after k
	}
	if b < 0 {
		return procInfo{}, false, b, buf, nil
	}
	blk := r.blocks[b]
	buf = slices.Grow(buf[:0], int(blk.size))[:blk.size]
	if err := f.readAt(buf, blk.off); err != nil {
		return procInfo{}, false, b, buf, fmt.Errorf("reading the spilled process table: %w", err)
	}
	var info procInfo
	found := false
	err := eachRecord(buf, func(key procKey, p *procInfo) bool {
		c := keyLess(key, k)
		if c == 0 {
			info, found = *p, true
		}
		return c < 0 // sorted: past k it is not there
	})
	return info, found && err == nil, b, buf, err
}

// eachSpilled calls fn with every record of the shard's runs, oldest run
// first; a key may come more than once (and be in memory too). The details
// view a buffer reused for the next block: fn copies what it keeps.
func (s *procShard) eachSpilled(f *spillFile, fn func(k procKey, p *procInfo)) {
	var buf []byte
	for i := range s.runs {
		// a run was written at once: read it at once
		blocks := s.runs[i].blocks
		first, last := blocks[0], blocks[len(blocks)-1]
		size := int(last.off + int64(last.size) - first.off)
		buf = slices.Grow(buf[:0], size)[:size]
		if err := f.readAt(buf, first.off); err != nil {
			f.lose(fmt.Errorf("reading the spilled process table: %w", err))
			return
		}
		err := eachRecord(buf, func(k procKey, p *procInfo) bool {
			fn(k, p)
			return true
		})
		if err != nil {
			f.lose(err)
			return
		}
	}
}

// eachRecord calls fn with the records of buf in order until it returns
// false. The details view buf.
func eachRecord(buf []byte, fn func(k procKey, p *procInfo) bool) error {
	for len(buf) > 0 {
		k, info, next, err := readRecord(buf)
		if err != nil {
			return err
		}
		if !fn(k, &info) {
			return nil
		}
		buf = next
	}
	return nil
}

// merge merges q's fields into p as put does (mergeStr).
func (p *procInfo) merge(q *procInfo) {
	for _, f := range [...]struct {
		dst *string
		v   string
	}{
		{&p.name, q.name}, {&p.image, q.image}, {&p.cmdline, q.cmdline}, {&p.parentName, q.parentName},
		{&p.userName, q.userName}, {&p.userSid, q.userSid}, {&p.authID, q.authID}, {&p.uid, q.uid},
	} {
		*f.dst = mergeStr(*f.dst, f.v)
	}
	p.parentPID = mergePID(p.parentPID, q.parentPID)
}

// A record is the key (4 + 8 bytes), the parent pid as a varint, then each
// string field as a varint length and its bytes.
func appendRecord(b []byte, k procKey, p *procInfo) []byte {
	b = binary.LittleEndian.AppendUint32(b, k.aid)
	b = binary.LittleEndian.AppendUint64(b, k.pid)
	b = binary.AppendUvarint(b, p.parentPID)
	for _, v := range p.strings() {
		b = binary.AppendUvarint(b, uint64(len(*v)))
		b = append(b, *v...)
	}
	return b
}

var errBadRecord = errors.New("spilled process table: damaged record")

// readRecord decodes a record; its strings view b (no copies: a lookup
// reads a block of them, and keeps at most one, interned).
func readRecord(b []byte) (procKey, procInfo, []byte, error) {
	var p procInfo
	if len(b) < 12 {
		return procKey{}, p, nil, errBadRecord
	}
	k := procKey{aid: binary.LittleEndian.Uint32(b), pid: binary.LittleEndian.Uint64(b[4:])}
	b = b[12:]
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return k, p, nil, errBadRecord
	}
	p.parentPID, b = v, b[n:]
	for _, dst := range p.strings() {
		l, n := binary.Uvarint(b)
		if n <= 0 || uint64(len(b)-n) < l {
			return k, p, nil, errBadRecord
		}
		if l > 0 {
			*dst = unsafe.String(&b[n], int(l))
		}
		b = b[n+int(l):]
	}
	return k, p, b, nil
}

// recordStrings is how many string fields a record has.
const recordStrings = 8

// strings lists p's string fields, in record order.
func (p *procInfo) strings() [recordStrings]*string {
	return [...]*string{&p.name, &p.image, &p.cmdline, &p.parentName, &p.userName, &p.userSid, &p.authID, &p.uid}
}

// bloomKey is what a run's Bloom filter is given of a process key: a mix
// of its own, the shard and the index using the key's other bits.
func bloomKey(k procKey) uint64 { return mixKey(k) ^ 0x94D049BB133111EB }
