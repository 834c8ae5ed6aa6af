package engine

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"sort"
	"sync"

	"github.com/tiercel/tiercel/internal/ingest"
)

// Dispatch tells, for a raw line, which of many programs' prefilters accept
// it (hunt: a thousand rules in one pass). Detections nearly always name
// their event types, so each program's condition on event_simpleName is
// split off: a line's event name is located once, and the programs whose
// name condition accepts it are looked up in a per-worker cache keyed by the
// name (there are a few hundred event types), so a line of a type no rule
// names costs one key search and one map lookup. Only the programs listed
// for the name have the rest of their prefilter tested, all sharing one
// per-line cache of located keys. The literals all programs test on one
// field are matched together, in one pass over the field's value that
// notes which are present (litSet); each program's condition then reads
// those bits.
type Dispatch struct {
	bits     []uint64 // per program: its bit in masks of programs (NewDispatch)
	nameCond []pfNode // per program: its condition on the event name's value
	named    []bool   // per program: nameCond is set
	full     []dnode  // per program: its whole prefilter
	always   []bool   // per program: no prefilter (accepts every line)
	sets     []*litSet
	setOf    map[string]int // key → index in sets
	// trig, per program: literals of which a line must hold one (in the
	// key's single value) for the program to accept it; nil: none known.
	trig [][]trigLit
	// ntrig, per program without trig: numbers of which the single value
	// of a key must be one for the program to accept a line; nil: none
	// (network rules test ports, and otherwise only enriched fields)
	ntrig []*numTrig
	// split: programs from split on are the second ones of a pair
	// (NewDispatchPair), asked only by MatchMask
	split int
	allE  [2]*nameEntry // for lines whose event name cannot be read: first and second programs
	roots []*litExpr    // per program: its prefilter's condition (nil: none)
	// retuneAt: the lines of a name after which a worker picks its
	// programs' triggers again (retune)
	retuneAt [2]int32
	seen     *GramCounts // grams of a sample of the input, for the literal sets (nil: none)
}

// trigLit is one literal of a set.
type trigLit struct {
	set int
	lit int32
}

// numTrig is a key's set and the numbers its value must be one of.
type numTrig struct {
	set  int
	nums []float64
}

// nameEntry is what one event name selects: the programs to test on every
// line of that name, and those tested only when a trigger literal (or
// number) is there.
type nameEntry struct {
	lines    int32   // lines matched with it, until its last retune
	stage    uint8   // retunes done
	programs uint64  // ProgramBit of each candidate program
	all      []int32 // the candidate programs
	plain    []int32 // no trigger: tested on every line
	keys     []int   // sets the candidates' triggers use
	byKey    [][]int32
	// by, per set in keys and literal id: the candidates it triggers
	by []litTriggers
	// nkeys: the sets of the candidates' number triggers; byNum, per set
	// and number, the candidates it triggers; numAll, per set, all of them
	// (for a value that is not a plain integer)
	nkeys  []int
	byNum  []map[float64][]int32
	numAll [][]int32
}

// dnode is a program's prefilter over shared literal sets.
type dnode struct {
	op   litOp
	lit  int32   // litText under a litField: id in its key's set
	num  float64 // litValue
	key  int     // litField: index in Dispatch.sets
	kids []dnode
	// mask, within a key: the literal kids of a litAnd or litOr, as bits
	// of the set's ids (kids then holds the others). A rule's list of
	// alternatives is then a few word tests, not one call per literal.
	mask []bitWord
	// nums, within a key: the litValue kids of a litOr, the value read
	// once for all of them.
	nums []float64
	// pf is the plain matcher of a litField or free-text literal, for lines
	// where the key is not one plain value (absent, repeated, odd runes).
	pf *lazyPF
}

// lazyPF is a plain matcher compiled when a line first needs it: most
// never do, and a hunt's thousands of them cost startup and memory.
type lazyPF struct {
	once sync.Once
	l    *litExpr
	keys map[string]int // the dispatch's located keys: every key or full, so never written
	pf   pfNode
}

