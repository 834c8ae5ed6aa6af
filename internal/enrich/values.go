package enrich

import (
	"bytes"
	"iter"
	"maps"
	"math/bits"
	"slices"
	"strings"
	"unsafe"

	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/parallel"
)

// TextCarriers tells which events enrichment may give a value holding one
// of some literals (free-text search, which also reads enriched fields).
type TextCarriers struct {
	// users: the groups whose literals a user name holds (a well-known
	// account's or a learned one's): any event may get it
	users uint64
	// hosts: by aid, the host fields (bits by index in hostFields) whose
	// aidmaster value holds one; an event gets it only when it lacks the
	// field itself
	hosts map[string]uint32
	// pids: by process id, whatever the sensor, the groups
	// (CarrierLiterals.ProcessGroups) whose literals the details of a
	// process with that id hold. Falcon's ids are unique per sensor and
	// rarely shared across sensors: a line is kept for the groups of every
	// process with its id, a few more than needed at worst. Kept by
	// process (sensor and id) besides, the carriers of a hunt of the
	// SigmaHQ rules over 645 k processes held 28 MB more, a fifth of the
	// live heap, for lines the rules would reject anyway.
	pids pidTable
	// answers: sensor and address whose learned DNS answer holds one (an
	// event connecting there gets it as DestinationHostname); ips: their
	// addresses, whatever the sensor
	answers map[hostKey]bool
	ips     map[string]bool
}

// None reports whether no event can get such a value.
func (c *TextCarriers) None() bool {
	return c.users == 0 && len(c.hosts) == 0 && c.pids.n == 0 && len(c.answers) == 0
}

// ByProcess reports whether some process carries such a value (its
// events, and its children's parent fields, may get it).
func (c *TextCarriers) ByProcess() bool { return c.pids.n > 0 }

// ByHost reports whether some event may get such a value from its host's
// aidmaster record (HostFields).
func (c *TextCarriers) ByHost() bool { return len(c.hosts) > 0 }

// HostFields calls fn with each host field whose value, for the sensor aid
// (raw JSON string content), holds such a value, until fn returns true;
// it reports whether one did. It does not allocate.
func (c *TextCarriers) HostFields(aid []byte, fn func(field string) bool) bool {
	bits := c.hosts[string(aid)]
	for i := range hostFields {
		if bits&(1<<i) != 0 && fn(hostFields[i]) {
			return true
		}
	}
	return false
}

// ByAddress reports whether some event may get such a value through the
// address it connects to (ResolvesTo).
func (c *TextCarriers) ByAddress() bool { return len(c.answers) > 0 }

// ResolvesTo reports whether an event of sensor aid connecting to
// remoteIP, both raw JSON string contents without escapes, gets such a
// value as its DestinationHostname. It does not allocate.
func (c *TextCarriers) ResolvesTo(aid, remoteIP []byte) bool {
	return c.ips[string(remoteIP)] && c.answers[hostKey{string(aid), string(remoteIP)}]
}

// UserGroups tells which of groups a user name holds a literal of: any
// event may get one (its process's user, its own SID's).
func (c *TextCarriers) UserGroups(groups uint64) uint64 { return c.users & groups }

// RawPID is a raw process id read once for PidGroups and Prefetch.
type RawPID struct {
	empty, plain bool // empty: no value; plain: plain digits, n
	n            uint64
}

// ReadPID reads an event's raw ContextProcessId (or a process start's
// ParentProcessId): JSON string contents without escapes.
func ReadPID(raw []byte) RawPID {
	n, ok := parsePlainPID(raw)
	return RawPID{empty: len(raw) == 0, plain: ok, n: n}
}

// PidGroups tells, from pid, which of groups a process with that id on
// some sensor holds a literal of: 0 rules the event out. Unsure when the
// id is not plain digits. Host, address and user values are for the
// caller to ask about (UserGroups, HostFields, ResolvesTo). It does not
// allocate.
func (c *TextCarriers) PidGroups(pid RawPID, groups uint64) (held uint64, unsure bool) {
	switch {
	case c.pids.n == 0 || pid.empty:
		return 0, false
	case !pid.plain:
		return 0, true
	}
	return c.pids.get(pid.n) & groups, false
}

