package enrich

import (
	"bytes"
	"iter"
	"slices"
	"strings"
)

// TextCarriers tells which events enrichment may give a value holding one
// of some literals (free-text search, which also reads enriched fields).
type TextCarriers struct {
	e   *Enricher
	all bool // a user name holds one: any event with user fields may
	// hosts: by aid, the host fields (bits by index in hostFields) whose
	// aidmaster value holds one; an event gets it only when it lacks the
	// field itself
	hosts map[string]uint32
	procs map[procKey]bool
	pids  map[uint64]bool // the pids of procs, whatever their sensor
	// answers: sensor and address whose learned DNS answer holds one (an
	// event connecting there gets it as DestinationHostname); ips: their
	// addresses, whatever the sensor
	answers map[hostKey]bool
	ips     map[string]bool
}

// None reports whether no event can get such a value.
func (c *TextCarriers) None() bool {
	return !c.all && len(c.hosts) == 0 && len(c.procs) == 0 && len(c.answers) == 0
}

// ByProcess reports whether some process carries such a value (its
// events, and its children's parent fields, may get it).
func (c *TextCarriers) ByProcess() bool { return len(c.procs) > 0 }

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

// All reports whether it cannot be told from an event's keys.
func (c *TextCarriers) All() bool { return c.all }

// MayHold reports whether an event whose raw ContextProcessId is pid
// (empty when absent) may get such a value through its process, as far as
// the pid alone tells: false rules it out without looking at the aid.
// Host values are HostFields'.
func (c *TextCarriers) MayHold(pid []byte) bool {
	if c.all {
		return true
	}
	if len(c.procs) == 0 || len(pid) == 0 {
		return false
	}
	n, ok := parsePlainPID(pid)
	return !ok || c.pids[n] // not a plain id: cannot tell
}

// Has reports whether the event with this aid and ContextProcessId (empty
// when absent), as read from its raw line, may get such a value through its
// process. Host values are HostFields'. It does not allocate.
func (c *TextCarriers) Has(aid, contextProcessID []byte) bool {
	if c.all {
		return true
	}
	if len(c.procs) == 0 || len(contextProcessID) == 0 {
		return false
	}
	pid, ok := parsePlainPID(contextProcessID)
	if !ok {
		return true // not a plain id: cannot tell
	}
	id, ok := c.e.aids.lookupBytes(aid)
	return ok && c.procs[procKey{id, pid}]
}

// Missed reports whether some event that may get such a value could be
// among those a search rejected while learning: rejected yields the ids of
// their acting processes (and of the parents of rejected process starts).
// False means the search kept every such event (TextWatch marked its
// process in time); a carrier known only by its host or its address
// always counts as missed.
func (c *TextCarriers) Missed(rejected iter.Seq[uint64]) bool {
	if c.all || len(c.hosts) > 0 || len(c.answers) > 0 {
		return true
	}
	if len(c.pids) == 0 {
		return false
	}
	for pid := range rejected {
		if c.pids[pid] {
			return true
		}
	}
	return false
}

// TextCarriers finds what Apply may add that holds one of lits, ignoring
// case: aidmaster columns (by aid), process details (by acting process,
// the parent's name included), DNS answers (by sensor and remote
// address), user names and well-known accounts (any event). Values derived
// from the event itself (FileName, FilePath, the ContextBaseFileName
// fallback) are substrings of its raw line and are not considered. Call it
// once learning is done.
func (e *Enricher) TextCarriers(lits []string) *TextCarriers {
	return e.Carriers(CarrierLiterals{Process: lits, Host: map[string][]string{"": lits}, Answer: lits, User: lits})
}

// CarrierLiterals are literals sorted by the kind of record enrichment
// takes a value from: a literal a query looks for only in
// ContextImageFileName can come from a process, never from a DNS answer.
type CarrierLiterals struct {
	Process []string            // process details: name, image, command line, parent name, user
	Host    map[string][]string // by aidmaster column ("": any of them)
	Answer  []string            // DNS answers (DestinationHostname)
	User    []string            // user names from identity events and well-known accounts
}

// Empty reports whether there is no literal of any kind.
func (l CarrierLiterals) Empty() bool {
	n := len(l.Process) + len(l.Answer) + len(l.User)
	for _, h := range l.Host {
		n += len(h)
	}
	return n == 0
}

// Add files lits, looked for in field (free text: ""), under the kinds of
// record field's value may come from. A field Apply does not add, or
// takes from the event itself (FileName), files nothing.
func (l *CarrierLiterals) Add(field string, lits ...string) {
	if len(lits) == 0 {
		return
	}
	if l.Host == nil {
		l.Host = map[string][]string{}
	}
	if field == "" {
		l.Process = append(l.Process, lits...)
		l.Host[""] = append(l.Host[""], lits...)
		l.Answer = append(l.Answer, lits...)
		l.User = append(l.User, lits...)
		return
	}
	switch field {
	case FieldContextProcessName, FieldContextCommandLine, FieldContextImageFileName,
		FieldContextParentBaseFileName, FieldParentCommandLine, FieldParentImageFileName:
		l.Process = append(l.Process, lits...)
	case FieldUserName:
		l.Process = append(l.Process, lits...)
		l.User = append(l.User, lits...)
	case FieldDestinationHostname:
		l.Answer = append(l.Answer, lits...)
	default:
		if slices.Contains(hostFields[:], field) {
			l.Host[field] = append(l.Host[field], lits...)
		}
	}
}

