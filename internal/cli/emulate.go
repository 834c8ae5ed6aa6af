package cli

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tiercel/tiercel/internal/emulate"
)

func init() { register(newEmulateCmd) }

func newEmulateCmd(env *Env) *cobra.Command {
	var (
		opts                          emulate.Options
		start, view, tests, platforms string
		fdrDir, manifest              string
		aidmaster, userinfo           string
	)
	cmd := &cobra.Command{
		Use:   "emulate [flags]",
		Short: "Generate Falcon telemetry: T1590.005 attacks amid benign activity",
		Long: "Generates the Falcon sensor telemetry of the seed detection's five Atomic Red\n" +
			"Team tests on a Windows and a Linux host, interleaved with benign background and\n" +
			"the seed's false-positive sources (SOC lookups, scanners, SOAR enrichment,\n" +
			"browser prefetch) from a whole estate. Output is NDJSON on stdout, or an FDR\n" +
			"tree with --fdr. The manifest says which events the detection should and should\n" +
			"not raise. Same --seed and flags give identical bytes.",
		Example: emulateExamples,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if start != "" {
				t, err := time.Parse(time.RFC3339, start)
				if err != nil {
					return withCode(ExitUsage, fmt.Errorf("--start: want RFC3339 such as 2026-03-02T09:00:00Z: %v", err))
				}
				opts.Start = t
			}
			opts.View = emulate.View(view)
			var err error
			if opts.Tests, err = parseTests(tests); err != nil {
				return withCode(ExitUsage, err)
			}
			if opts.Platforms, err = parsePlatforms(platforms); err != nil {
				return withCode(ExitUsage, err)
			}
			if opts.Events <= 0 {
				return withCode(ExitUsage, fmt.Errorf("--events must be positive, got %d", opts.Events))
			}
			if opts.ShuffleWindow < 1 {
				return withCode(ExitUsage, fmt.Errorf("--shuffle-window must be at least 1, got %d", opts.ShuffleWindow))
			}
			var bar *progressBar
			if fdrDir != "" { // NDJSON on a terminal would be drawn over
				bar = newItemProgress(env, "emulate", "events", opts.Events)
			}
			defer bar.done()
			if bar != nil {
				opts.Progress = func(n int64) { bar.items.Store(n) }
			}
			g, err := emulate.New(opts)
			if err != nil {
				return withCode(ExitUsage, err)
			}
			began := time.Now()
			var m *emulate.Manifest
			if fdrDir != "" {
				m, err = emulate.WriteFDR(fdrDir, g)
			} else {
				bw := bufio.NewWriterSize(env.Stdout, 1<<20)
				m, err = g.Run(bw)
				if ferr := bw.Flush(); err == nil {
					err = ferr
				}
			}
			if err != nil {
				return withCode(ExitError, err)
			}
			o := g.Options()
			snap := o.Start.Add(o.Duration)
			if err := writeFile(manifest, func(w *bufio.Writer) error { return m.WriteJSON(w) }); err != nil {
				return withCode(ExitError, err)
			}
			if err := writeFile(aidmaster, func(w *bufio.Writer) error { return g.Estate().WriteAidmaster(w, snap) }); err != nil {
				return withCode(ExitError, err)
			}
			if err := writeFile(userinfo, func(w *bufio.Writer) error { return g.Estate().WriteUserinfo(w, snap) }); err != nil {
				return withCode(ExitError, err)
			}
			bar.done()
			secs := time.Since(began).Seconds()
			fmt.Fprintf(env.Stderr, "emulate: %d events from %d hosts, %d attack runs, %.2fs (%.0f events/s)\n",
				m.Events, len(g.Estate().Hosts), len(m.Attacks), secs, float64(m.Events)/max(secs, 1e-9))
			return nil
		},
	}
	f := cmd.Flags()
	f.Int64Var(&opts.Seed, "seed", 1, "random seed; the same seed and flags give identical output")
	f.Int64Var(&opts.Events, "events", 100000, "number of telemetry events to write")
	f.IntVar(&opts.Hosts, "hosts", 40, fmt.Sprintf("number of hosts in the estate (at least %d)", emulate.MinHosts))
	f.DurationVar(&opts.Duration, "duration", time.Hour, "time span the events cover")
	f.StringVar(&start, "start", "", "start of the time span, RFC3339 (default "+emulate.DefaultStart.Format(time.RFC3339)+")")
	f.StringVar(&view, "view", "raw", "raw (as FDR delivers) or logscale (ComputerName, UserName, ContextProcessName filled in)")
	f.StringVar(&fdrDir, "fdr", "", "write an FDR tree (data/, fdrv2/aidmaster, fdrv2/userinfo, manifest.json) under `DIR` instead of stdout")
	f.StringVar(&manifest, "manifest", "", "write the ground-truth manifest to `FILE`")
	f.StringVar(&aidmaster, "aidmaster", "", "write aidmaster records (NDJSON) to `FILE`")
	f.StringVar(&userinfo, "userinfo", "", "write userinfo records (NDJSON) to `FILE`")
	f.StringVar(&tests, "tests", "1,2,3,4,5", "atomic tests to run, comma separated")
	f.StringVar(&platforms, "platforms", "win,lin", "platforms to run the tests on: win, lin")
	f.IntVar(&opts.ShuffleWindow, "shuffle-window", 4096, "reorder lines within a window of this many, as FDR delivery is unordered (1 = in order)")
	return cmd
}

func parseTests(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		n, err := strconv.Atoi(part)
		if err != nil || emulate.TestName(n) == "" {
			return nil, fmt.Errorf("--tests: %q is not a test number 1..5", part)
		}
		out = append(out, n)
	}
	return out, nil
}

func parsePlatforms(s string) ([]emulate.Platform, error) {
	var out []emulate.Platform
	for _, part := range strings.Split(s, ",") {
		switch strings.ToLower(strings.TrimSpace(part)) {
		case "win", "windows":
			out = append(out, emulate.Windows)
		case "lin", "linux":
			out = append(out, emulate.Linux)
		default:
			return nil, fmt.Errorf("--platforms: %q is not win or lin", part)
		}
	}
	return out, nil
}

// writeFile writes to path with write, or does nothing when path is empty.
func writeFile(path string, write func(*bufio.Writer) error) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}
