package enrich

import (
	"bytes"
	"unsafe"

	"github.com/tiercel/tiercel/internal/ingest"
)

// RawLearner learns process starts, identities and DNS answers straight
// from their raw NDJSON lines. Decoding such a line into an event only to read a few
// fields back out of it was most of what learning cost; this walks the
// line's members once and reads those fields where they lie. One per
// goroutine.
type RawLearner struct {
	e    *Enricher
	sc   ingest.ObjectScanner
	bufs [numProcFields][]byte
	// escaped marks the lazy slots whose last value, raw[slot], the walk
	// left escaped; present the slots it set; copied those whose value
	// it unescaped into bufs
	escaped, present, copied uint32
	raw                      [numProcFields][]byte
	// idless counts the process starts in a row that had no process id,
	// so taught nothing. Past idlessRun such starts are common in the
	// input (some generators and exports write none), and each start is
	// looked at for the key (about 110 ns for a 1 KB start, a walk 500)
	// before it is walked.
	idless int
	// held are identities read and not learned yet (identitybatch.go)
	held identityBatch
	// ahead: the slots of a process start's sensor and pid, while the
	// walk has not read both (then prefetchProcess); 0 otherwise
	ahead uint32
	// prefetched is the key prefetchProcess found, for the put after the
	// walk (keyOf)
	prefetched procHint
}

// procHint is a process start's key as found from its sensor and pid
// strings while the walk read them. It stands for the start's fields only
// while they are those very strings (the same bytes of the line): a later
// repeat of either key gives another string, and the key is found again.
type procHint struct {
	aid, pid string
	key      procKey
}

// keyOf returns the hint's key when f's sensor and pid are the strings
// it was found from.
func (h *procHint) keyOf(f *procFields) (procKey, bool) {
	if h == nil || h.aid == "" || !sameString(h.aid, f[pfAid]) || !sameString(h.pid, f[pfPID]) {
		return procKey{}, false
	}
	return h.key, true
}

