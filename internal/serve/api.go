package serve

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tiercel/tiercel/internal/action"
	"github.com/tiercel/tiercel/internal/alert"
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/output"
	"github.com/tiercel/tiercel/internal/run"
	"github.com/tiercel/tiercel/internal/segment"
	"github.com/tiercel/tiercel/internal/timerange"
)

// API serves the read and triage endpoints. Every /api/ path but ingest
// needs one of Tokens (Authorization: Bearer A); ingest tokens are not
// accepted here, nor API tokens on ingest.
type API struct {
	Tokens  []string
	Alerts  alert.Store
	Events  *segment.Store
	Metrics *Metrics
	Lookups string // --lookups, for search queries using match()
	ready   atomic.Bool
}

// SetReady makes /health answer 200.
func (a *API) SetReady(v bool) { a.ready.Store(v) }

// Register adds the API's routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /health", a.health)
	if a.Metrics != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(a.Metrics.Registry, promhttp.HandlerOpts{}))
	}
	mux.HandleFunc("GET /api/alerts", a.auth(a.listAlerts))
	mux.HandleFunc("GET /api/alerts/{id}", a.auth(a.getAlert))
	mux.HandleFunc("POST /api/alerts/{id}/status", a.auth(a.setStatus))
	mux.HandleFunc("POST /api/search", a.auth(a.search))
}

func (a *API) health(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if !a.ready.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"status":"starting"}`+"\n")
		return
	}
	io.WriteString(w, `{"status":"ok"}`+"\n")
}

func (a *API) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		ok := false
		if strings.EqualFold(scheme, "Bearer") {
			for _, t := range a.Tokens {
				if t != "" && subtle.ConstantTimeCompare([]byte(t), []byte(strings.TrimSpace(tok))) == 1 {
					ok = true
				}
			}
		}
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tiercel api"`)
			httpError(w, http.StatusUnauthorized, "missing or invalid API token")
			return
		}
		h(w, r)
	}
}

func httpError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, "{\"error\":%s}\n", strconv.Quote(msg))
}

// listAlerts: GET /api/alerts?rule=&branch=&status=&start=&end=&after=&limit=
// NDJSON, one alert per line, oldest first; X-Next-After carries the
// cursor for the next page (empty on the last page).
func (a *API) listAlerts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := alert.Filter{Rule: q.Get("rule"), Branch: q.Get("branch"), Status: q.Get("status")}
	if f.Status != "" && !alert.ValidStatus(f.Status) {
		httpError(w, http.StatusBadRequest, "status: want new, acknowledged or closed")
		return
	}
	tr, err := timerange.Parse(q.Get("start"), q.Get("end"), time.Now())
	if err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	if tr.Start != 0 {
		f.Since = time.UnixMilli(tr.Start)
	}
	if tr.End != 0 {
		f.Until = time.UnixMilli(tr.End)
	}
	for name, dst := range map[string]*int64{"after": &f.AfterID} {
		if v := q.Get(name); v != "" {
			if *dst, err = strconv.ParseInt(v, 10, 64); err != nil {
				httpError(w, http.StatusBadRequest, name+": want a number")
				return
			}
		}
	}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > 10_000 {
			httpError(w, http.StatusBadRequest, "limit: want 1 to 10000")
			return
		}
	}
	list, err := a.Alerts.List(r.Context(), f)
	if err != nil {
		httpError(w, http.StatusInternalServerError, err.Error())
		return
	}
	limit := f.Limit
	if limit == 0 {
		limit = alert.DefaultLimit
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	if len(list) == limit {
		w.Header().Set("X-Next-After", strconv.FormatInt(list[len(list)-1].Seq, 10))
	}
	var buf []byte
	for _, al := range list {
		buf = append(action.AppendAlertJSON(buf[:0], al), '\n')
		if _, err := w.Write(buf); err != nil {
			return
		}
	}
}

func (a *API) getAlert(w http.ResponseWriter, r *http.Request) {
	al, err := a.Alerts.Get(r.Context(), r.PathValue("id"))
	writeAlert(w, al, err)
}

// writeAlert answers with one alert as a JSON line, or the store's error.
func writeAlert(w http.ResponseWriter, al alert.Alert, err error) {
	if errors.Is(err, alert.ErrNotFound) {
		httpError(w, http.StatusNotFound, "no such alert")
		return
	}
	if err != nil {
		httpError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(action.AppendAlertJSON(nil, al), '\n'))
}

