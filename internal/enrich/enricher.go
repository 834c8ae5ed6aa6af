package enrich

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tiercel/tiercel/internal/event"
)

// Fields the enricher adds (besides the aidmaster columns in hostFields).
const (
	FieldUserName                  = "UserName"
	FieldContextProcessName        = "ContextProcessName"
	FieldContextCommandLine        = "ContextCommandLine"
	FieldContextParentBaseFileName = "ContextParentBaseFileName"
	FieldFileName                  = "FileName"
	FieldFilePath                  = "FilePath"
	// From the parent process, on process starts (tiercel; Falcon reports
	// these only on detection events), and the acting process's full image
	// path on context events (tiercel). Sigma rules read them as
	// ParentCommandLine, ParentImage and Image.
	FieldParentCommandLine    = "ParentCommandLine"
	FieldParentImageFileName  = "ParentImageFileName"
	FieldContextImageFileName = "ContextImageFileName"
	// On network events, the domain the same host last resolved to the
	// remote address (DnsRequest IP4Records; tiercel). Sigma's
	// DestinationHostname reads it.
	FieldDestinationHostname = "DestinationHostname"
)

// Raw telemetry fields read.
const (
	fSimpleName       = "event_simpleName"
	fAid              = "aid"
	fTargetProcessId  = "TargetProcessId"
	fParentProcessId  = "ParentProcessId"
	fContextProcessId = "ContextProcessId"
	fContextBaseFile  = "ContextBaseFileName"
	fImageFileName    = "ImageFileName"
	fCommandLine      = "CommandLine"
	fParentBaseFile   = "ParentBaseFileName"
	fUserSid          = "UserSid"
	fAuthID           = "AuthenticationId"
	fUserSidReadable  = "UserSid_readable"
	fContextTimeStamp = "ContextTimeStamp"
	fTimestamp        = "timestamp"
	fComputerName     = "ComputerName"
	fUID              = "UID"
	fDomainName       = "DomainName"
	fIP4Records       = "IP4Records"
	fFirstIP4Record   = "FirstIP4Record"
	fRemoteAddressIP4 = "RemoteAddressIP4"
)

// Defaults for the stream-mode bounds. 262,144 processes keep the table
// near 50 MB; ended processes leave after EndedGrace of event time.
const (
	DefaultMaxProcesses = 1 << 18
	DefaultMaxUsers     = 1 << 18
	DefaultMaxHosts     = 1 << 18
	DefaultEndedGrace   = 5 * time.Minute
)

// Options configures an Enricher.
type Options struct {
	// Stream makes Apply learn from every event too, for input that is read
	// once (stdin, a live feed). Tables are then bounded.
	Stream bool
	// MaxProcesses bounds the process table (least recently used entries
	// go first). 0 means unbounded in file mode, DefaultMaxProcesses in
	// stream mode.
	MaxProcesses int
	// MaxUsers bounds each user map and MaxHosts the aidmaster map the same
	// way (arbitrary entries go first).
	MaxUsers int
	MaxHosts int
	// Shards splits the process table to cut lock contention (default 64).
	Shards int
	// Reads lists the fields the run's queries read (nil: all). Process
	// details nobody reads are not kept: no command lines unless
	// ContextCommandLine is read, no parents unless
	// ContextParentBaseFileName is, no users unless UserName is, and no
	// process table at all when none of those nor ContextProcessName is.
	Reads *event.Needs
	// ReadsBesideText, when not nil, is Reads as it would be without the
	// queries' free text. Command lines and image paths only free text
	// reads are then kept only for the processes a TextWatch covering the
	// free text marks (WatchText): any other's cannot change a free-text
	// filter's result. A search over many short-lived processes spares
	// holding (and spilling) every command line.
	ReadsBesideText *event.Needs
	// ProcessMemory is how many bytes of process details a file-mode table
	// keeps in memory; past it, shards spill what they hold to a temporary
	// file (0: DefaultProcessMemory; negative: never).
	ProcessMemory int
	// EndedGrace is how long (event time) a process that ended stays in a
	// stream-mode table for late context events (default DefaultEndedGrace;
	// negative: never expire).
	EndedGrace time.Duration
}