// Prefetch brings in the entry PidGroups will read for pid, so that work
// done meanwhile hides the cache miss: the table of 645 k processes'
// carriers is larger than the caches, and its lookups were 6% of a
// hunt's time.
func (c *TextCarriers) Prefetch(pid RawPID) {
	if c.pids.n != 0 && pid.plain {
		prefetch(c.pids.slotAddr(pid.n))
	}
}

// Missed reports whether some event that may get such a value could be
// among those a search rejected while learning: rejected yields the ids of
// their acting processes (and of the parents of rejected process starts).
// False means the search kept every such event (TextWatch marked its
// process in time); a carrier known only by its host or its address
// always counts as missed.
func (c *TextCarriers) Missed(rejected iter.Seq[uint64]) bool {
	if c.users != 0 || len(c.hosts) > 0 || len(c.answers) > 0 {
		return true
	}
	if c.pids.n == 0 {
		return false
	}
	for pid := range rejected {
		if c.pids.get(pid) != 0 {
			return true
		}
	}
	return false
}

// CarrierLiterals are literals sorted by the kind of record enrichment
// takes a value from: a literal a query looks for only in
// ContextImageFileName can come from a process, never from a DNS answer.
type CarrierLiterals struct {
	Process []string // process details: name, image, command line, parent name, user
	// ProcessGroups, per Process literal, are the groups of queries that
	// look for it (a bit each), so that an event counts as carried only for
	// the queries that may take it (TextCarriers.HeldGroups)
	ProcessGroups []uint64
	Host          map[string][]string // by aidmaster column ("": any of them)
	Answer        []string            // DNS answers (DestinationHostname)
	User          []string            // user names from identity events and well-known accounts
	UserGroups    []uint64            // per User literal, as ProcessGroups
}

// Empty reports whether there is no literal of any kind.
func (l CarrierLiterals) Empty() bool {
	n := len(l.Process) + len(l.Answer) + len(l.User)
	for _, h := range l.Host {
		n += len(h)
	}
	return n == 0
}

