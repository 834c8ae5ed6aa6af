// Package ui serves tiercel's browser UI: the search page, alert triage, the
// detection pages and the validation matrix. Every asset is embedded (dist/,
// built from web/ by web/build.sh and checked in); the page loads nothing
// from outside the binary, and the Content-Security-Policy forbids it.
//
// The package runs no query itself: the command that mounts it (tiercel ui,
// tiercel serve) passes the same search, check and alert functions its CLI
// uses, so the page shows exactly what the command line would.
package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/rules"
	"github.com/tiercel/tiercel/internal/validate"
)

// SearchRequest is one query from the search page.
type SearchRequest struct {
	Query string
	Start time.Time // zero: unbounded
	End   time.Time // zero: unbounded
}

// SearchStats is what a finished search reports.
type SearchStats struct {
	Lines    int64
	Bytes    int64
	Warnings []string
}

// Progress is called now and then while a search reads its input.
type Progress func(bytesRead, bytesTotal int64)

// Prepared is a compiled query, ready to run over the caller's inputs.
type Prepared struct {
	// Columns are the result columns of table()/groupBy()...; nil when the
	// query returns whole events.
	Columns []string
	// Table is true when the results are rows of a table or an aggregate
	// rather than events (Columns may still be nil: groupBy's columns
	// depend on its arguments).
	Table bool
	// Run hands each result row to emit (on one goroutine; the row is valid
	// during the call), the @timestamp of each event the histogram counts
	// to chart (the matching events, before any aggregate), and reports
	// progress now and then. chart and progress may be nil.
	Run func(ctx context.Context, emit func(*event.Event), chart func(ms int64), progress Progress) (*SearchStats, error)
}

// Searcher compiles a query with the caller's engine, enrichment and inputs.
// Diagnostics with errors (and a nil Prepared) mean it does not compile.
type Searcher func(req SearchRequest) (*Prepared, cql.Diagnostics, error)

// Checker parses, checks and compiles a query the way `tiercel check` does.
type Checker func(query string) cql.Diagnostics

// AlertFilter selects alerts; empty fields match everything.
type AlertFilter struct {
	Rule, Branch, Host, User, Severity, Status string
	Since, Until                               time.Time
	Limit, Offset                              int
}

// Alert is one stored alert as the API returns it: the fields of
// `hunt --format json` plus alert_id, status and the triage trail.
type Alert map[string]any

// AlertStore is the alert store the page triages (tiercel serve's, or the
// one tiercel ui fills from a hunt over its files).
type AlertStore interface {
	ListAlerts(ctx context.Context, f AlertFilter) (alerts []Alert, total int, err error)
	SetAlertStatus(ctx context.Context, ids []string, status, note, who string) error
}

// Options configure the UI.
type Options struct {
	Title    string   // shown in the header, e.g. the inputs
	Tokens   []string // API tokens; the login page exchanges one for a cookie
	Search   Searcher
	Check    Checker
	Rules    func() ([]*rules.Rule, error)
	Alerts   AlertStore                                          // nil: the alerts page says none are stored
	Validate func(ctx context.Context) (*validate.Report, error) // nil: the page says validation is unavailable
	// ValidateSensors runs validate --sensor all (nil: not offered).
	ValidateSensors func(ctx context.Context) (*validate.SensorReport, error)
	// Exports returns a rule's conversions (format → text), or nil.
	Exports func(r *rules.Rule) map[string]string
}

// Server is the UI's HTTP handler.
type Server struct {
	opts       Options
	mux        *http.ServeMux
	sessions   *sessions
	tests      *testResults
	validation validationCache
	sensors    validationCache
}

// New builds the UI handler. Mount it at the root of a listener.
func New(opts Options) *Server {
	s := &Server{opts: opts, mux: http.NewServeMux(), sessions: newSessions(opts.Tokens), tests: newTestResults()}
	s.routes()
	return s
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /{$}", s.page)
	s.mux.HandleFunc("GET /assets/{name}", s.asset)
	s.mux.HandleFunc("POST /ui/login", s.login)
	s.mux.HandleFunc("POST /ui/logout", s.logout)
	s.mux.Handle("GET /ui/api/session", s.authed(s.session))
	s.mux.Handle("GET /ui/api/functions", s.authed(s.functions))
	s.mux.Handle("POST /ui/api/check", s.authed(s.check))
	s.mux.Handle("POST /ui/api/search", s.authed(s.search))
	s.mux.Handle("GET /ui/api/rules", s.authed(s.ruleList))
	s.mux.Handle("GET /ui/api/rules/{id}", s.authed(s.ruleDetail))
	s.mux.Handle("GET /ui/api/rules/{id}/package.zip", s.authed(s.rulePackage))
	s.mux.Handle("GET /ui/api/rules/{id}/export/{format}", s.authed(s.ruleExport))
	s.mux.Handle("POST /ui/api/rules/{id}/test", s.authed(s.ruleTest))
	s.mux.Handle("GET /ui/api/alerts", s.authed(s.alertList))
	s.mux.Handle("POST /ui/api/alerts/status", s.authed(s.alertStatus))
	s.mux.Handle("GET /ui/api/alerts/tree", s.authed(s.alertTree))
	s.mux.Handle("POST /ui/api/validate", s.authed(s.validate))
	s.mux.Handle("POST /ui/api/validate/sensors", s.authed(s.validateSensors))
}

// ServeHTTP sets the security headers every response carries and routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	s.mux.ServeHTTP(w, r)
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers with {"error": msg}.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