// keep says which process details are stored.
type keep struct {
	procs, name, cmdline, parent, user, image bool
	// textCmdline, textImage: the command line, the image path, is read
	// by free text alone
	textCmdline, textImage bool
	parentProc             bool // process starts look up their parent
	dns                    bool // learn DNS answers for DestinationHostname
}

func keepFor(reads *event.Needs) keep {
	if reads == nil {
		return keep{procs: true, name: true, cmdline: true, parent: true, user: true, image: true, parentProc: true, dns: true}
	}
	k := keep{
		name:       reads.Wants(FieldContextProcessName),
		cmdline:    reads.Wants(FieldContextCommandLine) || reads.Wants(FieldParentCommandLine),
		parent:     reads.Wants(FieldContextParentBaseFileName),
		user:       reads.Wants(FieldUserName),
		image:      reads.Wants(FieldContextImageFileName) || reads.Wants(FieldParentImageFileName),
		parentProc: reads.Wants(FieldParentCommandLine) || reads.Wants(FieldParentImageFileName),
		dns:        reads.Wants(FieldDestinationHostname),
	}
	k.procs = k.name || k.cmdline || k.parent || k.user || k.image
	return k
}

// keepWithText is keepFor(reads), telling which details free text alone reads
// when besides (reads without it) is not nil.
func keepWithText(reads, besides *event.Needs) keep {
	k := keepFor(reads)
	if besides != nil {
		b := keepFor(besides)
		k.textCmdline = k.cmdline && !b.cmdline
		k.textImage = k.image && !b.image
	}
	return k
}

// Enricher adds the fields LogScale's Falcon integration puts on events.
// See the package documentation for the fields and their sources.
type Enricher struct {
	stream bool
	keep   keep
	aids   *aidTable
	procs  *procTable
	hosts  *hostDir
	users  *userDir
	dns    *dnsAnswers
	count  *counters
	// changes moves when learning records something a reader watches
	// for (Changes, changed)
	changes atomic.Uint64
	// lookups, while set (LookupKeys), is told the text of every key
	// Apply looks up
	lookups func(key string)
	// sequenced: a Holder learns upstream in input order, so Apply neither
	// learns nor reorders the table (with run.HoldForEnrichment's blocks,
	// results do not depend on workers).
	sequenced atomic.Bool
	clock     atomic.Int64 // table operations by the Holder (expiry guard)
	// pending: file mode whose learning is left to the search's own read
	// of the input (run.Search learns and filters in one pass).
	pending atomic.Bool
	grace   float64 // seconds; <0: never expire
	// watch, when set, marks processes holding free-text literals as they
	// are learned (WatchText).
	watch atomic.Pointer[TextWatch]
	// textLost: processes whose details only free text reads were dropped
	// from a record before another marked them (textdetails.go);
	// relearnText, while set, limits learning to giving them back
	textLost    lostText
	relearnText map[procKey]struct{}
}

// New returns an Enricher. In file mode (the default) feed every input event
// to Learn first, then call Apply; in stream mode call only Apply.
func New(opts Options) *Enricher {
	if opts.Stream {
		if opts.MaxProcesses <= 0 {
			opts.MaxProcesses = DefaultMaxProcesses
		}
		if opts.MaxUsers <= 0 {
			opts.MaxUsers = DefaultMaxUsers
		}
		if opts.MaxHosts <= 0 {
			opts.MaxHosts = DefaultMaxHosts
		}
	}
	grace := DefaultEndedGrace.Seconds()
	if opts.EndedGrace > 0 {
		grace = opts.EndedGrace.Seconds()
	} else if opts.EndedGrace < 0 || !opts.Stream {
		grace = -1 // file mode learns everything before Apply: nothing may go
	}
	return &Enricher{
		stream: opts.Stream,
		keep:   keepWithText(opts.Reads, opts.ReadsBesideText),
		aids:   newAidTable(),
		procs:  newProcTable(opts.Shards, opts.MaxProcesses, processMemory(opts.ProcessMemory)),
		hosts:  &hostDir{m: make(map[string]*hostRecord), limit: opts.MaxHosts},
		users:  newUserDir(opts.MaxUsers, userMemory(opts.ProcessMemory)),
		dns:    &dnsAnswers{m: make(map[hostKey]stamped), limit: opts.MaxHosts},
		count:  &counters{},
		grace:  grace,
	}
}

