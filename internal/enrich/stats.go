package enrich

import (
	"fmt"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/tiercel/tiercel/internal/ingest"
)

// Added-field slots for the counters; host fields come first, in hostFields order.
const (
	addUserName = len(hostFields) + iota
	addContextProcessName
	addContextCommandLine
	addContextParentBaseFileName
	addFileName
	addFilePath
	addParentCommandLine
	addParentImageFileName
	addContextImageFileName
	addDestinationHostname
	numAdded
)

var addedNames = func() [numAdded]string {
	var n [numAdded]string
	copy(n[:], hostFields[:])
	n[addUserName] = FieldUserName
	n[addContextProcessName] = FieldContextProcessName
	n[addContextCommandLine] = FieldContextCommandLine
	n[addContextParentBaseFileName] = FieldContextParentBaseFileName
	n[addFileName] = FieldFileName
	n[addFilePath] = FieldFilePath
	n[addParentCommandLine] = FieldParentCommandLine
	n[addParentImageFileName] = FieldParentImageFileName
	n[addContextImageFileName] = FieldContextImageFileName
	n[addDestinationHostname] = FieldDestinationHostname
	return n
}()

type counters struct {
	applied      atomic.Int64
	added        [numAdded]atomic.Int64
	hostMiss     atomic.Int64
	processMiss  atomic.Int64
	userMiss     atomic.Int64
	baseFallback atomic.Int64
	learnedHosts atomic.Int64
	learnedUsers atomic.Int64
	held         atomic.Int64
	heldFallback atomic.Int64
}

// Stats reports what enrichment did.
type Stats struct {
	Applied int64            // events passed to Apply
	Added   map[string]int64 // events that gained each field
	// Lookup misses: the event had a key but nothing was known for it.
	HostMisses    int64 // aid not in aidmaster
	ProcessMisses int64 // ContextProcessId with no known ProcessRollup2
	UserMisses    int64 // UserSid/AuthenticationId with no known name
	// ContextBaseFileName was used for ContextProcessName.
	BaseFileNameFallbacks int64
	// Learned counts new keys: processes, aidmaster hosts, user mappings
	// (after the directory spilled, a key seen again counts again).
	LearnedProcesses, LearnedHosts, LearnedUsers int64
	Processes                                    int   // entries in the process table now
	Evicted                                      int64 // processes dropped by the stream table bound
	Expired                                      int64 // ended processes dropped after their grace
	// Spilled counts processes a file-mode table wrote to its temporary
	// file past its memory budget (Options.ProcessMemory); SpillError is
	// the first failure there (writing: the rest stayed in memory; reading:
	// some lookups went without the process).
	Spilled    int64
	Memory     int   // the budget, in bytes (ProcessMemory)
	ReadBack   int64 // blocks of spilled processes read back by lookups
	SpillError string
	SpillLost  bool // a read failed: some events went without their process
	// UsersSpilled counts user observations (a SID, logon id or UID on a
	// host) the directory wrote to its own temporary file past its share
	// of the budget, UserReadBack the blocks lookups read back;
	// UserSpillError and UserSpillLost are SpillError's and SpillLost's.
	UsersSpilled, UserReadBack int64
	UserSpillError             string
	UserSpillLost              bool
	// Holder (stream reordering): events held until their process arrived,
	// and held events released by a bound with their process still unknown.
	Held, HeldFallbacks int64
}

// Stats returns a snapshot of the counters.
func (e *Enricher) Stats() Stats {
	c := e.count
	s := Stats{
		Applied:               c.applied.Load(),
		Added:                 make(map[string]int64),
		HostMisses:            c.hostMiss.Load(),
		ProcessMisses:         c.processMiss.Load(),
		UserMisses:            c.userMiss.Load(),
		BaseFileNameFallbacks: c.baseFallback.Load(),
		LearnedHosts:          c.learnedHosts.Load(),
		LearnedUsers:          c.learnedUsers.Load(),
	}
	for i := range c.added {
		if n := c.added[i].Load(); n > 0 {
			s.Added[addedNames[i]] = n
		}
	}
	z := e.procs.size()
	s.Processes, s.Evicted, s.Expired, s.LearnedProcesses, s.Spilled = z.held, z.evicted, z.expired, z.learned, z.spilled
	s.ReadBack, s.Memory = e.procs.spill.reads.Load(), e.procs.memory
	if err := e.procs.spill.failed(); err != nil {
		s.SpillError = err.Error()
		s.SpillLost = e.procs.spill.lost.Load()
	}
	if r := e.users.runs; r != nil {
		e.users.mu.RLock()
		s.UsersSpilled = r.spilled
		e.users.mu.RUnlock()
		r.mu.Lock()
		s.UserReadBack, s.UserSpillLost = r.reads, r.lost
		if r.err != nil {
			s.UserSpillError = r.err.Error()
		}
		r.mu.Unlock()
	}
	s.Held, s.HeldFallbacks = c.held.Load(), c.heldFallback.Load()
	return s
}

