package run

import (
	"bytes"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/jsonenc"
)

// contextNameSettler is an enricher that can tell, during the learning
// read, the ContextProcessName it will add to an event.
type contextNameSettler interface {
	SettledContextProcessName(name, aid, pid, base []byte, final bool) (string, bool)
}

// settler lets the learning read drop candidates early. A prefilter passes
// lines that lack a field enrichment adds (the value is not known yet), so
// every network event without ContextProcessName is a candidate until
// learning ends. Once the acting process has been learned the value is
// known: given to the same prefilter, it decides, and a line it rejects is
// not kept. Lines whose value is still open are kept, as before, so results
// do not change. One per goroutine.
type settler struct {
	s     contextNameSettler
	final bool // learning is over: see SettledContextProcessName
	ctx   bool // some prefilter tests ContextProcessName
	// One prefilter: its Matcher m matches the line again with the values
	// settled, reusing what it located; slot is ContextProcessName's in
	// it (-1: not cached). Several (a hunt's dispatcher): the name is
	// written into a copy of the line, matched again whole.
	m       *engine.Matcher
	slot    int
	accepts func(line []byte, name engine.EventName) bool
	buf     []byte // the value, quoted
	line    []byte // a line with the value written in
	// bets, when set, lets a learning read reject lines whose acting
	// process is not known yet (processBets); with baseless also those
	// without ContextBaseFileName, which then get none
	bets     *betBook
	bs       betSettler
	baseless bool
	// us settles UserName once learning is over (final), at userSlot of m
	us       *enrich.RawLearner
	userSlot int
	// fs settles FileName and FilePath, at fileSlot and pathSlot of m (-1:
	// not tested): Apply cuts them from the line itself, so they are known
	// as soon as it is read
	fs                 *enrich.RawLearner
	fileSlot, pathSlot int
	// ds settles ContextImageFileName and ContextCommandLine, at imageSlot
	// and cmdSlot of m (-1: not tested), from the acting process, and
	// ParentImageFileName and ParentCommandLine, at parentImageSlot and
	// parentCmdSlot, from a process start's parent
	ds                             detailsSettler
	imageSlot, cmdSlot             int
	parentImageSlot, parentCmdSlot int
	// hs settles the aidmaster columns the prefilter tests (hostSlots)
	// from the sensor's record
	hs        hostSettler
	hostSlots []hostSlot
	// fixedOnly: no line is settled by a learned value (withoutLearned)
	fixedOnly bool
	// facts is what is settled of the line so far, given with every later
	// match: one field alone may not decide a query testing several
	// (UserName=x or ContextProcessName=y)
	facts                        []engine.Settled
	ubuf, fbuf, pbuf, ibuf, cbuf []byte // facts' values, quoted
	// aid and ctxPID are the line's sensor and acting process, read once
	// for every stage that asks
	aid, ctxPID lineField
	// open tells, after rejects kept a line, that the line's acting process
	// was not known: once learning is over the name learned since may
	// reject it before it is decoded. A line kept with a known process
	// would get the same answer again (a name replaced since by one the
	// tests may accept makes the search read the input again), so it is
	// not asked twice.
	open bool
	// betted tells, after rejects rejected a line, that it was on a bet:
	// while learning is skipped (input that looked enriched) the process
	// may start unlearned, so such a line must not go unnoticed
	betted bool
}

var (
	ctxNameKey = newRawKey(enrich.FieldContextProcessName)
	ctxBaseKey = newRawKey("ContextBaseFileName")
)

