package enrich

import (
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
}

// userKey is an id (a SID, logon id or UID) on one sensor, both numbered
// by the directory.
type userKey struct{ aid, id strID }

// userStamp is a user name, numbered, and when it was observed.
type userStamp struct {
	name strID
	time float64
}

func newUserDir(limit int) *userDir {
	return &userDir{
		bySid:  make(map[string]stamped),
		byHSid: make(map[userKey]userStamp),
		byAuth: make(map[userKey]userStamp),
		byUID:  make(map[userKey]userStamp),
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
	if d.limit > 0 && crowded(&d.nums, d.entries()) {
		d.renumber()
	}
	a, v := d.nums.id(aid), userStamp{d.nums.id(name), t}
	added := false
	if usableSid(sid) {
		added = d.putNewest(d.byHSid, userKey{a, d.nums.id(sid)}, v) || added
	}
	if usableAuth(auth) {
		added = d.putNewest(d.byAuth, userKey{a, d.nums.id(auth)}, v) || added
	}
	if usableUID(uid) {
		added = d.putNewest(d.byUID, userKey{a, d.nums.id(uid)}, v) || added
	}
	return added
}

// putNewest is the package's putNewest for numbered observations: of two
// at one time the smaller name wins, compared as strings.
func (d *userDir) putNewest(m map[userKey]userStamp, k userKey, v userStamp) bool {
	old, ok := m[k]
	if ok && (old.time > v.time || old.time == v.time && d.nums.str(old.name) <= d.nums.str(v.name)) {
		return false
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
	d.mu.RLock()
	defer d.mu.RUnlock()
	if a, ok := d.nums.ids[aid]; ok {
		for _, by := range [...]struct {
			m      map[userKey]userStamp
			id     string
			usable bool
		}{{d.byHSid, sid, usableSid(sid)}, {d.byAuth, auth, usableAuth(auth)}, {d.byUID, uid, usableUID(uid)}} {
			if !by.usable {
				continue
			}
			if id, ok := d.nums.ids[by.id]; ok {
				if v, ok := by.m[userKey{a, id}]; ok {
					return d.nums.str(v.name), true
				}
			}
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

// renumber numbers again only the strings the directory's entries use:
// a bounded directory drops entries, and logon ids keep coming.
func (d *userDir) renumber() {
	old := d.nums
	d.nums = shardStrings{}
	for _, m := range [...]map[userKey]userStamp{d.byHSid, d.byAuth, d.byUID} {
		before := maps.Clone(m)
		clear(m)
		for k, v := range before {
			m[userKey{d.nums.id(old.str(k.aid)), d.nums.id(old.str(k.id))}] = userStamp{d.nums.id(old.str(v.name)), v.time}
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
