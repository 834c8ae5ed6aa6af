package enrich

import (
	"hash/maphash"
	"maps"
	"sync"
)

// hostKey scopes an id (a SID or a logon AuthenticationId) to one sensor.
type hostKey struct{ aid, id string }

type stamped struct {
	name string
	time float64
}

// userDir resolves users to names. Sources: userinfo records
// (UserSid_readable, global), and identity/logon events and process starts
// that carry a UserName (per aid, by UserSid, by AuthenticationId and, for
// Linux and Mac, by UID). The newest observation wins, so the result does
// not depend on arrival order.
//
// Per-host observations are keyed by numbers: a key of two strings and a
// value holding a third took about 110 bytes an entry and two string
// hashes a lookup; numbered, about 70 and one integer hash.
type userDir struct {
	mu     sync.RWMutex
	bySid  map[string]stamped
	byHSid map[userKey]userStamp
	byAuth map[userKey]userStamp
	byUID  map[userKey]userStamp
	limit  int
	strs   interner     // bySid's strings
	nums   shardStrings // numbers of the per-host maps' aids, ids and names
	// runs, in file mode, holds what the per-host maps spilled past
	// budget bytes (userspill.go); nil: all stays in memory
	runs   *userRuns
	budget int
}

// userKey is an id (a SID, logon id or UID) on one sensor, both numbered
// by the directory.
type userKey struct{ aid, id strID }

// userStamp is a user name, numbered, and when it was observed.
type userStamp struct {
	name strID
	// complete: no run the directory spilled holds the key, or memory
	// holds the newest of theirs too (promote): a lookup reads no run
	complete bool
	time     float64
}

// newUserDir returns a directory holding at most limit entries in each map
// (0: unbounded), spilling its per-host observations to a temporary file
// past budget bytes when unbounded (0: never).
func newUserDir(limit, budget int) *userDir {
	d := &userDir{
		bySid:  make(map[string]stamped),
		byHSid: make(map[userKey]userStamp),
		byAuth: make(map[userKey]userStamp),
		byUID:  make(map[userKey]userStamp),
		limit:  limit,
	}
	if limit == 0 && budget > 0 {
		d.runs, d.budget = &userRuns{seed: maphash.MakeSeed()}, budget
	}
	return d
}

// perHost lists the per-host maps by userKind.
func (d *userDir) perHost() [3]map[userKey]userStamp {
	return [...]map[userKey]userStamp{bySidKind: d.byHSid, byAuthKind: d.byAuth, byUIDKind: d.byUID}
}

// wellKnownSids name the service accounts that every Windows host shares.
var wellKnownSids = map[string]string{
	"S-1-5-18": "SYSTEM",
	"S-1-5-19": "LOCAL SERVICE",
	"S-1-5-20": "NETWORK SERVICE",
}

// usableSid rejects SIDs that do not identify a user (the NULL SID that
// failed logons carry).
func usableSid(s string) bool { return s != "" && s != "S-1-0-0" }

// usableAuth rejects the empty and zero logon ids.
func usableAuth(s string) bool { return s != "" && s != "0" }

