package enrich

import (
	"math/bits"
	"slices"
	"sync/atomic"
)

// TextWatch marks, while the input is being learned, the processes whose
// details hold one of some free-text literals, so that a search can keep
// their events as they go by instead of reading the input again once
// TextCarriers knows them. It is a hint: a process may be marked late, or
// a pid marked for another sensor's process; TextCarriers stays the
// answer, and the search's record of the processes of the lines it
// rejected tells whether the hint was enough (TextCarriers.Missed).
type TextWatch struct {
	lits   []string
	folded *foldedLiterals
	bits   pidSet // few: a small set stays in cache
	// named: processes whose name holds a literal, which their children
	// may take as ContextParentBaseFileName
	named pidSet
	// coversText: lits hold a literal of every free-text filter's
	// (engine.Program.FreeTextReads), so details only free text reads
	// are kept for marked processes alone (Options.ReadsBesideText)
	coversText bool
}

// WatchText starts watching process starts for lits (case-insensitive).
// coversText says that every value a free-text filter of the run matches
// holds one of lits. Call it before learning; nil when there is nothing to
// watch.
func (e *Enricher) WatchText(lits []string, coversText bool) *TextWatch {
	if len(lits) == 0 {
		return nil
	}
	w := &TextWatch{lits: slices.Clone(lits), folded: foldLiterals(lits), bits: newPidSet(1 << 12), named: newPidSet(1 << 12), coversText: coversText}
	e.watch.Store(w)
	return w
}

// watches reports whether w marks every process holding one of lits. A
// hunt watches thousands: a set, not a scan of w.lits for each.
func (w *TextWatch) watches(lits []string) bool {
	if slices.Equal(w.lits, lits) {
		return true
	}
	have := make(map[string]bool, len(w.lits))
	for _, l := range w.lits {
		have[l] = true
	}
	for _, l := range lits {
		if !have[l] {
			return false
		}
	}
	return true
}

// Marked reports whether a process with this pid, on some sensor, was seen
// holding a literal so far.
func (w *TextWatch) Marked(pid uint64) bool { return w.bits.HasAtomic(pid) }

// note marks k when what is kept of a starting process (info, after the
// run's Reads), or the name of its parent noted before it, holds a
// literal, as TextCarriers finds them. The parent is asked of the set of
// such names, not of the process table: a lookup a start was most of what
// watching cost on data of many processes.
func (w *TextWatch) note(k procKey, info *procInfo) {
	named := w.holds(info.name)
	if named {
		w.named.AddAtomic(k.pid)
	}
	switch {
	case named || w.holds(info.image) || w.holds(info.cmdline) || w.holds(info.parentName) || w.holds(info.userName):
		w.bits.AddAtomic(k.pid)
	case info.parentPID != 0 && w.named.HasAtomic(info.parentPID):
		w.bits.AddAtomic(k.pid)
	}
}

// holds reports whether v holds a literal, ignoring case as TextCarriers
// does. Learners call it at once: each lower-cases on its own stack.
func (w *TextWatch) holds(v string) bool {
	var buf [256]byte
	h, _ := w.folded.in(v, buf[:0])
	return h
}

// pidSet is a set of process ids kept as a Bloom filter, safe for
// concurrent use: it may say yes for an id never added, never no for one
// that was. Each id sets three bits of one 64-bit word (one cache line
// touched): with 2^17 words (1 MB) and 300,000 ids about 0.1% of other ids
// are taken as added, which is why a search's record of rejected
// processes is exact instead.
type pidSet struct {
	words []atomic.Uint64
	shift uint
}

// newPidSet returns an empty set of words words, a power of two.
func newPidSet(words int) pidSet {
	return pidSet{words: make([]atomic.Uint64, words), shift: uint(64 - bits.Len(uint(words-1)))}
}

func (s pidSet) bits(pid uint64) (word int, mask uint64) {
	h := pid * 0x9E3779B97F4A7C15
	mask = 1<<(h&63) | 1<<(h>>6&63) | 1<<(h>>12&63)
	return int(h >> s.shift), mask
}

// AddAtomic adds pid. Most adds find it there already (a process has many
// events): a plain load then spares the locked write.
func (s pidSet) AddAtomic(pid uint64) {
	w, m := s.bits(pid)
	if s.words[w].Load()&m != m {
		s.words[w].Or(m)
	}
}

// HasAtomic reports whether pid may have been added.
func (s pidSet) HasAtomic(pid uint64) bool {
	w, m := s.bits(pid)
	return s.words[w].Load()&m == m
}