// userMemoryShare: a file-mode user directory spills its per-host
// observations past this fraction of the process table's budget. At 4 MiB
// beside the table's 32 the seed over 2.2 GB of random telemetry (623 k
// mappings) peaked at 140-143 MB, against 167-168 with all of them in
// memory, in the same time.
const userMemoryShare = 8

// userMemory is the user directory's budget for a process budget of n.
func userMemory(n int) int {
	if m := processMemory(n); m > 0 {
		return max(m/userMemoryShare, 1)
	}
	return 0
}

// ScaledProcessMemory is a hunt's default process budget: DefaultProcessMemory
// for each kind of detail the enricher keeps for a process given reads (its
// name, command line, image path, parent's), at least one. A table keeping
// command lines and image paths holds fewer processes in the same bytes,
// and a hunt reads the spilled ones back for every event its rules ask
// about: the 1,801 SigmaHQ-repository rules over 734 MB of random
// telemetry (645 k processes) took 8.7-8.9 s at 32 MiB and 6.7-6.8 s at
// 128, peaking at 426-430 MB and 391 MB. A search keeps 32 MiB: its peak
// stays under 150 MB.
func ScaledProcessMemory(reads *event.Needs) int {
	k := keepFor(reads)
	kinds := 0
	for _, kept := range []bool{k.name, k.cmdline, k.image, k.parent || k.parentProc} {
		if kept {
			kinds++
		}
	}
	return DefaultProcessMemory * max(kinds, 1)
}

// ProcessMemory is the bytes of process details e keeps in memory before
// it spills (0: it never does).
func (e *Enricher) ProcessMemory() int { return e.procs.memory }

func processMemory(n int) int {
	switch {
	case n == 0:
		return DefaultProcessMemory
	case n < 0:
		return 0
	}
	return n
}

// Close removes the temporary file a file-mode process table may have
// spilled to. The Enricher must not be used after. A nil Enricher (no
// enrichment) has nothing to close.
func (e *Enricher) Close() error {
	if e == nil {
		return nil
	}
	return errors.Join(e.procs.close(), e.users.runs.close())
}

// NewStream returns an Enricher in stream mode (opts.Stream forced on).
func NewStream(opts Options) *Enricher {
	opts.Stream = true
	return New(opts)
}

// SetLearnPending marks a file-mode enricher whose learn pass has not run:
// the runner that gets it must feed Learn every event before any Apply.
func (e *Enricher) SetLearnPending(v bool) { e.pending.Store(v) }

// LearnPending reports whether the learn pass is still to be run.
func (e *Enricher) LearnPending() bool { return !e.stream && e.pending.Load() }

// learnLiterals: a line worth learning from names a process-start or identity
// event, or is a lookup record (aidmaster has ComputerName, userinfo
// UserSid_readable). ComputerName also stands on every event of newer sensors
// and LogScale exports, so on such data the learn pass decodes every line:
// slower, but a bare aidmaster row mixed into telemetry is still learned.
var learnLiterals = []string{
	"ProcessRollup2", // also SyntheticProcessRollup2
	"UserIdentity",
	"UserLogon", // also UserLogonFailed, UserLogonFailed2
	"UserLogoff",
	fComputerName,
	fUserSidReadable,
}

// LearnPrefilter returns literals of which a raw line must contain at least
// one to be worth passing to Learn. The runner may skip other lines undecoded.
// Process starts teach only process details and user names, identity and
// userinfo records only user names: when the queries read neither
// (Options.Reads), only aidmaster records are worth decoding.
func (e *Enricher) LearnPrefilter() [][]byte {
	out := make([][]byte, 0, len(learnLiterals))
	for _, s := range learnLiterals {
		switch s {
		case "ProcessRollup2":
			if !e.keep.procs && !e.keep.user {
				continue
			}
		case "UserIdentity", "UserLogon", "UserLogoff", fUserSidReadable:
			if !e.keep.user {
				continue
			}
		}
		out = append(out, []byte(s))
	}
	if e.keep.dns {
		out = append(out, []byte(dnsRequest))
	}
	return out
}

const dnsRequest = "DnsRequest"

