package enrich

import (
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
type userDir struct {
	mu     sync.RWMutex
	bySid  map[string]stamped
	byHSid map[hostKey]stamped
	byAuth map[hostKey]stamped
	byUID  map[hostKey]stamped
	limit  int
	strs   interner
}

func newUserDir(limit int) *userDir {
	return &userDir{
		bySid:  make(map[string]stamped),
		byHSid: make(map[hostKey]stamped),
		byAuth: make(map[hostKey]stamped),
		byUID:  make(map[hostKey]stamped),
		limit:  limit,
	}
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

func putNewest[K comparable](m map[K]stamped, limit int, k K, v stamped) bool {
	old, ok := m[k]
	if ok && (old.time > v.time || old.time == v.time && old.name <= v.name) {
		return false // older, or a tie the smaller name wins: the same in any learning order
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
	if aid == "" || missing(name) || (!usableSid(sid) && !usableAuth(auth) && !usableUID(uid)) {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.strs.fit(d.entries())
	aid, name = d.strs.get(aid), d.strs.get(name)
	added := false
	if usableSid(sid) {
		added = putNewest(d.byHSid, d.limit, hostKey{aid, d.strs.get(sid)}, stamped{name, t}) || added
	}
	if usableAuth(auth) {
		added = putNewest(d.byAuth, d.limit, hostKey{aid, d.strs.get(auth)}, stamped{name, t}) || added
	}
	if usableUID(uid) {
		added = putNewest(d.byUID, d.limit, hostKey{aid, d.strs.get(uid)}, stamped{name, t}) || added
	}
	return added
}

// resolve names the user behind a SID, logon id or UID on a host: the
// host's own observations first, then the tenant-wide userinfo, then
// well-known SIDs.
func (d *userDir) resolve(aid, sid, auth, uid string) (string, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if usableSid(sid) {
		if v, ok := d.byHSid[hostKey{aid, sid}]; ok {
			return v.name, true
		}
	}
	if usableAuth(auth) {
		if v, ok := d.byAuth[hostKey{aid, auth}]; ok {
			return v.name, true
		}
	}
	if usableUID(uid) {
		if v, ok := d.byUID[hostKey{aid, uid}]; ok {
			return v.name, true
		}
	}
	if uid == "0" {
		return "root", true // UID 0 is root on every Linux and Mac host
	}
	if usableSid(sid) {
		if v, ok := d.bySid[sid]; ok {
			return v.name, true
		}
		if v, ok := wellKnownSids[sid]; ok {
			return v, true
		}
	}
	return "", false
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
