package ui

import (
	"encoding/json"
	"math"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/jsonenc"
)

const (
	// maxSentRows is how many rows one search sends to the page; the rest
	// are counted (and charted) but stay on the server.
	maxSentRows = 10000
	rowBatch    = 200
	progressGap = 250 * time.Millisecond
)

// stream writes NDJSON messages to the page, one writer at a time.
type stream struct {
	mu  sync.Mutex
	w   http.ResponseWriter
	rc  *http.ResponseController
	buf []byte
}

func (st *stream) send(v any) {
	b, _ := json.Marshal(v)
	st.raw(b)
}

func (st *stream) raw(b []byte) {
	st.mu.Lock()
	defer st.mu.Unlock()
	_, _ = st.w.Write(append(b, '\n'))
	_ = st.rc.Flush()
}

// search runs a query and streams its results: progress, row batches (at
// most maxSentRows), a histogram of every result's @timestamp, then done.
// Closing the request (the page's Cancel) cancels the query.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Query string `json:"query"`
		Start string `json:"start"`
		End   string `json:"end"`
	}
	if !readQuery(w, r, &body) {
		return
	}
	now := time.Now()
	start, err := ParseTime(body.Start, now)
	if err != nil {
		writeError(w, http.StatusBadRequest, "start: "+err.Error())
		return
	}
	end, err := ParseTime(body.End, now)
	if err != nil {
		writeError(w, http.StatusBadRequest, "end: "+err.Error())
		return
	}
	prep, diags, err := s.opts.Search(SearchRequest{Query: body.Query, Start: start, End: end})
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	st := &stream{w: w, rc: http.NewResponseController(w)}
	if prep == nil {
		st.send(map[string]any{"type": "error", "message": "the query does not compile", "diagnostics": toDiagnostics(body.Query, diags)})
		return
	}
	st.send(map[string]any{"type": "start", "columns": prep.Columns, "table": prep.Table, "diagnostics": toDiagnostics(body.Query, diags)})

	began := time.Now()
	var (
		rows    int64
		batch   []byte
		inBatch int
		hist    = newHistogram()
		last    time.Time
	)
	flush := func() {
		if inBatch == 0 {
			return
		}
		msg := append([]byte(`{"type":"rows","rows":[`), batch...)
		st.raw(append(msg, ']', '}'))
		batch, inBatch = batch[:0], 0
	}
	emit := func(ev *event.Event) {
		rows++
		if rows > maxSentRows {
			return
		}
		if inBatch > 0 {
			batch = append(batch, ',')
		}
		batch = appendRow(batch, ev)
		inBatch++
		if inBatch >= rowBatch {
			flush()
		}
	}
	progress := func(read, total int64) {
		if time.Since(last) < progressGap {
			return
		}
		last = time.Now()
		st.send(map[string]any{"type": "progress", "bytes": read, "total": total})
	}
	stats, err := prep.Run(r.Context(), emit, hist.add, progress)
	flush()
	if err != nil {
		st.send(map[string]any{"type": "error", "message": err.Error()})
		return
	}
	width, buckets := hist.result()
	st.send(map[string]any{"type": "histogram", "width": width, "buckets": buckets})
	st.send(map[string]any{
		"type": "done", "rows": rows, "sent": min(rows, maxSentRows), "lines": stats.Lines, "bytes": stats.Bytes,
		"warnings": stats.Warnings, "ms": time.Since(began).Milliseconds(),
	})
}

// appendRow writes ev as a JSON object in field order; @timestamp stays a
// number when it is one, like `search --format json`.
func appendRow(b []byte, ev *event.Event) []byte {
	b = append(b, '{')
	for i, f := range ev.Fields() {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonenc.AppendString(b, f.Name)
		b = append(b, ':')
		b = jsonenc.AppendString(b, f.Value)
	}
	return append(b, '}')
}

// histogram counts timestamps in buckets whose width doubles whenever there
// are too many, so memory stays bounded whatever the time span.
type histogram struct {
	width  int64 // ms
	counts map[int64]int64
}

const maxBuckets = 512

func newHistogram() *histogram { return &histogram{width: 1000, counts: map[int64]int64{}} }

func (h *histogram) add(ms int64) {
	h.counts[floorDiv(ms, h.width)]++
	for len(h.counts) > maxBuckets {
		h.double()
	}
}

// double halves the resolution: buckets twice as wide, neighbours merged.
func (h *histogram) double() {
	h.width *= 2
	merged := make(map[int64]int64, len(h.counts)/2+1)
	for k, n := range h.counts {
		merged[floorDiv(k, 2)] += n
	}
	h.counts = merged
}

// chartBuckets is about how many bars the chart shows.
const chartBuckets = 120

// coarsen doubles the width until the span fits in about chartBuckets bars.
func (h *histogram) coarsen() {
	if len(h.counts) == 0 {
		return
	}
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for k := range h.counts {
		lo, hi = min(lo, k), max(hi, k)
	}
	for hi-lo+1 > chartBuckets {
		h.double()
		lo, hi = floorDiv(lo, 2), floorDiv(hi, 2)
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// result returns the width and [start ms, count] pairs in time order, with
// empty buckets filled so the chart shows gaps as zeros.
func (h *histogram) result() (int64, [][2]int64) {
	h.coarsen()
	keys := make([]int64, 0, len(h.counts))
	for k := range h.counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	out := [][2]int64{}
	for i, k := range keys {
		if i > 0 {
			for gap := keys[i-1] + 1; gap < k && len(out) < 4*maxBuckets; gap++ {
				out = append(out, [2]int64{gap * h.width, 0})
			}
		}
		out = append(out, [2]int64{k * h.width, h.counts[k]})
	}
	return h.width, out
}