// The fields Learn reads: those whose values Apply copies onto other
// events, and those it reads only as keys and times.
var (
	taughtFields   = [...]string{fImageFileName, fCommandLine, fParentBaseFile, FieldUserName, fDomainName}
	learnKeyFields = [...]string{
		fSimpleName, event.SimpleName, fAid, fTargetProcessId, fParentProcessId, fUserSid,
		fAuthID, fUID, fContextProcessId, fUserSidReadable, fContextTimeStamp, fTimestamp, "Time", "_time",
		fIP4Records, fFirstIP4Record,
	}
)

// TaughtFields lists the fields of the records Learn reads whose values
// Apply copies onto other events: a process's image path, command line
// and name, its parent's name, user names, the names DNS answers give, and
// aidmaster's columns. Learn reads the others as keys and times only, so a
// record that holds a text nowhere else gives no other event a value
// holding it.
func TaughtFields() []string {
	return slices.Concat(taughtFields[:], hostFields[:])
}

// LearnNeeds returns the fields Learn reads.
func (e *Enricher) LearnNeeds() event.Needs {
	var n event.Needs
	for _, f := range learnKeyFields {
		n.Add(f)
	}
	for _, f := range TaughtFields() {
		n.Add(f)
	}
	return n
}

// Needs returns the fields Apply reads: the keys it joins on and every field
// it may add (so that a field already on the raw event is seen and kept).
// In stream mode it includes LearnNeeds.
func (e *Enricher) Needs() event.Needs {
	var n event.Needs
	for _, f := range [...]string{
		fSimpleName, event.SimpleName, fAid, fContextProcessId, fContextBaseFile,
		fImageFileName, fCommandLine, fUserSid, fAuthID, fUID, fParentProcessId, fRemoteAddressIP4,
	} {
		n.Add(f)
	}
	for _, f := range addedNames {
		n.Add(f)
	}
	if e.stream && !e.sequenced.Load() {
		n.Merge(e.LearnNeeds())
	}
	return n
}

func simpleName(ev *event.Event) string {
	if v, ok := ev.Get(fSimpleName); ok {
		return v
	}
	v, _ := ev.Get(event.SimpleName)
	return v
}

// IsProcessStart reports whether an event named name (raw bytes) is a
// process start: Apply gives it its parent's details, not an acting
// process's.
func IsProcessStart(name []byte) bool { return isProcessStart(string(name)) }

func isProcessStart(name string) bool {
	return name == "ProcessRollup2" || name == "SyntheticProcessRollup2"
}

func isProcessEnd(name string) bool {
	return name == "EndOfProcess" || name == "TerminateProcess"
}

func isIdentity(name string) bool {
	switch name {
	case "UserIdentity", "UserLogon", "UserLogoff", "UserLogonFailed", "UserLogonFailed2":
		return true
	}
	return false
}

// eventTime orders observations: sensor time, else cloud time (ms → s).
func eventTime(ev *event.Event) float64 {
	return timeOf(valueOf(ev, fContextTimeStamp), valueOf(ev, fTimestamp))
}

// timeOf is an event's time in seconds from its ContextTimeStamp
// (seconds) or else its timestamp (milliseconds); 0 when neither parses.
func timeOf(contextTimeStamp, timestamp string) float64 {
	// an absent field is not parsed: the error would be allocated
	if contextTimeStamp != "" {
		if f, err := strconv.ParseFloat(contextTimeStamp, 64); err == nil {
			return f
		}
	}
	if timestamp != "" {
		if f, err := strconv.ParseFloat(timestamp, 64); err == nil {
			return f / 1000
		}
	}
	return 0
}

func parsePID(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	return n, err == nil && n != 0
}

// Learn records what ev tells about processes, hosts and users. Records are
// recognised by their fields, not by source: an event with event_simpleName
// ProcessRollup2/SyntheticProcessRollup2 or an identity/logon type; a record
// without event_simpleName holding aid and ComputerName (aidmaster); a record
// holding UserSid_readable and UserName (userinfo). Other events are ignored.
// Learn is safe for concurrent use and does not keep references into ev.
func (e *Enricher) Learn(ev *event.Event) {
	e.learn(ev, simpleName(ev))
}

