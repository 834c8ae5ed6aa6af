package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/tiercel/tiercel/internal/alert"
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/emulate"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/funcs"
	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/rules"
	"github.com/tiercel/tiercel/internal/run"
	"github.com/tiercel/tiercel/internal/serve"
	"github.com/tiercel/tiercel/internal/timerange"
	"github.com/tiercel/tiercel/internal/ui"
	"github.com/tiercel/tiercel/internal/validate"
)

func init() { register(newUICmd) }

type uiArgs struct {
	listen   string
	token    string
	data     string
	ruleDirs []string
	lookups  string
	tunings  []string
	workers  int
	paths    []string
}

func newUICmd(env *Env) *cobra.Command {
	var a uiArgs
	cmd := &cobra.Command{
		Use:   "ui [flags] [PATH...]",
		Short: "Browser UI over telemetry files (none: the demo estate)",
		Long: "Serves tiercel's browser UI for local files: a CQL search page with a live\n" +
			"checker and a histogram, the alerts the rules raise on the files (hunted at\n" +
			"start, kept in a SQLite store for triage), the detection pages and the\n" +
			"validation matrix. With no PATH it emulates the demo estate and serves that.\n" +
			"The first line on standard output is the URL to open; it carries a one-time\n" +
			"login token (--token to choose one). Everything the page loads is in the\n" +
			"binary. Stop with Ctrl+C.",
		Example: uiExamples,
		RunE: func(cmd *cobra.Command, args []string) error {
			a.paths = args
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runUI(ctx, env, a)
		},
	}
	f := cmd.Flags()
	f.StringVar(&a.listen, "listen", "127.0.0.1:0", "`ADDR` to serve on (port 0: any free port)")
	f.StringVar(&a.token, "token", "", "API `TOKEN` for the login (default: a random one, in the printed URL)")
	f.StringVar(&a.data, "data", "", "keep the alert store in `DIR` so triage survives a restart (default: a temporary directory)")
	f.StringArrayVar(&a.ruleDirs, "rules", nil, "also load rule packages from `DIR` (repeatable)")
	f.StringVar(&a.lookups, "lookups", "", "`DIR` of lookup files for match() and tunings")
	f.StringArrayVar(&a.tunings, "tuning", nil, "switch on tuning `NAME` or RULE:NAME when hunting (repeatable)")
	f.IntVar(&a.workers, "workers", 0, "worker goroutines (0: one per core)")
	return cmd
}