func (p *lazyPF) get() *pfNode {
	p.once.Do(func() { p.pf = compilePF(p.l, p.keys, true) })
	return &p.pf
}

// NewDispatch builds the dispatcher over the programs' prefilters (as from
// Program.Prefilter; nil accepts every line).
//
// bits gives each program its bit in the masks of ConcernedPrograms and
// MatchMask (nil: ProgramBit): a program whose bit is 0 is in no mask, one
// that no learned value can make accept a line.
func NewDispatch(fs []*Prefilter, bits []uint64) *Dispatch {
	return newDispatch(fs, len(fs), bits, nil)
}

// NewDispatchPair builds a dispatcher over two prefilters of each program
// (first and second hold one each, in program order): Match tells which
// first ones accept a line, and MatchMask, for the same line, which second
// ones do, reading the keys and literals the first located again. bits is
// each program's bit, for both. seen, when not nil, counts the grams of a
// sample of the input the dispatch will read: its literal sets are listed
// under grams seldom there.
func NewDispatchPair(first, second []*Prefilter, bits []uint64, seen *GramCounts) *Dispatch {
	if bits == nil {
		bits = make([]uint64, len(first))
		for i := range bits {
			bits[i] = ProgramBit(i)
		}
	}
	return newDispatch(append(slices.Clip(first), second...), len(first), append(slices.Clip(bits), bits...), seen)
}

func newDispatch(fs []*Prefilter, split int, bits []uint64, seen *GramCounts) *Dispatch {
	d := &Dispatch{bits: bits, split: split, retuneAt: defaultRetuneAt, seen: seen}
	if d.bits == nil {
		d.bits = make([]uint64, len(fs))
		for i := range d.bits {
			d.bits[i] = ProgramBit(i)
		}
	}
	// The keys most programs test get the located-key cache slots.
	freq := map[string]int{}
	for _, f := range fs {
		if f != nil {
			countKeys(f.root, freq)
		}
	}
	order := make([]string, 0, len(freq))
	for k := range freq {
		order = append(order, k)
	}
	sort.Slice(order, func(i, j int) bool {
		if freq[order[i]] != freq[order[j]] {
			return freq[order[i]] > freq[order[j]]
		}
		return order[i] < order[j]
	})
	keys := map[string]int{}
	for i, k := range order {
		if i == maxLocatedKeys {
			break
		}
		keys[k] = i
	}
	d.setOf = map[string]int{}
	d.roots = make([]*litExpr, len(fs))
	for i, f := range fs {
		if f == nil {
			d.full = append(d.full, dnode{op: litTrue})
			d.trig = append(d.trig, nil)
			d.ntrig = append(d.ntrig, nil)
			d.nameCond = append(d.nameCond, pfNode{})
			d.named = append(d.named, false)
			d.always = append(d.always, true)
			continue
		}
		d.always = append(d.always, false)
		d.roots[i] = f.root
		d.full = append(d.full, d.compile(f.root, keys))
		d.trig = append(d.trig, nil)
		d.ntrig = append(d.ntrig, nil)
		if t := d.triggers(f.root); len(t) > 0 {
			d.trig[i] = t
		} else {
			d.ntrig[i] = d.numTrigger(f.root)
		}
		if nc := nameCondition(f.root); nc != nil {
			d.nameCond = append(d.nameCond, compilePF(nc, map[string]int{}, false))
			d.named = append(d.named, true)
		} else {
			d.nameCond = append(d.nameCond, pfNode{})
			d.named = append(d.named, false)
		}
	}
	d.allE = [2]*nameEntry{d.entry(0, func(int) bool { return true }), d.entry(1, func(int) bool { return true })}
	return d
}

// triggers returns literals of which every line l accepts holds one, each
// in the single value of its key, or nil. Keys enrichment may add do not
// count (a line without them passes), nor the event name and platform:
// their few values pass most lines (forty domain names cost more than
// "Win" by LiteralLikelihood, and the Windows DNS lines all tested such a rule).
func (d *Dispatch) triggers(l *litExpr) []trigLit {
	return d.triggersBy(l, d.trigCost)
}