// newSettler returns nil when no prefilter of p tests ContextProcessName
// (or, with one prefilter, FileName, FilePath, the image path or command
// line of the acting or parent process, an aidmaster column, or, once
// learning is over, UserName) or l cannot tell it early; final says
// learning is over.
func newSettler(l Learner, p *plan, final bool) *settler {
	s, ok := l.(contextNameSettler)
	if !ok {
		return nil
	}
	ctx := p.testsAbsent(enrich.FieldContextProcessName)
	st := &settler{s: s, final: final, ctx: ctx, accepts: p.acceptsFunc(), slot: -1, userSlot: -1,
		fileSlot: -1, pathSlot: -1, imageSlot: -1, cmdSlot: -1, parentImageSlot: -1, parentCmdSlot: -1,
		facts: make([]engine.Settled, 0, 8)} // rematch appends one: no allocation a line
	if p.dispatch == nil {
		st.userSlot = absentSlot(p, enrich.FieldUserName)
		st.fileSlot, st.pathSlot = absentSlot(p, enrich.FieldFileName), absentSlot(p, enrich.FieldFilePath)
		st.imageSlot, st.cmdSlot = absentSlot(p, enrich.FieldContextImageFileName), absentSlot(p, enrich.FieldContextCommandLine)
		st.parentImageSlot, st.parentCmdSlot = absentSlot(p, enrich.FieldParentImageFileName), absentSlot(p, enrich.FieldParentCommandLine)
		if final && st.userSlot >= 0 {
			st.us = newRawLearner(l)
		}
		if st.fileSlot >= 0 || st.pathSlot >= 0 {
			st.fs = newRawLearner(l)
		}
		if ds, ok := l.(detailsSettler); ok && max(st.imageSlot, st.cmdSlot, st.parentImageSlot, st.parentCmdSlot) >= 0 {
			st.ds = ds
		}
		if hs, ok := l.(hostSettler); ok {
			for _, f := range enrich.HostFields() {
				if slot := absentSlot(p, f); slot >= 0 {
					st.hs, st.hostSlots = hs, append(st.hostSlots, hostSlot{field: f, slot: slot})
				}
			}
		}
	}
	if !ctx && st.us == nil && st.fs == nil && st.ds == nil && st.hs == nil {
		return nil
	}
	if p.dispatch == nil {
		st.m = p.any.NewMatcher()
		if ctx {
			st.slot = p.any.KeySlot(enrich.FieldContextProcessName)
		}
	}
	return st
}

// withoutLearned stops st settling lines by learned values (a process's
// name and details, a sensor's aidmaster record) while learning goes on:
// one may be replaced later in the read (settledChanged), and input that
// cannot be read again could not take back a line rejected on it. What
// a line itself decides (a file name, what learning cannot change) is
// still settled.
func (st *settler) withoutLearned() {
	st.fixedOnly = true
	st.ds, st.hs, st.hostSlots = nil, nil, nil
}

// absentSlot is field's slot in p's one prefilter when it tests field
// where a line lacks it, else -1.
func absentSlot(p *plan, field string) int {
	if !p.testsAbsent(field) {
		return -1
	}
	return p.any.KeySlot(field)
}

// testsAbsent reports whether some prefilter of p tests field, one
// enrichment adds (engine.Prefilter.TestsAbsent).
func (p *plan) testsAbsent(field string) bool {
	for _, f := range p.filters {
		if f.TestsAbsent(field) {
			return true
		}
	}
	return false
}

// valueMayPass returns whether a value enrichment gives field may pass a
// test of some prefilter of p on it (engine.Prefilter.ValueMayPass): the
// tests have no negation, so a line rejected with one value is rejected
// with any value none of them accepts. The prefilters testing field are
// found once.
func (p *plan) valueMayPass(field string) func(value string) bool {
	may := p.valueMayPassAs(field)
	return func(v string) bool { return may("", v) }
}

// valueMayPassAs is valueMayPass for a line of an event name ("": any):
// only the tests lines of that name reach count.
func (p *plan) valueMayPassAs(field string) func(eventName, value string) bool {
	var testers []*engine.Prefilter
	for _, f := range p.filters {
		if f.TestsAbsent(field) {
			testers = append(testers, f)
		}
	}
	var quoted, nameBytes []byte
	return func(name, v string) bool {
		if len(testers) == 0 || v == "" {
			return false
		}
		quoted = jsonenc.AppendString(quoted[:0], v) // the tests match JSON string contents
		if string(nameBytes) != name {
			nameBytes = append(nameBytes[:0], name...) // asked of many values in a row
		}
		for _, f := range testers {
			raw := quoted[1 : len(quoted)-1]
			if name == "" && f.ValueMayPass(field, raw) || name != "" && f.ValueMayPassAs(nameBytes, field, raw) {
				return true
			}
		}
		return false
	}
}

