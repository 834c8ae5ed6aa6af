// Package serve is `tiercel serve`: one process that takes Falcon
// telemetry from its sources (internal/source), keeps it in the event
// store (internal/segment), runs every loaded rule over it through the
// engine and runner `tiercel hunt` uses, stores alerts (internal/alert),
// delivers them (internal/action) and answers the HTTP API.
//
// Data directory layout:
//
//	DATA/events/...           event store segments: `tiercel search Q DATA` reads the sealed ones
//	DATA/.tiercel/alerts.db   alert store and delivery queue (SQLite)
//	DATA/.tiercel/checkpoints source positions (FDR batches, tailed files)
//
// Hidden entries are skipped when a directory is searched, so DATA can be
// searched as it is.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/tiercel/tiercel/internal/action"
	"github.com/tiercel/tiercel/internal/alert"
	"github.com/tiercel/tiercel/internal/kafka"
	"github.com/tiercel/tiercel/internal/rules"
	"github.com/tiercel/tiercel/internal/segment"
	"github.com/tiercel/tiercel/internal/source"
)

// Server is a configured, not yet running tiercel serve.
type Server struct {
	Config    *Config
	Log       *slog.Logger
	Metrics   *Metrics
	Events    *segment.Store
	Alerts    alert.Store
	Detector  *Detector
	Pipeline  *Pipeline
	API       *API
	Ingest    *source.HTTPIngest
	Dispatch  *action.Dispatcher
	Scheduler *Scheduler
	Sources   []source.Source
	Kafka     *kafka.Consumer // the Kafka source, when configured
	// UI, when set, serves the browser UI beside the API (tiercel serve sets
	// it up with the same search and alert store).
	UI http.Handler
	// Stdin is read when Config.Sources.Stdin is set.
	Stdin io.Reader

	listener net.Listener
	lock     *os.File // held while the server owns cfg.Data
}