// triggersBy is triggers choosing, under an AND, the kid's triggers of
// least cost.
func (d *Dispatch) triggersBy(l *litExpr, cost func([]trigLit) float64) []trigLit {
	switch l.op {
	case litField:
		if l.derived || l.text == "event_simpleName" || l.text == "event_platform" {
			return nil
		}
		ls := d.sets[d.setOf[l.text]]
		var out []trigLit
		for _, t := range requiredLits(l.kids[0]) {
			out = append(out, trigLit{d.setOf[l.text], ls.ids[setLit{t.text, t.fold}]})
		}
		return out
	case litAnd:
		var best []trigLit
		for _, k := range l.kids {
			if t := d.triggersBy(k, cost); t != nil && (best == nil || cost(t) < cost(best)) {
				best = t
			}
		}
		return best
	case litOr:
		var out []trigLit
		for _, k := range l.kids {
			t := d.triggersBy(k, cost)
			if t == nil {
				return nil
			}
			out = append(out, t...)
		}
		return out
	}
	return nil
}

// numTrigger returns a key and the numbers of which every line l accepts
// holds one as the key's single value, or nil. Keys enrichment may add do
// not count (a line without them passes).
func (d *Dispatch) numTrigger(l *litExpr) *numTrig {
	switch l.op {
	case litField:
		if l.derived || l.text == "event_simpleName" {
			return nil
		}
		if nums := requiredNums(l.kids[0]); nums != nil {
			return &numTrig{set: d.setOf[l.text], nums: nums}
		}
	case litAnd:
		var best *numTrig
		for _, k := range l.kids {
			if t := d.numTrigger(k); t != nil && (best == nil || len(t.nums) < len(best.nums)) {
				best = t
			}
		}
		return best
	}
	return nil
}

// requiredNums returns numbers of which a value l accepts is one
// (valueMayEqual deciding), or nil.
func requiredNums(l *litExpr) []float64 {
	return required(l, func(l *litExpr) []float64 {
		if l.op == litValue {
			return []float64{l.num}
		}
		return nil
	}, func(n []float64) float64 { return float64(len(n)) })
}

// trigCost estimates how often a line holds one of t's literals (see
// LiteralLikelihood).
func (d *Dispatch) trigCost(t []trigLit) float64 {
	c := 0.0
	for _, x := range t {
		c += LiteralLikelihood(d.sets[x.set].lits[x.lit].text)
	}
	return c
}

func litsCost(ls []*litExpr) float64 {
	c := 0.0
	for _, l := range ls {
		c += LiteralLikelihood(l.text)
	}
	return c
}

// LiteralLikelihood estimates how often a value holds a literal: 1/(n²+1)
// for n bytes. Fewest literals is not rarest: the imported Sigma rules all test
// event_platform=Win, one literal every Windows line holds, and chosen as
// the trigger it had every Windows process start test every rule.
func LiteralLikelihood(text string) float64 {
	n := float64(len(text))
	return 1 / (n*n + 1)
}

// requiredLits returns literals of which a text l accepts holds one, or nil.
func requiredLits(l *litExpr) []*litExpr {
	return required(l, func(l *litExpr) []*litExpr {
		if l.op == litText {
			return []*litExpr{l}
		}
		return nil
	}, litsCost)
}

// required returns leaves of which whatever l accepts holds one (leaf
// gives a node's own, nil when it is no leaf): under an AND the kid's
// whose cost is least, under an OR every kid's; nil when there are none.
func required[T any](l *litExpr, leaf func(*litExpr) []T, cost func([]T) float64) []T {
	if own := leaf(l); own != nil {
		return own
	}
	switch l.op {
	case litAnd:
		var best []T
		for _, k := range l.kids {
			if t := required(k, leaf, cost); t != nil && (best == nil || cost(t) < cost(best)) {
				best = t
			}
		}
		return best
	case litOr:
		var out []T
		for _, k := range l.kids {
			t := required(k, leaf, cost)
			if t == nil {
				return nil
			}
			out = append(out, t...)
		}
		return out
	}
	return nil
}