func runUI(ctx context.Context, env *Env, a uiArgs) error {
	if len(a.paths) == 0 || (len(a.paths) == 1 && a.paths[0] == ingest.Stdin) {
		if len(a.paths) == 1 {
			return withCode(ExitUsage, errors.New("ui reads files, not standard input: give PATHs, or none for the demo data"))
		}
		dir, err := os.MkdirTemp("", "tiercel-ui-demo-")
		if err != nil {
			return withCode(ExitError, err)
		}
		defer os.RemoveAll(dir)
		gen, err := emulate.New(emulate.Options{Seed: 1, Events: demoEvents, Hosts: demoHosts, View: emulate.ViewRaw})
		if err != nil {
			return withCode(ExitError, err)
		}
		if _, err := emulate.WriteFDR(filepath.Join(dir, "fdr"), gen); err != nil {
			return withCode(ExitError, fmt.Errorf("emulate: %w", err))
		}
		a.paths = []string{filepath.Join(dir, "fdr")}
		fmt.Fprintf(env.Stderr, "ui: serving the demo estate (%d events, %d hosts)\n", demoEvents, demoHosts)
	}
	for _, p := range a.paths {
		if _, err := os.Stat(p); err != nil {
			return withCode(ExitError, fmt.Errorf("ui: %w", err))
		}
	}
	dataDir := a.data
	if dataDir == "" {
		tmp, err := os.MkdirTemp("", "tiercel-ui-")
		if err != nil {
			return withCode(ExitError, err)
		}
		defer os.RemoveAll(tmp)
		dataDir = tmp
	} else if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return withCode(ExitError, err)
	}
	store, err := alert.OpenSQLite(filepath.Join(dataDir, "alerts.db"))
	if err != nil {
		return withCode(ExitError, err)
	}
	defer store.Close()

	set, loadErrs := rules.LoadSet(a.ruleDirs)
	if len(loadErrs) > 0 {
		printLoadErrors(env.Stderr, loadErrs)
		return withCode(ExitError, fmt.Errorf("%d rule problem(s)", len(loadErrs)))
	}
	perRule, err := assignTunings(set, a.tunings)
	if err != nil {
		return withCode(ExitUsage, err)
	}
	token := a.token
	if token == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		token = hex.EncodeToString(b)
	}
	be := &uiBackend{paths: a.paths, lookups: a.lookups, workers: a.workers, ruleDirs: a.ruleDirs}
	server := ui.New(ui.Options{
		Title:  strings.Join(a.paths, ", "),
		Tokens: []string{token},
		Search: be.search,
		Check:  func(q string) cql.Diagnostics { return be.check(q) },
		Rules:  func() ([]*rules.Rule, error) { return set, nil },
		Alerts: ui.Alerts(store),
		Validate: func(ctx context.Context) (*validate.Report, error) {
			return validate.Run(ctx, validate.Config{Seed: 1, Events: demoEvents, Hosts: demoHosts, RuleDirs: a.ruleDirs, LookupDir: a.lookups, Workers: a.workers})
		},
		ValidateSensors: func(ctx context.Context) (*validate.SensorReport, error) {
			return validate.RunSensors(ctx, validate.Config{Seed: 1, Events: demoEvents, Hosts: demoHosts, RuleDirs: a.ruleDirs, LookupDir: a.lookups, Workers: a.workers}, validate.Sensors)
		},
		Exports: ruleExports,
	})

	ln, err := net.Listen("tcp", a.listen)
	if err != nil {
		return withCode(ExitError, fmt.Errorf("ui: %w", err))
	}
	url := "http://" + ln.Addr().String() + "/?token=" + token
	fmt.Fprintln(env.Stdout, url)
	if f, ok := env.Stdout.(interface{ Sync() error }); ok {
		_ = f.Sync()
	}

	go func() {
		n, err := huntIntoStore(ctx, set, perRule, a, store)
		if err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintf(env.Stderr, "ui: hunt: %v\n", err)
			return
		}
		fmt.Fprintf(env.Stderr, "ui: %d alert(s) from %d rule(s) stored for triage\n", n, len(set))
	}()

	srv := &http.Server{Handler: server, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(slog.NewTextHandler(env.Stderr, nil), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
		return nil
	case err := <-errc:
		return withCode(ExitError, err)
	}
}

// uiBackend runs the page's queries over the command's files, with the same
// checks, compilation and enrichment as tiercel search.
type uiBackend struct {
	// refresh, when set, runs before each search (serve: bring the
	// event store's growing segment into view).
	refresh  func() error
	paths    []string
	lookups  string
	workers  int
	ruleDirs []string
}

// check reports what `tiercel check --lookups` would.
func (b *uiBackend) check(query string) cql.Diagnostics {
	return checkAll(query, false, b.lookups, nil, nil)
}

