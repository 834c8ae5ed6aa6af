package enrich

import (
	"time"

	"github.com/tiercel/tiercel/internal/event"
)

// Defaults for the Holder bounds. The count bounds memory (a few MB of
// lines). Lateness is per sensor and generous: FDR batches a sensor's
// events minutes apart, and the emulator writes a process's activity ahead
// of other activity on the same host (60 s lost ~1% of its joins; 15 min
// none, at 1M events with the default 4,096-line shuffle).
const (
	DefaultHoldEvents   = 10_000
	DefaultHoldLateness = 15 * time.Minute
)

// HoldOptions bounds a Holder.
type HoldOptions struct {
	MaxEvents   int           // events held at once (default DefaultHoldEvents)
	MaxLateness time.Duration // event time an event waits at most (default DefaultHoldLateness)
	// Guard is how many table operations an ended process must stay unused
	// before it may expire: lines handed to workers but not yet applied may
	// still look it up. Default 1<<18, above what a search keeps in flight.
	Guard int64
}

// Holder puts a stream back in an order stream enrichment can use. It sees
// every line first, on one goroutine and in input order: it learns from
// process starts, identities and lookup records, and holds a context event
// whose process is not known yet until that process starts or a bound
// (count, event-time lateness on the same sensor, oldest first) is hit; the event then goes on with what is
// known (ContextBaseFileName). Because all learning happens here, in input
// order, the Enricher's Apply stops learning: enrichment no longer depends
// on how workers interleave. Not safe for concurrent use.
type Holder struct {
	e        *Enricher
	max      int
	lateness float64
	guard    int64
	now      float64            // newest event time seen (expiry clock)
	aidNow   map[uint32]float64 // newest event time per sensor (lateness)
	queue    []heldLine
	head     int // queue[head:] is waiting, oldest first
	waiting  map[procKey][]int64
	base     int64 // seq of queue[0]
	live     int   // held lines not yet released
	sinceExp int
}

type heldLine struct {
	key  procKey
	time float64
	line []byte // nil once released
}

// NewHolder switches e to learning through the returned Holder. e should be
// in stream mode.
func (e *Enricher) NewHolder(opts HoldOptions) *Holder {
	if opts.MaxEvents <= 0 {
		opts.MaxEvents = DefaultHoldEvents
	}
	if opts.MaxLateness <= 0 {
		opts.MaxLateness = DefaultHoldLateness
	}
	if opts.Guard <= 0 {
		opts.Guard = 1 << 18
	}
	e.sequenced.Store(true)
	return &Holder{
		e: e, max: opts.MaxEvents, lateness: opts.MaxLateness.Seconds(), guard: opts.Guard,
		waiting: make(map[procKey][]int64), aidNow: make(map[uint32]float64),
	}
}

// LearnNeeds returns the fields Admit reads from a decoded event.
func (h *Holder) LearnNeeds() event.Needs {
	n := h.e.LearnNeeds()
	n.Add(fContextProcessId)
	return n
}

// LearnPrefilter returns literals of which a line must contain one for
// Admit to need it decoded; other lines go to AdmitContext or straight on.
func (h *Holder) LearnPrefilter() [][]byte { return h.e.LearnPrefilter() }

// Held reports how many events wait.
func (h *Holder) Held() int { return h.live }

// Admit learns from a decoded event (decoded with LearnNeeds) and reports
// whether its line must wait. Lines it releases (this one's earlier context
// events, or the oldest beyond a bound) go to release, oldest first; line
// is copied when held.
func (h *Holder) Admit(ev *event.Event, line []byte, release func([]byte)) bool {
	name := simpleName(ev)
	t := eventTime(ev)
	aid, _ := ev.Get(fAid)
	id, known := h.tick(aid, t)
	h.e.clock.Add(1)
	h.e.learn(ev, name)
	if isProcessStart(name) {
		if pid, ok := parsePID(valueOf(ev, fTargetProcessId)); ok && known {
			h.releaseKey(procKey{id, pid}, release)
		}
		h.enforce(release)
		return false
	}
	ctx, ok := ev.Get(fContextProcessId)
	if !ok {
		h.enforce(release)
		return false
	}
	pid, ok := parsePID(ctx)
	return h.context(procKey{id, pid}, known && ok, t, isProcessEnd(name), line, release)
}

// AdmitContext is Admit for a context event the caller read without
// decoding: its aid, ContextProcessId, event time (seconds) and whether it
// ends its process (EndOfProcess, TerminateProcess).
func (h *Holder) AdmitContext(aid, contextProcessID string, t float64, ends bool, line []byte, release func([]byte)) bool {
	id, known := h.tick(aid, t)
	pid, ok := parsePID(contextProcessID)
	return h.context(procKey{id, pid}, known && ok, t, ends, line, release)
}

// AdmitContextKey is AdmitContext for a context event whose key was found
// ahead (ContextKeyOf): its sensor is not looked up, nor its process id
// read, again. aid and contextProcessID (raw JSON strings' plain contents)
// serve when the key was not found.
func (h *Holder) AdmitContextKey(k ContextKey, aid, contextProcessID []byte, t float64, ends bool, line []byte, release func([]byte)) bool {
	if !k.ok {
		return h.AdmitContext(string(aid), string(contextProcessID), t, ends, line, release)
	}
	h.tickSensor(k.k.aid, true, t)
	return h.context(k.k, true, t, ends, line, release)
}

