package run

import (
	"context"
	"encoding/binary"
	"slices"
	"strings"
	"sync"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/scratch"
)

// carrierEnricher is an enricher that can tell which events may get a
// learned value holding some literals, and watch for them while learning.
type carrierEnricher interface {
	Carriers(lits enrich.CarrierLiterals, workers int) *enrich.TextCarriers
	WatchText(lits []string, coversText bool) *enrich.TextWatch
}

// carrierLiterals sorts the literals progs look for in fields enrichment
// adds (derived), and in free text, by the records they may come from,
// each for its program's group (bits, from carrierBits: the plan's, so
// that its dispatch and the carriers agree); freeText says whether there
// are any of the latter.
func carrierLiterals(progs []*engine.Program, derived func(string) bool, bits []uint64) (lits enrich.CarrierLiterals, freeText bool) {
	for i, cover := range carrierCovers(progs, derived) {
		for _, l := range cover {
			freeText = freeText || l.field == ""
			lits.AddFor(bits[i], l.field, l.text)
		}
	}
	return lits, freeText
}

// unionLits returns a with the literals of b it lacks, in order.
func unionLits(a, b []string) []string {
	out := slices.Clone(a)
	have := make(map[string]bool, len(a)+len(b))
	for _, l := range a {
		have[l] = true
	}
	for _, l := range b {
		if !have[l] {
			have[l] = true
			out = append(out, l)
		}
	}
	return out
}

// carrierKeeper keeps, during a learning read that filters strictly on
// the raw text, the lines the strict prefilter rejects whose acting
// process, or whose parent for a process start, TextWatch has marked:
// enrichment may give them a value holding a literal. The ids of the
// processes of the other rejected lines are recorded, so that once
// learning is done TextCarriers.Missed tells whether the input must be
// read again for lines rejected before their process was known.
type carrierKeeper struct {
	watch *enrich.TextWatch // nil: no literal comes from a process
	order *seqOrder
	mu    sync.Mutex
	lists [][]uint64 // blocks of rejected pids in memory, of every worker
	// Past pidMemory the blocks go to a temporary file as they fill: a
	// read of many processes rejects lines of millions (56 MB of ids for
	// 2.2 GB of short lines, the collector's room besides).
	memory   int // bytes of ids held in memory (0: pidMemory)
	spill    *scratch.File
	spilled  int64 // bytes written
	spillErr error // writing failed: blocks stay in memory
	readErr  error // reading them back failed: Missed cannot be told
}

// pidMemory is how many bytes of rejected process ids a search holds in
// memory. Free text over 2.95 GB of three files peaked at 147-157 MB of
// RSS with 8 MiB, at 136-148 with 4, in the same time: the ids are
// written and read back once, from the page cache.
const pidMemory = 4 << 20

// pidLog is one worker's record of rejected process ids. It is exact: a
// set that may answer yes wrongly would, with thousands of carriers, make
// almost every search read its input again. The ids recorded lately are
// not recorded again (a process has many events: 4,096 of them, 32 KiB,
// cut the record of 1.2 GB of short lines, a process start every 12, from
// 4.1 to 3.5 million ids and 7% of the time; more cost more than they
// spared). Ids go in blocks that are never copied, as a growing slice
// would copy millions of them.
type pidLog struct {
	keeper *carrierKeeper // takes each block as it fills
	ids    []uint64       // the block being filled
	recent [1 << 12]uint64
}

const pidBlock = 1 << 15 // ids: 256 KiB

func (l *pidLog) add(pid uint64) {
	slot := &l.recent[(pid*0x9E3779B97F4A7C15)>>52]
	if *slot == pid {
		return
	}
	*slot = pid
	if len(l.ids) == cap(l.ids) {
		l.ids = l.keeper.file(l.ids)
	}
	l.ids = append(l.ids, pid)
}