func (b *uiBackend) search(req ui.SearchRequest) (*ui.Prepared, cql.Diagnostics, error) {
	ds := b.check(req.Query)
	if ds.HasErrors() {
		return nil, ds, nil
	}
	q, _ := cql.Parse(req.Query)
	opts := engine.Options{LookupDir: b.lookups, Now: time.Now()}
	prog, cds := engine.Compile(q, opts)
	if cds.HasErrors() {
		return nil, cds, nil
	}
	progs := []*engine.Program{prog}
	// The histogram counts the events the query matches before it
	// aggregates: its leading filters and per-event steps, run in the same
	// pass. A query that returns events with @timestamp charts its rows.
	prefix, chartRows := eventPrefix(req.Query, q)
	if !chartRows {
		pq, _ := cql.Parse(prefix)
		if hp, hds := engine.Compile(pq, opts); !hds.HasErrors() {
			progs = append(progs, hp)
			chartRows = false
		}
	}
	total := inputSize(b.paths)
	return &ui.Prepared{
		Columns: prog.Columns(),
		Table:   prog.Columns() != nil || !prog.Streaming(),
		Run: func(ctx context.Context, emit func(*event.Event), chart func(int64), progress ui.Progress) (*ui.SearchStats, error) {
			if b.refresh != nil {
				if err := b.refresh(); err != nil {
					return nil, err
				}
			}
			var wrap func(run.Source) run.Source
			if progress != nil {
				wrap = func(src run.Source) run.Source {
					return &countingSource{src: src, report: func(n int64) { progress(n, total) }}
				}
			}
			mark := func(row *event.Event) {
				if chart == nil {
					return
				}
				if ts, ok := row.Get(event.Timestamp); ok {
					if ms, ok := event.ParseNumber(ts); ok {
						chart(int64(ms))
					}
				}
			}
			stats, problems, err := quietPass(ctx, b.paths, b.workers, window(req.Start, req.End), progs, wrap, func(i int, row *event.Event) {
				if i == 1 || chartRows {
					mark(row)
				}
				if i == 0 {
					emit(row)
				}
			})
			if err != nil {
				return nil, err
			}
			out := &ui.SearchStats{Lines: stats.Lines, Bytes: stats.Bytes}
			if len(stats.Warnings) > 0 {
				out.Warnings = append(out.Warnings, stats.Warnings[0]...)
			}
			if s := problems.Summary(); s != "" {
				out.Warnings = append(out.Warnings, s)
			}
			return out, nil
		},
	}, ds, nil
}

// eventPrefix returns the leading part of the query that keeps, drops or
// changes single events (filters, case, match, assignments, per-event
// functions), and whether that is the whole query.
func eventPrefix(src string, q *cql.Query) (string, bool) {
	if q == nil || q.Pipeline == nil {
		return "*", false
	}
	for i, st := range q.Pipeline.Steps {
		if perEvent(st) {
			continue
		}
		if i == 0 {
			return "*", false
		}
		end := int(st.Span().Start)
		prefix := strings.TrimRight(strings.TrimSpace(src[:end]), "| \t\n")
		return prefix, false
	}
	return src, true
}

// perEvent reports whether a step handles each event on its own.
func perEvent(st cql.Step) bool {
	switch s := st.(type) {
	case *cql.FilterStep, *cql.AssignStep, *cql.FieldOpStep, *cql.CaseStep, *cql.MatchStep:
		return true
	case *cql.CallStep:
		spec, ok := funcs.Lookup(s.Call.Name)
		return ok && (spec.Kind == funcs.Filter || spec.Kind == funcs.Transform)
	}
	return false
}

// window is a time range as the input reads it (epoch ms, 0: open).
func window(start, end time.Time) timerange.Range {
	var r timerange.Range
	if !start.IsZero() {
		r.Start = start.UnixMilli()
	}
	if !end.IsZero() {
		r.End = end.UnixMilli()
	}
	return r
}

// countingSource reports the bytes read so far.
type countingSource struct {
	src    run.Source
	n      atomic.Int64
	report func(int64)
}

func (c *countingSource) Next() (event.Chunk, error) {
	ch, err := c.src.Next()
	c.report(c.n.Add(int64(len(ch.Data))))
	return ch, err
}

