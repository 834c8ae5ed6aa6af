package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
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
		disp    displayFlags
		file    string
		lim     limitFlags
		df      dataFlags
		tf      timeFlags
		s3      s3Flags
	)
	cmd := &cobra.Command{
		Use:   "search [flags] (QUERY | --file F) [PATH...]",
		Short: "Run a CQL query over Falcon telemetry",
		Long: "Runs a CrowdStrike LogScale (CQL) query over NDJSON telemetry (exported\n" +
			"events are read too: a JSON array or pretty-printed objects, as LogScale's API\n" +
			"and jq write them, or CSV with a header row of Falcon field names; and the\n" +
			"logs of other sensors: docs/sensors.md). PATH is a file (plain, gzip or\n" +
			"zstd), a directory (walked; FDR layout understood) or - for standard input,\n" +
			"which is also the default. Results go to standard output; diagnostics,\n" +
			"warnings and malformed-line reports go to standard error.\n" +
			"Exit 0 on success (also with no rows), 1 on a query or input error, 2 on a\n" +
			"usage error. Malformed lines, and lines over --max-line, are reported and\n" +
			"skipped; they do not change the exit code. A path that cannot be read is\n" +
			"reported and skipped, the others are read, and the exit code is 1. Every\n" +
			"limit and what happens at it: docs/limits.md. Events are enriched as in\n" +
			"LogScale's Falcon package (ComputerName, UserName, ContextProcessName...)\n" +
			"unless --no-enrich: files get a learn pass first, standard input is\n" +
			"enriched as it streams. The query is the first argument, or --file F\n" +
			"(every argument is then a PATH). On a terminal the table fits the window\n" +
			"(--wide: every value whole); the last stderr line is\n" +
			"\"N rows from M events (X MB) in Ys\".",
		Example: searchExamples,
		RunE: func(cmd *cobra.Command, args []string) error {
			var query string
			if file != "" {
				_, src, err := readQueryArg(env.Stdin, file, nil)
				if err != nil {
					return err
				}
				query = src
			} else if len(args) == 0 {
				return withCode(ExitUsage, fmt.Errorf("no query: give QUERY or --file F (see tiercel search --help)"))
			} else {
				query, args = args[0], args[1:]
			}
			if !slices.Contains(output.Formats, format) {
				return withCode(ExitUsage, fmt.Errorf("unknown --format %q (want %s)", format, strings.Join(output.Formats, ", ")))
			}
			if workers < 0 {
				return withCode(ExitUsage, fmt.Errorf("--workers must be 0 (all cores) or more, not %d", workers))
			}
			if err := lim.validate(); err != nil {
				return withCode(ExitUsage, err)
			}
			lim.applyGC(cmd.Flags(), args)
			values, err := parseParams(params)
			if err != nil {
				return withCode(ExitUsage, err)
			}
			lib, err := sv.load()
			if err != nil {
				return err
			}
			if err := stdinRefusal(env, "tiercel search QUERY", args); err != nil {
				return err
			}
			window, err := tf.resolve()
			if err != nil {
				return err
			}
			data, closeData, err := df.open(env.Stderr)
			if err != nil {
				return err
			}
			defer closeData()
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if err := s3.setup(ctx, args, enr.aidmaster); err != nil {
				return err
			}
			return runSearch(ctx, env, searchArgs{
				query: query, paths: args, format: format, strict: strict, lookups: lookups, workers: workers,
				params: values, enrich: enr, saved: lib, display: disp, limits: lim, data: data, window: window,
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, json or csv")
	cmd.Flags().StringVar(&file, "file", "", "read the query from `F`; every argument is then a PATH")
	disp.register(cmd.Flags())
	cmd.Flags().BoolVar(&strict, "strict", false, "treat tiercel dialect extensions as errors")
	cmd.Flags().StringVar(&lookups, "lookups", "", "directory of lookup files for match()")
	cmd.Flags().IntVar(&workers, "workers", 0, "worker goroutines (0: one per core)")
	cmd.Flags().StringArrayVar(&params, "param", nil, "value of a query parameter ?NAME, as NAME=VALUE (repeatable)")
	enr.register(cmd.Flags(), false)
	sv.register(cmd.Flags())
	lim.register(cmd.Flags())
	df.register(cmd.Flags())
	tf.register(cmd.Flags())
	s3.register(cmd.Flags())
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
	display displayFlags
	limits  limitFlags
	data    engine.DataSources
	window  timerange.Range
}

func runSearch(ctx context.Context, env *Env, a searchArgs) error {
	began := time.Now()
	prog, err := compileSearch(env.Stderr, a)
	if err != nil {
		return err
	}
	bar := newFileProgress(env, "search", a.paths, expectedPasses(a.enrich, prog))
	defer bar.done()
	enricher, err := a.enrich.prepare(ctx, env, a.paths, a.workers, a.limits.maxLineBytes(), prog)
	if err != nil {
		return withCode(ExitError, err)
	}
	defer enricher.Close()
	bar.expect(1 + prepassLevels(prog))
	problems := ingest.NewProblems(env.Stderr, 0)
	in, err := openInputRange(env, a.paths, a.limits.maxLineBytes(), problems, a.window)
	if err != nil {
		return withCode(ExitError, err)
	}
	defer in.Close()
	in.orderProblems(problems)

	out, closeOut, err := a.display.open(env)
	if err != nil {
		return err
	}
	w, err := output.NewWithTable(a.format, out, prog.Columns(), a.display.table(out, nil))
	if err != nil {
		closeOut()
		return withCode(ExitUsage, err)
	}
	var writeErr error
	var rows int64
	stats, err := run.Search(ctx, []*engine.Program{prog}, bar.countStdin(a.enrich.source(in, enricher)), withEnricher(run.Options{
		Workers:    a.workers,
		Problems:   problems,
		Reopen:     in.reopen(),
		InputBytes: in.size(),
		Emit: func(_ int, row *event.Event) {
			rows++
			if writeErr == nil {
				writeErr = w.Write(row)
			}
		},
	}, enricher))
	bar.done()
	problems.Flush()
	if cerr := w.Close(); writeErr == nil {
		writeErr = cerr
	}
	if cerr := closeOut(); writeErr == nil {
		writeErr = cerr
	}
	if errors.Is(err, context.Canceled) && stats == nil {
		return withCode(ExitError, errors.New("interrupted before the search began"))
	}
	if errors.Is(err, context.Canceled) && stats != nil {
		// Interrupted: the rows of what was read are out; say how much.
		printWarnings(env.Stderr, stats.Warnings)
		reportUndecided(env.Stderr, prog)
		fmt.Fprintf(env.Stderr, "tiercel: interrupted: the results above cover only the first %d line(s) (%s) read\n",
			stats.Lines, humanBytes(stats.Bytes))
		return withCode(ExitError, nil)
	}
	if err != nil {
		return withCode(ExitError, err)
	}
	if writeErr != nil {
		return withCode(ExitError, fmt.Errorf("writing results: %w", writeErr))
	}
	printWarnings(env.Stderr, stats.Warnings)
	reportUndecided(env.Stderr, prog)
	a.enrich.report(env, enricher, stats, prog)
	if s := problems.Summary(); s != "" {
		fmt.Fprintf(env.Stderr, "tiercel: warning: %s\n", s)
	}
	if !a.enrich.quiet {
		printRunLine(env.Stderr, rows, "row", stats, time.Since(began))
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
	prog, cds := engine.Compile(q, engine.Options{LookupDir: a.lookups, Now: time.Now(), Params: a.params, SavedSearches: a.saved,
		Limits: a.limits.engine(), Data: a.data})
	for _, d := range cds {
		fmt.Fprint(stderr, d.Render("query", a.query))
	}
	if cds.HasErrors() {
		return nil, withCode(ExitError, nil)
	}
	return prog, nil
}