// entry builds the nameEntry of the first (half 0) or second (1)
// programs cand accepts.
func (d *Dispatch) entry(half int, cand func(i int) bool) *nameEntry {
	return d.entryBy(half, cand, func(i int) []trigLit { return d.trig[i] })
}

// entryBy is entry with each program's triggers given by trig.
func (d *Dispatch) entryBy(half int, cand func(i int) bool, trig func(i int) []trigLit) *nameEntry {
	e := &nameEntry{}
	at := map[int]int{}
	var by []map[int32][]int32 // e.by as it is gathered
	from, to := 0, d.split
	if half == 1 {
		from, to = d.split, len(d.full)
	}
	for i := from; i < to; i++ {
		if !cand(i) {
			continue
		}
		e.programs |= d.bits[i]
		e.all = append(e.all, int32(i))
		if t := d.ntrig[i]; t != nil {
			j := slices.Index(e.nkeys, t.set)
			if j < 0 {
				j = len(e.nkeys)
				e.nkeys = append(e.nkeys, t.set)
				e.byNum = append(e.byNum, map[float64][]int32{})
				e.numAll = append(e.numAll, nil)
			}
			e.numAll[j] = append(e.numAll[j], int32(i))
			for _, x := range t.nums {
				if l := e.byNum[j][x]; len(l) == 0 || l[len(l)-1] != int32(i) {
					e.byNum[j][x] = append(l, int32(i))
				}
			}
			continue
		}
		ts := trig(i)
		if ts == nil {
			e.plain = append(e.plain, int32(i))
			continue
		}
		for _, t := range ts {
			j, ok := at[t.set]
			if !ok {
				j = len(e.keys)
				at[t.set] = j
				e.keys = append(e.keys, t.set)
				e.byKey = append(e.byKey, nil)
				by = append(by, map[int32][]int32{})
			}
			if l := e.byKey[j]; len(l) == 0 || l[len(l)-1] != int32(i) {
				e.byKey[j] = append(l, int32(i))
			}
			if l := by[j][t.lit]; len(l) == 0 || l[len(l)-1] != int32(i) {
				by[j][t.lit] = append(l, int32(i))
			}
		}
	}
	for _, m := range by {
		e.by = append(e.by, newLitTriggers(m))
	}
	return e
}

// compile turns a prefilter tree into a dnode, adding its field literals
// to the literal sets.
func (d *Dispatch) compile(l *litExpr, keys map[string]int) dnode {
	switch l.op {
	case litTrue, litFalse:
		return dnode{op: l.op}
	case litAnd, litOr:
		n := dnode{op: l.op}
		for _, k := range l.kids {
			n.kids = append(n.kids, d.compile(k, keys))
		}
		if l.op == litAnd {
			// A program is mostly tested on lines it rejects: the kids
			// likeliest to fail go first, the event name (which its
			// candidates have) last.
			pass := make([]float64, len(l.kids))
			for i, k := range l.kids {
				pass[i] = d.passLikelihood(k)
			}
			order := make([]int, len(l.kids))
			for i := range order {
				order[i] = i
			}
			sort.SliceStable(order, func(a, b int) bool { return pass[order[a]] < pass[order[b]] })
			kids := make([]dnode, len(order))
			for i, j := range order {
				kids[i] = n.kids[j]
			}
			n.kids = kids
		}
		return n
	case litField:
		k, ok := d.setOf[l.text]
		if !ok {
			k = len(d.sets)
			d.setOf[l.text] = k
			d.sets = append(d.sets, newLitSet(l.text, d.seen))
		}
		return dnode{op: litField, key: k, kids: []dnode{d.sets[k].compile(l.kids[0])}, pf: &lazyPF{l: l, keys: keys}}
	}
	return dnode{op: litText, pf: &lazyPF{l: l, keys: keys}} // free text
}