// match reports whether some program's prefilter accepts line; rejects may
// follow it for the same line.
func (st *settler) match(line []byte, name engine.EventName) bool {
	if st.m != nil {
		return st.m.Match(line, name)
	}
	return st.accepts(line, name)
}

// locates reports whether match locates a line's event name itself
// (located gives it).
func (st *settler) locates() bool { return st.m != nil }

// located returns the event name of the line match was last given, as
// its prefilter located it, or as FindEventName finds it when the
// prefilter did not need it.
func (st *settler) located(line []byte) engine.EventName {
	if st.m != nil {
		if n := st.m.Name(); n.Located() {
			return n
		}
	}
	return engine.FindEventName(line)
}

// rejects reports whether line, which match accepted, is rejected once
// given the ContextProcessName enrichment will add. With final, line has
// not been through match.
func (st *settler) rejects(line []byte, name engine.EventName) bool {
	// fixedOnly leaves what learning may add to be asked again at the end
	st.open, st.betted, st.facts = st.fixedOnly && !st.final, false, st.facts[:0]
	st.aid, st.ctxPID = lineField{}, lineField{}
	nameVal, ok := name.Plain()
	if !ok {
		return false
	}
	if st.final && st.m != nil && !st.m.Match(line, name) {
		return true
	}
	if st.fs != nil && st.rejectsByFile(line, nameVal) {
		return true
	}
	if st.us != nil && st.m.Absent(st.userSlot) && st.rejectsByUser(line, nameVal) {
		return true
	}
	if st.ds != nil && st.rejectsByProcess(line, nameVal) {
		return true
	}
	if st.hs != nil && st.rejectsByHost(line) {
		return true
	}
	if !st.ctx {
		return false
	}
	if st.slot < 0 && (indexKey(line, ctxNameKey) >= 0 || engine.HasUnicodeEscape(line)) {
		return false // has the field, or keys may be escaped: decode it
	}
	if st.slot >= 0 && !st.m.Absent(st.slot) {
		return false // has the field, or keys may be escaped
	}
	// The first pid and sensor id name the process, as before the other
	// stages read them once each (soleField): a second scan of every
	// network event for a repeated key cost the seed 4–7% on short lines.
	pid, hasPID, ok1 := rawField(line, ctxProcessKey)
	if u, ok := st.s.(unlearnedSettler); ok && st.slot >= 0 {
		if rejected, settled := st.rejectsUnlearned(u, line, nameVal, hasPID); settled {
			return rejected
		}
	}
	aid, ok2 := stringField(line, aidKey)
	if !ok1 || !ok2 {
		return false
	}
	var base []byte
	if st.final {
		base, _ = stringField(line, ctxBaseKey)
	}
	if st.fixedOnly && !st.final {
		return false
	}
	v, ok := st.s.SettledContextProcessName(nameVal, aid, pid, base, st.final)
	if !ok {
		st.open = true
		return st.bet(line, name, aid, pid)
	}
	b := jsonenc.AppendString(st.buf[:0], v) // quoted: the value is inside
	st.buf = b
	return !st.passesWith(line, name, b)
}

// rejectsByUser reports whether a line lacking UserName (and keys written
// with \u escapes: st.m.Absent) is rejected given the user name enrichment gives it
// (enrich.RawLearner.SettledUserName).
func (st *settler) rejectsByUser(line, nameVal []byte) bool {
	v, absent, ok := st.us.SettledUserName(nameVal, line)
	if !ok {
		return false
	}
	st.facts = append(st.facts, settledAs(st.userSlot, v, absent, &st.ubuf))
	return !st.m.MatchSettled(st.facts...)
}

