package enrich

// SettledContextProcessName returns the ContextProcessName Apply will add
// to a raw event named name, of sensor aid, whose acting process is pid
// and whose ContextBaseFileName is base, when it is certain already. While
// the input is still being learned (final false) that is once a process
// start with an image name has been learned: a later record of the process
// can change the name only by disagreeing with it (mergeStr), which
// Renamed then reports, for the caller to read the input again. Once
// learning is over (final) a process without a name, or never started,
// gives base, as Apply does. It is false for process starts, which get no
// ContextProcessName, and whenever the answer may still change. Arguments
// are raw JSON string contents without escapes; pid is required.
func (e *Enricher) SettledContextProcessName(name, aid, pid, base []byte, final bool) (string, bool) {
	p, ok := e.contextPID(name, aid, pid)
	if !ok {
		return "", false
	}
	fallback := func() (string, bool) {
		if final && len(base) > 0 {
			return string(base), true
		}
		return "", false
	}
	id, ok := e.aids.lookupBytes(aid)
	if !ok {
		return fallback()
	}
	n, found := e.procs.name(procKey{id, p})
	if !found || n == "" {
		return fallback()
	}
	return n, true
}

// UnlearnedContextProcessName tells the ContextProcessName Apply gives a
// raw event named name that lacks one, when nothing learned can change
// it: a process start gets none (absent), an event without
// ContextProcessId (hasPID false) its ContextBaseFileName, base (absent
// when that is missing or empty). ok is false when the acting process
// decides. base is raw JSON string contents without escapes.
func (e *Enricher) UnlearnedContextProcessName(name []byte, hasPID bool, base []byte) (v string, absent, ok bool) {
	switch {
	case len(name) == 0:
		return "", false, false
	case isProcessStart(string(name)):
		return "", true, true
	case hasPID:
		return "", false, false
	case len(base) == 0:
		return "", true, true
	}
	return string(base), false, true
}

// SettledUserName tells the UserName Apply gives the raw event line,
// named name and lacking UserName, once learning is over (userOf: a
// process start's from its own ids; another event's from its acting
// process or its own ids; none without ContextProcessId). Its members are
// read as the decoder reads them (walk). absent: it gets none. ok is
// false in stream mode (Apply learns), for a line walk leaves to the
// decoder and for a process id that is not plain digits.
func (r *RawLearner) SettledUserName(name, line []byte) (v string, absent, ok bool) {
	e := r.e
	var f userFields
	if e.stream || len(name) == 0 || !r.walk(line, userFieldSlot, f[:], 0) {
		return "", false, false
	}
	var proc *procInfo
	if !isProcessStart(string(name)) {
		if r.present&(1<<ufPID) == 0 {
			return "", true, true
		}
		pid, plain := parsePlainPID([]byte(f[ufPID]))
		if !plain && f[ufPID] != "" {
			return "", false, false // spaces, signs: parsePID's to read
		}
		if plain && f[ufAid] != "" && e.keep.procs {
			if id, ok := e.aids.lookup(f[ufAid]); ok {
				if p, found := e.procs.get(procKey{id, pid}, false, 0); found {
					proc = &p
				}
			}
		}
	}
	u, _, ok := e.userOf(f[ufAid], proc, f[ufSid], f[ufAuth], f[ufUID])
	return u, !ok, true
}

// userFields are the fields of an event its user comes from, by index.
type userFields [numUserFields]string

const (
	ufAid = iota
	ufPID
	ufSid
	ufAuth
	ufUID
	numUserFields
)

// userFieldSlot returns the index of a key SettledUserName reads, or -1.
func userFieldSlot(key []byte) int {
	switch string(key) {
	case fAid:
		return ufAid
	case fContextProcessId:
		return ufPID
	case fUserSid:
		return ufSid
	case fAuthID:
		return ufAuth
	case fUID:
		return ufUID
	}
	return -1
}

// ParsePlainPID reads a raw process id of digits only, as
// SettledContextProcessName and TextCarriers do; anything else is false.
func ParsePlainPID(b []byte) (uint64, bool) { return parsePlainPID(b) }

// parsePlainPID is parsePID for a value of digits only, without the copy;
// anything else (spaces, signs) is left to parsePID's callers: not settled.
func parsePlainPID(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, n != 0
}

// ContextProcessFallsBack reports whether a raw event that
// SettledContextProcessName cannot settle yet gets a ContextProcessName
// decided by the event alone should its acting process never be learned
// with a name: its ContextBaseFileName when it has one, none when it has
// not (or an empty one). It returns the process id read. It is false when
// the event is open for another reason (a process start, a pid read
// otherwise): the value may then be anything.
func (e *Enricher) ContextProcessFallsBack(name, aid, pid []byte) (uint64, bool) {
	return e.contextPID(name, aid, pid)
}

// contextPID reads the acting process of a raw event named name whose
// ContextProcessName file-mode learning tells: not a process start (they
// get none), with a sensor and a pid of digits only (parsePID may still
// read others: they are not settled here).
func (e *Enricher) contextPID(name, aid, pid []byte) (uint64, bool) {
	if e.stream || !e.keep.name || len(name) == 0 || isProcessStart(string(name)) || len(aid) == 0 {
		return 0, false
	}
	return parsePlainPID(pid)
}

