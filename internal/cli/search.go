package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/output"
	"github.com/tiercel/tiercel/internal/run"
	"github.com/tiercel/tiercel/internal/saved"
	"github.com/tiercel/tiercel/internal/timerange"
)

func init() { register(newSearchCmd) }

func newSearchCmd(env *Env) *cobra.Command {
	var (
		format  string
		strict  bool
		lookups string
		workers int
		params  []string
		enr     enrichFlags
		sv      savedFlag
		tf      timeFlags
	)
	cmd := &cobra.Command{
		Use:   "search [--format table|json|csv] [--strict] [--lookups DIR] [--saved DIR] [--param NAME=VALUE]... [--workers N] [--no-enrich] [--aidmaster PATH] QUERY [PATH...]",
		Short: "Run a CQL query over Falcon telemetry",
		Long: "Runs a CrowdStrike LogScale (CQL) query over NDJSON telemetry. PATH is a file\n" +
			"(plain, gzip or zstd), a directory (walked; FDR layout understood) or - for\n" +
			"standard input, which is also the default. Results go to standard output;\n" +
			"diagnostics, warnings and malformed-line reports go to standard error.\n" +
			"Exit 0 on success (also with no rows), 1 on a query or input error, 2 on a\n" +
			"usage error. Malformed lines are reported and skipped; they do not change\n" +
			"the exit code. Events are enriched as in LogScale's Falcon package\n" +
			"(ComputerName, UserName, ContextProcessName...) unless --no-enrich: files get\n" +
			"a learn pass first, standard input is enriched as it streams.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(output.Formats, format) {
				return withCode(ExitUsage, fmt.Errorf("unknown --format %q (want %s)", format, strings.Join(output.Formats, ", ")))
			}
			if workers < 0 {
				return withCode(ExitUsage, fmt.Errorf("--workers must be 0 (all cores) or more, not %d", workers))
			}
			values, err := parseParams(params)
			if err != nil {
				return withCode(ExitUsage, err)
			}
			lib, err := sv.load()
			if err != nil {
				return err
			}
			window, err := tf.resolve()
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			return runSearch(ctx, env, searchArgs{
				query: args[0], paths: args[1:], format: format, strict: strict, lookups: lookups, workers: workers,
				params: values, enrich: enr, saved: lib, window: window,
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, json or csv")
	cmd.Flags().BoolVar(&strict, "strict", false, "treat tiercel dialect extensions as errors")
	cmd.Flags().StringVar(&lookups, "lookups", "", "directory of lookup files for match()")
	cmd.Flags().IntVar(&workers, "workers", 0, "worker goroutines (0: one per core)")
	cmd.Flags().StringArrayVar(&params, "param", nil, "value of a query parameter ?NAME, as NAME=VALUE (repeatable)")
	enr.register(cmd.Flags())
	sv.register(cmd.Flags())
	tf.register(cmd.Flags())
	return cmd
}

type searchArgs struct {
	params  map[string]string
	query   string
	paths   []string
	format  string
	strict  bool
	lookups string
	workers int
	enrich  enrichFlags
	saved   *saved.Library
	window  timerange.Range
}

func runSearch(ctx context.Context, env *Env, a searchArgs) error {
	prog, err := compileSearch(env.Stderr, a)
	if err != nil {
		return err
	}
	enricher, err := a.enrich.prepare(ctx, env, a.paths, a.workers, prog)
	if err != nil {
		return withCode(ExitError, err)
	}
	in, err := openInputRange(env, a.paths, a.window)
	if err != nil {
		return withCode(ExitError, err)
	}
	defer in.Close()

	w, err := output.New(a.format, env.Stdout, prog.Columns())
	if err != nil {
		return withCode(ExitUsage, err)
	}
	problems := ingest.NewProblems(env.Stderr, 0)
	var writeErr error
	stats, err := run.Search(ctx, []*engine.Program{prog}, a.enrich.source(in.source(), enricher), withEnricher(run.Options{
		Workers:  a.workers,
		Problems: problems,
		Reopen:   in.reopen(),
		Emit: func(_ int, row *event.Event) {
			if writeErr == nil {
				writeErr = w.Write(row)
			}
		},
	}, enricher))
	if cerr := w.Close(); writeErr == nil {
		writeErr = cerr
	}
	if err != nil {
		return withCode(ExitError, err)
	}
	if writeErr != nil {
		return withCode(ExitError, fmt.Errorf("writing results: %w", writeErr))
	}
	for _, ws := range stats.Warnings {
		for _, msg := range ws {
			fmt.Fprintf(env.Stderr, "tiercel: warning: %s\n", msg)
		}
	}
	a.enrich.report(env, enricher)
	if s := problems.Summary(); s != "" {
		fmt.Fprintf(env.Stderr, "tiercel: warning: %s\n", s)
	}
	if in.fileErrors > 0 {
		return withCode(ExitError, nil)
	}
	return nil
}

// compileSearch parses, checks and compiles the query, printing every
// diagnostic to stderr. Errors (or dialect warnings under --strict) exit 1.
func compileSearch(stderr io.Writer, a searchArgs) (*engine.Program, error) {
	ds := checkQuery(a.query, a.strict, a.saved)
	for _, d := range ds {
		fmt.Fprint(stderr, d.Render("query", a.query))
	}
	if ds.HasErrors() {
		return nil, withCode(ExitError, nil)
	}
	q, _ := cql.Parse(a.query)
	prog, cds := engine.Compile(q, engine.Options{LookupDir: a.lookups, Now: time.Now(), Params: a.params, SavedSearches: a.saved})
	for _, d := range cds {
		fmt.Fprint(stderr, d.Render("query", a.query))
	}
	if cds.HasErrors() {
		return nil, withCode(ExitError, nil)
	}
	return prog, nil
}