// rejectsByFile reports whether a line lacking FileName or FilePath (and
// escaped keys) is rejected given the values enrichment cuts from its image
// path (enrich.RawLearner.SettledFilePath).
func (st *settler) rejectsByFile(line, nameVal []byte) bool {
	file := st.fileSlot >= 0 && st.m.Absent(st.fileSlot)
	path := st.pathSlot >= 0 && st.m.Absent(st.pathSlot)
	if !file && !path {
		return false
	}
	name, dir, ok := st.fs.SettledFilePath(nameVal, line)
	if !ok {
		return false
	}
	if file {
		st.facts = append(st.facts, settledAs(st.fileSlot, name, name == "", &st.fbuf))
	}
	if path {
		st.facts = append(st.facts, settledAs(st.pathSlot, dir, dir == "", &st.pbuf))
	}
	return !st.m.MatchSettled(st.facts...)
}

// detailsSettler is an enricher that can tell, during the learning read,
// the image path and command line an event gets from the process that
// lends them (a start's parent, any other event's acting process).
type detailsSettler interface {
	SettledProcessDetails(name []byte, hasPID bool, aid, pid []byte, final bool) (image, cmdline string, imageOK, cmdOK bool)
}

// rejectsByProcess reports whether a line lacking the image path or
// command line of its acting process (ContextImageFileName,
// ContextCommandLine) or, for a process start, of its parent
// (ParentImageFileName, ParentCommandLine) is rejected given what that
// process gives it (enrich.Enricher.SettledProcessDetails); the other pair
// it never gets. A value not certain yet leaves the line open. The
// process is read from the raw fields (no key of the line is escaped:
// Absent; an escaped value is not plain): a key written twice leaves the
// line to the decoder.
func (st *settler) rejectsByProcess(line, nameVal []byte) bool {
	imageSlot, cmdSlot, pidField, key := st.imageSlot, st.cmdSlot, &st.ctxPID, ctxProcessKey
	noneSlots := [2]int{st.parentImageSlot, st.parentCmdSlot}
	if enrich.IsProcessStart(nameVal) {
		var parent lineField
		imageSlot, cmdSlot, pidField, key = st.parentImageSlot, st.parentCmdSlot, &parent, parentPIDKey
		noneSlots = [2]int{st.imageSlot, st.cmdSlot}
	}
	n := len(st.facts)
	for _, slot := range noneSlots {
		if slot >= 0 && st.m.Absent(slot) {
			st.facts = append(st.facts, engine.Settled{Slot: slot, Absent: true})
		}
	}
	image := imageSlot >= 0 && st.m.Absent(imageSlot)
	cmd := cmdSlot >= 0 && st.m.Absent(cmdSlot)
	if image || cmd {
		pid, hasPID, plainPID := pidField.of(line, key)
		aid, hasAid, plainAid := st.aid.of(line, aidKey)
		if hasPID && !plainPID || hasAid && !plainAid {
			st.open = true
			return len(st.facts) > n && !st.m.MatchSettled(st.facts...)
		}
		img, cmdline, imageOK, cmdOK := st.ds.SettledProcessDetails(nameVal, hasPID, aid, pid, st.final)
		if image && imageOK {
			st.facts = append(st.facts, settledAs(imageSlot, img, img == "", &st.ibuf))
		}
		if cmd && cmdOK {
			st.facts = append(st.facts, settledAs(cmdSlot, cmdline, cmdline == "", &st.cbuf))
		}
		if image && !imageOK || cmd && !cmdOK {
			st.open = true
		}
	}
	return len(st.facts) > n && !st.m.MatchSettled(st.facts...)
}

// hostSettler is an enricher that can tell, during the learning read, the
// aidmaster columns an event gets from its sensor's record.
type hostSettler interface {
	SettledHostField(field string, aid []byte, final bool) (string, bool)
}

// hostSlot is an aidmaster column a prefilter tests, its slot in m and a
// buffer for its settled value.
type hostSlot struct {
	field string
	slot  int
	buf   []byte
}