// passLikelihood estimates how often a line passes l (compiled): by the
// literals it needs (trigCost), 1 when it needs none; the condition on
// the event name, which a program's candidate lines meet, above all.
func (d *Dispatch) passLikelihood(l *litExpr) float64 {
	if l.op == litField && l.text == "event_simpleName" && !l.derived {
		return 2
	}
	if t := d.triggers(l); t != nil {
		return d.trigCost(t)
	}
	return 1
}

func countKeys(l *litExpr, freq map[string]int) {
	if l.op == litField {
		freq[l.text]++
	}
	for _, k := range l.kids {
		countKeys(k, freq)
	}
}

// nameCondition returns a condition on the event_simpleName value that every
// line l accepts satisfies, or nil when there is none.
func nameCondition(l *litExpr) *litExpr {
	switch l.op {
	case litField:
		if l.text == "event_simpleName" && !l.derived {
			return l.kids[0]
		}
	case litAnd:
		for _, k := range l.kids {
			if c := nameCondition(k); c != nil {
				return c
			}
		}
	case litOr:
		kids := make([]*litExpr, 0, len(l.kids))
		for _, k := range l.kids {
			c := nameCondition(k)
			if c == nil {
				return nil
			}
			kids = append(kids, c)
		}
		return litOr2(kids...)
	}
	return nil
}

// DispatchState is one worker's view of a Dispatch (not safe for
// concurrent use).
type DispatchState struct {
	d       *Dispatch
	cache   [2]NameMemo[*nameEntry] // first and second programs
	seen    []uint32                // per program: gen of the line it was last tested on
	c       keyCache                // for the plain matchers, per line
	line    []byte
	gen     uint32   // line count: per-key entries of older lines are stale
	keyAt   []uint32 // per set: gen of the line its state is for
	state   []uint8  // per set: keyOnce, keyMany or keyAbsent
	val     [][]byte // per set: the value, when keyOnce
	canon   [][]byte // per set: a value rewritten by appendCanonical
	scratch []byte
	bits    [][]uint64
	lits    []*litCache // per set, made when first used
	last    *nameEntry  // the last line's candidates
	name    EventName   // the last line's
	// located, per set: lines whose key held one value, counted while
	// some name's entry learns; fired, per set and literal, those of them
	// holding the literal (nil until counted)
	located []uint32
	fired   [][]uint32
}

// NewState returns a state for one worker.
func (d *Dispatch) NewState() *DispatchState {
	s := &DispatchState{d: d, seen: make([]uint32, len(d.full)),
		keyAt: make([]uint32, len(d.sets)), state: make([]uint8, len(d.sets)),
		val: make([][]byte, len(d.sets)), canon: make([][]byte, len(d.sets)),
		bits: make([][]uint64, len(d.sets)), lits: make([]*litCache, len(d.sets)),
		located: make([]uint32, len(d.sets)), fired: make([][]uint32, len(d.sets))}
	for i, ls := range d.sets {
		s.bits[i] = make([]uint64, (len(ls.lits)+63)/64)
	}
	return s
}

// Match appends to out the indexes of the programs whose prefilters accept
// line, in program order, and returns it.
func (s *DispatchState) Match(line []byte, out []int32) []int32 {
	return s.MatchName(line, FindEventName(line), out)
}

// MatchName is Match for a line whose event name FindEventName has already
// located.
func (s *DispatchState) MatchName(line []byte, name EventName, out []int32) []int32 {
	return s.match(line, name, false, 0, out)
}

// MatchMask appends to out, for the line last matched, the indexes of
// the second programs of a pair (NewDispatchPair) whose bits are in mask
// (those a learned value carries a literal to) and whose prefilters
// accept the line, and returns it. What Match located in the line is not
// looked for again.
func (s *DispatchState) MatchMask(mask uint64, out []int32) []int32 {
	n := len(out)
	out = s.match(s.line, s.name, true, mask, out)
	for i := range out[n:] {
		out[n+i] -= int32(s.d.split)
	}
	return out
}