// ContextKey is the process a context event names, as the Holder keys it.
type ContextKey struct {
	k  procKey
	ok bool
}

// ContextKeyOf returns the key of process pid (a raw JSON string's plain
// contents) on sensor aid, for PrefetchContext and AdmitContextKey: not ok
// when the sensor has no number yet or pid is no process id (as
// parsePID reads it). Safe beside the Holder's calls.
func (h *Holder) ContextKeyOf(aid, pid []byte) ContextKey {
	p, ok := parsePlainPID(pid)
	if !ok {
		return ContextKey{}
	}
	id, ok := h.e.aids.lookupBytes(aid)
	return ContextKey{procKey{id, p}, ok}
}

// PrefetchContext starts bringing in the process table's entry for k, a
// few context events before AdmitContext looks it up: over randfalcon
// linked those lookups missed the cache at most context events.
func (h *Holder) PrefetchContext(k ContextKey) {
	if k.ok && h.e.keep.procs {
		h.e.procs.prefetch(k.k)
	}
}

// tick advances the clocks. Lateness is judged per sensor: one sensor's
// events come roughly in time order, while a merged stream interleaves
// sensors whose clocks and batches differ by minutes. It returns the
// sensor's number, known unless aid is empty or the table is full.
func (h *Holder) tick(aid string, t float64) (id uint32, known bool) {
	if aid != "" {
		id, known = h.e.aids.number(aid)
	}
	h.tickSensor(id, known, t)
	return id, known
}

// tickSensor is tick for the sensor numbered id, when known.
func (h *Holder) tickSensor(id uint32, known bool, t float64) {
	if t > h.now {
		h.now = t
	}
	if known && t > h.aidNow[id] {
		h.aidNow[id] = t
	}
}

// context holds a context event of process k (keyed: its sensor numbered
// and its id read) until the process is known, or reports that it need
// not wait.
func (h *Holder) context(k procKey, keyed bool, t float64, ends bool, line []byte, release func([]byte)) bool {
	defer h.enforce(release)
	if !keyed || !h.e.keep.procs {
		return false
	}
	clock := h.e.clock.Add(1)
	if h.e.procs.has(k, clock) {
		if ends && h.e.grace >= 0 {
			h.e.changed()
			h.e.procs.ended(k, t+h.e.grace)
		}
		return false
	}
	h.queue = append(h.queue, heldLine{key: k, time: t, line: append([]byte(nil), line...)})
	h.waiting[k] = append(h.waiting[k], h.base+int64(len(h.queue)-1))
	h.live++
	h.e.count.held.Add(1)
	return true
}

// releaseKey lets go every line waiting for k, in arrival order.
func (h *Holder) releaseKey(k procKey, release func([]byte)) {
	seqs, ok := h.waiting[k]
	if !ok {
		return
	}
	delete(h.waiting, k)
	for _, seq := range seqs {
		hl := &h.queue[seq-h.base]
		release(hl.line)
		hl.line = nil
		h.live--
	}
}

// enforce releases the oldest lines beyond the count or lateness bound,
// expires ended processes now and then, and compacts the queue.
func (h *Holder) enforce(release func([]byte)) {
	for h.head < len(h.queue) {
		hl := &h.queue[h.head]
		if hl.line != nil {
			if h.live <= h.max && hl.time >= h.aidNow[hl.key.aid]-h.lateness {
				break
			}
			h.dropWaiting(hl.key, h.base+int64(h.head))
			release(hl.line)
			hl.line = nil
			h.live--
			h.e.count.heldFallback.Add(1)
		}
		h.head++
	}
	if h.head > 4096 && h.head*2 > len(h.queue) {
		n := copy(h.queue, h.queue[h.head:])
		clear(h.queue[n:])
		h.queue = h.queue[:n]
		h.base += int64(h.head)
		h.head = 0
	}
	if h.e.grace >= 0 {
		if h.sinceExp++; h.sinceExp >= 1024 {
			h.sinceExp = 0
			h.e.procs.expire(h.now, h.e.clock.Load(), h.guard)
		}
	}
}

// dropWaiting forgets seq among the lines waiting for k.
func (h *Holder) dropWaiting(k procKey, seq int64) {
	seqs := h.waiting[k]
	for i, s := range seqs {
		if s == seq {
			seqs = append(seqs[:i], seqs[i+1:]...)
			break
		}
	}
	if len(seqs) == 0 {
		delete(h.waiting, k)
	} else {
		h.waiting[k] = seqs
	}
}

// Flush releases every waiting line, oldest first (end of input).
func (h *Holder) Flush(release func([]byte)) {
	for ; h.head < len(h.queue); h.head++ {
		hl := &h.queue[h.head]
		if hl.line != nil {
			release(hl.line)
			hl.line = nil
			h.live--
			h.e.count.heldFallback.Add(1)
		}
	}
	h.queue, h.head = h.queue[:0], 0
	clear(h.waiting)
}