// file takes a worker's block of ids, in memory or written to the spill
// file, and returns the block to fill next.
func (k *carrierKeeper) file(ids []uint64) []uint64 {
	if len(ids) == 0 {
		return make([]uint64, 0, pidBlock)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	memory := k.memory
	if memory == 0 {
		memory = pidMemory
	}
	if len(k.lists)*pidBlock*8 < memory || k.spillErr != nil {
		k.lists = append(k.lists, ids)
		return make([]uint64, 0, pidBlock)
	}
	if k.spill == nil {
		if k.spill, k.spillErr = scratch.New("tiercel-rejected-*"); k.spillErr != nil {
			k.lists = append(k.lists, ids)
			return make([]uint64, 0, pidBlock)
		}
	}
	b := make([]byte, 8*len(ids))
	for i, id := range ids {
		binary.LittleEndian.PutUint64(b[8*i:], id)
	}
	if _, err := k.spill.WriteAt(b, k.spilled); err != nil {
		k.spillErr = err
		k.lists = append(k.lists, ids)
		return make([]uint64, 0, pidBlock)
	}
	k.spilled += int64(len(b))
	return ids[:0] // written: its room is filled again
}

// done hands a worker's last block over.
func (k *carrierKeeper) done(l *pidLog) {
	k.mu.Lock()
	k.lists = append(k.lists, l.ids)
	k.mu.Unlock()
}

// rejected yields every process id recorded, once every worker is done.
// Should the spill file not read back, it stops and notes why (missed).
func (k *carrierKeeper) rejected(yield func(uint64) bool) {
	for _, ids := range k.lists {
		for _, id := range ids {
			if !yield(id) {
				return
			}
		}
	}
	buf := make([]byte, 8*pidBlock)
	for off := int64(0); off < k.spilled; off += int64(len(buf)) {
		b := buf[:min(int64(len(buf)), k.spilled-off)]
		if _, err := k.spill.ReadAt(b, off); err != nil {
			k.readErr = err
			return
		}
		for i := 0; i < len(b); i += 8 {
			if !yield(binary.LittleEndian.Uint64(b[i:])) {
				return
			}
		}
	}
}

// missed reports whether some line of a carrier in c was rejected, or
// could not be told (the spilled ids did not read back): the input must
// be read again.
func (k *carrierKeeper) missed(c *enrich.TextCarriers) bool {
	return c.Missed(k.rejected) || k.readErr != nil
}

// close removes the spill file.
func (k *carrierKeeper) close() {
	if k != nil && k.spill != nil {
		k.spill.Close()
		k.spill = nil
	}
}

// heldLine is a line of a chunk learned from, waiting to be filtered.
type heldLine struct {
	line   []byte
	lineNo int
	name   engine.EventName
}

// seqOrder lets a worker wait until every chunk before its own has been
// learned from. Chunks go to workers in order, so the ones it waits for
// are all being learned already: none waits on it.
type seqOrder struct {
	mu      sync.Mutex
	cond    *sync.Cond
	done    map[int64]bool // learned, beyond next
	next    int64          // every chunk before next is learned
	stopped bool
}

func newSeqOrder() *seqOrder {
	o := &seqOrder{done: map[int64]bool{}}
	o.cond = sync.NewCond(&o.mu)
	return o
}

// learned records that chunk seq is learned and waits until all chunks
// before it are; false when ctx ended first.
func (o *seqOrder) learned(ctx context.Context, seq int64) bool {
	stop := context.AfterFunc(ctx, func() {
		o.mu.Lock()
		o.stopped = true
		o.mu.Unlock()
		o.cond.Broadcast()
	})
	defer stop()
	o.mu.Lock()
	defer o.mu.Unlock()
	o.done[seq] = true
	for o.done[o.next] {
		delete(o.done, o.next)
		o.next++
	}
	o.cond.Broadcast()
	for o.next < seq && !o.stopped {
		o.cond.Wait()
	}
	return !o.stopped
}

// keeps reports whether a line the strict prefilter rejected must be kept,
// recording in log the processes of a line it rejects.
func (k *carrierKeeper) keeps(line []byte, name engine.EventName, log *pidLog) bool {
	if k.watch == nil {
		return false
	}
	// Enrichment takes a process start's details from its parent, any
	// other event's from its acting process: one id to read, when the
	// event's name is plain.
	if n, ok := name.Plain(); ok {
		if enrich.IsProcessStart(n) {
			return k.keepsFor(line, parentPIDKey, log)
		}
		return k.keepsFor(line, ctxProcessKey, log)
	}
	return k.keepsFor(line, ctxProcessKey, log) || k.keepsFor(line, parentPIDKey, log)
}

// keepsFor is keeps for the process the line names under key.
func (k *carrierKeeper) keepsFor(line []byte, key rawKey, log *pidLog) bool {
	pid, has, sure := pidAt(line, key)
	switch {
	case !sure:
		return true
	case !has:
		return false
	case k.watch.Marked(pid):
		return true
	}
	log.add(pid)
	return false
}

// pidAt reads the process id a raw line has under key (ContextProcessId,
// ParentProcessId) as TextCarriers does: has is false when the line has
// none; sure is false when that cannot be told from the raw text (a value
// that is not a plain string of digits, or keys that may be written with
// \u escapes).
func pidAt(line []byte, key rawKey) (pid uint64, has, sure bool) {
	raw, found, plain := rawField(line, key)
	switch {
	case !found:
		return 0, false, !engine.HasUnicodeEscape(line)
	case !plain:
		return 0, false, false
	}
	pid, ok := enrich.ParsePlainPID(raw)
	return pid, true, ok
}

var remoteIPKey = newRawKey("RemoteAddressIP4")

// resolvesToCarrier reports whether the event on line may get, as its
// DestinationHostname, a learned DNS answer holding a literal, or whether
// that cannot be told from the raw text (a value with escapes).
func resolvesToCarrier(line []byte, c *enrich.TextCarriers) bool {
	ip, found, plain := rawField(line, remoteIPKey)
	if !plain {
		return found
	}
	aid, found, plain := rawField(line, aidKey)
	if !plain {
		return found
	}
	return c.ResolvesTo(aid, ip)
}

// inlineSources is enrich.InlineSources for the engine's raw prefilters.
func inlineSources(field string) []engine.InlineSource {
	var out []engine.InlineSource
	for _, s := range enrich.InlineSources(field) {
		out = append(out, engine.InlineSource{Field: s.Field, Whole: s.Whole})
	}
	return out
}

var parentPIDKey = newRawKey("ParentProcessId")

// hostCarries reports whether the event on line may get, from its host's
// aidmaster record, a value holding a literal: only a field the line
// lacks is added (every FDR event has event_platform, which Sigma rules
// test). True when the raw text cannot tell.
func hostCarries(line []byte, c *enrich.TextCarriers) bool {
	aid, found, plain := rawField(line, aidKey)
	if !plain {
		return found || engine.HasUnicodeEscape(line) // keys may be escaped
	}
	return c.HostFields(aid, func(field string) bool {
		v, _, plain := rawField(line, hostFieldKeys[field])
		return !plain || len(v) == 0
	})
}

// hostFieldKeys are the raw keys of the fields an aidmaster record adds.
var hostFieldKeys = func() map[string]rawKey {
	m := map[string]rawKey{}
	for _, f := range enrich.HostFields() {
		m[f] = newRawKey(f)
	}
	return m
}()

// processGroups tells which of groups the process the line names under key
// (ContextProcessId: its acting process; ParentProcessId: a process
// start's parent, whose details are its Parent* fields) may hold a literal
// of, by its id (TextCarriers.PidGroups); unsure when the raw text cannot
// tell.
func processGroups(f pidField, c *enrich.TextCarriers, groups uint64) (held uint64, unsure bool) {
	if f.found && !f.plain {
		return 0, true
	}
	return c.PidGroups(f.pid, groups)
}

// pidField is a line's value of a process-id key (rawField), read once.
type pidField struct {
	pid          enrich.RawPID
	found, plain bool
}

// pidKeys are the keys a line names its processes by: ParentProcessId (a
// process start's parent) and ContextProcessId (its acting process).
var pidKeys = [...]rawKey{parentPIDKey, ctxProcessKey}

// findPids reads line's pidKeys.
func findPids(line []byte) (f [len(pidKeys)]pidField) {
	for i, key := range pidKeys {
		var raw []byte
		raw, f[i].found, f[i].plain = rawField(line, key)
		f[i].pid = enrich.ReadPID(raw)
	}
	return f
}

// secondReadGate gives each worker of a second read the test a line must
// pass: the strict prefilter accepted it (the first read kept it: known
// by source and line number, not tested again; a read again may cut its
// chunks elsewhere), or its raw fields hold a literal (any), or an
// enriched value learned elsewhere may hold one (carried). With several
// programs, dispatch (a raw plan's, newPlanRaw) tells which programs' raw
// prefilters accept the line, asking only those its event name concerns;
// for a line no learned value carries a literal to, those are all the
// programs that can want it. A process carries a literal to a line only
// for the programs that take the line's event name and whose prefilters,
// letting a line lacking an enriched field through (the dispatch's paired
// ones), accept it.
func secondReadGate(kept []*candChunk, any *engine.Prefilter, dispatch *engine.Dispatch, c *enrich.TextCarriers) func() lineGate {
	// the sources the first read tested, with the lines it kept (a source
	// read twice merges them: more are tested again, none fewer)
	tested := map[string][]int{}
	for _, r := range kept {
		if r != nil {
			tested[r.source] = append(tested[r.source], r.lineNos...)
		}
	}
	for _, lines := range tested {
		slices.Sort(lines)
	}
	return func() lineGate {
		var ds *engine.DispatchState
		var m *engine.Matcher // any's, without a dispatch
		if dispatch != nil {
			ds = dispatch.NewState()
		} else {
			m = any.NewMatcher()
		}
		var accepted []int32
		return func(source string, lineNo int, line []byte, name engine.EventName, hits []int32) (bool, []int32, bool) {
			if lines, ok := tested[source]; ok {
				// the first read tested it: kept, or only carried can bring it back
				_, found := slices.BinarySearch(lines, lineNo)
				return found || carried(line, c, enrich.AllGroups), hits, false
			}
			if ds == nil {
				return m.Match(line, name) || carried(line, c, enrich.AllGroups), hits, false
			}
			if !name.Located() {
				name = engine.FindEventName(line)
			}
			if !ds.NameTaken(name) {
				return false, hits, true // no program takes its event name
			}
			// the line's processes are looked up after it is matched: their
			// carrier entries are fetched meanwhile
			var pids *[len(pidKeys)]pidField
			if c.ByProcess() {
				found := findPids(line)
				for _, f := range found {
					c.Prefetch(f.pid)
				}
				pids = &found
			}
			hits = ds.MatchName(line, name, hits)
			concerned := ds.ConcernedPrograms()
			switch held, all := carriedGroups(line, c, concerned, pids); {
			case all:
				return true, hits[:0], false // the plan's dispatch decides
			case held != 0:
				// The programs whose literals its process holds may want it
				// too, when the rest of their prefilter accepts it (the
				// plan's, which lets a line lacking an enriched field
				// through): no other program can get one. Added on the
				// carried bits alone, 136 of 1,801 Sigma rules ran on each
				// line of random processes.
				accepted = ds.MatchMask(held, accepted[:0])
				n := len(hits)
				for _, i := range accepted {
					if _, found := slices.BinarySearch(hits[:n], i); !found {
						hits = append(hits, i)
					}
				}
				if len(hits) > n {
					slices.Sort(hits)
				}
			}
			return len(hits) > 0, hits, true
		}
	}
}

// carried reports whether the event on line may get, from a value
// enrichment learned elsewhere, a literal its raw text lacks: through the
// address it connects to (a DNS answer), its parent or its acting process
// (for a literal of one of groups), or its host; true when the raw text
// cannot tell.
func carried(line []byte, c *enrich.TextCarriers, groups uint64) bool {
	held, all := carriedGroups(line, c, groups, nil)
	return all || held != 0
}

// carriedGroups is carried telling how: held, the groups whose literals
// its process, its parent or a user name holds; all, by its host, its
// address or what cannot be told (any program). pids, when not nil, are
// the line's pidKeys read already.
func carriedGroups(line []byte, c *enrich.TextCarriers, groups uint64, pids *[len(pidKeys)]pidField) (held uint64, all bool) {
	if c.ByHost() && hostCarries(line, c) || c.ByAddress() && resolvesToCarrier(line, c) {
		return 0, true
	}
	held = c.UserGroups(groups)
	if !c.ByProcess() {
		return held, false
	}
	if pids == nil {
		found := findPids(line)
		pids = &found
	}
	for _, f := range pids {
		g, unsure := processGroups(f, c, groups)
		if unsure {
			return 0, true
		}
		held |= g
	}
	return held, false
}

// textTeacher tells whether a line that teaches gives other events a
// value holding one of a free-text search's literals: one of its
// enrich.TaughtFields does (the line is decoded only when its text, \u
// escapes resolved, holds one).
type textTeacher struct {
	m *enrich.LiteralMatcher
	// ascii: the literals lower-cased, when all are ASCII: looked for
	// without copying the line (m lower-cases it whole)
	ascii  [][]byte
	fields []string
	dec    *ingest.Decoder
	ev     event.Event
	buf    []byte
}

func newTextTeacher(m *enrich.LiteralMatcher, lits []string) *textTeacher {
	t := &textTeacher{m: m, fields: enrich.TaughtFields()}
	for _, l := range lits {
		if !engine.IsASCII([]byte(l)) {
			t.ascii = nil
			break
		}
		t.ascii = append(t.ascii, []byte(strings.ToLower(l)))
	}
	var needs event.Needs
	for _, f := range t.fields {
		needs.Add(f)
	}
	t.dec = ingest.NewDecoder(needs)
	return t
}

func (t *textTeacher) carries(line []byte) bool {
	if !holdsKey(line, t.holds, &t.buf) || t.dec.Decode(line, &t.ev) != nil {
		return false
	}
	for _, f := range t.fields {
		if v, ok := t.ev.Get(f); ok && t.m.In([]byte(v)) {
			return true
		}
	}
	return false
}

// holds is t.m.In, found for ASCII literals without copying text: only a
// non-ASCII letter that folds to an ASCII one (the Kelvin sign, the long
// s) leaves it to t.m.
func (t *textTeacher) holds(text []byte) bool {
	if len(t.ascii) == 0 {
		return t.m.In(text)
	}
	for _, l := range t.ascii {
		if engine.ContainsFold(text, l) {
			return true
		}
	}
	return !engine.IsASCII(text) && t.m.In(text)
}