// All returns every literal of any kind, once.
func (l CarrierLiterals) All() []string {
	var out []string
	seen := map[string]bool{}
	add := func(lits []string) {
		for _, s := range lits {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	add(l.Process)
	add(l.Answer)
	add(l.User)
	hosts := slices.Sorted(maps.Keys(l.Host))
	for _, f := range hosts {
		add(l.Host[f])
	}
	return out
}

// Add files lits, looked for in field (free text: ""), under the kinds of
// record field's value may come from, for every group of queries. A field
// Apply does not add, or takes from the event itself (FileName), files
// nothing.
func (l *CarrierLiterals) Add(field string, lits ...string) { l.AddFor(AllGroups, field, lits...) }

// AllGroups stands for every group of queries.
const AllGroups = ^uint64(0)

// AddFor is Add for the queries of groups alone.
func (l *CarrierLiterals) AddFor(groups uint64, field string, lits ...string) {
	if len(lits) == 0 {
		return
	}
	process := func() {
		l.Process = append(l.Process, lits...)
		for range lits {
			l.ProcessGroups = append(l.ProcessGroups, groups)
		}
	}
	if l.Host == nil {
		l.Host = map[string][]string{}
	}
	user := func() {
		l.User = append(l.User, lits...)
		for range lits {
			l.UserGroups = append(l.UserGroups, groups)
		}
	}
	if field == "" {
		process()
		l.Host[""] = append(l.Host[""], lits...)
		l.Answer = append(l.Answer, lits...)
		user()
		return
	}
	switch field {
	case FieldContextProcessName, FieldContextCommandLine, FieldContextImageFileName,
		FieldContextParentBaseFileName, FieldParentCommandLine, FieldParentImageFileName:
		process()
	case FieldUserName:
		process()
		user()
	case FieldDestinationHostname:
		l.Answer = append(l.Answer, lits...)
	default:
		if slices.Contains(hostFields[:], field) {
			l.Host[field] = append(l.Host[field], lits...)
		}
	}
}

// Carriers finds what Apply may add that holds one of lits, ignoring case,
// each kind of record tested for its own literals: aidmaster columns (by
// aid and field), process details (by process, the parent's name
// included), DNS answers (by sensor and remote address), user names and
// well-known accounts (any event). Values derived from the event itself
// (FileName, FilePath, the ContextBaseFileName fallback) are substrings of
// its raw line and are not considered. Call it once learning is done;
// the process table is scanned on up to workers goroutines.
func (e *Enricher) Carriers(lits CarrierLiterals, workers int) *TextCarriers {
	c := &TextCarriers{hosts: map[string]uint32{},
		answers: map[hostKey]bool{}, ips: map[string]bool{}}
	if lits.Empty() {
		return c
	}
	if len(lits.User) > 0 {
		held := newGroupMemo(lits.User, lits.UserGroups)
		for _, v := range wellKnownSids {
			c.users |= held(v)
		}
		var every uint64
		for _, g := range lits.UserGroups {
			every |= g
		}
		e.users.anyName(func(name string) bool {
			c.users |= held(name)
			return c.users == every // no group left to find
		})
	}
	if len(lits.Host) > 0 {
		var hits [len(hostFields)]func(string) bool
		for i, f := range hostFields {
			if l := append(slices.Clone(lits.Host[""]), lits.Host[f]...); len(l) > 0 {
				hits[i] = newLiteralMemo(l)
			}
		}
		e.hosts.mu.RLock()
		for aid, rec := range e.hosts.m {
			for i, v := range rec.vals {
				if hits[i] != nil && hits[i](v) {
					c.hosts[aid] |= 1 << i
				}
			}
		}
		e.hosts.mu.RUnlock()
	}
	if len(lits.Answer) > 0 && e.keep.dns {
		hit := newLiteralMemo(lits.Answer)
		e.dns.mu.RLock()
		for k, a := range e.dns.m {
			if hit(a.name) {
				c.answers[k], c.ips[k.id] = true, true
			}
		}
		e.dns.mu.RUnlock()
	}
	if len(lits.Process) > 0 {
		e.processCarriers(c, lits.Process, lits.ProcessGroups, workers)
	}
	return c
}

// newLiteralMemo returns a test of whether a value holds one of lits,
// ignoring case (newGroupMemo).
func newLiteralMemo(lits []string) func(string) bool {
	held := newGroupMemo(lits, nil)
	return func(v string) bool { return held(v) != 0 }
}

// LiteralMatcher tells whether a text holds one of some literals, ignoring
// case as carried values are matched (TextCarriers).
type LiteralMatcher struct{ f *foldedLiterals }

// NewLiteralMatcher returns the matcher of lits.
func NewLiteralMatcher(lits []string) *LiteralMatcher {
	return &LiteralMatcher{f: foldLiterals(lits)}
}

// In reports whether text holds one of the literals. It is safe for
// concurrent use.
func (m *LiteralMatcher) In(text []byte) bool {
	var buf [512]byte
	// in keeps nothing of its argument: no copy of a line a call
	h, _ := m.f.in(unsafe.String(unsafe.SliceData(text), len(text)), buf[:0])
	return h
}

// processCarriers adds to c the processes whose own details hold one of
// lits, then those whose parent's name does, each with the groups of the
// literals it holds. The shards are shared among workers goroutines: on
// a hunt of a hundred Sigma rules over 134 k processes one took 0.2 s,
// after the read and before the second.
func (e *Enricher) processCarriers(c *TextCarriers, lits []string, groups []uint64, workers int) {
	// A TextWatch for these literals saw every process learned: only those
	// it marked, or whose parent it marked, can hold one.
	skip := func(procKey, uint64) bool { return false }
	if w := e.watch.Load(); w != nil && w.watches(lits) {
		skip = func(k procKey, parentPID uint64) bool {
			return !w.Marked(k.pid) && (parentPID == 0 || !w.Marked(parentPID))
		}
	}
	t := e.procs
	workers = max(1, min(workers, len(t.shards)))
	parts := make([]carrierPart, workers)
	eachPart := func(fn func(part *carrierPart, s *procShard)) {
		parallel.Each(workers, workers, func(w int) {
			for i := w; i < len(t.shards); i += workers {
				s := &t.shards[i]
				s.mu.RLock()
				fn(&parts[w], s)
				s.mu.RUnlock()
			}
		})
	}
	// A process spilled and learned again has a record in each place:
	// both are looked at, so a value either holds is found (carriers may
	// be more than needed, never fewer).
	eachPart(func(part *carrierPart, s *procShard) {
		if part.held == nil {
			part.held = newGroupMemo(lits, groups) // one memo a goroutine
		}
		part.beginShard(s)
		visit := func(k procKey, byName, others uint64) {
			if byName != 0 {
				part.name(k, byName)
			}
			if g := byName | others; g != 0 {
				part.add(k, g)
			}
		}
		s.eachSpilled(&t.spill, func(k procKey, p *procInfo) {
			if !skip(k, p.parentPID) {
				visit(k, part.held(p.name), part.held(p.image)|part.held(p.cmdline)|part.held(p.parentName)|part.held(p.userName))
			}
		})
		cols := &s.cols
		s.each(func(k procKey, j int32) {
			if !skip(k, cols.parentPID.get(j)) {
				visit(k, part.heldAt(cols.name.get(j)),
					part.heldAt(cols.image.get(j))|part.held(cols.cmdline.get(j))|part.heldAt(cols.parentName.get(j))|part.heldAt(cols.userName.get(j)))
			}
		})
	})
	named := newProcGroups(partLists(parts, func(p *carrierPart) *[][]groupSlot[procKey] { return &p.named })...)
	pids := func(p *carrierPart) *[][]groupSlot[uint64] { return &p.pids }
	// sized for the carriers found so far: their children add few
	c.pids = newPidTable(partLists(parts, pids)...)
	if named.n > 0 {
		eachPart(func(part *carrierPart, s *procShard) {
			part.beginShard(s)
			child := func(k procKey, pp uint64) {
				if pp != 0 {
					if g := named.get(procKey{k.aid, pp}); g != 0 {
						part.add(k, g)
					}
				}
			}
			s.eachSpilled(&t.spill, func(k procKey, p *procInfo) { child(k, p.parentPID) })
			s.each(func(k procKey, j int32) { child(k, s.cols.parentPID.get(j)) })
		})
	}
	c.pids.add(pidHome, partLists(parts, pids)...)
}

// partLists takes the lists that field picks from parts, leaving them nil.
func partLists[K comparable](parts []carrierPart, field func(*carrierPart) *[][]groupSlot[K]) [][]groupSlot[K] {
	var lists [][]groupSlot[K]
	for i := range parts {
		lists = append(lists, *field(&parts[i])...)
		*field(&parts[i]) = nil
	}
	return lists
}

// carrierPart is what one goroutine of processCarriers found: lists, a
// shard's sized for its processes, laid out in one table once all are
// found (groupTable.add). Maps grown as they filled took two thirds of the
// time between a hunt's reads over 645 k processes.
type carrierPart struct {
	held  func(string) uint64
	named [][]groupSlot[procKey] // processes whose name holds a literal
	pids  [][]groupSlot[uint64]  // carriers' ids, with their groups
	// the shard's processes, for sizing its lists; its strings, by
	// whose numbers heldAt remembers held's answers (a table's shards
	// may share one)
	procs  int
	strs   *shardStrings
	shared *tableStrings
	byID   map[strID]uint64
}

// beginShard makes s the shard whose processes are added.
func (p *carrierPart) beginShard(s *procShard) {
	p.procs = int(s.n)
	p.named = append(p.named, nil)
	p.pids = append(p.pids, nil)
	if p.byID == nil || s.strs.shared == nil || s.strs.shared != p.shared {
		p.byID = map[strID]uint64{}
	}
	p.strs, p.shared = &s.strs, s.strs.shared
}

func (p *carrierPart) name(k procKey, g uint64) {
	l := &p.named[len(p.named)-1]
	if *l == nil {
		*l = make([]groupSlot[procKey], 0, p.procs)
	}
	*l = append(*l, groupSlot[procKey]{k, g})
}

func (p *carrierPart) add(k procKey, g uint64) {
	l := &p.pids[len(p.pids)-1]
	if *l == nil {
		*l = make([]groupSlot[uint64], 0, p.procs)
	}
	*l = append(*l, groupSlot[uint64]{k.pid, g})
}

// heldAt is held of the string numbered id in the shard's strings,
// remembered by number: hashing every process's image path and name
// again was most of the time spent on them.
func (p *carrierPart) heldAt(id strID) uint64 {
	g, ok := p.byID[id]
	if !ok {
		g = p.held(p.strs.str(id))
		p.byID[id] = g
	}
	return g
}

// newGroupMemo returns a test of which groups' literals (nil groups: one
// for all) a value holds, ignoring case; 0 when none. Short values (names,
// SIDs) repeat and are remembered; command lines are mostly unique and
// only lower-cased, into one reused buffer.
func newGroupMemo(lits []string, groups []uint64) func(string) uint64 {
	folded := foldLiteralGroups(lits, groups)
	memo := map[string]uint64{}
	var buf []byte
	return func(v string) uint64 {
		short := len(v) <= maxMemoLen
		if short {
			if g, ok := memo[v]; ok {
				return g
			}
		}
		var g uint64
		g, buf = folded.held(v, buf)
		if short {
			memo[strings.Clone(v)] = g // v may view a buffer reused (eachSpilled)
		}
		return g
	}
}

// maxMemoLen is the longest value TextCarriers remembers its verdict for.
const maxMemoLen = 64

// appendLowerASCII appends s lower-cased to dst; false when s is not all
// ASCII (foldText then does it, Unicode folding included).
func appendLowerASCII(dst []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return dst, false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst, true
}

// foldedLiterals are literals lower-cased by foldText, for telling which
// values hold one ignoring case. Many literals (a rule set's) are looked
// for in one scan of the value, by pairs of bytes.
type foldedLiterals struct {
	lits   [][]byte
	groups []uint64 // per literal: the groups that look for it
	all    uint64   // every group
	// with manyLiterals or more: the literals of two bytes or more listed
	// under their least likely pair of bytes (ingest.RarestPair), behind a
	// set of those pairs (most positions of a value hold none), and the
	// groups of one-byte literals by their byte. Listed by first byte, a rule set's
	// literals were looked for at most positions of a path or command
	// line ("\\w", ".e", "c:"), and each with all 46 starting with c.
	byPair pairLists
	pairs  [1 << 16 / 64]uint64
	single [256]uint64
	empty  uint64 // the groups of "": every value holds it
}

// manyLiterals is where one scan by pairs of bytes beats a search per
// literal.
const manyLiterals = 8

func foldLiterals(lits []string) *foldedLiterals { return foldLiteralGroups(lits, nil) }

// foldLiteralGroups is foldLiterals with each literal's groups (nil: all).
// A literal several groups look for is kept once, with all of them.
func foldLiteralGroups(lits []string, groups []uint64) *foldedLiterals {
	f := &foldedLiterals{}
	index := map[string]int{}
	for i, l := range lits {
		g := AllGroups
		if groups != nil {
			g = groups[i]
		}
		f.all |= g
		folded := foldText(l)
		if folded == "" {
			f.empty |= g
			continue
		}
		if j, ok := index[folded]; ok {
			f.groups[j] |= g
			continue
		}
		index[folded] = len(f.lits)
		f.lits = append(f.lits, []byte(folded))
		f.groups = append(f.groups, g)
	}
	if len(f.lits) >= manyLiterals {
		f.byPair = newPairLists(len(f.lits))
		for i, l := range f.lits {
			if len(l) == 1 {
				f.single[l[0]] |= f.groups[i]
				continue
			}
			at := ingest.RarestPair(string(l), 0, 1)
			p := pairOf(l[at], l[at+1])
			f.byPair.add(p, anchoredLit{lit: int32(i), at: int32(at)})
			f.pairs[p/64] |= 1 << (p % 64)
		}
	}
	return f
}

func pairOf(a, b byte) int { return int(a)<<8 | int(b) }

// anchoredLit is a literal listed under the pair of bytes at offset at.
type anchoredLit struct{ lit, at int32 }

// pairLists lists literals by pair of bytes in a small open-addressing
// table: a value's scan looks a pair up at a third of its positions or
// more, where a map's hashing was half of the scan.
type pairLists struct {
	keys  []int32 // 1 + the pair; 0: empty
	lists [][]anchoredLit
	shift uint
}

func newPairLists(n int) pairLists {
	size := 16
	for size < 2*n {
		size *= 2
	}
	return pairLists{keys: make([]int32, size), lists: make([][]anchoredLit, size), shift: uint(32 - bits.TrailingZeros(uint(size)))}
}

func (t *pairLists) slot(p int) int {
	mask := len(t.keys) - 1
	i := int(uint32(p)*0x9E3779B1>>t.shift) & mask
	for t.keys[i] != 0 && t.keys[i] != int32(p)+1 {
		i = (i + 1) & mask
	}
	return i
}

// add lists a under p; the table holds at most half as many pairs as it
// has slots (newPairLists), so it never fills.
func (t *pairLists) add(p int, a anchoredLit) {
	i := t.slot(p)
	t.keys[i] = int32(p) + 1
	t.lists[i] = append(t.lists[i], a)
}

// of returns the literals listed under p.
func (t *pairLists) of(p int) []anchoredLit { return t.lists[t.slot(p)] }

// in reports whether v holds one of the literals, ignoring case. v is
// lower-cased into buf (returned grown, for reuse) when it is ASCII,
// folded whole otherwise.
func (f *foldedLiterals) in(v string, buf []byte) (bool, []byte) {
	g, buf := f.scan(v, buf, true)
	return g != 0, buf
}

// held is in telling the groups of every literal v holds.
func (f *foldedLiterals) held(v string, buf []byte) (uint64, []byte) {
	return f.scan(v, buf, false)
}

// scan ORs the groups of the literals v holds; first stops at the first.
func (f *foldedLiterals) scan(v string, buf []byte, first bool) (uint64, []byte) {
	if v == "" {
		return 0, buf
	}
	g := f.empty
	if first && g != 0 || len(f.lits) == 0 {
		return g, buf
	}
	lv, ascii := appendLowerASCII(buf[:0], v)
	if ascii {
		buf = lv
	} else {
		lv = []byte(foldText(v))
	}
	if len(f.lits) < manyLiterals {
		for i, l := range f.lits {
			if g&f.groups[i] != f.groups[i] && bytes.Contains(lv, l) {
				if g |= f.groups[i]; first || g == f.all {
					return g, buf
				}
			}
		}
		return g, buf
	}
	for i := range lv {
		if sg := f.single[lv[i]]; g&sg != sg {
			if g |= sg; first || g == f.all {
				return g, buf
			}
		}
		if i+1 == len(lv) {
			break
		}
		p := pairOf(lv[i], lv[i+1])
		if f.pairs[p/64]&(1<<(p%64)) == 0 {
			continue
		}
		for _, a := range f.byPair.of(p) {
			l, start := f.lits[a.lit], i-int(a.at)
			if g&f.groups[a.lit] != f.groups[a.lit] && start >= 0 && start+len(l) <= len(lv) && bytes.Equal(lv[start:start+len(l)], l) {
				if g |= f.groups[a.lit]; first || g == f.all {
					return g, buf
				}
			}
		}
	}
	return g, buf
}

// foldText lower-cases s, LONG S included (KELVIN SIGN lowers to k).
func foldText(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), "\u017f", "s")
}

// anyName reports whether fn holds for a user name known.
func (d *userDir) anyName(fn func(string) bool) bool {
	d.mu.RLock()
	defer d.mu.RUnlock()
	for _, s := range d.bySid {
		if fn(s.name) {
			return true
		}
	}
	for _, m := range d.perHost() {
		for _, s := range m {
			if fn(d.nums.str(s.name)) {
				return true
			}
		}
	}
	if d.runs != nil {
		for _, name := range d.runs.names {
			if fn(name) {
				return true
			}
		}
	}
	return false
}
