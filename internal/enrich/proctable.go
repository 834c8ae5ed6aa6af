package enrich

import (
	"math/bits"
	"sync"
	"sync/atomic"
	"unsafe"
)

// procKey identifies a process: Falcon process ids are unique per sensor.
// The sensor is an index into the Enricher's aid table, which keeps the key
// at 16 bytes and free of pointers.
type procKey struct {
	aid uint32
	pid uint64
}

// procInfo is all that is kept per process: what context events borrow from
// their acting process. Strings are interned per shard; fields the run does
// not read (Options.Reads) stay empty.
type procInfo struct {
	name       string // base file name of the image
	image      string // full image path, when ContextImageFileName or ParentImageFileName is read
	cmdline    string
	parentName string // ParentBaseFileName as reported
	userName   string
	userSid    string
	authID     string
	uid        string // Linux/Mac UID
	parentPID  uint64 // to find the parent's name when ParentBaseFileName is absent
}

// procTable is a sharded map of processes. With a limit each shard evicts its
// least recently used entry, so memory follows live processes, not events.
// Processes that ended can be expired after a grace period (expire).
type procTable struct {
	shards []procShard
	shift  uint
	// An unbounded table with a budget (bytes a shard may hold) spills to
	// a temporary file past it (procspill.go).
	budget int
	memory int // the whole table's budget (0: none)
	spill  spillFile
	// strs is the string table the shards share, kept its size when last
	// compacted (compactShared)
	strs      atomic.Pointer[tableStrings]
	kept      atomic.Int64
	compactMu sync.Mutex
	// left counts what may have left strings behind: the shards' spills,
	// and processes evicted or expired from a bounded table; compacted,
	// its count at the last compaction (with none since, every string is
	// a held process's)
	left, compacted atomic.Int64
	// renames lists the processes whose image name, image path or command
	// line another record replaced (put), so that a name read while
	// learning may not be the last; up to maxRenames, past it renamesOver
	// is set
	renamesMu   sync.Mutex
	renames     []procKey
	renamesOver bool
}

// maxRenames bounds the renamed processes a table lists: past it any of
// its processes may have been renamed (renamedEach).
const maxRenames = 1 << 16

// noteRenamed records that k's name, image path or command line was
// replaced.
func (t *procTable) noteRenamed(k procKey) {
	t.renamesMu.Lock()
	defer t.renamesMu.Unlock()
	if len(t.renames) < maxRenames {
		t.renames = append(t.renames, k)
	} else {
		t.renamesOver = true
	}
}

// renamed reports whether a process was renamed.
func (t *procTable) renamed() bool {
	t.renamesMu.Lock()
	defer t.renamesMu.Unlock()
	return len(t.renames) > 0 || t.renamesOver
}

// renamedEach calls fn with what each renamed process holds now, until fn
// returns true, and reports whether it did; too many renamed to list
// report true.
func (t *procTable) renamedEach(fn func(procInfo) bool) bool {
	t.renamesMu.Lock()
	keys, over := t.renames, t.renamesOver
	t.renamesMu.Unlock()
	if over {
		return true
	}
	for _, k := range keys {
		if p, ok := t.get(k, false, 0); ok && fn(p) {
			return true
		}
	}
	return false
}

type procShard struct {
	mu      sync.RWMutex
	index   procIndex    // key → slot (procindex.go)
	pages   [][]procSlot // slots, in pages that never move: growth copies nothing
	metas   [][]slotMeta // beside pages, with a limit only (stream mode)
	cols    procColumns  // the processes' details, beside pages (procrecord.go)
	n       int32        // slots in use
	free    []int32      // slots of expired entries, reused first
	head    int32        // most recently used, -1 when empty
	tail    int32        // least recently used
	limit   int          // 0: unbounded, without metas (see bounded)
	evicted int64
	expired int64
	learned int64     // keys put new (a shared counter would be written by every worker)
	ending  []endMark // FIFO of ended processes, by event time of their end
	strs    shardStrings
	runs    []spillRun // what an unbounded shard spilled, oldest first
	spilled int64
	blocks  [][]byte // lookups read runs' blocks here (procspill.go)
	// readClock counts blocks lookups found a key in; hot, when not -1, is
	// the one of s.blocks (of run hotRun) the last lookup found read again
	// soon (keepBlock)
	readClock   uint32
	hot, hotRun int
	// slotCost is what a slot and its columns take (footprint)
	slotCost int
}

