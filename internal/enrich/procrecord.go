package enrich

import (
	"strings"
	"unsafe"
)

// procColumns holds a shard's process details field by field, each in
// pages beside the slots (slot i's value at index i), made only once a
// value is kept: a run that reads only image names pays 4 bytes a process
// for them, not a record of every field. Short strings (names, SIDs,
// paths) are numbers in the shard's string table, which holds each once;
// command lines, mostly unique, are kept as they are. The process table is
// most of what a search over raw telemetry holds.
type procColumns struct {
	name, image, parentName, userName, userSid, authID, uid column[strID]
	parentPID                                               column[uint64]
	cmdline                                                 column[string]
	cmdlineBytes                                            int // held by cmdline's strings
	// merged says whether a slot holds all the shard's spilled runs have
	// of its key (procTable.readSpilled).
	merged column[mergeState]
}

// column is one field of every slot, in pages of slotPage values.
type column[T comparable] struct{ pages [][]T }

func (c *column[T]) get(i int32) T {
	if p := int(i / slotPage); p < len(c.pages) {
		return c.pages[p][i%slotPage]
	}
	var zero T
	return zero
}

// slotBytes is what the column costs a slot: nothing until it has a page.
func (c *column[T]) slotBytes() int {
	if len(c.pages) == 0 {
		return 0
	}
	var zero T
	return int(unsafe.Sizeof(zero))
}

// set stores v as slot i's value; pages are added only for a value that
// is not zero.
func (c *column[T]) set(i int32, v T) {
	p := int(i / slotPage)
	var zero T
	if v == zero {
		if p < len(c.pages) {
			c.pages[p][i%slotPage] = zero
		}
		return
	}
	for len(c.pages) <= p {
		c.pages = append(c.pages, make([]T, slotPage))
	}
	c.pages[p][i%slotPage] = v
}

// ids lists the string columns, for renumbering.
func (c *procColumns) ids() [7]*column[strID] {
	return [...]*column[strID]{&c.name, &c.image, &c.parentName, &c.userName, &c.userSid, &c.authID, &c.uid}
}

// put stores p as slot i's details, numbering its strings in t. With
// fresh the slot is new and takes p whole; otherwise p is merged in
// (mergeStr): duplicates and a SyntheticProcessRollup2 next to a
// ProcessRollup2 give the same details whatever order they arrive in, and
// so whatever the number of workers learning them. It reports whether a
// name, image path or command line the slot had was replaced by another
// (what a settler may have read already).
func (c *procColumns) put(i int32, p *procInfo, t *shardStrings, fresh bool) (renamed bool) {
	renamed = putID(&c.name, i, p.name, t, fresh)
	if putID(&c.image, i, p.image, t, fresh) {
		renamed = true
	}
	putID(&c.parentName, i, p.parentName, t, fresh)
	putID(&c.userName, i, p.userName, t, fresh)
	putID(&c.userSid, i, p.userSid, t, fresh)
	putID(&c.authID, i, p.authID, t, fresh)
	putID(&c.uid, i, p.uid, t, fresh)
	if old := c.parentPID.get(i); fresh || mergePID(old, p.parentPID) != old {
		c.parentPID.set(i, p.parentPID)
	}
	if old := c.cmdline.get(i); fresh || mergeStr(old, p.cmdline) != old {
		renamed = renamed || old != ""
		c.cmdlineBytes += len(p.cmdline) - len(old)
		c.cmdline.set(i, strings.Clone(p.cmdline)) // it may point into an input buffer
	}
	return renamed
}

// mergeStr is the value a field keeps when two records of one process
// give it old and v: the one that is set, or, should they disagree (Falcon
// process ids are unique per sensor, so records of one process should
// not), the smaller. Unlike "the first one read", that does not depend on
// which worker learned which record first.
func mergeStr(old, v string) string {
	if v == "" || old != "" && old <= v {
		return old
	}
	return v
}

// mergePID is mergeStr for a process id, 0 being unset.
func mergePID(old, v uint64) uint64 {
	if v == 0 || old != 0 && old <= v {
		return old
	}
	return v
}

// slotBytes is what the columns in use cost a slot.
func (c *procColumns) slotBytes() int {
	n := c.parentPID.slotBytes() + c.cmdline.slotBytes() + c.merged.slotBytes()
	for _, id := range c.ids() {
		n += id.slotBytes()
	}
	return n
}

// move copies slot src's details to slot dst (src < 0: empties dst).
// Command lines' bytes are the caller's to account for.
func (c *procColumns) move(dst, src int32) {
	get := func(i int32) (v [7]strID, pp uint64, cmd string, m mergeState) {
		if i < 0 {
			return
		}
		for j, id := range c.ids() {
			v[j] = id.get(i)
		}
		return v, c.parentPID.get(i), c.cmdline.get(i), c.merged.get(i)
	}
	v, pp, cmd, m := get(src)
	for j, id := range c.ids() {
		id.set(dst, v[j])
	}
	c.parentPID.set(dst, pp)
	c.cmdline.set(dst, cmd)
	c.merged.set(dst, m)
}

// putID stores v as slot i's value of c, or merges it in (mergeStr); it
// reports whether a value the slot had was replaced.
func putID(c *column[strID], i int32, v string, t *shardStrings, fresh bool) bool {
	if fresh {
		c.set(i, t.id(v))
		return false
	}
	id := c.get(i)
	if old := t.str(id); mergeStr(old, v) == old {
		return false
	}
	c.set(i, t.id(v))
	return id != 0
}

// info returns slot i's details.
func (c *procColumns) info(i int32, t *shardStrings) procInfo {
	return procInfo{
		name: t.str(c.name.get(i)), image: t.str(c.image.get(i)), cmdline: c.cmdline.get(i),
		parentName: t.str(c.parentName.get(i)), userName: t.str(c.userName.get(i)),
		userSid: t.str(c.userSid.get(i)), authID: t.str(c.authID.get(i)), uid: t.str(c.uid.get(i)),
		parentPID: c.parentPID.get(i),
	}
}

// strID numbers a string in a shardStrings; 0 is "".
type strID uint32

// shardStrings is a shard's string table, or its door to the table all
// shards share (an unbounded table's); the user directory numbers its
// strings in one too. Not safe for concurrent use: callers hold their
// table's lock.
type shardStrings struct {
	ids    map[string]strID
	strs   []string // by id; strs[0] is ""
	kept   int      // strings after the last compaction (userDir.renumber)
	bytes  int      // estimated memory of ids and strs
	shared *tableStrings
}

// stringCost is what a table string costs beside its bytes: its header in
// strs and its map entry.
const stringCost = 56

// id returns s's number, adding a copy of s (it may point into an input
// buffer) when it is new.
func (t *shardStrings) id(s string) strID {
	if t.shared != nil {
		return t.shared.id(s)
	}
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
	t.bytes += len(s) + stringCost
	return id
}

func (t *shardStrings) str(id strID) string {
	if t.shared != nil {
		return t.shared.str(id)
	}
	if id == 0 {
		return ""
	}
	return t.strs[id]
}

// cost is the memory the shard is charged for its strings.
func (t *shardStrings) cost() int {
	if t.shared != nil {
		return t.shared.share()
	}
	return t.bytes
}