// New opens the stores and wires the parts. progs are the compiled rules
// (with their tunings).
func New(cfg *Config, progs []*rules.Program, log *slog.Logger) (*Server, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	state := filepath.Join(cfg.Data, ".tiercel")
	if err := os.MkdirAll(state, 0o755); err != nil {
		return nil, err
	}
	lock, err := lockData(state)
	if err != nil {
		return nil, err
	}
	s := &Server{Config: cfg, Log: log, Metrics: NewMetrics(), lock: lock}
	s.Events, err = segment.Open(filepath.Join(cfg.Data, "events"), segment.Options{
		MaxSegmentBytes: cfg.Segments.MaxBytes, MaxSegmentAge: cfg.Segments.MaxAge.Duration,
		RetainAge: cfg.Retention.Age.Duration, RetainBytes: cfg.Retention.Bytes,
	})
	if err != nil {
		s.unlock()
		return nil, fmt.Errorf("event store: %w", err)
	}
	s.Alerts, err = openAlertStore(cfg.AlertStore, filepath.Join(state, "alerts.db"))
	if err != nil {
		s.Events.Close()
		s.unlock()
		return nil, err
	}
	s.Detector = NewDetector(progs, cfg.NoEnrich, CorrelationOptions{Window: cfg.Correlation.Window.Duration, MaxBytes: cfg.Correlation.MaxBytes},
		LateOptions{MaxEvents: cfg.Late.MaxEvents, MaxLateness: cfg.Late.MaxLateness.Milliseconds()})
	s.Detector.Workers = cfg.Workers
	allActions := make([]string, 0, len(cfg.Actions))
	for _, a := range cfg.Actions {
		allActions = append(allActions, a.Name)
	}
	acts := map[string]action.Action{}
	topic, err := s.addKafka(cfg.Kafka, log)
	if err != nil {
		s.close()
		return nil, err
	}
	if topic != nil {
		acts[topic.Name()] = topic
		allActions = append(allActions, topic.Name())
	}
	var jobs []Job
	for _, rs := range cfg.RuleConfig {
		matched := rules.Select(rulesOf(progs), rs.Rule)
		if len(matched) == 0 {
			s.close()
			return nil, fmt.Errorf("rule_settings: no loaded rule %q", rs.Rule)
		}
		for _, r := range matched {
			s.Detector.Throttles[r.ID] = Throttle{Seconds: rs.ThrottleTimeSeconds, Field: rs.ThrottleField}
			if rs.Actions != nil {
				s.Detector.Actions[r.ID] = rs.Actions
			}
		}
	}
	for _, p := range s.Detector.AggregateRules() {
		j := Job{Prog: p, Interval: time.Hour, Actions: s.Detector.Actions[p.Rule.ID]}
		if j.Actions == nil {
			j.Actions = allActions
		}
		for _, rs := range cfg.RuleConfig {
			if len(rules.Select([]*rules.Rule{p.Rule}, rs.Rule)) == 0 {
				continue
			}
			if err := j.configure(rs.SearchIntervalSeconds, rs.Schedule, rs.TimeZone); err != nil {
				s.close()
				return nil, fmt.Errorf("rule_settings %s: %w", rs.Rule, err)
			}
		}
		jobs = append(jobs, j)
	}
	for _, sc := range cfg.Scheduled {
		prog, err := compileQuery(sc.Query, cfg.Lookups)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("scheduled search %s: %w", sc.Name, err)
		}
		rule := &rules.Rule{ID: sc.Name, Title: sc.Name, Severity: sc.Severity}
		j := Job{Prog: &rules.Program{Rule: rule, Query: sc.Query, Columns: prog.Columns(), Engine: prog}, Interval: time.Hour, Actions: sc.Actions}
		if j.Actions == nil {
			j.Actions = allActions
		}
		if err := j.configure(sc.SearchIntervalSeconds, sc.Schedule, sc.TimeZone); err != nil {
			s.close()
			return nil, fmt.Errorf("scheduled search %s: %w", sc.Name, err)
		}
		jobs = append(jobs, j)
	}
	for _, a := range cfg.Actions {
		acts[a.Name] = buildAction(a, progs)
	}
	s.Dispatch = &action.Dispatcher{Store: s.Alerts, Actions: acts, Log: log,
		Observe: func(a, outcome string) { s.Metrics.Deliveries.WithLabelValues(a, outcome).Inc() }}
	s.Pipeline = &Pipeline{Events: s.Events, Alerts: s.Alerts, Detect: s.Detector, Actions: allActions,
		Metrics: s.Metrics, Log: log, Delivered: s.Dispatch.Wake, MaxQueueBytes: cfg.MaxQueueBytes}
	s.Scheduler = &Scheduler{Jobs: jobs, Events: s.Events, Alerts: s.Alerts, Detect: s.Detector, Metrics: s.Metrics, Log: log, Wake: s.Dispatch.Wake}
	tokens := map[string]string{}
	for _, it := range cfg.IngestTokens {
		name := it.Name
		if name == "" {
			name = "default"
		}
		tokens[it.Token] = name
	}
	s.Ingest = &source.HTTPIngest{Tokens: tokens, Sink: s.Pipeline, MaxBody: cfg.MaxBodyBytes,
		Observe: func(src string, _ int, status int) {
			s.Metrics.Requests.WithLabelValues(src, fmt.Sprint(status)).Inc()
		}}
	s.API = &API{Tokens: cfg.APITokens, Alerts: s.Alerts, Events: s.Events, Metrics: s.Metrics, Lookups: cfg.Lookups}
	cps := filepath.Join(state, "checkpoints")
	for _, f := range cfg.Sources.FDR {
		s.Sources = append(s.Sources, &source.FDRDir{Dir: f.Dir, Poll: f.Poll.Duration, Log: log,
			Checkpoint: &source.Checkpoint{Path: filepath.Join(cps, "fdr-"+safeName(f.Dir)+".json")}})
	}
	for _, p := range cfg.Sources.Files {
		s.Sources = append(s.Sources, &source.Tail{Path: p, Log: log,
			Checkpoint: &source.Checkpoint{Path: filepath.Join(cps, "file-"+safeName(p)+".json")}})
	}
	for _, q := range cfg.Sources.S3SQS {
		src, err := newS3Source(q, filepath.Join(cps, "sqs-"+safeName(q.QueueURL)+".json"), log)
		if err != nil {
			s.close()
			return nil, err
		}
		s.Sources = append(s.Sources, src)
	}
	s.registerGauges()
	return s, nil
}

func (j *Job) configure(interval int, schedule, tz string) error {
	if interval > 0 {
		j.Interval = time.Duration(interval) * time.Second
	}
	if schedule != "" {
		c, err := ParseCron(schedule)
		if err != nil {
			return err
		}
		j.Cron = c
	}
	if tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return err
		}
		j.Loc = loc
	}
	return nil
}

func rulesOf(progs []*rules.Program) []*rules.Rule {
	out := make([]*rules.Rule, len(progs))
	for i, p := range progs {
		out[i] = p.Rule
	}
	return out
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func safeName(s string) string { return unsafeChars.ReplaceAllString(s, "_") }

func buildAction(a ActionConfig, progs []*rules.Program) action.Action {
	meta := func(rule string) action.Meta {
		for _, p := range progs {
			if p.Rule.ID == rule {
				return action.Meta{Description: p.Rule.Description, Query: p.Query}
			}
		}
		return action.Meta{}
	}
	switch a.Type {
	case "file":
		return &action.File{ActionName: a.Name, Path: a.Path}
	case "slack":
		return &action.Webhook{ActionName: a.Name, URL: a.URL, Headers: a.Headers, Template: a.Template, Slack: true, Meta: meta}
	}
	return &action.Webhook{ActionName: a.Name, URL: a.URL, Headers: a.Headers, Template: a.Template, Meta: meta}
}

// Listen binds the HTTP address (so callers learn the port before Run).
func (s *Server) Listen() (net.Addr, error) {
	ln, err := net.Listen("tcp", s.Config.Listen)
	if err != nil {
		return nil, err
	}
	s.listener = ln
	return ln.Addr(), nil
}

// Handler is the whole HTTP surface: ingest, API, health and metrics.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for path := range source.Routes {
		mux.Handle(path, s.Ingest)
	}
	s.API.Register(mux)
	if s.UI != nil {
		// The browser UI takes every other path (its page, assets, /ui/api).
		mux.Handle("/", s.UI)
	}
	return mux
}