// procSlot is what every process costs: its key. Its details are in the
// shard's columns, at the same index.
type procSlot struct {
	key procKey
}

// slotMeta is what a bounded table keeps beside each slot to evict the
// least recently used and expire ended processes. An unbounded (file-mode)
// table has none.
type slotMeta struct {
	ends       float64 // event time after which the entry may go (0: running)
	seen       int64   // table clock of the last put/touch
	prev, next int32
}

// endMark queues an ended process for expiry.
type endMark struct {
	key  procKey
	ends float64
}

// newProcTable builds a table of about shards shards (a power of two) holding
// at most limit entries in total (0: unbounded, and no recency is kept). An
// unbounded table keeps about memory bytes in memory and spills the rest to
// a temporary file (0: it never spills).
func newProcTable(shards, limit, memory int) *procTable {
	if shards <= 0 {
		shards = 64
	}
	if limit > 0 && shards > limit {
		shards = limit
	}
	n := 1 << (bits.Len(uint(shards)) - 1) // round down to a power of two
	t := &procTable{shards: make([]procShard, n), shift: uint(64 - bits.Len(uint(n-1)))}
	per := 0
	shared := newTableStrings(n)
	if limit > 0 {
		per = limit / n
	} else if memory > 0 {
		t.memory, t.budget = memory, max(memory/n, 1)
		t.spill.bufs = make(chan []byte, spillBuffers)
	}
	for i := range t.shards {
		s := &t.shards[i]
		s.head, s.tail = -1, -1
		s.limit = per
		s.strs.shared = shared
	}
	t.strs.Store(shared)
	return t
}

func (t *procTable) shard(k procKey) *procShard { return &t.shards[t.shardIndex(k)] }

// shardIndex is the index of k's shard.
func (t *procTable) shardIndex(k procKey) int {
	if len(t.shards) == 1 {
		return 0
	}
	// Falcon process ids are not uniformly distributed in their low bits;
	// Fibonacci hashing spreads them.
	return int(((k.pid ^ uint64(k.aid)<<40) * 0x9E3779B97F4A7C15) >> t.shift)
}

// slotPage is how many slots a page holds (about 50 KB).
const slotPage = 256

// slot returns slot i.
func (s *procShard) slot(i int32) *procSlot { return &s.pages[i/slotPage][i%slotPage] }

// meta returns slot i's recency and expiry; only when bounded.
func (s *procShard) meta(i int32) *slotMeta { return &s.metas[i/slotPage][i%slotPage] }

// bounded reports whether the shard has a limit, and so keeps least
// recently used order and expiry (metas). newProcTable gives every shard
// of a bounded table a limit of at least one.
func (s *procShard) bounded() bool { return s.limit > 0 }

// grow adds a slot and returns its index. Pages are allocated whole and
// never copied: a doubling slice would copy the table at every growth and
// leave the old copy for the GC, which at a million processes is most of
// the memory a search uses.
func (s *procShard) grow() int32 {
	if s.n%slotPage == 0 {
		if int(s.n) == len(s.pages)*slotPage {
			s.pages = append(s.pages, make([]procSlot, slotPage))
			if s.bounded() {
				s.metas = append(s.metas, make([]slotMeta, slotPage))
			}
		}
		// footprint's cost of a slot, looked at once a page: a column
		// made since is counted from the next
		s.slotCost = int(unsafe.Sizeof(procSlot{})) + s.cols.slotBytes()
	}
	s.n++
	return s.n - 1
}

// put records or merges a process and reports whether it was new. clock is
// the caller's operation counter (see expire).
func (t *procTable) put(k procKey, info *procInfo, clock int64) bool {
	added := t.putLocked(k, info, clock)
	t.compactShared()
	return added
}