func (e *Enricher) learn(ev *event.Event, name string) {
	if e.relearnText != nil && !isProcessStart(name) {
		return
	}
	aid, _ := ev.Get(fAid)
	switch {
	case isProcessStart(name):
		e.learnProcess(ev)
	case isIdentity(name):
		var f identityFields
		readFields(ev, identityFieldNames[:], f[:])
		e.learnIdentityFields(&f)
	case name == dnsRequest:
		if e.keep.dns {
			var f dnsFields
			readFields(ev, dnsFieldNames[:], f[:])
			e.learnDNSFields(&f)
		}
	case isProcessEnd(name):
		// Expiry runs from a Holder, which knows what workers may still need.
		if e.grace >= 0 && aid != "" && e.sequenced.Load() {
			if pid, ok := parsePID(valueOf(ev, fContextProcessId)); ok {
				if id, ok := e.aids.lookup(aid); ok {
					e.changed()
					e.procs.ended(procKey{id, pid}, eventTime(ev)+e.grace)
				}
			}
		}
	case name == "":
		if sid, ok := ev.Get(fUserSidReadable); ok {
			e.changed()
			uname, _ := ev.Get(FieldUserName)
			if e.users.learnSid(sid, uname, recordTime(ev)) {
				e.count.learnedUsers.Add(1)
			}
			return
		}
		if aid != "" && ev.Has(fComputerName) {
			e.changed()
			if e.hosts.learn(aid, ev) {
				e.count.learnedHosts.Add(1)
			}
		}
	}
}

func (e *Enricher) learnProcess(ev *event.Event) {
	var f procFields
	readFields(ev, procFieldNames[:], f[:])
	_, hasUserName := ev.Get(FieldUserName)
	e.learnProcessFields(&f, hasUserName, func() float64 { return eventTime(ev) }, nil)
}

// learnProcessFields learns a process start; hasUserName says it names its
// user, and when is its event time, read only then. hint, when not nil, is
// the key the walk found as it read (RawLearner.prefetchProcess).
func (e *Enricher) learnProcessFields(f *procFields, hasUserName bool, when func() float64, hint *procHint) {
	k, hinted := hint.keyOf(f)
	pid, ok := k.pid, hinted
	if !hinted {
		pid, ok = parsePID(f[pfPID])
	}
	if f[pfAid] == "" || !ok {
		return
	}
	e.changed()
	if e.relearnText != nil {
		e.relearnTextOf(f, pid)
		return
	}
	var info procInfo
	info.userSid, info.authID, info.uid = f[pfUserSid], f[pfAuthID], f[pfUID]
	if u := f[pfUserName]; hasUserName && !missing(u) {
		info.userName = u
		// Linux V12 and newer sensors carry both: that is a mapping too.
		if e.users.learnIdentity(f[pfAid], info.userSid, info.authID, info.uid, u, when()) {
			e.count.learnedUsers.Add(1)
		}
	}
	if !e.keep.procs {
		return
	}
	if !hinted {
		id, ok := e.aids.number(f[pfAid])
		if !ok {
			return
		}
		k = procKey{id, pid}
	}
	if e.keep.name || e.keep.parent {
		// the parent lookup by ParentProcessId reads the parent's name
		info.name = processBaseName(f[pfImage], f[pfCmdline])
	}
	if e.keep.cmdline {
		info.cmdline = f[pfCmdline]
	}
	if e.keep.image {
		info.image = f[pfImage]
	}
	if e.keep.parent {
		info.parentName = f[pfParentBase]
		info.parentPID, _ = parsePID(f[pfParentPID])
	}
	if !e.keep.user {
		info.userName, info.userSid, info.authID, info.uid = "", "", "", ""
	}
	if w := e.watch.Load(); w != nil {
		w.note(k, &info)
		if w.coversText {
			e.putTextWatched(w, k, &info)
			return
		}
	}
	e.procs.put(k, &info, e.clock.Load())
}

// readFields reads into vals the values ev has of names, as RawLearner's
// walk reads them from a raw line (absent: "").
func readFields(ev *event.Event, names, vals []string) {
	for i, name := range names {
		vals[i], _ = ev.Get(name)
	}
}

func valueOf(ev *event.Event, name string) string {
	v, _ := ev.Get(name)
	return v
}