// usableUID accepts decimal UIDs ("0" is root). 4294967295 is the kernel's
// "no user" (-1).
func usableUID(s string) bool {
	if s == "" || len(s) > 10 || s == "4294967295" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// stands reports whether an observation of name at t stands against
// another of the same key, other at u: the newest wins, and of two at one
// time the smaller name, so the answer is the same in any learning order
// (and wherever a spill cut the input).
func stands(name string, t float64, other string, u float64) bool {
	return t > u || t == u && name <= other
}

func putNewest[K comparable](m map[K]stamped, limit int, k K, v stamped) bool {
	old, ok := m[k]
	if ok && stands(old.name, old.time, v.name, v.time) {
		return false
	}
	if !ok && limit > 0 && len(m) >= limit {
		dropOne(m)
	}
	m[k] = v
	return !ok
}

// learnSid records a SID's name from userinfo (no aid).
func (d *userDir) learnSid(sid, name string, t float64) bool {
	if !usableSid(sid) || missing(name) {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.strs.fit(d.entries())
	return putNewest(d.bySid, d.limit, d.strs.get(sid), stamped{d.strs.get(name), t})
}

// learnIdentity records what an event naming a user says: its SID, logon
// id and UID on that host belong to name.
func (d *userDir) learnIdentity(aid, sid, auth, uid, name string, t float64) bool {
	if !identityUsable(aid, sid, auth, uid, name) {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.learnIdentityLocked(aid, sid, auth, uid, name, t)
}

// learnIdentities is learnIdentity for each of ids under one lock; it
// returns how many were new.
func (d *userDir) learnIdentities(ids []heldIdentity) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	added := 0
	for i := range ids {
		id := &ids[i]
		if identityUsable(id.aid, id.sid, id.auth, id.uid, id.name) && d.learnIdentityLocked(id.aid, id.sid, id.auth, id.uid, id.name, id.time) {
			added++
		}
	}
	return added
}

// identityUsable reports whether an identity names a user on a host by
// an id lookups can use.
func identityUsable(aid, sid, auth, uid, name string) bool {
	return aid != "" && !missing(name) && (usableSid(sid) || usableAuth(auth) || usableUID(uid))
}

// learnIdentityLocked is learnIdentity with d's lock held.
func (d *userDir) learnIdentityLocked(aid, sid, auth, uid, name string, t float64) bool {
	if d.limit > 0 && crowded(&d.nums, d.entries()) {
		d.renumber()
	}
	a, v := d.nums.id(aid), userStamp{name: d.nums.id(name), time: t}
	added := false
	if usableSid(sid) {
		added = d.putNewest(bySidKind, userKey{a, d.nums.id(sid)}, v, aid, sid) || added
	}
	if usableAuth(auth) {
		added = d.putNewest(byAuthKind, userKey{a, d.nums.id(auth)}, v, aid, auth) || added
	}
	if usableUID(uid) {
		added = d.putNewest(byUIDKind, userKey{a, d.nums.id(uid)}, v, aid, uid) || added
	}
	d.spillOver()
	return added
}

// putNewest is the package's putNewest for numbered observations of kind,
// the key k numbering aid and id: of two at one time the smaller name
// wins, compared as strings. A key new to memory is complete when no run
// the directory spilled may hold it (their Bloom filters: nothing is read
// back while learning, under the lock every worker takes).
func (d *userDir) putNewest(kind userKind, k userKey, v userStamp, aid, id string) bool {
	m := d.perHost()[kind]
	old, ok := m[k]
	if ok && stands(d.nums.str(old.name), old.time, d.nums.str(v.name), v.time) {
		return false
	}
	if ok {
		v.complete = old.complete
	} else {
		v.complete = !d.runs.mayHold(kind, aid, id)
	}
	if !ok && d.limit > 0 && len(m) >= d.limit {
		dropOne(m)
	}
	m[k] = v
	return !ok
}

// resolve names the user behind a SID, logon id or UID on a host: the
// host's own observations first, then the tenant-wide userinfo, then
// well-known SIDs.
func (d *userDir) resolve(aid, sid, auth, uid string) (string, bool) {
	name, ok, p := d.resolveLocked(aid, sid, auth, uid)
	if p.runs > 0 {
		d.promote(p)
	}
	return name, ok
}

// promotion is what a lookup read back from the runs, for memory to keep.
type promotion struct {
	kind          userKind
	aid, id, name string
	time          float64
	runs          int // the runs read; 0: nothing was
}

// promote keeps what a lookup read back from the runs in memory, merged
// with what memory holds, as complete, while the directory is under its
// budget and has not spilled since the lookup: the key's next lookups
// read nothing back.
func (d *userDir) promote(p promotion) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.runs.runs) != p.runs || d.footprint() >= d.budget {
		return
	}
	k := userKey{d.nums.id(p.aid), d.nums.id(p.id)}
	m := d.perHost()[p.kind]
	v := userStamp{name: d.nums.id(p.name), complete: true, time: p.time}
	if old, ok := m[k]; ok && stands(d.nums.str(old.name), old.time, p.name, p.time) {
		v.name, v.time = old.name, old.time // learned since the lookup
	}
	m[k] = v
}