// match is MatchName asking, when masked, only the second programs of
// mask, for the same line.
func (s *DispatchState) match(line []byte, name EventName, masked bool, mask uint64, out []int32) []int32 {
	half := 0
	if masked {
		half = 1
	} else {
		s.c.reset()
		s.line, s.name = line, name
		if s.gen++; s.gen == 0 { // wrapped: forget everything
			clear(s.keyAt)
			clear(s.seen)
			s.gen = 1
		}
	}
	e := s.candidates(half, name)
	learning := e.stage < uint8(len(s.d.retuneAt)) && e != s.d.allE[half]
	if learning {
		if e.lines++; e.lines >= s.d.retuneAt[e.stage] {
			s.retune(half, e)
		}
	}
	if !masked {
		s.last = e
	}
	n := len(out)
	for _, i := range e.plain {
		if (!masked || s.d.bits[i]&mask != 0) && (s.d.always[i] || s.eval(&s.d.full[i])) {
			out = append(out, i)
		}
	}
	for j, k := range e.nkeys {
		list := e.numAll[j] // no single plain integer to read: all tested
		if s.locate(k) {
			if v, ok := plainInteger(s.val[k]); ok {
				list = e.byNum[j][v]
			}
		} else if s.state[k] == keyAbsent && !s.c.mayHideKeys(s.line) {
			continue // as for a literal's key, below
		}
		for _, i := range list {
			if !masked || s.d.bits[i]&mask != 0 {
				out = s.test(i, out)
			}
		}
	}
	for j, k := range e.keys {
		if !s.locate(k) {
			if s.state[k] == keyAbsent && !s.c.mayHideKeys(s.line) {
				// no value holds a trigger of this key: its programs are
				// tested if a trigger of another key is there, or not at
				// all (a rule testing Image or OriginalFileName, on lines
				// that have no OriginalFileName)
				continue
			}
			// no single value to read: test them the plain way
			for _, i := range e.byKey[j] {
				if !masked || s.d.bits[i]&mask != 0 {
					out = s.test(i, out)
				}
			}
			continue
		}
		by := &e.by[j]
		var fired []uint32
		if learning {
			s.located[k]++
			if s.fired[k] == nil {
				s.fired[k] = make([]uint32, len(s.d.sets[k].lits))
			}
			fired = s.fired[k]
		}
		for w, word := range s.bits[k] {
			for word != 0 {
				b := bits.TrailingZeros64(word)
				word &= word - 1
				if fired != nil {
					fired[w<<6|b]++
				}
				for _, i := range by.get(int32(w<<6 | b)) {
					if !masked || s.d.bits[i]&mask != 0 {
						out = s.test(i, out)
					}
				}
			}
		}
	}
	if len(out)-n > 1 {
		slices.Sort(out[n:])
	}
	return out
}

// defaultRetuneAt: a worker picks triggers again after 2,048 lines of a
// name, from what the keys it located held, and once more after 32,768,
// when keys the first pick chose were located too.
var defaultRetuneAt = [2]int32{2048, 32768}

// minRetuneSample is how many located values of a key price its literals
// by how often they were there; fewer, and LiteralLikelihood does.
const minRetuneSample = 256

// retune picks the triggers of e's programs again. LiteralLikelihood knows a
// literal's length, not the data: pieces of registry paths such as
// "software" or "currentversion" are long and in nearly every key, and the
// registry rules they triggered were tested on every registry line. A
// literal of a key located often enough is priced by how often it was
// there instead. Any pick is a condition the program's lines meet, so
// what Match returns does not change, only what it tests.
func (s *DispatchState) retune(half int, e *nameEntry) {
	d := s.d
	cost := func(t []trigLit) float64 {
		c := 0.0
		for _, x := range t {
			text := d.sets[x.set].lits[x.lit].text
			n := s.located[x.set]
			if n < minRetuneSample {
				c += LiteralLikelihood(text)
				continue
			}
			var f uint32
			if fired := s.fired[x.set]; fired != nil {
				f = fired[x.lit]
			}
			c += (float64(f) + LiteralLikelihood(text)) / float64(n+1)
		}
		return c
	}
	cand := func(i int) bool { _, ok := slices.BinarySearch(e.all, int32(i)); return ok }
	next := d.entryBy(half, cand, func(i int) []trigLit {
		if d.trig[i] == nil {
			return nil
		}
		return d.triggersBy(d.roots[i], cost)
	})
	next.stage = e.stage + 1
	*e = *next
}