// LearnedProcessName returns the image name learned for process pid of
// sensor aid: "" when none was.
func (e *Enricher) LearnedProcessName(aid string, pid uint64) string {
	id, ok := e.aids.lookup(aid)
	if !ok {
		return ""
	}
	n, _ := e.procs.name(procKey{id, pid})
	return n
}

// Renamed reports whether a process's image name, image path or command
// line learned so far was replaced by another record's: values
// SettledContextProcessName or SettledProcessDetails gave earlier may not
// be the last. Falcon process ids are unique per sensor, so on Falcon data
// it stays false.
func (e *Enricher) Renamed() bool { return e.procs.renamed() }

// RenamedMayPass reports, once learning is over, whether a process Renamed
// saw replaced now holds a value may accepts for a field events get from
// it: its name as ContextProcessName, its image path as
// ContextImageFileName and (for its children) ParentImageFileName, its
// command line as ContextCommandLine and ParentCommandLine. A settler's
// tests have no negation, so a candidate it rejected on an earlier value
// of a process whose values now pass none of them stays rejected: only
// otherwise must the input be read again. Too many renamed processes to
// list report true.
func (e *Enricher) RenamedMayPass(may func(field, value string) bool) bool {
	if !e.Renamed() {
		return false
	}
	return e.procs.renamedEach(func(p procInfo) bool {
		return may(FieldContextProcessName, p.name) ||
			may(FieldContextImageFileName, p.image) || may(FieldParentImageFileName, p.image) ||
			may(FieldContextCommandLine, p.cmdline) || may(FieldParentCommandLine, p.cmdline)
	})
}

// Rehosted reports whether a sensor's aidmaster record learned so far was
// replaced by a newer one with other values: values SettledHostField gave
// earlier may not be the last. Snapshots of one sensor over time often
// differ (an agent update), so it is asked only of searches that settle
// host fields.
func (e *Enricher) Rehosted() bool { return e.hosts.replaced.Load() }

// SettledFilePath tells the FileName and FilePath Apply gives the raw
// event line, named name, that lacks them: a process start's are cut from
// its ImageFileName, or from its command line's argv0 for a "/" image
// (applyProcessStart); any other event gets neither (""). Nothing learned
// changes them, so they are known as the line is read. Its members are
// read as the decoder reads them (walk); ok is false for a line walk
// leaves to the decoder.
func (r *RawLearner) SettledFilePath(name, line []byte) (fileName, filePath string, ok bool) {
	if len(name) == 0 {
		return "", "", false
	}
	if !isProcessStart(string(name)) {
		return "", "", true
	}
	var f [2]string // ImageFileName, CommandLine
	if !r.walk(line, imageFieldSlot, f[:], 1<<1) {
		return "", "", false
	}
	dir, base := splitImage(f[0])
	if base == "" {
		cmd := f[1]
		if r.escaped&(1<<1) != 0 {
			cmd = r.unescape(1)
		}
		dir, base = splitImage(argv0(cmd))
	}
	return base, dir, true
}

// imageFieldSlot is SettledFilePath's slotOf: the image path and the
// command line, whose argv0 stands in for a "/" image.
func imageFieldSlot(key []byte) int {
	switch string(key) {
	case fImageFileName:
		return 0
	case fCommandLine:
		return 1
	}
	return -1
}

// SettledProcessDetails tells the image path and command line Apply
// gives a raw event named name from the process that lends them: a
// process start's parent (ParentImageFileName, ParentCommandLine), any
// other event's acting process (ContextImageFileName,
// ContextCommandLine); pid is that process's id (ParentProcessId,
// ContextProcessId) and hasPID says the line has the key. None without
// it, without a sensor, or for a process never learned. imageOK and cmdOK
// say which is certain ("": none): while the input is still being learned
// (final false), a value once a record of the process set it (another
// record can change it only by disagreeing, which Renamed reports), and
// none only where learning cannot change that. aid and pid are raw JSON
// string contents without escapes.
func (e *Enricher) SettledProcessDetails(name []byte, hasPID bool, aid, pid []byte, final bool) (image, cmdline string, imageOK, cmdOK bool) {
	kept := e.keep.procs
	if isProcessStart(string(name)) {
		kept = e.keep.parentProc
	}
	switch {
	case e.stream || len(name) == 0:
		return "", "", false, false
	case !hasPID || len(aid) == 0 || !kept:
		return "", "", true, true
	}
	p, ok := parsePlainPID(pid)
	if !ok {
		return "", "", false, false // spaces, signs, 0: parsePID's to read
	}
	if id, ok := e.aids.lookupBytes(aid); ok {
		if proc, found := e.procs.get(procKey{id, p}, false, 0); found {
			return proc.image, proc.cmdline, proc.image != "" || final, proc.cmdline != "" || final
		}
	}
	return "", "", final, final
}