// Run serves until ctx ends, then shuts down gracefully: stops taking
// requests and reading sources, finishes and acknowledges what was
// accepted, seals the open segment and closes the stores.
func (s *Server) Run(ctx context.Context) error {
	if s.listener == nil {
		if _, err := s.Listen(); err != nil {
			return err
		}
	}
	pipeCtx, stopPipe := context.WithCancel(context.WithoutCancel(ctx))
	defer stopPipe()
	if n, err := s.Pipeline.Replay(ctx, s.replayPaths()); err != nil {
		s.Log.Error("replaying the event store tail", "err", err)
	} else if n > 0 {
		s.Log.Info("replayed the event store tail", "lines", n)
	}
	go s.Pipeline.Run(pipeCtx)
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var bgWG sync.WaitGroup
	bgWG.Add(3)
	go func() { defer bgWG.Done(); s.Dispatch.Run(bg) }()
	go func() { defer bgWG.Done(); s.Scheduler.Run(bg) }()
	go func() { defer bgWG.Done(); s.housekeeping(bg) }()

	srcCtx, stopSources := context.WithCancel(ctx)
	var srcWG sync.WaitGroup
	for _, src := range s.Sources {
		srcWG.Add(1)
		go func() {
			defer srcWG.Done()
			if err := src.Run(srcCtx, s.Pipeline); err != nil && srcCtx.Err() == nil {
				s.Log.Error("source stopped", "source", src.Name(), "err", err)
			}
		}()
	}
	if s.Config.Sources.Stdin && s.Stdin != nil {
		srcWG.Add(1)
		go func() {
			defer srcWG.Done()
			r := &source.Reader{R: s.Stdin, Desc: "stdin"}
			if err := r.Run(srcCtx, s.Pipeline); err != nil && srcCtx.Err() == nil {
				s.Log.Error("stdin", "err", err)
			}
		}()
	}

	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(s.listener) }()
	s.API.SetReady(true)
	s.Log.Info("tiercel serve ready", "listen", s.listener.Addr().String(), "data", s.Config.Data,
		"rules", len(s.Detector.Progs), "filter_rules", len(s.Detector.FilterRules()), "scheduled", len(s.Scheduler.Jobs))

	var err error
	select {
	case <-ctx.Done():
	case err = <-served:
	}
	s.Log.Info("shutting down: draining")
	s.API.SetReady(false)
	stopSources()
	shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if serr := hs.Shutdown(shutCtx); serr != nil && err == nil {
		err = serr
	}
	srcWG.Wait()
	s.Pipeline.Close()
	<-s.Pipeline.Done()
	stopBG()
	bgWG.Wait()
	if cerr := s.close(); err == nil {
		err = cerr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	s.Log.Info("stopped")
	return err
}

// replayPaths are the newest segments: those sealed within the late-event
// window (how long an event may be held) plus a margin, at most 256 MiB
// of events.
func (s *Server) replayPaths() []string {
	segs := s.Events.Segments()
	late := s.Config.Late.MaxLateness.Duration
	if late <= 0 {
		late = time.Hour
	}
	since := time.Now().Add(-late - 10*time.Minute).UnixMilli()
	var budget int64
	start := len(segs)
	for start > 0 {
		sg := segs[start-1]
		if !sg.Open && sg.Index.Sealed < since || budget > 256<<20 {
			break
		}
		budget += sg.Index.Bytes
		start--
	}
	var out []string
	for _, sg := range segs[start:] {
		out = append(out, sg.Path)
	}
	return out
}

func (s *Server) close() error {
	err := s.Events.Close()
	if s.Alerts != nil {
		if aerr := s.Alerts.Close(); err == nil {
			err = aerr
		}
	}
	s.unlock()
	return err
}

// unlock releases the data directory for another serve.
func (s *Server) unlock() {
	if s.lock != nil {
		s.lock.Close()
		s.lock = nil
	}
}

// housekeeping seals aged segments (so searches of the data directory see
// events at most about a minute after they arrive) and applies retention.
func (s *Server) housekeeping(ctx context.Context) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.Events.Commit(); err != nil {
			s.Log.Error("event store", "err", err)
		}
		if n, err := s.Events.Retain(); err != nil {
			s.Log.Error("retention", "err", err)
		} else if n > 0 {
			s.Log.Info("retention removed segments", "count", n)
		}
	}
}
