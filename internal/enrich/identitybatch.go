package enrich

import "github.com/tiercel/tiercel/internal/event"

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
	bytes event.Arena
}

// add holds f's identity, copying its strings (they may view the line).
func (b *identityBatch) add(f *identityFields) {
	a := &b.bytes
	b.ids = append(b.ids, heldIdentity{aid: a.Copy(f[idAid]), sid: a.Copy(f[idSid]), auth: a.Copy(f[idAuthID]),
		uid: a.Copy(f[idUID]), name: a.Copy(f[idUserName]), time: timeOf(f[idContextTime], f[idTime])})
}

func (b *identityBatch) reset() {
	clear(b.ids)
	b.ids = b.ids[:0]
	b.bytes.Reset()
}

// Flush learns the identities r holds. Whoever drives r calls it once
// done with a chunk, before anything may rely on what the chunk taught.
func (r *RawLearner) Flush() {
	if len(r.held.ids) == 0 {
		return
	}
	r.e.changed()
	if n := r.e.users.learnIdentities(r.held.ids); n > 0 {
		r.e.count.learnedUsers.Add(int64(n))
	}
	r.held.reset()
}