// resolveLocked is resolve under the read lock, with what it read back
// from the runs for memory to keep.
func (d *userDir) resolveLocked(aid, sid, auth, uid string) (string, bool, promotion) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	a, hasAid := d.nums.ids[aid]
	spilled := d.runs != nil && len(d.runs.runs) > 0
	if hasAid || spilled {
		for kind, by := range [...]struct {
			m      map[userKey]userStamp
			id     string
			usable bool
		}{bySidKind: {d.byHSid, sid, usableSid(sid)}, byAuthKind: {d.byAuth, auth, usableAuth(auth)}, byUIDKind: {d.byUID, uid, usableUID(uid)}} {
			if !by.usable || aid == "" {
				continue
			}
			var name string
			var v userStamp
			found := false
			if id, ok := d.nums.ids[by.id]; ok && hasAid {
				if v, found = by.m[userKey{a, id}]; found {
					name = d.nums.str(v.name)
					if v.complete || !spilled {
						return name, true, promotion{}
					}
				}
			}
			if spilled {
				name, v.time, found = d.runs.newest(userKind(kind), aid, by.id, name, v.time, found)
			}
			if found && d.footprint() < d.budget {
				return name, true, promotion{kind: userKind(kind), aid: aid, id: by.id, name: name, time: v.time, runs: len(d.runs.runs)}
			}
			if found {
				return name, true, promotion{} // memory is full: no room to keep it
			}
		}
	}
	if uid == "0" {
		return "root", true, promotion{} // UID 0 is root on every Linux and Mac host
	}
	if usableSid(sid) {
		if v, ok := d.bySid[sid]; ok {
			return v.name, true, promotion{}
		}
		if v, ok := wellKnownSids[sid]; ok {
			return v, true, promotion{}
		}
	}
	return "", false, promotion{}
}

// renumber numbers again only the strings the directory's entries use:
// a bounded directory drops entries, and logon ids keep coming.
func (d *userDir) renumber() {
	old := d.nums
	d.nums = shardStrings{}
	for _, m := range [...]map[userKey]userStamp{d.byHSid, d.byAuth, d.byUID} {
		before := maps.Clone(m)
		clear(m)
		for k, v := range before {
			m[userKey{d.nums.id(old.str(k.aid)), d.nums.id(old.str(k.id))}] = userStamp{name: d.nums.id(old.str(v.name)), complete: v.complete, time: v.time}
		}
	}
	d.nums.kept = len(d.nums.strs)
}

// identities lists one of the per-host maps with its strings (tests).
func (d *userDir) identities(m map[userKey]userStamp) map[hostKey]stamped {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := make(map[hostKey]stamped, len(m))
	for k, v := range m {
		out[hostKey{d.nums.str(k.aid), d.nums.str(k.id)}] = stamped{d.nums.str(v.name), v.time}
	}
	return out
}

func (d *userDir) len() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.entries()
}

// entries counts what the directory holds; the caller holds the lock.
func (d *userDir) entries() int {
	return len(d.bySid) + len(d.byHSid) + len(d.byAuth) + len(d.byUID)
}

// crowded reports whether the strings a bounded directory numbered are
// many more than its entries entries can use (each uses up to three) and
// have doubled since the last renumbering.
func crowded(n *shardStrings, entries int) bool {
	return len(n.strs) > max(internLimit, 2*n.kept, 6*entries)
}
