package enrich

import "strings"

// procRecord is procInfo as a table slot keeps it: the short strings
// (names, SIDs, paths) as numbers in the shard's string table, which
// holds each once, and the command line, mostly unique, in pages of its
// own that exist only when command lines are kept (procShard.cmds). A
// slot is then 56 bytes, not 176: the process table is most of what a
// search over raw telemetry holds.
type procRecord struct {
	parentPID uint64

	name, image, parentName, userName, userSid, authID, uid strID
}

// strID numbers a string in a shardStrings; 0 is "".
type strID uint32

// shardStrings is a shard's string table. Not safe for concurrent use:
// callers hold the shard's lock.
type shardStrings struct {
	ids  map[string]strID
	strs []string // by id; strs[0] is ""
	kept int      // strings after the last compaction (procShard.compactStrings)
}

// id returns s's number, adding a copy of s (it may point into an input
// buffer) when it is new.
func (t *shardStrings) id(s string) strID {
	if s == "" {
		return 0
	}
	if id, ok := t.ids[s]; ok {
		return id
	}
	if t.ids == nil {
		t.ids = map[string]strID{}
		t.strs = []string{""}
	}
	s = strings.Clone(s)
	id := strID(len(t.strs))
	t.strs = append(t.strs, s)
	t.ids[s] = id
	return id
}

func (t *shardStrings) str(id strID) string {
	if id == 0 {
		return ""
	}
	return t.strs[id]
}

// record turns p into a record, numbering its strings; the command line is
// the shard's to keep.
func (t *shardStrings) record(p *procInfo) procRecord {
	return procRecord{
		parentPID: p.parentPID,
		name:      t.id(p.name), image: t.id(p.image), parentName: t.id(p.parentName),
		userName: t.id(p.userName), userSid: t.id(p.userSid), authID: t.id(p.authID), uid: t.id(p.uid),
	}
}

// info turns r back into the procInfo it was made from, but for the
// command line.
func (t *shardStrings) info(r *procRecord) procInfo {
	return procInfo{
		name: t.str(r.name), image: t.str(r.image), parentName: t.str(r.parentName),
		userName: t.str(r.userName), userSid: t.str(r.userSid), authID: t.str(r.authID), uid: t.str(r.uid),
		parentPID: r.parentPID,
	}
}

// fill copies into r the fields it lacks from q, so duplicates and a
// SyntheticProcessRollup2 next to a ProcessRollup2 merge whatever order they
// arrive in.
func (r *procRecord) fill(q *procRecord) {
	fillID(&r.name, q.name)
	fillID(&r.image, q.image)
	fillID(&r.parentName, q.parentName)
	fillID(&r.userName, q.userName)
	fillID(&r.userSid, q.userSid)
	fillID(&r.authID, q.authID)
	fillID(&r.uid, q.uid)
	if r.parentPID == 0 {
		r.parentPID = q.parentPID
	}
}

func fillID(dst *strID, src strID) {
	if *dst == 0 {
		*dst = src
	}
}

// cmdline returns slot i's command line.
func (s *procShard) cmdline(i int32) string {
	if p := int(i / slotPage); p < len(s.cmds) {
		return s.cmds[p][i%slotPage]
	}
	return ""
}

// setCmdline keeps c (a copy: it may point into an input buffer) as slot
// i's command line; pages are added only for a command line to keep.
func (s *procShard) setCmdline(i int32, c string) {
	p := int(i / slotPage)
	if c == "" {
		if p < len(s.cmds) {
			s.cmds[p][i%slotPage] = ""
		}
		return
	}
	for len(s.cmds) <= p {
		s.cmds = append(s.cmds, make([]string, slotPage))
	}
	s.cmds[p][i%slotPage] = strings.Clone(c)
}
