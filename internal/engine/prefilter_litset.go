package engine

import (
	"bytes"
	"slices"
	"strings"

	"github.com/tiercel/tiercel/internal/ingest"
)

// litSet is every literal the programs test within one key's value, matched
// in one pass. A literal of gramLen bytes or more is listed under its least
// likely 4-byte gram, hashed with ASCII letters folded; a shorter one under
// its least likely byte pair, in each case combination when case is
// ignored. Each position of a value looks up its gram (and its pair, when
// the set has short literals) and compares the literals listed there.
// Listed by pairs alone, the hundreds of command-line literals of a thousand
// Sigma rules had four literals compared at every byte of every command line
// (a space, a dash, "ex": some literal's rarest pair is every common one).
type litSet struct {
	finder    keyFinder
	lits      []setLit
	texts     [][]byte // lits' texts
	ids       map[setLit]int32
	grams     []uint16 // 1<<gramBits entries: 1 + index in gramLists; 0: none
	gramBits  uint8    // gramSlotBits, or fewer for a small set (newSmallLitSet)
	gramLists [][]anchored
	pairs     []uint16 // 1<<16 entries: 1 + index in pairLists; 0: none
	pairLists [][]anchored
	ks        bool        // a folded literal holds k or s, which also fold to non-ASCII runes
	esc       bool        // a literal holds a backslash or a control character (see mayHideEscaped)
	seen      *GramCounts // grams of a sample of the input, if any: anchors avoid the common ones
}

type setLit struct {
	text string // lower-cased when fold
	fold bool
}

const (
	// gramLen is the length of the grams literals are listed under
	gramLen = 4
	// gramSlotBits: 16 K slots, of which a few hundred literals take a
	// few percent, so most positions of a value find none
	gramSlotBits = 14
)

// gramSlot is the table slot of the gram at the start of b (gramLen bytes
// or more), every byte OR-ed with 0x20 so that a literal ignoring case and
// any spelling of it share a slot. Other bytes that differ only in 0x20
// ([ and {) share it too, and are told apart when compared.
func gramSlot(b []byte) uint32 { return slotOfGram(foldedGram(b)) }

// slotOfGram is the table slot of a folded gram (foldedGram).
func slotOfGram(g uint32) uint32 { return g * 0x9E3779B1 >> (32 - gramSlotBits) }

func newLitSet(key string, seen *GramCounts) *litSet {
	return &litSet{finder: newKeyFinder(key), ids: map[setLit]int32{}, seen: seen, gramBits: gramSlotBits}
}

// newSmallLitSet returns a set for about n literals of gramLen bytes or
// more, found in values (no key), its table sized for them: a few
// hundred such sets, one per list of alternatives a rule set tests, took
// 32 KiB each at the dispatch's size.
func newSmallLitSet(n int) *litSet {
	bits := uint8(6)
	for 1<<bits < 8*n && bits < gramSlotBits {
		bits++
	}
	return &litSet{ids: map[setLit]int32{}, gramBits: bits}
}

// slot is the table slot of a folded gram (foldedGram) in ls.
func (ls *litSet) slot(g uint32) uint32 { return g * 0x9E3779B1 >> (32 - uint32(ls.gramBits)) }

// compile maps a literal tree within the key to a dnode over the set's ids.
func (ls *litSet) compile(l *litExpr) dnode {
	switch l.op {
	case litText:
		e := setLit{l.text, l.fold}
		id, ok := ls.ids[e]
		if !ok {
			id = int32(len(ls.lits))
			ls.ids[e] = id
			ls.lits = append(ls.lits, e)
			ls.texts = append(ls.texts, []byte(e.text))
			ls.index(e, id)
			ls.esc = ls.esc || hasEscaped(l)
		}
		return dnode{op: litText, lit: id}
	case litValue:
		return dnode{op: litValue, num: l.num}
	case litAnd, litOr:
		n := dnode{op: l.op}
		for _, k := range l.kids {
			switch c := ls.compile(k); {
			case c.op == litText:
				n.mask = addBit(n.mask, c.lit)
			case c.op == litValue && l.op == litOr:
				n.nums = append(n.nums, c.num)
			default:
				n.kids = append(n.kids, c)
			}
		}
		return n
	}
	return dnode{op: l.op} // litTrue, litFalse
}

func (ls *litSet) index(e setLit, id int32) {
	if e.fold && strings.ContainsAny(e.text, "ks") {
		ls.ks = true
	}
	if len(e.text) >= gramLen {
		if ls.grams == nil {
			ls.grams = make([]uint16, 1<<ls.gramBits)
		}
		at := anchorGram(e.text, ls.slotCost)
		a := newAnchored(e, id, int32(at))
		a.gram = foldedGram([]byte(e.text[at:]))
		ls.gramLists = listUnder(ls.grams, ls.gramLists, int(ls.slot(a.gram)), a)
		return
	}
	at := int32(anchorPair(e.text))
	a, b := e.text[at], e.text[at+1]
	var pairs [][2]byte
	if e.fold {
		for _, x := range []byte{a, upperByte(a)} {
			for _, y := range []byte{b, upperByte(b)} {
				pairs = append(pairs, [2]byte{x, y})
			}
		}
		pairs = slices.Compact(pairs)
	} else {
		pairs = [][2]byte{{a, b}}
	}
	if ls.pairs == nil {
		ls.pairs = make([]uint16, 1<<16)
	}
	for _, p := range pairs {
		ls.pairLists = listUnder(ls.pairs, ls.pairLists, int(p[0])<<8|int(p[1]), newAnchored(e, id, at))
	}
}

