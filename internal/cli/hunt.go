package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/output"
	"github.com/tiercel/tiercel/internal/parallel"
	"github.com/tiercel/tiercel/internal/rules"
	"github.com/tiercel/tiercel/internal/run"
)

func init() { register(newHuntCmd) }

type huntArgs struct {
	ruleDirs    []string
	lookups     string
	tunings     []string
	tuningsFile string
	format      string
	failOnAlert bool
	failOnError bool
	skipInvalid bool
	limits      limitFlags
	workers     int
	paths       []string
	enrich      enrichFlags
	saved       savedFlag
	display     displayFlags
	minSeverity string
	data        dataFlags
	sigma       huntSigma
	window      timeFlags
	s3          s3Flags
	dist        distributeFlags
}

func newHuntCmd(env *Env) *cobra.Command {
	var a huntArgs
	cmd := &cobra.Command{
		Use:   "hunt [flags] PATH...",
		Short: "Run the detection rules over telemetry and print alerts",
		Long: "Runs every shipped rule (plus those under --rules DIR, which override shipped\n" +
			"rules of the same id) over the input in one pass, with Falcon enrichment, and\n" +
			"prints one alert per result row. Row limits of table()/sort() do not cap\n" +
			"alerts. --tuning NAME (or RULE:NAME) switches a documented tuning on; its\n" +
			"lookup files are read from --lookups DIR (tiercel lookups init DIR writes\n" +
			"examples). Alert counts per rule and branch, then a summary by severity, rule\n" +
			"and host with first and last seen go to stderr. On a terminal each alert is a\n" +
			"line of time, severity, host, user and branch with its fields below\n" +
			"(--wide: the full table). Exit 0 with or without alerts; 3 with\n" +
			"--fail-on-alert when there are alerts; 1 when a rule does not load (unless\n" +
			"--skip-invalid), on an input error, or with --fail-on-error when input lines\n" +
			"were skipped or a regex left events undecided; 2 on a usage error. Limits:\n" +
			"docs/limits.md. A PATH may be an s3://bucket/prefix URL (an FDR archive in S3\n" +
			"or an S3-compatible store, read in parallel; see --s3-* flags).",
		Example: huntExamples,
		RunE: func(cmd *cobra.Command, args []string) error {
			a.paths = args
			if !slices.Contains(output.Formats, a.format) {
				return withCode(ExitUsage, fmt.Errorf("unknown --format %q (want %s)", a.format, strings.Join(output.Formats, ", ")))
			}
			if a.minSeverity != "" && severityRank(a.minSeverity) < 0 {
				return withCode(ExitUsage, fmt.Errorf("unknown --min-severity %q (want %s)", a.minSeverity, strings.Join(severities, ", ")))
			}
			if err := a.limits.validate(); err != nil {
				return withCode(ExitUsage, err)
			}
			a.limits.applyGC(cmd.Flags(), a.paths)
			if err := stdinRefusal(env, "tiercel hunt -", args); err != nil && !a.dist.on {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if err := a.s3.setup(ctx, a.paths, a.enrich.aidmaster); err != nil {
				return err
			}
			if a.dist.on {
				return runDistribute(ctx, env, a)
			}
			return runHunt(ctx, env, a)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&a.ruleDirs, "rules", nil, "also load rule packages from `DIR` (repeatable; overrides shipped rules by id)")
	f.StringVar(&a.lookups, "lookups", "", "`DIR` of lookup files read by match() in tunings")
	f.StringArrayVar(&a.tunings, "tuning", nil, "switch on tuning `NAME` or RULE:NAME (repeatable)")
	f.StringVar(&a.tuningsFile, "tunings-file", "", "`FILE` listing tunings to switch on, one NAME or RULE:NAME per line (# comments)")
	f.StringVar(&a.format, "format", "table", "output format: table, json or csv")
	f.BoolVar(&a.failOnAlert, "fail-on-alert", false, "exit 3 when there are alerts")
	f.BoolVar(&a.failOnError, "fail-on-error", false, "exit 1 when input lines were skipped or events left undecided (a regex timed out)")
	f.BoolVar(&a.skipInvalid, "skip-invalid", false, "run the rules that load, listing those that do not")
	f.IntVar(&a.workers, "workers", 0, "worker goroutines (0: one per core)")
	f.StringVar(&a.minSeverity, "min-severity", "", "run only rules of `SEVERITY` or above: "+strings.Join(severities, ", "))
	a.enrich.register(f, true)
	a.saved.register(f)
	a.display.register(f)
	a.limits.register(f)
	a.data.register(f)
	a.sigma.register(f)
	a.window.register(f)
	a.s3.register(f)
	a.dist.register(f)
	return cmd
}

func runHunt(ctx context.Context, env *Env, a huntArgs) error {
	began := time.Now()
	if a.skipInvalid {
		// --skip-invalid passes over rules that do not load; a mistyped path
		// would otherwise pass over all of them and the hunt still succeed.
		if err := pathsExist("--rules", a.ruleDirs); err != nil {
			return err
		}
		if err := pathsExist("--sigma", a.sigma.dirs); err != nil {
			return err
		}
	}
	window, err := a.window.resolve()
	if err != nil {
		return err
	}
	restorePace := paceLoading()
	defer restorePace() // on the way out early
	set, loadErrs := rules.LoadSet(a.ruleDirs)
	set, loadErrs, err = a.sigma.add(env, set, loadErrs, a.skipInvalid)
	if err != nil {
		return err
	}
	if len(loadErrs) > 0 {
		printLoadErrors(env.Stderr, loadErrs)
		if !a.skipInvalid {
			return withCode(ExitError, fmt.Errorf("%d rule problem(s); fix them or pass --skip-invalid", len(loadErrs)))
		}
		fmt.Fprintf(env.Stderr, "tiercel: hunt: skipping rules that failed to load (%d problem(s))\n", len(loadErrs))
	}
	if a.minSeverity != "" {
		set = atLeastSeverity(set, a.minSeverity)
	}
	if len(set) == 0 {
		return withCode(ExitError, errors.New("no rules to run"))
	}
	choices := a.tunings
	if a.tuningsFile != "" {
		more, err := readTuningsFile(a.tuningsFile)
		if err != nil {
			return withCode(ExitUsage, err)
		}
		choices = append(choices, more...)
	}
	perRule, err := assignTunings(set, choices)
	if err != nil {
		return withCode(ExitUsage, err)
	}
	lib, err := a.saved.load()
	if err != nil {
		return err
	}
	data, closeData, err := a.data.open(env.Stderr)
	if err != nil {
		return err
	}
	defer closeData()
	progs, engines, err := compileRules(set, perRule, engine.Options{LookupDir: a.lookups, Now: time.Now(), SavedSearches: lib,
		Limits: a.limits.engine(), Data: data})
	if err != nil {
		return err
	}
	restorePace()
	if len(progs) > 1 {
		releaseHeapHold() // rules and alerts, not one filter's small heap
	}

	bar := newFileProgress(env, "hunt", a.paths, expectedPasses(a.enrich, engines...))
	defer bar.done()
	enricher, err := a.prepareEnricher(ctx, env, engines)
	if err != nil {
		return withCode(ExitError, err)
	}
	if a.dist.shared == nil {
		defer enricher.Close() // a shared one serves the next items too
	}
	bar.expect(1 + prepassLevels(engines...))
	problems := ingest.NewProblems(env.Stderr, 0)
	in, err := openInputRange(env, a.paths, a.limits.maxLineBytes(), problems, window)
	if err != nil {
		return withCode(ExitError, err)
	}
	defer in.Close()
	in.orderProblems(problems)
	src := bar.countStdin(a.enrich.source(in, enricher))

	out, closeOut, err := a.display.open(env)
	if err != nil {
		return err
	}
	sink, err := newAlertSink(a.format, out, progs, a.display.table(out, severityColour))
	if err != nil {
		closeOut()
		return withCode(ExitUsage, err)
	}
	summary := newAlertSummary()
	counts := make([]map[string]int, len(progs))
	for i := range counts {
		counts[i] = map[string]int{}
	}
	total := 0
	var fields []event.Field // each alert's, reused: it is written out before the next
	stats, err := run.Search(ctx, engines, src, withEnricher(run.Options{
		Workers:    a.workers,
		Problems:   problems,
		Reopen:     in.reopen(),
		InputBytes: in.size(),
		Emit: func(i int, row *event.Event) {
			alert := progs[i].AlertOf(row, fields)
			fields = alert.Fields
			countKey(counts[i], alert.Branch())
			total++
			summary.add(alert)
			sink.write(alert)
		},
	}, enricher))
	bar.done()
	problems.Flush()
	if cerr := sink.close(); err == nil && cerr != nil {
		err = fmt.Errorf("writing alerts: %w", cerr)
	}
	if cerr := closeOut(); err == nil && cerr != nil {
		err = fmt.Errorf("writing alerts: %w", cerr)
	}
	interrupted := errors.Is(err, context.Canceled) && stats != nil
	if errors.Is(err, context.Canceled) && stats == nil {
		return withCode(ExitError, errors.New("interrupted before the hunt began"))
	}
	if err != nil && !interrupted {
		return withCode(ExitError, err)
	}
	if !a.enrich.quiet {
		printHuntSummary(env.Stderr, progs, counts, stats)
		summary.print(env.Stderr, useColour(env.Stderr))
	}
	for i, ws := range stats.Warnings {
		for _, msg := range ws {
			fmt.Fprintf(env.Stderr, "tiercel: warning: %s: %s\n", progs[i].Rule.ID, msg)
		}
	}
	undecided := reportUndecided(env.Stderr, engines...)
	a.enrich.report(env, enricher, stats, engines...)
	if s := problems.Summary(); s != "" {
		fmt.Fprintf(env.Stderr, "tiercel: warning: %s\n", s)
	}
	if interrupted {
		fmt.Fprintf(env.Stderr, "tiercel: interrupted: the alerts above cover only the first %d line(s) (%s) read\n",
			stats.Lines, humanBytes(stats.Bytes))
		return withCode(ExitError, nil)
	}
	if !a.enrich.quiet {
		printRunLine(env.Stderr, int64(total), "alert", stats, time.Since(began))
	}
	if in.fileErrors > 0 {
		return withCode(ExitError, nil)
	}
	if a.failOnError && (undecided > 0 || problems.Count() > 0) {
		fmt.Fprintf(env.Stderr, "tiercel: hunt: --fail-on-error: %d line(s) skipped, %d event(s) undecided\n", problems.Count(), undecided)
		return withCode(ExitError, nil)
	}
	if a.failOnAlert && total > 0 {
		return withCode(ExitAlert, nil)
	}
	return nil
}

// compileRules compiles each rule with its tunings (hunt, serve and ui run
// the same programs); a tuning's missing lookup file gets a hint.
func compileRules(set []*rules.Rule, perRule [][]string, opts engine.Options) ([]*rules.Program, []*engine.Program, error) {
	if opts.Rows == nil {
		opts.Rows = &engine.RowBudget{} // the rules' alerts share one budget in memory
	}
	// compiled side by side (most of starting a hunt of a thousand rules);
	// the first failure in the set's order is the one reported
	progs := make([]*rules.Program, len(set))
	errs := make([]error, len(set))
	parallel.Each(len(set), 0, func(i int) {
		progs[i], errs[i] = rules.Compile(set[i], perRule[i], opts)
	})
	engines := make([]*engine.Program, len(set))
	for i, r := range set {
		if err := errs[i]; err != nil {
			if hint := tuningLookupHint(r, perRule[i]); hint != "" {
				err = fmt.Errorf("%w\n  = hint: %s", err, hint)
			}
			return nil, nil, withCode(ExitError, err)
		}
		engines[i] = progs[i].Engine
	}
	return progs, engines, nil
}

// assignTunings resolves --tuning choices: NAME applies to every rule that
// has that tuning, RULE:NAME to the rules RULE selects. A choice no rule
// has is a usage error listing what exists.
func assignTunings(set []*rules.Rule, choices []string) ([][]string, error) {
	perRule := make([][]string, len(set))
	for _, c := range choices {
		sel, name := set, c
		if ruleName, n, ok := strings.Cut(c, ":"); ok {
			sel, name = rules.Select(set, ruleName), n
			if len(sel) == 0 {
				return nil, fmt.Errorf("--tuning %s: no rule %q", c, ruleName)
			}
		}
		used := false
		for i, r := range set {
			if slices.Contains(sel, r) && r.Tuning(name) != nil {
				if !slices.Contains(perRule[i], name) {
					perRule[i] = append(perRule[i], name)
				}
				used = true
			}
		}
		if !used {
			var avail []string
			for _, r := range sel {
				for _, n := range r.TuningNames() {
					avail = append(avail, r.ID+":"+n)
				}
			}
			return nil, fmt.Errorf("--tuning %s: no selected rule has a tuning %q; available: %s", c, name, strings.Join(avail, ", "))
		}
	}
	return perRule, nil
}

func readTuningsFile(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--tunings-file: %w", err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if i := strings.IndexByte(l, '#'); i >= 0 {
			l = l[:i]
		}
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out, nil
}

// printHuntSummary writes alert counts per rule and branch, and input stats.
func printHuntSummary(w io.Writer, progs []*rules.Program, counts []map[string]int, stats *run.Stats) {
	for i, p := range progs {
		n := 0
		branches := make([]string, 0, len(counts[i]))
		for b, c := range counts[i] {
			n += c
			branches = append(branches, b)
		}
		sort.Strings(branches)
		var parts []string
		for _, b := range branches {
			label := b
			if label == "" {
				label = "(no branch)"
			}
			parts = append(parts, fmt.Sprintf("%s %d", label, counts[i][b]))
		}
		tuned := ""
		if len(p.Tunings) > 0 {
			tuned = " [tunings: " + strings.Join(p.Tunings, ", ") + "]"
		}
		detail := ""
		if len(parts) > 0 {
			detail = " (" + strings.Join(parts, ", ") + ")"
		}
		fmt.Fprintf(w, "hunt: %s%s: %d alert(s)%s\n", p.Rule.ID, tuned, n, detail)
	}
	if stats != nil {
		fmt.Fprintf(w, "hunt: %d rule(s), %d line(s) read, %d decoded\n", len(progs), stats.Lines, stats.Decoded)
	}
}

// alertSink writes alerts: JSON lines of its own (rule metadata first), or
// the shared table/csv writers over the union of the rules' columns.
type alertSink struct {
	json  *bufio.Writer
	table output.Writer
	ev    event.Event
	buf   []byte
	err   error
}

func newAlertSink(format string, w io.Writer, progs []*rules.Program, topts output.TableOptions) (*alertSink, error) {
	if format == "json" {
		// as search's JSON: 4 KiB writes were 19,000 system calls for 130,000 alerts
		return &alertSink{json: bufio.NewWriterSize(w, 64<<10)}, nil
	}
	if format == "table" && topts.TerminalWidth > 0 && !topts.Wide {
		return &alertSink{table: newAlertCards(w, topts)}, nil
	}
	cols := []string{"rule", "severity", "DetectionBranch"}
	for _, p := range progs {
		if p.Rule.Sigma != nil && !slices.Contains(cols, "author") {
			cols = append(cols, "author") // DRL 1.1: Sigma alerts name the author
		}
	}
	for _, p := range progs {
		for _, c := range p.Columns {
			if !slices.Contains(cols, c) {
				cols = append(cols, c)
			}
		}
	}
	topts.DropEmpty = true
	tw, err := output.NewWithTable(format, w, cols, topts)
	if err != nil {
		return nil, err
	}
	return &alertSink{table: tw}, nil
}

func (s *alertSink) write(a rules.Alert) {
	if s.err != nil {
		return
	}
	if s.json != nil {
		s.buf = append(a.AppendJSON(s.buf[:0]), '\n')
		_, s.err = s.json.Write(s.buf)
		return
	}
	s.ev.Reset()
	s.ev.Set("rule", a.Rule.ID)
	s.ev.Set("severity", a.Rule.Severity)
	if a.Rule.Sigma != nil {
		s.ev.Set("author", a.Rule.Sigma.Author)
	}
	for _, f := range a.Fields {
		s.ev.Set(f.Name, f.Value)
	}
	s.err = s.table.Write(&s.ev)
}

func (s *alertSink) close() error {
	if s.err != nil {
		return s.err
	}
	if s.json != nil {
		return s.json.Flush()
	}
	return s.table.Close()
}

// pathsExist fails with the first of paths that cannot be found.
func pathsExist(flag string, paths []string) error {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return withCode(ExitError, fmt.Errorf("%s %s: %w", flag, p, errors.Unwrap(err)))
		}
	}
	return nil
}