func (t *procTable) putLocked(k procKey, info *procInfo, clock int64) bool {
	s := t.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.find(k)
	if (info.name != "" || info.image != "" || info.cmdline != "") && len(s.runs) > 0 && !s.mergedAt(i, ok) && s.spilledMay(k, -1) {
		// The name, image path or command line the process has may lie in
		// the spilled runs: they are merged into memory first, so that a
		// value replaced is seen.
		if j, found := t.bringBack(s, k); found {
			i, ok = j, true
		}
	}
	if ok {
		if s.cols.put(i, info, &s.strs, false) {
			t.noteRenamed(k)
		}
		if s.cols.merged.get(i) == mergedCopy {
			s.cols.merged.set(i, mergedWhole) // no longer what the runs hold alone
		}
		if s.bounded() {
			s.meta(i).seen = clock
			s.moveToFront(i)
		}
		// A record merged into one brought back from the runs (with the
		// processes of its block) grows the shard as a new one does.
		t.spillOver(s)
		return false
	}
	switch {
	case len(s.free) > 0:
		i = s.free[len(s.free)-1]
		s.free = s.free[:len(s.free)-1]
	case s.bounded() && s.entries() >= s.limit:
		i = s.tail
		s.unlink(i)
		s.unbind(s.slot(i).key)
		s.evicted++
		t.left.Add(1)
	default:
		i = s.grow()
	}
	*s.slot(i) = procSlot{key: k}
	s.cols.put(i, info, &s.strs, true)
	s.cols.merged.set(i, notMerged)
	s.bind(k, i)
	if s.bounded() {
		*s.meta(i) = slotMeta{seen: clock}
		s.pushFront(i)
	}
	s.learned++
	t.spillOver(s)
	return true
}

// spillOver spills s when it holds more than its budget. The caller holds
// the lock.
func (t *procTable) spillOver(s *procShard) {
	if t.budget > 0 && s.n > 0 && s.footprint() > t.budget && t.spill.failed() == nil {
		if err := s.spill(&t.spill); err != nil {
			t.spill.fail(err) // all stays in memory, as without a budget
		} else {
			t.left.Add(1)
		}
	}
}

// compactShared numbers again, in a fresh table, only the strings of the
// processes held in memory, once the shared table has grown enough since
// it last was (compactSlack). The strings of processes spilled to disk
// (their records carry their own), evicted or expired are left behind.
// Each shard of a table with a budget charges itself its share of the
// table, so without this, strings all different (a random image name per
// process) filled the budget with strings of spilled processes and every
// put spilled again; a bounded table's would grow without end on a live
// feed. The caller holds no shard lock.
func (t *procTable) compactShared() {
	old := t.strs.Load()
	slack, ok := t.compactSlack()
	if !ok || old.bytes.Load()-t.kept.Load() <= slack || !t.compactMu.TryLock() {
		return
	}
	defer t.compactMu.Unlock()
	if old = t.strs.Load(); old.bytes.Load()-t.kept.Load() <= slack {
		return // compacted meanwhile
	}
	if t.left.Load() == t.compacted.Load() {
		t.kept.Store(old.bytes.Load()) // nothing left behind: all are live
		return
	}
	for i := range t.shards {
		t.shards[i].mu.Lock()
	}
	defer func() {
		for i := range t.shards {
			t.shards[i].mu.Unlock()
		}
	}()
	fresh := newTableStrings(len(t.shards))
	for i := range t.shards {
		s := &t.shards[i]
		for _, c := range s.cols.ids() {
			if len(c.pages) == 0 {
				continue // a field no process had
			}
			for j := range s.n {
				c.set(j, fresh.id(old.str(c.get(j))))
			}
		}
		s.strs.shared = fresh
	}
	t.strs.Store(fresh)
	t.kept.Store(fresh.bytes.Load())
	t.compacted.Store(t.left.Load())
}

// minCompactBytes is the string table below which a bounded table is
// never compacted.
const minCompactBytes = 1 << 20

// compactSlack is how many bytes the shared strings may grow past what
// the last compaction kept before the next: a quarter of the budget of a
// table that spills, as many as were kept for a bounded one (so renumbering
// is paid once per doubling); false for a table that drops no process.
func (t *procTable) compactSlack() (int64, bool) {
	switch {
	case t.budget > 0:
		return int64(t.budget) * int64(len(t.shards)) / 4, true
	case t.shards[0].bounded():
		return max(t.kept.Load(), minCompactBytes), true
	}
	return 0, false
}

// footprint estimates the bytes the shard's processes need. Pages a spill
// emptied are not counted: they are reused, so the memory held stays at
// what the budget let the shard reach.
func (s *procShard) footprint() int {
	return int(s.n)*s.slotCost + len(s.index.ents)*int(unsafe.Sizeof(indexEntry{})) + s.cols.cmdlineBytes + s.strs.cost()
}

// infoAt returns slot i's process details.
func (s *procShard) infoAt(i int32) procInfo { return s.cols.info(i, &s.strs) }