// Summary renders the stats for stderr in a few lines.
func (s Stats) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "enrich: %d events; learned %d processes, %d hosts, %d user mappings; table %d processes (%d evicted, %d expired)\n",
		s.Applied, s.LearnedProcesses, s.LearnedHosts, s.LearnedUsers, s.Processes, s.Evicted, s.Expired)
	if s.Spilled > 0 {
		fmt.Fprintf(&b, "enrich: %d processes spilled to a temporary file past the memory budget (--process-memory %s); %d blocks read back\n", s.Spilled, ingest.ByteSize(s.Memory), s.ReadBack)
	}
	if s.UsersSpilled > 0 {
		fmt.Fprintf(&b, "enrich: %d user mappings spilled to a temporary file past the memory budget (an eighth of --process-memory %s); %d blocks read back\n", s.UsersSpilled, ingest.ByteSize(s.Memory), s.UserReadBack)
	}
	if s.Held > 0 {
		fmt.Fprintf(&b, "enrich: held %d events for their process; %d released by the bound without it\n", s.Held, s.HeldFallbacks)
	}
	names := make([]string, 0, len(s.Added))
	for n := range s.Added {
		names = append(names, n)
	}
	sort.Strings(names)
	b.WriteString("enrich: added")
	if len(names) == 0 {
		b.WriteString(" nothing")
	}
	for _, n := range names {
		fmt.Fprintf(&b, " %s=%d", n, s.Added[n])
	}
	fmt.Fprintf(&b, "\nenrich: misses host=%d process=%d user=%d; ContextBaseFileName fallbacks=%d\n",
		s.HostMisses, s.ProcessMisses, s.UserMisses, s.BaseFileNameFallbacks)
	return b.String()
}

// applyCounts lists the counters Apply moves (and nothing else does).
func (c *counters) applyCounts() []*atomic.Int64 {
	out := []*atomic.Int64{&c.applied, &c.hostMiss, &c.processMiss, &c.userMiss, &c.baseFallback}
	for i := range c.added {
		out = append(out, &c.added[i])
	}
	return out
}

// ApplyMark is what Apply had counted at a point (MarkApplied).
type ApplyMark []int64

// MarkApplied returns what Apply has counted so far.
func (e *Enricher) MarkApplied() ApplyMark {
	var m ApplyMark
	for _, c := range e.count.applyCounts() {
		m = append(m, c.Load())
	}
	return m
}

// RewindApplied sets Apply's counters back to m: the events Apply enriched
// since are to be enriched again (a search ran them ahead, on the bet
// that nothing would be learned, and lost it). It must not run beside
// Apply.
func (e *Enricher) RewindApplied(m ApplyMark) {
	for i, c := range e.count.applyCounts() {
		c.Store(m[i])
	}
}

// Changes returns a number that moves once learning keeps a record after
// the call (a process start with its ids, a host, user, identity or DNS
// record, an end of a process): while it does not move, Apply gives what
// it gave.
func (e *Enricher) Changes() int64 { return int64(e.changes.Or(1) | 1) }

// changed notes that learning kept a record. Its low bit set, the number
// is watched (Changes): the first change clears it and moves the number;
// later ones only read it. Counting every process start wrote its cache
// line from both cores of a two-worker search (a fifth of learning's
// extra CPU at two workers over one on randfalcon's linked).
func (e *Enricher) changed() {
	for {
		v := e.changes.Load()
		if v&1 == 0 || e.changes.CompareAndSwap(v, v+1) {
			return
		}
	}
}