// ConcernedPrograms tells, as their ProgramBits, the programs whose
// prefilters may accept the last line matched by its event name (0: none
// takes it); prefilters that differ only in how they test other fields
// (Prefilter, PrefilterRaw) agree on it.
func (s *DispatchState) ConcernedPrograms() uint64 {
	if s.last == nil {
		return 0
	}
	return s.last.programs
}

// NameTaken reports whether some program takes lines of event name name
// (its bit may be 0: ConcernedPrograms does not tell), before a line is
// matched: a caller with per-line work of its own skips it for a line
// none takes, which Match would reject.
func (s *DispatchState) NameTaken(name EventName) bool {
	return len(s.candidates(0, name).all) > 0
}

// ProgramBit is program i's bit in a mask of programs: i mod 64, so a
// mask may stand for more programs than it was made of, never fewer.
func ProgramBit(i int) uint64 { return 1 << (i % 64) }

// test evaluates program i once per line.
func (s *DispatchState) test(i int32, out []int32) []int32 {
	if s.seen[i] == s.gen {
		return out
	}
	s.seen[i] = s.gen
	if s.eval(&s.d.full[i]) {
		out = append(out, i)
	}
	return out
}

func (s *DispatchState) eval(n *dnode) bool {
	switch n.op {
	case litTrue:
		return true
	case litFalse:
		return false
	case litAnd:
		for i := range n.kids {
			if !s.eval(&n.kids[i]) {
				return false
			}
		}
		return true
	case litOr:
		for i := range n.kids {
			if s.eval(&n.kids[i]) {
				return true
			}
		}
		return false
	case litField:
		if s.locate(n.key) {
			return evalBits(&n.kids[0], s.bits[n.key], s.val[n.key])
		}
	}
	return n.pf.get().match(s.line, &s.c)
}

// locate finds set k's key in the line (once per line) and, when it holds
// one plain value, notes which of the set's literals the value contains.
func (s *DispatchState) locate(k int) bool {
	if s.keyAt[k] == s.gen {
		return s.state[k] == keyOnce
	}
	s.keyAt[k] = s.gen
	ls := s.d.sets[k]
	s.state[k] = keyAbsent
	v, end, str, ok := ls.finder.next(s.line, 0)
	if !ok {
		return false
	}
	s.state[k] = keyMany
	if _, _, _, more := ls.finder.next(s.line, end); more {
		return false
	}
	if spelledOtherwise(v, ls.esc) {
		// spelled otherwise than literals are: read as they are written
		if !str {
			return false
		}
		s.canon[k] = appendCanonical(s.canon[k][:0], &s.scratch, v)
		v = s.canon[k]
	}
	if ls.ks && hasOddRunes(v) {
		return false
	}
	s.state[k], s.val[k] = keyOnce, v
	if s.lits[k] == nil {
		s.lits[k] = newLitCache()
	}
	s.lits[k].match(ls, v, s.bits[k])
	return true
}

