package serve

import (
	"bytes"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/ingest"
)

// LateOptions bound the context events held across batches.
type LateOptions struct {
	MaxEvents   int   // held at once (default 50,000)
	MaxLateness int64 // ms of event time an event waits at most (default 1 h)
}

// lateHold keeps context events (DNS, network...) that a rule may select
// but whose acting process has not started yet in what the server has
// seen: FDR and shippers deliver a process's activity out of order, often
// in different requests. A held event is detected once its process start
// arrives (it then gets ContextProcessName, UserName... as in hunt's file
// mode), or when a bound is hit, with what is known. Its batch is
// acknowledged meanwhile: the event is in the event store, and on start
// the server replays the recent tail of the store, so a crash loses no
// alert of a held event.
type lateHold struct {
	opts   LateOptions
	any    *engine.Prefilter
	queue  []lateLine
	newest int64 // newest event time seen
	info   ingest.LineInfo
}

type lateLine struct {
	line     []byte
	aid, pid string
	time     int64
}

func newLateHold(progs []*engine.Program, provided []string, o LateOptions) *lateHold {
	if o.MaxEvents <= 0 {
		o.MaxEvents = 50_000
	}
	if o.MaxLateness <= 0 {
		o.MaxLateness = 60 * 60 * 1000
	}
	return &lateHold{opts: o, any: anyPrefilter(progs, provided)}
}

// anyPrefilter passes a raw line when some program may select it, with
// the fields enrichment provides treated as unknown (as internal/run does).
func anyPrefilter(progs []*engine.Program, provided []string) *engine.Prefilter {
	set := map[string]bool{}
	for _, f := range provided {
		set[f] = true
	}
	derived := func(f string) bool { return set[f] || f == "" && len(set) > 0 }
	var filters []*engine.Prefilter
	for _, p := range progs {
		filters = append(filters, p.Prefilter(derived))
	}
	return engine.AnyPrefilter(filters)
}

var ctxPIDKey = []byte(`"ContextProcessId"`)

// admit sorts one batch (after the enricher learned from it): it returns
// the lines to detect now, the batch's own lines that need not wait plus
// held lines whose process is now known or whose bound was hit.
func (h *lateHold) admit(batch [][]byte, knows func(aid, pid string) bool) [][]byte {
	out := make([][]byte, 0, len(batch))
	for _, l := range batch {
		if !bytes.Contains(l, ctxPIDKey) || !h.any.Match(l) {
			out = append(out, l)
			continue
		}
		aid, pid, t, ok := h.contextOf(l)
		if !ok || knows(aid, pid) {
			out = append(out, l)
			continue
		}
		h.queue = append(h.queue, lateLine{line: l, aid: aid, pid: pid, time: t})
	}
	// Release what is now known, then enforce the bounds, oldest first.
	if n := len(batch); n > 0 && ingest.ReadLineInfo(batch[n-1], &h.info) && h.info.Time > 0 {
		h.newest = max(h.newest, h.info.Time) // a sample: lateness is coarse
	}
	keep := h.queue[:0]
	for _, q := range h.queue {
		if knows(q.aid, q.pid) {
			out = append(out, q.line)
			continue
		}
		keep = append(keep, q)
	}
	h.queue = keep
	for len(h.queue) > 0 && (len(h.queue) > h.opts.MaxEvents || h.newest-h.queue[0].time > h.opts.MaxLateness) {
		out = append(out, h.queue[0].line)
		h.queue = h.queue[1:]
	}
	return out
}

// flush returns every held line (shutdown).
func (h *lateHold) flush() [][]byte {
	out := make([][]byte, len(h.queue))
	for i, q := range h.queue {
		out[i] = q.line
	}
	h.queue = nil
	return out
}

func (h *lateHold) held() int { return len(h.queue) }

// contextOf reads aid, ContextProcessId and the event time of a line.
func (h *lateHold) contextOf(l []byte) (aid, pid string, t int64, ok bool) {
	var sc ingest.ObjectScanner
	if !sc.Reset(l) {
		return "", "", 0, false
	}
	var m ingest.Member
	for sc.Next(&m) {
		if m.KeyEscaped || m.Escaped {
			continue
		}
		switch string(m.Key) {
		case "aid":
			aid = string(m.Raw)
		case "ContextProcessId":
			pid = string(m.Raw)
		}
	}
	if ingest.ReadLineInfo(l, &h.info) && h.info.Time > 0 {
		t = h.info.Time
		h.newest = max(h.newest, t)
	}
	return aid, pid, t, aid != "" && pid != ""
}