// rejectsByHost reports whether a line lacking aidmaster columns (and \u
// escapes) is rejected given its sensor's record
// (enrich.Enricher.SettledHostField); a sensor without one yet leaves the
// line open. A sensor id written twice leaves it to the decoder.
func (st *settler) rejectsByHost(line []byte) bool {
	n := len(st.facts)
	for i := range st.hostSlots {
		h := &st.hostSlots[i]
		if !st.m.Absent(h.slot) {
			continue
		}
		aid, has, plain := st.aid.of(line, aidKey)
		if has && !plain {
			st.open = true
			break
		}
		v, ok := st.hs.SettledHostField(h.field, aid, st.final)
		if !ok {
			st.open = true
			continue
		}
		st.facts = append(st.facts, settledAs(h.slot, v, v == "", &h.buf))
	}
	return len(st.facts) > n && !st.m.MatchSettled(st.facts...)
}

// lineField is a raw field of the line being settled (soleField), read
// the first time a stage asks for it.
type lineField struct {
	read, found, plain bool
	v                  []byte
}

func (f *lineField) of(line []byte, key rawKey) (v []byte, found, plain bool) {
	if !f.read {
		f.read = true
		f.v, f.found, f.plain = soleField(line, key)
	}
	return f.v, f.found, f.plain
}

// soleField is rawField for a key the line holds at most once: a second
// one (the decoder keeps the last) makes the value not plain.
func soleField(line []byte, key rawKey) (v []byte, found, plain bool) {
	v, found, plain = rawField(line, key)
	if found && plain {
		if i := indexKey(line, key); indexKey(line[i+1:], key) >= 0 {
			return nil, true, false
		}
	}
	return v, found, plain
}

// settledAs is v settled at slot (absent: the field stays missing), its
// raw JSON contents written in buf.
func settledAs(slot int, v string, absent bool, buf *[]byte) engine.Settled {
	if absent {
		return engine.Settled{Slot: slot, Absent: true}
	}
	*buf = jsonenc.AppendString((*buf)[:0], v)
	return engine.Settled{Slot: slot, Value: (*buf)[1 : len(*buf)-1]}
}

// rematch matches the last line again with its ContextProcessName
// settled as ctx, and what else of it is settled.
func (st *settler) rematch(ctx engine.Settled) bool {
	return st.m.MatchSettled(append(st.facts, ctx)...)
}

// unlearnedSettler is an enricher that can tell which events get a
// ContextProcessName that nothing learned changes.
type unlearnedSettler interface {
	UnlearnedContextProcessName(name []byte, hasPID bool, base []byte) (v string, absent, ok bool)
}

// rejectsUnlearned settles a line lacking ContextProcessName (and \u
// escapes: st.m.Absent) whose value learning cannot change: a process
// start gets none, an event without ContextProcessId its
// ContextBaseFileName (hasPID: the line has a ContextProcessId key). Such
// lines were kept to the end otherwise: every process start, for a query
// on ContextProcessName without an event type.
func (st *settler) rejectsUnlearned(u unlearnedSettler, line, nameVal []byte, hasPID bool) (rejected, settled bool) {
	var base []byte
	if !hasPID {
		if i := indexKey(line, ctxBaseKey); i >= 0 {
			v, _, plain := rawField(line[i:], ctxBaseKey)
			if !plain || indexKey(line[i+1:], ctxBaseKey) >= 0 {
				return false, false // not a plain string, or several (the last counts): decode it
			}
			base = v
		}
	}
	v, absent, ok := u.UnlearnedContextProcessName(nameVal, hasPID, base)
	switch {
	case !ok:
		return false, false
	case absent:
		return !st.rematch(engine.Settled{Slot: st.slot, Absent: true}), true
	}
	b := jsonenc.AppendString(st.buf[:0], v)
	st.buf = b
	return !st.rematch(engine.Settled{Slot: st.slot, Value: b[1 : len(b)-1]}), true
}

// passesWith reports whether some prefilter accepts line given quoted, a
// JSON string, as its ContextProcessName. With one prefilter its Matcher
// matches the line it last matched again (with the UserName settled
// too); with several the value is written into a copy of the line.
func (st *settler) passesWith(line []byte, name engine.EventName, quoted []byte) bool {
	if st.slot >= 0 {
		return st.rematch(engine.Settled{Slot: st.slot, Value: quoted[1 : len(quoted)-1]})
	}
	end := bytes.LastIndexByte(line, '}')
	if end < 0 || len(bytes.TrimSpace(line[:end])) <= 1 {
		return true // not an object, or an empty one: not settled here
	}
	b := append(st.line[:0], line[:end]...)
	b = append(b, ',')
	b = append(b, ctxNameKey.quoted...)
	b = append(b, ':')
	b = append(b, quoted...)
	b = append(b, line[end:]...)
	st.line = b
	return st.accepts(b, name)
}