// Apply adds the enrichment fields ev lacks; it never overwrites a field ev
// has. Safe for concurrent use. In file mode call it after learning; in
// stream mode it learns from ev first, and an event that arrives before its
// process is enriched with what is known then (ContextBaseFileName fallback):
// nothing is held back.
func (e *Enricher) Apply(ev *event.Event) { e.ApplyWanted(ev, AllWanted) }

// ApplyWanted is Apply adding what needs no lookup and, of what does, the
// fields of w (WantedBy the queries ev goes to). A stream enricher, whose
// lookups order its bounded table, adds every field.
func (e *Enricher) ApplyWanted(ev *event.Event, w Wanted) {
	e.count.applied.Add(1)
	name := simpleName(ev)
	if e.stream {
		w = AllWanted
		if !e.sequenced.Load() {
			e.learn(ev, name)
		}
	}
	aid, _ := ev.Get(fAid)
	if aid != "" {
		e.applyHost(ev, aid)
	}
	e.applyLookups(ev, name, aid, w, false)
}

// AddWanted adds to ev, given ApplyWanted(ev, before), the fields of w
// that come from lookups before did not want (the user's name of an event
// that passed the filters, whose output reads it). A process looked up
// again is not counted again.
func (e *Enricher) AddWanted(ev *event.Event, w, before Wanted) {
	if e.stream {
		return // ApplyWanted added every field
	}
	aid, _ := ev.Get(fAid)
	e.applyLookups(ev, simpleName(ev), aid, w&^before, before&processWanted != 0)
}

// applyLookups adds the fields of w that come from what enrichment learned
// of processes, users and DNS answers (and the image path's parts); looked
// says the acting process was looked up (and counted) before.
func (e *Enricher) applyLookups(ev *event.Event, name, aid string, w Wanted, looked bool) {
	if isProcessStart(name) {
		e.applyProcessStart(ev, aid, w)
		return
	}
	if e.keep.dns && w.has(addDestinationHostname) && aid != "" && strings.HasPrefix(name, "Network") {
		if ip, ok := ev.Get(fRemoteAddressIP4); ok {
			e.noteLookup(ip)
			if host, ok := e.dns.lookup(aid, ip); ok {
				e.add(ev, addDestinationHostname, host)
			}
		}
	}
	e.applyContext(ev, aid, w, looked)
}

func (e *Enricher) add(ev *event.Event, slot int, value string) bool {
	if value == "" || !ev.SetIfMissing(addedNames[slot], value) {
		return false
	}
	e.count.added[slot].Add(1)
	return true
}

func (e *Enricher) applyHost(ev *event.Event, aid string) {
	e.noteLookup(fComputerName) // host records are the lines holding it
	rec := e.hosts.get(aid)
	if rec == nil {
		e.count.hostMiss.Add(1)
		return
	}
	for i, v := range rec.vals {
		e.add(ev, i, v)
	}
}

func (e *Enricher) applyProcessStart(ev *event.Event, aid string, w Wanted) {
	image, _ := ev.Get(fImageFileName)
	dir, base := splitImage(image)
	if base == "" {
		// "/" images (containers): the name is argv0, its directory the path.
		dir, base = splitImage(argv0(valueOf(ev, fCommandLine)))
	}
	e.add(ev, addFilePath, dir)
	e.add(ev, addFileName, base)
	if e.keep.parentProc && aid != "" && (w.has(addParentCommandLine) || w.has(addParentImageFileName)) {
		e.applyParent(ev, aid)
	}
	if w.has(addUserName) && !ev.Has(FieldUserName) {
		e.applyUser(ev, aid, nil, valueOf(ev, fUserSid), valueOf(ev, fAuthID), valueOf(ev, fUID))
	}
}

// applyParent adds the parent process's command line and image path to a
// process start (same aid, the parent's TargetProcessId = ParentProcessId).
func (e *Enricher) applyParent(ev *event.Event, aid string) {
	if ev.Has(FieldParentCommandLine) && ev.Has(FieldParentImageFileName) {
		return
	}
	pid, ok := parsePID(valueOf(ev, fParentProcessId))
	if !ok {
		return
	}
	e.notePID(pid)
	id, ok := e.aids.lookup(aid)
	if !ok {
		return
	}
	pp, ok := e.procs.get(procKey{id, pid}, false, 0)
	if !ok {
		e.count.processMiss.Add(1)
		return
	}
	e.add(ev, addParentCommandLine, pp.cmdline)
	e.add(ev, addParentImageFileName, pp.image)
}