// sameString reports whether a and b are one string: same bytes at the
// same address.
func sameString(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

// idlessRun is how many process starts without an id in a row turn on the
// look for the key before the walk.
const idlessRun = 16

// pidKey is TargetProcessId as looked for in raw lines, by its 'P'.
var pidKey = []byte(`"` + fTargetProcessId + `"`)

var pidAnchor = bytes.IndexByte(pidKey, 'P')

// mayHoldPID reports whether a line may have a TargetProcessId: written
// plainly, or spelt with a \u escape (the walk leaves those to the
// decoder). The escape is looked for from the first backslash: on a 1 KB
// start 66 ns against 138 for the whole line.
func mayHoldPID(line []byte) bool {
	if ingest.IndexKey(line, pidKey, pidAnchor) >= 0 {
		return true
	}
	i := bytes.IndexByte(line, '\\')
	return i >= 0 && bytes.Contains(line[i:], []byte(`\u`))
}

// NewRawLearner returns a RawLearner feeding e.
func (e *Enricher) NewRawLearner() *RawLearner { return &RawLearner{e: e} }

// Learn learns line, an event named name (its event_simpleName as written,
// without escapes), as Learn would learn its decoded event, and reports
// true. It reports false, having learned nothing, for any line it leaves
// to the decoder: other event types, invalid JSON, escaped keys, and
// process starts that name their user (identity learning reads the event
// time). A process start without a TargetProcessId, once they run in a
// row, is passed over unread and reported true: its decoded event would
// teach nothing either, valid or not.
func (r *RawLearner) Learn(name, line []byte) bool {
	if r.e.relearnText != nil && !isProcessStart(string(name)) {
		return true // nothing but text details is learned again
	}
	switch {
	case isProcessStart(string(name)):
		if r.idless >= idlessRun && !mayHoldPID(line) {
			return true // learning keys a process by its id: nothing to learn
		}
		var f procFields
		r.prefetched = procHint{}
		if r.e.keep.procs {
			r.ahead = 1<<pfAid | 1<<pfPID
		}
		if !r.walk(line, procFieldSlot, f[:], 1<<pfCmdline) {
			return false
		}
		if f[pfPID] == "" {
			r.idless++
		} else {
			r.idless = 0
		}
		if r.escaped&(1<<pfCmdline) != 0 && (r.e.keep.cmdline || r.e.keep.procs && baseName(f[pfImage]) == "") {
			// a long string, unescaped only when kept or naming the process
			f[pfCmdline] = r.unescape(pfCmdline)
		}
		r.e.learnProcessFields(&f, false, nil, &r.prefetched)
		return true
	case isIdentity(string(name)):
		var f identityFields
		if !r.walk(line, identityFieldSlot, f[:], 0) {
			return false
		}
		if r.held.add(&f); len(r.held.ids) >= identityBatchSize {
			r.Flush()
		}
		return true
	case string(name) == dnsRequest && r.e.keep.dns:
		var f dnsFields
		if !r.walk(line, dnsFieldSlot, f[:], 0) {
			return false
		}
		r.e.learnDNSFields(&f)
		return true
	}
	return false
}

// walk reads line's top-level members into vals by slotOf (-1: not read;
// skip: leave the line to the decoder), as the decoder would: null, objects
// and arrays set nothing, and the last value of a repeated key wins. The
// strings are borrowed from line or r's buffers: the tables copy what they
// keep. An escaped string in a slot of lazy is left "" and marked in
// r.escaped, for unescape to read when it is needed.
func (r *RawLearner) walk(line []byte, slotOf func([]byte) int, vals []string, lazy uint32) bool {
	if !r.sc.Reset(line) {
		return false
	}
	r.escaped, r.present, r.copied = 0, 0, 0
	var m ingest.Member
	for r.sc.Next(&m) {
		if m.KeyEscaped {
			return false
		}
		slot := slotOf(m.Key)
		if slot == skip {
			return false
		}
		if slot < 0 {
			continue
		}
		switch m.Kind {
		case ingest.KindNull, ingest.KindObject, ingest.KindArray:
			continue
		}
		bit := uint32(1) << slot
		r.escaped &^= bit
		r.copied &^= bit
		r.present |= bit
		v := m.Raw
		if m.Kind == ingest.KindString && m.Escaped {
			if lazy&bit != 0 {
				r.raw[slot], r.escaped = m.Raw, r.escaped|bit
				vals[slot] = ""
				continue
			}
			r.bufs[slot] = ingest.AppendUnescaped(r.bufs[slot][:0], m.Raw)
			v = r.bufs[slot]
			r.copied |= bit
		}
		vals[slot] = unsafe.String(unsafe.SliceData(v), len(v))
		if r.ahead != 0 && r.present&r.ahead == r.ahead {
			r.ahead = 0
			r.prefetchProcess(vals)
		}
	}
	r.ahead = 0
	return r.sc.Err() == nil
}

// prefetchProcess brings in the process index entry a start's sensor and
// pid lead to, once the walk has read them: the rest of the walk runs
// while the line comes in, where the put after it waited for it. The key
// is kept for the put when both values lie in the line itself (unescaped
// ones are copied to buffers a later repeat of the key writes again).
func (r *RawLearner) prefetchProcess(f []string) {
	pid, ok := parsePID(f[pfPID])
	if !ok {
		return
	}
	if id, ok := r.e.aids.published(f[pfAid]); ok {
		k := procKey{id, pid}
		r.e.procs.prefetch(k)
		if r.copied&(1<<pfAid|1<<pfPID) == 0 {
			r.prefetched = procHint{aid: f[pfAid], pid: f[pfPID], key: k}
		}
	}
}

// unescape returns the value walk left escaped in slot.
func (r *RawLearner) unescape(slot int) string {
	r.bufs[slot] = ingest.AppendUnescaped(r.bufs[slot][:0], r.raw[slot])
	return unsafe.String(unsafe.SliceData(r.bufs[slot]), len(r.bufs[slot]))
}

// skip is the slot of a key whose presence leaves the line to the decoder.
const skip = -2

// procFields are the fields of a process start that learning reads, by
// index in procFieldNames.
type procFields [numProcFields]string

const (
	pfAid = iota
	pfPID
	pfUserSid
	pfAuthID
	pfUID
	pfUserName
	pfImage
	pfCmdline
	pfParentBase
	pfParentPID
	numProcFields
)

var procFieldNames = [numProcFields]string{
	pfAid: fAid, pfPID: fTargetProcessId, pfUserSid: fUserSid, pfAuthID: fAuthID, pfUID: fUID,
	pfUserName: FieldUserName, pfImage: fImageFileName, pfCmdline: fCommandLine,
	pfParentBase: fParentBaseFile, pfParentPID: fParentProcessId,
}

// dnsFields are the fields of a DnsRequest that DNS answers are learned
// from, by index in dnsFieldNames.
type dnsFields [numDNSFields]string

var dnsFieldNames = [numDNSFields]string{
	dnsAid: fAid, dnsDomain: fDomainName, dnsRecords: fIP4Records, dnsFirst: fFirstIP4Record,
	dnsContextTime: fContextTimeStamp, dnsTime: fTimestamp,
}

// learnDNSFields learns a DnsRequest's answers.
func (e *Enricher) learnDNSFields(f *dnsFields) {
	e.changed()
	e.dns.learn(f[dnsAid], f[dnsDomain], f[dnsRecords], f[dnsFirst], timeOf(f[dnsContextTime], f[dnsTime]))
}

const (
	dnsAid = iota
	dnsDomain
	dnsRecords
	dnsFirst
	dnsContextTime
	dnsTime
	numDNSFields
)

// dnsFieldSlot returns the index of a DnsRequest key learning reads, or -1.
func dnsFieldSlot(key []byte) int {
	switch string(key) {
	case fAid:
		return dnsAid
	case fDomainName:
		return dnsDomain
	case fIP4Records:
		return dnsRecords
	case fFirstIP4Record:
		return dnsFirst
	case fContextTimeStamp:
		return dnsContextTime
	case fTimestamp:
		return dnsTime
	}
	return -1
}

// procFieldSlot returns the index in procFields of a top-level key, or -1.
// A switch: it runs on every member of every process start.
func procFieldSlot(key []byte) int {
	switch string(key) {
	case fAid:
		return pfAid
	case fTargetProcessId:
		return pfPID
	case fUserSid:
		return pfUserSid
	case fAuthID:
		return pfAuthID
	case fUID:
		return pfUID
	case FieldUserName:
		return skip // identity learning reads the event time: the decoder's
	case fImageFileName:
		return pfImage
	case fCommandLine:
		return pfCmdline
	case fParentBaseFile:
		return pfParentBase
	case fParentProcessId:
		return pfParentPID
	}
	return -1
}

// identityFields are the fields of a logon or identity event that user
// learning reads, by index in identityFieldNames.
type identityFields [numIdentityFields]string

const (
	idAid = iota
	idSid
	idAuthID
	idUID
	idUserName
	idContextTime
	idTime
	numIdentityFields
)

var identityFieldNames = [numIdentityFields]string{
	idAid: fAid, idSid: fUserSid, idAuthID: fAuthID, idUID: fUID, idUserName: FieldUserName,
	idContextTime: fContextTimeStamp, idTime: fTimestamp,
}

// identityFieldSlot returns the index of an identity event's key learning
// reads, or -1.
func identityFieldSlot(key []byte) int {
	switch string(key) {
	case fAid:
		return idAid
	case fUserSid:
		return idSid
	case fAuthID:
		return idAuthID
	case fUID:
		return idUID
	case FieldUserName:
		return idUserName
	case fContextTimeStamp:
		return idContextTime
	case fTimestamp:
		return idTime
	}
	return -1
}

// learnIdentityFields learns the user an identity event names.
func (e *Enricher) learnIdentityFields(f *identityFields) {
	e.changed()
	if e.users.learnIdentity(f[idAid], f[idSid], f[idAuthID], f[idUID], f[idUserName], timeOf(f[idContextTime], f[idTime])) {
		e.count.learnedUsers.Add(1)
	}
}