// listUnder adds a to the list of table's slot (once), returning the lists.
func listUnder(table []uint16, lists [][]anchored, slot int, a anchored) [][]anchored {
	if table[slot] == 0 {
		lists = append(lists, nil)
		table[slot] = uint16(len(lists))
	}
	i := table[slot] - 1
	if !slices.ContainsFunc(lists[i], func(b anchored) bool { return b.id == a.id }) {
		lists[i] = append(lists[i], a)
	}
	return lists
}

// anchorGram returns the offset of a literal's least likely gram (the
// literal holds gramLen bytes or more), by its bytes and what cost, when
// not nil, adds for it (litSet.slotCost).
func anchorGram(text string, cost func(gram uint32) int) int {
	best, bestScore := 0, 1<<30
	for i := 0; i+gramLen <= len(text); i++ {
		s := 0
		for _, c := range []byte(text[i : i+gramLen]) {
			s += ingest.ValueCommonness(c)
		}
		if cost != nil {
			s += cost(foldedGram([]byte(text[i:])))
		}
		if s < bestScore {
			best, bestScore = i, s
		}
	}
	return best
}

// slotLoadCost is what one literal listed in a gram's slot adds to the
// gram's likelihood (a byte of the rarest kind turned into a separator
// adds 5: ingest.ValueCommonness).
const slotLoadCost = 2

// slotCost is what a gram's slot adds to its likelihood: the literals
// already listed there, and how often the input sample holds it.
// Literals sharing a word (hundreds of Sigma command-line literals hold
// "powershell") chose its rarest gram alike, and a value holding the word
// compared them all there; listed apart, each is compared where the rest
// of its text is.
func (ls *litSet) slotCost(g uint32) int {
	c := ls.seen.cost(slotOfGram(g))
	if i := ls.grams[ls.slot(g)]; i != 0 {
		c += slotLoadCost * len(ls.gramLists[i-1])
	}
	return c
}

// foldedGram is the gram at the start of b (gramLen bytes or more) with
// every byte OR-ed with 0x20, as gramSlot hashes it: a value holds a
// literal at a position only if their folded grams there are equal.
func foldedGram(b []byte) uint32 {
	_ = b[3]
	return (uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24) | 0x20202020
}

// anchored is a literal of a set listed under one of its grams or byte
// pairs, at offset at in the literal.
type anchored struct {
	id, at int32
	n      int32 // the literal's length
	word   wordLit
	// gram is the folded gram a literal is listed under (foldedGram), 0
	// for one listed under a pair: the slot's other literals, listed
	// under other grams of the same hash, are passed over by it
	gram uint32
}

func newAnchored(e setLit, id, at int32) anchored {
	return anchored{id: id, at: at, n: int32(len(e.text)), word: newWordLit([]byte(e.text), e.fold)}
}

// match sets in bits the ids of the literals v contains.
func (ls *litSet) match(v []byte, bits []uint64) {
	clear(bits)
	var words wordReader
	words.reset(v)
	// the tables as arrays, and positions the loops prove in bounds: no
	// bounds check is left in them (a quarter of their time)
	if ls.pairs != nil {
		pairs := (*[1 << 16]uint16)(ls.pairs)
		for i := 1; i < len(v); i++ {
			if slot := pairs[uint16(v[i-1])<<8|uint16(v[i])]; slot != 0 {
				ls.note(ls.pairLists[slot-1], i-1, 0, v, &words, bits)
			}
		}
	}
	switch {
	case ls.grams == nil:
	case ls.gramBits == gramSlotBits:
		grams := (*[1 << gramSlotBits]uint16)(ls.grams)
		for i := 0; i < len(v)-gramLen+1; i++ {
			g := foldedGram(v[i:])
			if slot := grams[slotOfGram(g)]; slot != 0 {
				ls.note(ls.gramLists[slot-1], i, g, v, &words, bits)
			}
		}
	default: // a small set's
		for i := 0; i < len(v)-gramLen+1; i++ {
			g := foldedGram(v[i:])
			if slot := ls.grams[ls.slot(g)]; slot != 0 {
				ls.note(ls.gramLists[slot-1], i, g, v, &words, bits)
			}
		}
	}
}

// note sets in bits the ids of the literals of list, anchored at i of v,
// that v holds there; gram is v's folded gram at i (0 for a pair list).
func (ls *litSet) note(list []anchored, i int, gram uint32, v []byte, words *wordReader, bits []uint64) {
	for _, a := range list {
		start := i - int(a.at)
		if a.gram != gram || start < 0 || len(v)-start < int(a.n) || !a.word.is(words.at(start), int(a.n)) {
			continue
		}
		if a.n > 8 && !ls.tailMatches(a.id, v[start+8:start+int(a.n)]) {
			continue
		}
		bits[a.id>>6] |= 1 << (a.id & 63)
	}
}

// tailMatches compares a literal's bytes past its first eight with rest.
func (ls *litSet) tailMatches(id int32, rest []byte) bool {
	text := ls.texts[id][8:]
	if ls.lits[id].fold {
		return equalFoldBytes(rest, text)
	}
	return bytes.Equal(rest, text)
}