// evalBits evaluates n within a key's single value v, whose literals ls.match
// noted in bits.
func evalBits(n *dnode, bits []uint64, v []byte) bool {
	switch n.op {
	case litTrue:
		return true
	case litFalse:
		return false
	case litText:
		return bits[n.lit>>6]&(1<<(n.lit&63)) != 0
	case litValue:
		return valueMayEqual(v, n.num)
	case litAnd:
		for _, w := range n.mask {
			if bits[w.word]&w.bits != w.bits {
				return false
			}
		}
		for i := range n.kids {
			if !evalBits(&n.kids[i], bits, v) {
				return false
			}
		}
		return true
	}
	for _, w := range n.mask { // litOr
		if bits[w.word]&w.bits != 0 {
			return true
		}
	}
	if len(n.nums) > 0 && valueMayEqualAny(v, n.nums) {
		return true
	}
	for i := range n.kids {
		if evalBits(&n.kids[i], bits, v) {
			return true
		}
	}
	return false
}

// bitWord is one 64-bit word of a mask over a set's literal ids.
type bitWord struct {
	word int32
	bits uint64
}

// addBit adds id to mask, keeping it sorted by word.
func addBit(mask []bitWord, id int32) []bitWord {
	w := id >> 6
	i, found := slices.BinarySearchFunc(mask, w, func(b bitWord, w int32) int { return int(b.word - w) })
	if !found {
		mask = slices.Insert(mask, i, bitWord{word: w})
	}
	mask[i].bits |= 1 << (id & 63)
	return mask
}

// candidates lists the first (half 0) or second (1) programs whose name
// condition the line's event name meets (all of them when the name cannot
// be read from the raw line).
func (s *DispatchState) candidates(half int, name EventName) *nameEntry {
	v, ok := name.Plain()
	if !ok {
		return s.d.allE[half] // absent, several, not a plain string, or escaped
	}
	return s.cache[half].Get(v, func() *nameEntry {
		var c keyCache
		return s.d.entry(half, func(i int) bool { return !s.d.named[i] || s.d.nameCond[i].match(v, &c) })
	})
}

func hasEscape(v []byte) bool {
	for _, b := range v {
		if b == '\\' {
			return true
		}
	}
	return false
}

// wordLit is a literal's first eight bytes (lower-cased when case is
// ignored), compared as one word with a text's: most byte pairs found
// start no literal, and the word says so without reading the literal.
type wordLit struct {
	head uint64
	fold uint64 // 0x20 at each ASCII letter when case is ignored
}

func newWordLit(text []byte, fold bool) wordLit {
	var w wordLit
	for i, c := range text[:min(len(text), 8)] {
		w.head |= uint64(c) << (8 * i)
		if fold && 'a' <= c && c <= 'z' {
			w.fold |= 0x20 << (8 * i)
		}
	}
	return w
}

// is reports whether x, a text's bytes from some offset as wordReader reads
// them, starts with the literal of n bytes (its first eight); the caller
// has checked that the text holds n bytes from there.
func (w wordLit) is(x uint64, n int) bool {
	mask := ^uint64(0) >> (64 - 8*min(n, 8))
	return (x|w.fold)&mask == w.head
}

// anchorPair returns the offset of the byte pair of a literal (two bytes
// or more) least likely in a value: literals are looked up by it.
func anchorPair(text string) int { return ingest.RarestPair(text, 0, 1) }

// wordReader reads a text's bytes eight at a time from any offset as a
// little-endian word, the bytes past the text zero (callers mask off those
// past their literal). The last eight are read from a copy, made when
// first needed: none past the text's end is read (it may be part of a
// buffer others write past it).
type wordReader struct {
	text   []byte
	tail   int // the copy's offset in text
	copied bool
	pad    [16]byte // text's last eight bytes (all of a shorter one), then zeros
}

func (r *wordReader) reset(text []byte) {
	r.text, r.tail, r.copied = text, max(0, len(text)-8), false
}

// at returns the word from i (i < len(text)).
func (r *wordReader) at(i int) uint64 {
	if i < r.tail {
		return binary.LittleEndian.Uint64(r.text[i:])
	}
	if !r.copied {
		r.copyTail()
	}
	return binary.LittleEndian.Uint64(r.pad[i-r.tail:])
}

func (r *wordReader) copyTail() {
	r.pad = [16]byte{}
	copy(r.pad[:], r.text[r.tail:])
	r.copied = true
}