// setStatus: POST /api/alerts/{id}/status {"status":"acknowledged","by":"alice","note":"..."}
func (a *API) setStatus(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Status string `json:"status"`
		By     string `json:"by"`
		Note   string `json:"note"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		httpError(w, http.StatusBadRequest, "body: "+err.Error())
		return
	}
	if !alert.ValidStatus(req.Status) {
		httpError(w, http.StatusBadRequest, "status: want new, acknowledged or closed")
		return
	}
	if req.By == "" {
		req.By = "api"
	}
	al, err := a.Alerts.SetStatus(r.Context(), r.PathValue("id"), req.Status, req.By, req.Note, time.Now())
	writeAlert(w, al, err)
}

// search: POST /api/search {"query": CQL, "start": "24h", "end": "now"}
// runs the query over the event store (segments outside the range are
// not read) and streams result rows as NDJSON, as `search --format json`
// prints them.
func (a *API) search(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Query string `json:"query"`
		Start string `json:"start"`
		End   string `json:"end"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || strings.TrimSpace(req.Query) == "" {
		httpError(w, http.StatusBadRequest, "body: want {\"query\": CQL, \"start\": TIME, \"end\": TIME}")
		return
	}
	tr, err := timerange.Parse(req.Start, req.End, time.Now())
	if err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	prog, err := compileQuery(req.Query, a.Lookups)
	if err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := a.Events.Seal(); err != nil { // bring what was committed into view
		httpError(w, http.StatusInternalServerError, err.Error())
		return
	}
	paths := a.Events.Paths(tr.Start, tr.End)
	w.Header().Set("Content-Type", "application/x-ndjson")
	if len(paths) == 0 {
		return
	}
	fw := &flushWriter{w: w}
	out, _ := output.New("json", fw, prog.Columns())
	if err := runStoreSearch(r.Context(), prog, paths, tr, func(row *event.Event) error { return out.Write(row) }); err != nil {
		// Rows may have gone out already: report the error as a last line.
		fmt.Fprintf(fw, "{\"error\":%s}\n", strconv.Quote(err.Error()))
	}
	out.Close()
}

// compileQuery parses and compiles a CQL query, rendering its errors.
func compileQuery(query, lookups string) (*engine.Program, error) {
	q, ds := cql.Parse(query)
	if ds.HasErrors() {
		return nil, errors.New(strings.TrimSpace(renderErrors(ds, query)))
	}
	prog, cds := engine.Compile(q, engine.Options{LookupDir: lookups, Now: time.Now()})
	if cds.HasErrors() {
		return nil, errors.New(strings.TrimSpace(renderErrors(cds, query)))
	}
	return prog, nil
}

func renderErrors(ds cql.Diagnostics, text string) string {
	var b strings.Builder
	for _, d := range ds {
		if d.Severity == cql.SeverityError {
			b.WriteString(d.Render("query", text))
		}
	}
	return b.String()
}

// runStoreSearch runs prog over store segments in the time range, with
// file-mode enrichment, as `tiercel search --start ... DATADIR` does.
func runStoreSearch(ctx context.Context, prog *engine.Program, paths []string, tr timerange.Range, emit func(*event.Event) error) error {
	progs := []*engine.Program{prog}
	en, _, err := run.PrepareEnricher(ctx, run.EnrichInput{Paths: paths, Programs: progs})
	if err != nil {
		return err
	}
	defer en.Close()
	rd, err := ingest.Open(paths, ingest.Options{OnError: func(error) {}})
	if err != nil {
		return err
	}
	defer rd.Close()
	var werr error
	opts := run.Options{
		Emit: func(_ int, row *event.Event) {
			if werr == nil {
				werr = emit(row)
			}
		},
		Reopen: func() (run.Source, error) {
			r, err := ingest.Open(paths, ingest.Options{OnError: func(error) {}})
			if err != nil {
				return nil, err
			}
			return timerange.Filter(r, tr), nil
		},
	}
	if en != nil {
		opts.Enricher = en
	}
	if _, err := run.Search(ctx, progs, timerange.Filter(rd, tr), opts); err != nil {
		return err
	}
	return werr
}

// flushWriter flushes after every write, so rows stream to the client.
type flushWriter struct{ w http.ResponseWriter }

func (f *flushWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if fl, ok := f.w.(http.Flusher); ok {
		fl.Flush()
	}
	return n, err
}
