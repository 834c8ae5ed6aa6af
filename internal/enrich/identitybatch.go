package enrich

import "unsafe"

// A RawLearner keeps the identities it reads and hands them to the user
// directory a batch at a time, under one lock. Taken one by one, each
// logon passed the directory's lock and its maps' cache lines from one
// worker to the other: on input with a logon in every dozen lines
// (260,000 in 734 MB) the directory cost two workers 0.4 s of CPU, most of
// it in waiting and in cache misses. Which name a SID, logon id or UID
// gets does not depend on the order identities are learned in (the
// newest stands), so batches change no result; the batch is handed over
// before the chunk it came from counts as learned (RawLearner.Flush).

// identityBatchSize is how many identities a RawLearner holds before it
// hands them over.
const identityBatchSize = 256

// heldIdentity is an identity read and not yet learned.
type heldIdentity struct {
	aid, sid, auth, uid, name string
	time                      float64
}

// identityBatch holds identities with copies of their strings.
type identityBatch struct {
	ids   []heldIdentity
	bytes []byte
}

// add holds f's identity, copying its strings (they may view the line).
func (b *identityBatch) add(f *identityFields) {
	n := len(f[idAid]) + len(f[idSid]) + len(f[idAuthID]) + len(f[idUID]) + len(f[idUserName])
	if len(b.bytes)+n > cap(b.bytes) {
		// replaced, not grown: the strings held so far view the old bytes
		b.bytes = make([]byte, 0, max(2*cap(b.bytes), n, 4<<10))
	}
	b.ids = append(b.ids, heldIdentity{aid: b.keep(f[idAid]), sid: b.keep(f[idSid]), auth: b.keep(f[idAuthID]),
		uid: b.keep(f[idUID]), name: b.keep(f[idUserName]), time: timeOf(f[idContextTime], f[idTime])})
}

func (b *identityBatch) keep(s string) string {
	if s == "" {
		return ""
	}
	start := len(b.bytes)
	b.bytes = append(b.bytes, s...)
	return unsafe.String(&b.bytes[start], len(s))
}

func (b *identityBatch) reset() {
	clear(b.ids)
	b.ids, b.bytes = b.ids[:0], b.bytes[:0]
}

// Flush learns the identities r holds. Whoever drives r calls it once
// done with a chunk, before anything may rely on what the chunk taught.
func (r *RawLearner) Flush() {
	if len(r.held.ids) == 0 {
		return
	}
	r.e.changes.Add(int64(len(r.held.ids)))
	if n := r.e.users.learnIdentities(r.held.ids); n > 0 {
		r.e.count.learnedUsers.Add(int64(n))
	}
	r.held.reset()
}
