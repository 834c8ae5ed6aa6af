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
	)
	cmd := &cobra.Command{
		Use:   "search [flags] (QUERY | --file F) [PATH...]",
		Short: "Run a CQL query over Falcon telemetry",
		Long: "Runs a CrowdStrike LogScale (CQL) query over NDJSON telemetry. PATH is a file\n" +
			"(plain, gzip or zstd), a directory (walked; FDR layout understood) or - for\n" +
			"standard input, which is also the default. Results go to standard output;\n" +
			"diagnostics, warnings and malformed-line reports go to standard error.\n" +
			"Exit 0 on success (also with no rows), 1 on a query or input error, 2 on a\n" +
			"usage error. Malformed lines are reported and skipped; they do not change\n" +
			"the exit code. Events are enriched as in LogScale's Falcon package\n" +
			"(ComputerName, UserName, ContextProcessName...) unless --no-enrich: files get\n" +
			"a learn pass first, standard input is enriched as it streams. The query is\n" +
			"the first argument, or --file F (every argument is then a PATH). On a\n" +
			"terminal the table fits the window (--wide: every value whole); the last\n" +
			"stderr line is \"N rows from M events (X MB) in Ys\".",
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
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			return runSearch(ctx, env, searchArgs{
				query: query, paths: args, format: format, strict: strict, lookups: lookups, workers: workers,
				params: values, enrich: enr, saved: lib, display: disp,
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
	enr.register(cmd.Flags())
	sv.register(cmd.Flags())
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
}

func runSearch(ctx context.Context, env *Env, a searchArgs) error {
	began := time.Now()
	prog, err := compileSearch(env.Stderr, a)
	if err != nil {
		return err
	}
	bar := newFileProgress(env, "search", a.paths, expectedPasses(a.enrich, prog))
	defer bar.done()
	enricher, err := a.enrich.prepare(ctx, env, a.paths, a.workers, prog)
	if err != nil {
		return withCode(ExitError, err)
	}
	bar.expect(1 + prepassLevels(prog))
	in, err := openInput(env, a.paths)
	if err != nil {
		return withCode(ExitError, err)
	}
	defer in.Close()

	out, closeOut, err := a.display.open(env)
	if err != nil {
		return err
	}
	w, err := output.NewWithTable(a.format, out, prog.Columns(), a.display.table(out, nil))
	if err != nil {
		closeOut()
		return withCode(ExitUsage, err)
	}
	problems := ingest.NewProblems(env.Stderr, 0)
	var writeErr error
	var rows int64
	stats, err := run.Search(ctx, []*engine.Program{prog}, bar.countStdin(a.enrich.source(in.reader, enricher)), withEnricher(run.Options{
		Workers:  a.workers,
		Problems: problems,
		Reopen:   in.reopen(),
		Emit: func(_ int, row *event.Event) {
			rows++
			if writeErr == nil {
				writeErr = w.Write(row)
			}
		},
	}, enricher))
	bar.done()
	if cerr := w.Close(); writeErr == nil {
		writeErr = cerr
	}
	if cerr := closeOut(); writeErr == nil {
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
	a.enrich.report(env, enricher, prog)
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
	prog, cds := engine.Compile(q, engine.Options{LookupDir: a.lookups, Now: time.Now(), Params: a.params, SavedSearches: a.saved})
	for _, d := range cds {
		fmt.Fprint(stderr, d.Render("query", a.query))
	}
	if cds.HasErrors() {
		return nil, withCode(ExitError, nil)
	}
	return prog, nil
}