// get returns a copy of a process's info. touch marks it recently used
// (stream mode) at clock; otherwise it reads under a shared lock.
func (t *procTable) get(k procKey, touch bool, clock int64) (procInfo, bool) {
	s := t.shard(k)
	if touch && s.bounded() {
		s.mu.Lock()
		defer s.mu.Unlock()
		i, ok := s.find(k)
		if !ok {
			return procInfo{}, false
		}
		s.meta(i).seen = clock
		s.moveToFront(i)
		return s.infoAt(i), true
	}
	s.mu.RLock()
	i, ok := s.find(k)
	if s.needsRuns(k, i, ok) {
		s.mu.RUnlock()
		return t.readSpilled(s, k)
	}
	defer s.mu.RUnlock()
	if !ok {
		return procInfo{}, false
	}
	return s.infoAt(i), true
}

// name returns a process's image name alone, under a shared lock: get
// copies every field.
func (t *procTable) name(k procKey) (string, bool) {
	s := t.shard(k)
	s.mu.RLock()
	i, ok := s.find(k)
	if s.needsRuns(k, i, ok) {
		s.mu.RUnlock()
		p, ok := t.readSpilled(s, k)
		return p.name, ok
	}
	defer s.mu.RUnlock()
	if !ok {
		return "", false
	}
	return s.strs.str(s.cols.name.get(i)), true
}

// has reports whether k is held, marking it recently used at clock.
func (t *procTable) has(k procKey, clock int64) bool {
	_, ok := t.get(k, true, clock)
	return ok
}

// ended marks k as ended: it may be dropped once event time passes ends.
func (t *procTable) ended(k procKey, ends float64) {
	s := t.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.bounded() {
		return // unbounded: nothing expires
	}
	if i, ok := s.find(k); ok && s.meta(i).ends == 0 {
		s.meta(i).ends = ends
		s.ending = append(s.ending, endMark{k, ends})
	}
}

// expire drops, in every shard, ended processes whose grace ran out before
// now (event time) and that were not used within the last guard operations
// (clock counts them): events already handed to workers may still look
// them up. It returns how many went.
func (t *procTable) expire(now float64, clock, guard int64) int {
	n := 0
	for i := range t.shards {
		n += t.shards[i].expire(now, clock, guard)
	}
	t.left.Add(int64(n))
	return n
}

func (s *procShard) expire(now float64, clock, guard int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, done := 0, 0
	for done < len(s.ending) && s.ending[done].ends < now {
		m := s.ending[done]
		i, ok := s.find(m.key)
		if ok && s.meta(i).ends == m.ends && s.meta(i).seen > clock-guard {
			break // used too recently: wait, keeping the queue in order
		}
		done++
		if !ok || s.meta(i).ends != m.ends {
			continue
		}
		s.unlink(i)
		s.unbind(m.key)
		*s.slot(i), *s.meta(i) = procSlot{}, slotMeta{}
		s.cols.put(i, &procInfo{}, &s.strs, true)
		s.free = append(s.free, i)
		s.expired++
		n++
	}
	if done > 0 {
		s.ending = append(s.ending[:0], s.ending[done:]...)
	}
	return n
}

// tableSize is what Stats reports of the table.
type tableSize struct {
	held                               int // in memory
	evicted, expired, learned, spilled int64
}

// size reports the number of processes held and how many were evicted
// (bound), expired (ended) or spilled to the temporary file.
func (t *procTable) size() tableSize {
	var z tableSize
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.RLock()
		z.held += s.entries()
		z.evicted += s.evicted
		z.expired += s.expired
		z.learned += s.learned
		z.spilled += s.spilled
		s.mu.RUnlock()
	}
	return z
}

// close removes the spill file, if any.
func (t *procTable) close() error { return t.spill.close() }

func (s *procShard) pushFront(i int32) {
	s.meta(i).prev = -1
	s.meta(i).next = s.head
	if s.head >= 0 {
		s.meta(s.head).prev = i
	}
	s.head = i
	if s.tail < 0 {
		s.tail = i
	}
}

func (s *procShard) unlink(i int32) {
	if !s.bounded() {
		return
	}
	p, n := s.meta(i).prev, s.meta(i).next
	if p >= 0 {
		s.meta(p).next = n
	} else {
		s.head = n
	}
	if n >= 0 {
		s.meta(n).prev = p
	} else {
		s.tail = p
	}
}

func (s *procShard) moveToFront(i int32) {
	if s.head == i {
		return
	}
	s.unlink(i)
	s.pushFront(i)
}
