package emulate

import (
	"fmt"
)

// recentStarts is how many non-browser process starts a watched host
// remembers for lookups that come after them. Generation runs forward in
// time with at most seconds of disorder, so a start pushed out by this many
// later ones is far outside the 60 s window on any plausible host.
const recentStarts = 32

// procStart is one non-browser ProcessRollup2: its `timestamp` and image.
type procStart struct {
	ts    int64
	image string
}

// openLookup is a prefetch lookup that no process start has kept yet: a
// later non-browser start within the window still can.
type openLookup struct {
	source, scenario int // indexes into the manifest
	ts               int64
}

// prefetchWatch is what a host on which BrowserPrefetch plays tracks so
// the manifest can say whether the browser-prefetch tuning removes each
// lookup. Its size is bounded by recentStarts and the scenario count.
type prefetchWatch struct {
	recent [recentStarts]procStart
	n      int
	open   []openLookup
}

// noteStart records a ProcessRollup2 at ts on a watched host and keeps any
// open lookup it falls within the window of.
func (g *Generator) noteStart(h *hostState, image string, ts int64) {
	w := h.watch
	if w == nil || g.manifest == nil {
		return
	}
	isBrowser, seen := g.browserImages[image]
	if !seen {
		isBrowser = isBrowserImage(image)
		g.browserImages[image] = isBrowser
	}
	if isBrowser {
		return
	}
	w.recent[w.n%recentStarts] = procStart{ts, image}
	w.n++
	keep := w.open[:0]
	for _, o := range w.open {
		if withinPrefetchWindow(o.ts, ts) {
			x := &g.manifest.FalsePositives[o.source].Expectations[o.scenario]
			x.Removed, x.Reason = false, keptReason(image, o.ts, ts)
			continue
		}
		keep = append(keep, o)
	}
	w.open = keep
}

// expectPrefetch judges one finished prefetch scenario of source s on h
// whose alerting signals are sig: kept if a non-browser process started
// within the window before it, otherwise removed until a later start says
// otherwise.
func (g *Generator) expectPrefetch(s int, h *hostState, sig []Signal) {
	fp := &g.manifest.FalsePositives[s]
	x := Expectation{Host: h.ComputerName, Role: h.Role, Signals: []string{}}
	var lookup int64
	found := false
	for _, v := range sig {
		if v.Branch == BranchDNS {
			x.Signals = append(x.Signals, v.ID)
			lookup, found = v.Timestamp, true
		}
	}
	if !found {
		return
	}
	x.Removed = true
	x.Reason = "no non-browser process starts on the host within 60 s of the lookup"
	w := h.watch
	for i := range min(w.n, recentStarts) {
		if p := w.recent[i]; withinPrefetchWindow(lookup, p.ts) {
			x.Removed, x.Reason = false, keptReason(p.image, lookup, p.ts)
			break
		}
	}
	fp.Expectations = append(fp.Expectations, x)
	if x.Removed {
		w.open = append(w.open, openLookup{source: s, scenario: len(fp.Expectations) - 1, ts: lookup})
	}
}

func keptReason(image string, lookup, start int64) string {
	d, when := start-lookup, "after"
	if d < 0 {
		d, when = -d, "before"
	}
	return fmt.Sprintf("%s starts %d s %s the lookup", baseName(image), (d+500)/1000, when)
}