// quietPass is the one pass search and hunt make (enrichment, the input in
// a time range, every program over it), for the UI: nothing is printed;
// malformed lines are counted in the returned problems. wrap, when set,
// wraps the source (progress).
func quietPass(ctx context.Context, paths []string, workers int, r timerange.Range, progs []*engine.Program,
	wrap func(run.Source) run.Source, emit func(int, *event.Event)) (*run.Stats, *ingest.Problems, error) {
	quiet := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard}
	enr := enrichFlags{quiet: true}
	enricher, err := enr.prepare(ctx, quiet, paths, workers, 0, progs...)
	if err != nil {
		return nil, nil, err
	}
	defer enricher.Close()
	problems := ingest.NewProblems(io.Discard, 0)
	in, err := openInputRange(quiet, paths, 0, problems, r)
	if err != nil {
		return nil, nil, err
	}
	defer in.Close()
	src := in.source()
	if wrap != nil {
		src = wrap(src)
	}
	stats, err := run.Search(ctx, progs, src, withEnricher(run.Options{
		Workers: workers, Problems: problems, Reopen: in.reopen(), Emit: emit,
	}, enricher))
	return stats, problems, err
}

// huntIntoStore runs every rule over the files and records the alerts, as
// tiercel serve would have recorded them live.
func huntIntoStore(ctx context.Context, set []*rules.Rule, perRule [][]string, a uiArgs, store alert.Store) (int, error) {
	progs, engines, err := compileRules(set, perRule, engine.Options{LookupDir: a.lookups, Now: time.Now()})
	if err != nil {
		return 0, err
	}
	var cands []alert.Candidate
	_, _, err = quietPass(ctx, a.paths, a.workers, timerange.Range{}, engines, nil, func(i int, row *event.Event) {
		cands = append(cands, serve.CandidateOf(progs[i], progs[i].NewAlert(row)))
	})
	if err != nil {
		return 0, err
	}
	res, err := store.Record(ctx, cands, nil, time.Now())
	if err != nil {
		return 0, err
	}
	return len(res.New), nil
}

// ruleExports reads the conversions checked into a rule package's exports/
// directory, keyed by format (sigma, spl, kql, esql).
func ruleExports(r *rules.Rule) map[string]string {
	dir := path.Join(r.Dir, "exports")
	entries, err := fs.ReadDir(r.FS, dir)
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := fs.ReadFile(r.FS, path.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		format := strings.TrimSuffix(e.Name(), path.Ext(e.Name()))
		if i := strings.LastIndexByte(e.Name(), '.'); i >= 0 {
			switch ext := e.Name()[i+1:]; ext {
			case "yml", "yaml":
				format = "sigma"
			case "spl", "kql", "esql":
				format = ext
			}
		}
		out[format] = string(data)
	}
	return out
}

// serveUI is the browser UI of tiercel serve: search over the event store,
// triage over the alert store, logins with the API tokens.
func serveUI(cfg *serve.Config, srv *serve.Server, progs []*rules.Program) *ui.Server {
	be := &uiBackend{paths: []string{filepath.Join(cfg.Data, "events")}, lookups: cfg.Lookups, workers: cfg.Workers, ruleDirs: cfg.Rules,
		refresh: srv.Events.Seal}
	set := make([]*rules.Rule, len(progs))
	for i, p := range progs {
		set[i] = p.Rule
	}
	return ui.New(ui.Options{
		Title:  "tiercel serve: " + cfg.Data,
		Tokens: cfg.APITokens,
		Search: be.search,
		Check:  be.check,
		Rules:  func() ([]*rules.Rule, error) { return set, nil },
		Alerts: ui.Alerts(srv.Alerts),
		Validate: func(ctx context.Context) (*validate.Report, error) {
			return validate.Run(ctx, validate.Config{Seed: 1, Events: demoEvents, Hosts: demoHosts, RuleDirs: cfg.Rules, LookupDir: cfg.Lookups, Workers: cfg.Workers})
		},
		ValidateSensors: func(ctx context.Context) (*validate.SensorReport, error) {
			return validate.RunSensors(ctx, validate.Config{Seed: 1, Events: demoEvents, Hosts: demoHosts, RuleDirs: cfg.Rules, LookupDir: cfg.Lookups, Workers: cfg.Workers}, validate.Sensors)
		},
		Exports: ruleExports,
	})
}
