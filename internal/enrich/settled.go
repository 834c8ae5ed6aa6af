package enrich

import "unsafe"

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

// RawUserFields are what an event holds of the fields its UserName comes
// from, as raw JSON string contents without escapes (nil: absent).
type RawUserFields struct {
	Aid, ContextPID, Sid, Auth, UID []byte
	HasContextPID                   bool
}

// SettledUserName tells the UserName Apply gives a raw event named name
// that lacks one, once learning is over: a process start's from its own
// UserSid, AuthenticationId or UID; another event's from its acting
// process (its user, or its SID read through the user directory) or, that
// process unknown, from its own; none without ContextProcessId. absent:
// it gets none. ok is false in stream mode (Apply learns) and for a
// process id that is not plain digits.
func (e *Enricher) SettledUserName(name []byte, f *RawUserFields) (v string, absent, ok bool) {
	if e.stream || len(name) == 0 {
		return "", false, false
	}
	aid := bytesString(f.Aid)
	own := func() (string, bool, bool) {
		sid, auth, uid := bytesString(f.Sid), bytesString(f.Auth), bytesString(f.UID)
		if sid == "" && auth == "" && uid == "" {
			return "", true, true
		}
		u, found := e.users.resolve(aid, sid, auth, uid)
		return u, !found, true
	}
	if isProcessStart(string(name)) {
		return own()
	}
	if !f.HasContextPID {
		return "", true, true
	}
	pid, plain := parsePlainPID(f.ContextPID)
	if !plain && len(f.ContextPID) > 0 {
		return "", false, false // spaces, signs: parsePID's to read
	}
	var proc procInfo
	found := false
	if plain && aid != "" && e.keep.procs {
		if id, ok := e.aids.lookupBytes(f.Aid); ok {
			proc, found = e.procs.get(procKey{id, pid}, false, 0)
		}
	}
	switch {
	case !found:
		return own()
	case proc.userName != "":
		return proc.userName, false, true
	case len(f.Sid) == 0 && len(f.Auth) == 0 && len(f.UID) == 0:
		if proc.userSid == "" && proc.authID == "" && proc.uid == "" {
			return "", true, true
		}
		u, ok := e.users.resolve(aid, proc.userSid, proc.authID, proc.uid)
		return u, !ok, true
	}
	return own()
}

// bytesString views b as a string for lookups that do not keep it.
func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

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
// SettledContextProcessName cannot settle yet gets base, its
// ContextBaseFileName, as ContextProcessName should its acting process
// never be learned with a name, and returns the process id read. It is
// false when the event is open for another reason (a process start, a pid
// read otherwise, no base): the value may then be anything.
func (e *Enricher) ContextProcessFallsBack(name, aid, pid, base []byte) (uint64, bool) {
	p, ok := e.contextPID(name, aid, pid)
	return p, ok && len(base) > 0
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

// Renamed reports whether a process's image name learned so far was
// replaced by another record's: names SettledContextProcessName gave
// earlier may not be the last. Falcon process ids are unique per sensor,
// so on Falcon data it stays false.
func (e *Enricher) Renamed() bool { return e.procs.renamed.Load() }
