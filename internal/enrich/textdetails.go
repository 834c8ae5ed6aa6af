package enrich

import "sync"

// Details only free text reads (Options.ReadsBesideText) are kept for the
// processes a TextWatch covering the free text marks, and dropped from the
// others: a value holding none of the free-text literals changes no
// free-text filter's result. One thing breaks that: records of one
// process that disagree merge to the smallest value (mergeStr), so a
// dropped value may have been the one to keep when a later record of the
// process holds a literal. Such processes are noted (lostText) and their
// records learned again once the read is over (BeginTextRelearn).

// lostText is the set of processes that may have lost a text detail.
type lostText struct {
	mu   sync.Mutex
	keys map[procKey]struct{}
}

func (l *lostText) add(k procKey) {
	l.mu.Lock()
	if l.keys == nil {
		l.keys = map[procKey]struct{}{}
	}
	l.keys[k] = struct{}{}
	l.mu.Unlock()
}

// putTextWatched stores a process start learned under a TextWatch that
// covers the free text: without its text-only details unless the watch
// marked the process.
func (e *Enricher) putTextWatched(w *TextWatch, k procKey, info *procInfo) {
	if !w.Marked(k.pid) {
		dropped := e.dropTextOnly(info)
		e.procs.put(k, info, e.clock.Load())
		// Marked since by a record of k another worker learned: its value
		// was merged without this one.
		if dropped && w.Marked(k.pid) {
			e.textLost.add(k)
		}
		return
	}
	// A record holding a literal, after one that may have been dropped.
	if e.textHolds(w, info) && e.procs.has(k, 0) {
		e.textLost.add(k)
	}
	e.procs.put(k, info, e.clock.Load())
}

// dropTextOnly empties the details of info only free text reads and
// reports whether one was set.
func (e *Enricher) dropTextOnly(info *procInfo) bool {
	dropped := false
	if e.keep.textCmdline && info.cmdline != "" {
		info.cmdline, dropped = "", true
	}
	if e.keep.textImage && info.image != "" {
		info.image, dropped = "", true
	}
	return dropped
}

// textHolds reports whether a detail of info only free text reads holds
// a literal w watches.
func (e *Enricher) textHolds(w *TextWatch, info *procInfo) bool {
	return e.keep.textCmdline && w.holds(info.cmdline) || e.keep.textImage && w.holds(info.image)
}

// TextLost reports whether a process may have lost a detail only free
// text reads: its records must be learned again (BeginTextRelearn).
func (e *Enricher) TextLost() bool {
	e.textLost.mu.Lock()
	defer e.textLost.mu.Unlock()
	return len(e.textLost.keys) > 0
}

// BeginTextRelearn makes learning, until EndTextRelearn, merge into the
// processes TextLost noted the text-only details of their records, and
// learn nothing else: what they hold then is what all their records give.
// Call it when no learning runs.
func (e *Enricher) BeginTextRelearn() {
	e.textLost.mu.Lock()
	e.relearnText = e.textLost.keys
	e.textLost.keys = nil
	e.textLost.mu.Unlock()
	if e.relearnText == nil {
		e.relearnText = map[procKey]struct{}{}
	}
}

// EndTextRelearn ends what BeginTextRelearn began.
func (e *Enricher) EndTextRelearn() { e.relearnText = nil }

// relearnTextOf merges a record's text-only details into its process,
// when TextLost noted it.
func (e *Enricher) relearnTextOf(f *procFields, pid uint64) {
	id, ok := e.aids.lookup(f[pfAid])
	if !ok {
		return
	}
	k := procKey{id, pid}
	if _, ok := e.relearnText[k]; !ok {
		return
	}
	var info procInfo
	if e.keep.textCmdline {
		info.cmdline = f[pfCmdline]
	}
	if e.keep.textImage {
		info.image = f[pfImage]
	}
	e.procs.put(k, &info, e.clock.Load())
}