// applyUser gives ev, which lacks UserName, the user userOf names.
func (e *Enricher) applyUser(ev *event.Event, aid string, proc *procInfo, sid, auth, uid string) {
	u, tried, ok := e.userOf(aid, proc, sid, auth, uid)
	switch {
	case ok:
		e.add(ev, addUserName, u)
	case tried:
		e.count.userMiss.Add(1)
	}
}

// userOf is the user of an event of sensor aid that lacks UserName and
// has the SID, logon id and UID sid, auth and uid: the name its acting
// process proc (nil: none, or not learned) carries, else what the user
// directory says of the event's ids, or of the process's when the event
// has none. tried is false when there was no id to ask about.
func (e *Enricher) userOf(aid string, proc *procInfo, sid, auth, uid string) (name string, tried, ok bool) {
	if proc != nil {
		if proc.userName != "" {
			return proc.userName, true, true
		}
		if sid == "" && auth == "" && uid == "" {
			sid, auth, uid = proc.userSid, proc.authID, proc.uid
		}
	}
	if sid == "" && auth == "" && uid == "" {
		return "", false, false
	}
	e.noteLookup(FieldUserName) // user records are the lines naming a user
	name, ok = e.users.resolve(aid, sid, auth, uid)
	return name, true, ok
}

func (e *Enricher) applyContext(ev *event.Event, aid string, w Wanted, looked bool) {
	pidStr, ok := ev.Get(fContextProcessId)
	if !ok {
		// No acting process to look up: the sensor's own file name is all
		// there is.
		if b, ok := ev.Get(fContextBaseFile); ok && b != "" && !ev.Has(FieldContextProcessName) {
			e.add(ev, addContextProcessName, b)
			e.count.baseFallback.Add(1)
		}
		return
	}
	if w&processWanted == 0 {
		return // nothing read comes from the acting process
	}
	var proc procInfo
	found := false
	if pid, ok := parsePID(pidStr); ok && aid != "" && e.keep.procs {
		e.notePID(pid)
		if !ev.Has(FieldUserName) {
			e.noteLookup(FieldUserName) // the process, once found, names its user
		}
		if id, ok := e.aids.lookup(aid); ok {
			// A Holder orders the table itself; without one, stream
			// lookups keep used processes from eviction.
			touch := e.stream && !e.sequenced.Load()
			proc, found = e.procs.get(procKey{id, pid}, touch, 0)
		}
	}
	if !found && !looked {
		e.count.processMiss.Add(1)
	}
	if !ev.Has(FieldContextProcessName) {
		if proc.name != "" {
			e.add(ev, addContextProcessName, proc.name)
		} else if b, ok := ev.Get(fContextBaseFile); ok && b != "" {
			e.add(ev, addContextProcessName, b)
			e.count.baseFallback.Add(1)
		}
	}
	if !found {
		// The event's own user fields still name a user (EndOfProcess has UserSid).
		if w.has(addUserName) && !ev.Has(FieldUserName) {
			e.applyUser(ev, aid, nil, valueOf(ev, fUserSid), valueOf(ev, fAuthID), valueOf(ev, fUID))
		}
		return
	}
	e.add(ev, addContextCommandLine, proc.cmdline)
	e.add(ev, addContextImageFileName, proc.image)
	parent := proc.parentName
	if parent == "" && proc.parentPID != 0 && w.has(addContextParentBaseFileName) {
		e.notePID(proc.parentPID)
		if id, ok := e.aids.lookup(aid); ok {
			if pp, ok := e.procs.get(procKey{id, proc.parentPID}, false, 0); ok {
				parent = pp.name
			}
		}
	}
	e.add(ev, addContextParentBaseFileName, parent)
	if w.has(addUserName) && !ev.Has(FieldUserName) {
		e.applyUser(ev, aid, &proc, valueOf(ev, fUserSid), valueOf(ev, fAuthID), valueOf(ev, fUID))
	}
}