// Carriers is TextCarriers with each kind of record tested for its own
// literals.
func (e *Enricher) Carriers(lits CarrierLiterals) *TextCarriers {
	c := &TextCarriers{e: e, hosts: map[string]uint32{}, procs: map[procKey]bool{}, pids: map[uint64]bool{},
		answers: map[hostKey]bool{}, ips: map[string]bool{}}
	if lits.Empty() {
		return c
	}
	if len(lits.User) > 0 {
		hit := newLiteralMemo(lits.User)
		for _, v := range wellKnownSids {
			if hit(v) {
				c.all = true
				return c
			}
		}
		if e.users.anyName(hit) {
			c.all = true
			return c
		}
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
		e.processCarriers(c, lits.Process)
	}
	return c
}

// newLiteralMemo returns a test of whether a value holds one of lits,
// ignoring case. Short values (names, SIDs) repeat and are remembered;
// command lines are mostly unique and only lower-cased, into one reused
// buffer.
func newLiteralMemo(lits []string) func(string) bool {
	folded := foldLiterals(lits)
	memo := map[string]bool{}
	var buf []byte
	return func(v string) bool {
		short := len(v) <= maxMemoLen
		if short {
			if h, ok := memo[v]; ok {
				return h
			}
		}
		var h bool
		h, buf = folded.in(v, buf)
		if short {
			memo[v] = h
		}
		return h
	}
}

// processCarriers adds to c the processes whose own details hold one of
// lits, then those whose parent's name does.
func (e *Enricher) processCarriers(c *TextCarriers, lits []string) {
	hit := newLiteralMemo(lits)
	// A TextWatch for these literals saw every process learned: only those
	// it marked, or whose parent it marked, can hold one.
	skip := func(procKey, *procInfo) bool { return false }
	if w := e.watch.Load(); w != nil && slices.Equal(w.lits, lits) {
		skip = func(k procKey, p *procInfo) bool {
			return !w.Marked(k.pid) && (p.parentPID == 0 || !w.Marked(p.parentPID))
		}
	}
	named := map[procKey]bool{}
	for i := range e.procs.shards {
		s := &e.procs.shards[i]
		s.mu.RLock()
		s.each(func(k procKey, j int32) {
			p := &s.slot(j).info
			if skip(k, p) {
				return
			}
			if hit(p.name) {
				named[k] = true
			}
			if hit(p.name) || hit(p.image) || hit(p.cmdline) || hit(p.parentName) || hit(p.userName) {
				c.procs[k], c.pids[k.pid] = true, true
			}
		})
		s.mu.RUnlock()
	}
	if len(named) > 0 {
		for i := range e.procs.shards {
			s := &e.procs.shards[i]
			s.mu.RLock()
			s.each(func(k procKey, j int32) {
				if pp := s.slot(j).info.parentPID; pp != 0 && named[procKey{k.aid, pp}] {
					c.procs[k], c.pids[k.pid] = true, true
				}
			})
			s.mu.RUnlock()
		}
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
// for in one scan of the value, by their first byte.
type foldedLiterals struct {
	lits   [][]byte
	first  [256][]int32 // with manyLiterals or more: indexes in lits by first byte
	minLen int
	empty  bool // "" is one: every value holds it
}

// manyLiterals is where one scan by first byte beats a search per literal.
const manyLiterals = 8

func foldLiterals(lits []string) *foldedLiterals {
	f := &foldedLiterals{minLen: -1}
	for _, l := range lits {
		b := []byte(foldText(l))
		if len(b) == 0 {
			f.empty = true
			continue
		}
		f.lits = append(f.lits, b)
		if f.minLen < 0 || len(b) < f.minLen {
			f.minLen = len(b)
		}
	}
	if len(f.lits) >= manyLiterals {
		for i, l := range f.lits {
			f.first[l[0]] = append(f.first[l[0]], int32(i))
		}
	}
	return f
}

// in reports whether v holds one of the literals, ignoring case. v is
// lower-cased into buf (returned grown, for reuse) when it is ASCII,
// folded whole otherwise.
func (f *foldedLiterals) in(v string, buf []byte) (bool, []byte) {
	if v == "" || f.empty || len(f.lits) == 0 {
		return v != "" && f.empty, buf
	}
	lv, ascii := appendLowerASCII(buf[:0], v)
	if ascii {
		buf = lv
	} else {
		lv = []byte(foldText(v))
	}
	if len(f.lits) < manyLiterals {
		for _, l := range f.lits {
			if bytes.Contains(lv, l) {
				return true, buf
			}
		}
		return false, buf
	}
	for i := 0; i+f.minLen <= len(lv); i++ {
		for _, j := range f.first[lv[i]] {
			if bytes.HasPrefix(lv[i:], f.lits[j]) {
				return true, buf
			}
		}
	}
	return false, buf
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
	for _, m := range []map[hostKey]stamped{d.byHSid, d.byAuth, d.byUID} {
		for _, s := range m {
			if fn(s.name) {
				return true
			}
		}
	}
	return false
}