// bet rejects a line whose acting process is not known yet when the value
// it gets should the process never be (its ContextBaseFileName, or none
// without one) fails the prefilter, recording the process in st.bets.
func (st *settler) bet(line []byte, name engine.EventName, aid, pid []byte) bool {
	if st.bets == nil || st.final {
		return false
	}
	nameVal, plain := name.Plain()
	base, hasBase, plainBase := rawField(line, ctxBaseKey)
	switch {
	case hasBase && !plainBase:
		return false // escaped, or not a string: the decoder's to read
	case len(base) == 0 && (!st.baseless || st.slot < 0):
		// none: tested as absent, which only a Matcher can (rejects found
		// the line's keys unescaped)
		return false
	}
	p, ok := st.bs.ContextProcessFallsBack(nameVal, aid, pid)
	if !ok {
		return false
	}
	if len(base) == 0 {
		// Events of sensors that write no ContextBaseFileName were
		// otherwise all kept.
		if st.rematch(engine.Settled{Slot: st.slot, Absent: true}) {
			return false
		}
	} else {
		// base is plain: its raw contents, quoted, are its JSON string
		b := append(append(append(st.buf[:0], '"'), base...), '"')
		st.buf = b
		if st.passesWith(line, name, b) {
			return false
		}
	}
	if !plain {
		nameVal = nil // tested against every event name's tests
	}
	st.betted = st.bets.add(aid, nameVal, p)
	return st.betted
}

// betOn makes st bet, recording in bets; false when it cannot (an
// enricher that cannot tell the fallback). baseless bets on lines without
// ContextBaseFileName too: where the input shows no process starts, few
// such bets are lost, while on input whose starts come after their events
// most were (randfalcon: the bets of one process lost read it all again).
func (st *settler) betOn(bets *processBets, baseless bool) bool {
	bs, ok := st.s.(betSettler)
	if !ok || st.final {
		return false
	}
	st.bs, st.bets, st.baseless = bs, bets.book(), baseless
	return true
}

// settledChanged reports whether a learning read filtering with p settled
// candidates by values l has since replaced: a process's name, image path
// or command line now one some prefilter of p may accept (renamedMayPass),
// a sensor's aidmaster record (rehosted).
func settledChanged(l Learner, p *plan) bool {
	st := newSettler(l, p, false)
	return st != nil && ((st.ctx || st.ds != nil) && renamedMayPass(l, p) || st.hs != nil && rehosted(l))
}

// rehosted reports whether l replaced a sensor's aidmaster record by one
// with other values (enrich.Enricher.Rehosted).
func rehosted(l Learner) bool {
	r, ok := l.(interface{ Rehosted() bool })
	return ok && r.Rehosted()
}

// renamedMayPass reports whether l replaced a process's name, image path
// or command line (enrich.Enricher.Renamed) and the process's value now
// may pass a test of p's prefilters on a field it gives
// (enrich.Enricher.RenamedMayPass): candidates settled by the old one may
// have been rejected wrongly. On Falcon data, whose process ids are unique
// per sensor, nothing is renamed; with ids reused (some generators' small
// random pids) a rename to a value no test accepts leaves every rejection
// standing.
func renamedMayPass(l Learner, p *plan) bool {
	r, ok := l.(interface {
		RenamedMayPass(may func(field, value string) bool) bool
	})
	if !ok {
		return false
	}
	may := map[string]func(string) bool{}
	return r.RenamedMayPass(func(field, v string) bool {
		passes, ok := may[field]
		if !ok {
			passes = p.valueMayPass(field)
			may[field] = passes
		}
		return passes(v)
	})
}
