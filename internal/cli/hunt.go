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
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/output"
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
	skipInvalid bool
	workers     int
	paths       []string
	enrich      enrichFlags
	saved       savedFlag
	window      timeFlags
}

func newHuntCmd(env *Env) *cobra.Command {
	var a huntArgs
	cmd := &cobra.Command{
		Use:   "hunt [--rules DIR]... [--lookups DIR] [--saved DIR] [--tuning NAME]... [--format table|json|csv] [--fail-on-alert] [--skip-invalid] PATH...",
		Short: "Run the detection rules over telemetry and print alerts",
		Long: "Runs every shipped rule (plus those under --rules DIR, which override shipped\n" +
			"rules of the same id) over the input in one pass, with Falcon enrichment, and\n" +
			"prints one alert per result row. Row limits of table()/sort() do not cap\n" +
			"alerts. --tuning NAME (or RULE:NAME) switches a documented tuning on; its\n" +
			"lookup files are read from --lookups DIR. A per-rule, per-branch summary goes\n" +
			"to stderr. Exit 0 with or without alerts; 3 with --fail-on-alert when there\n" +
			"are alerts; 1 when a rule does not load (unless --skip-invalid) or on an\n" +
			"input error; 2 on a usage error.",
		RunE: func(cmd *cobra.Command, args []string) error {
			a.paths = args
			if !slices.Contains(output.Formats, a.format) {
				return withCode(ExitUsage, fmt.Errorf("unknown --format %q (want %s)", a.format, strings.Join(output.Formats, ", ")))
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
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
	f.BoolVar(&a.skipInvalid, "skip-invalid", false, "run the rules that load, listing those that do not")
	f.IntVar(&a.workers, "workers", 0, "worker goroutines (0: one per core)")
	a.enrich.register(f)
	a.saved.register(f)
	a.window.register(f)
	return cmd
}

func runHunt(ctx context.Context, env *Env, a huntArgs) error {
	window, err := a.window.resolve()
	if err != nil {
		return err
	}
	set, loadErrs := rules.LoadSet(a.ruleDirs)
	if len(loadErrs) > 0 {
		printLoadErrors(env.Stderr, loadErrs)
		if !a.skipInvalid {
			return withCode(ExitError, fmt.Errorf("%d rule problem(s); fix them or pass --skip-invalid", len(loadErrs)))
		}
		fmt.Fprintf(env.Stderr, "tiercel: hunt: skipping rules that failed to load (%d problem(s))\n", len(loadErrs))
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
	var progs []*rules.Program
	var engines []*engine.Program
	for i, r := range set {
		p, err := rules.Compile(r, perRule[i], engine.Options{LookupDir: a.lookups, Now: time.Now(), SavedSearches: lib})
		if err != nil {
			return withCode(ExitError, err)
		}
		progs = append(progs, p)
		engines = append(engines, p.Engine)
	}

	enricher, err := a.enrich.prepare(ctx, env, a.paths, a.workers, engines...)
	if err != nil {
		return withCode(ExitError, err)
	}
	in, err := openInputRange(env, a.paths, window)
	if err != nil {
		return withCode(ExitError, err)
	}
	defer in.Close()
	src := a.enrich.source(in.source(), enricher)
	var progress *progressSource
	if isTerminal(env.Stderr) {
		progress = newProgressSource(src, env.Stderr)
		src = progress
	}

	sink, err := newAlertSink(a.format, env.Stdout, progs)
	if err != nil {
		return withCode(ExitUsage, err)
	}
	counts := make([]map[string]int, len(progs))
	for i := range counts {
		counts[i] = map[string]int{}
	}
	total := 0
	problems := ingest.NewProblems(env.Stderr, 0)
	stats, err := run.Search(ctx, engines, src, withEnricher(run.Options{
		Workers:  a.workers,
		Problems: problems,
		Reopen:   in.reopen(),
		Emit: func(i int, row *event.Event) {
			alert := progs[i].NewAlert(row)
			counts[i][alert.Branch()]++
			total++
			sink.write(alert)
		},
	}, enricher))
	if progress != nil {
		progress.done()
	}
	if cerr := sink.close(); err == nil && cerr != nil {
		err = fmt.Errorf("writing alerts: %w", cerr)
	}
	if err != nil {
		return withCode(ExitError, err)
	}
	if !a.enrich.quiet {
		printHuntSummary(env.Stderr, progs, counts, stats)
	}
	a.enrich.report(env, enricher)
	if s := problems.Summary(); s != "" {
		fmt.Fprintf(env.Stderr, "tiercel: warning: %s\n", s)
	}
	if in.fileErrors > 0 {
		return withCode(ExitError, nil)
	}
	if a.failOnAlert && total > 0 {
		return withCode(ExitAlert, nil)
	}
	return nil
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

func newAlertSink(format string, w io.Writer, progs []*rules.Program) (*alertSink, error) {
	if format == "json" {
		return &alertSink{json: bufio.NewWriter(w)}, nil
	}
	cols := []string{"rule", "severity", "DetectionBranch"}
	for _, p := range progs {
		for _, c := range p.Columns {
			if !slices.Contains(cols, c) {
				cols = append(cols, c)
			}
		}
	}
	tw, err := output.New(format, w, cols)
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

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressSource reports bytes read to a terminal twice a second.
type progressSource struct {
	src   run.Source
	w     io.Writer
	bytes atomic.Int64
	stop  chan struct{}
}

func newProgressSource(src run.Source, w io.Writer) *progressSource {
	p := &progressSource{src: src, w: w, stop: make(chan struct{})}
	go func() {
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				fmt.Fprintf(p.w, "\rhunt: %.1f MB read", float64(p.bytes.Load())/1e6)
			}
		}
	}()
	return p
}

func (p *progressSource) Next() (event.Chunk, error) {
	c, err := p.src.Next()
	p.bytes.Add(int64(len(c.Data)))
	return c, err
}

func (p *progressSource) done() {
	close(p.stop)
	fmt.Fprint(p.w, "\r\033[K")
}
