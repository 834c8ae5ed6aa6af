package cli

import (
	"fmt"
	"os"
	"os/signal"

	"github.com/spf13/cobra"

	"github.com/tiercel/tiercel/internal/validate"
)

func init() { register(newValidateCmd) }

func newValidateCmd(env *Env) *cobra.Command {
	var (
		cfg    validate.Config
		format string
	)
	cmd := &cobra.Command{
		Use:   "validate [flags]",
		Short: "Check T1590.005 against emulated attacks and false positives",
		Long: "Emulates the seed detection's five atomic tests on a Windows and a Linux host\n" +
			"over benign background from a whole estate, written as a raw FDR tree in a\n" +
			"temporary directory, hunts it through Falcon enrichment with the rule (shipped,\n" +
			"or from --rules DIR) untuned and with each tuning, and prints for every test\n" +
			"and expected signal whether it fired, on which branch, or why not; then the\n" +
			"false-positive alerts per source with each tuning off and on. Tunings read\n" +
			"--lookups DIR, by default the rule's example lookups for the emulated estate.\n" +
			"Deterministic for a given seed. Exit 0 when every expected signal fires, 1\n" +
			"when one is missed or on an error, 2 on a usage error.",
		Example: validateExamples,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return withCode(ExitUsage, fmt.Errorf("unknown --format %q (want table or json)", format))
			}
			if cfg.Events <= 0 {
				return withCode(ExitUsage, fmt.Errorf("--events must be positive, got %d", cfg.Events))
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			bar := newItemProgress(env, "validate: emulating", "events", cfg.Events)
			if bar != nil {
				bar.then = "validate: hunting"
				cfg.Progress = func(n int64) { bar.items.Store(n) }
			}
			rep, err := validate.Run(ctx, cfg)
			bar.done()
			if err != nil {
				return withCode(ExitError, err)
			}
			if format == "json" {
				if err := validate.WriteJSON(env.Stdout, rep); err != nil {
					return withCode(ExitError, err)
				}
			} else {
				validate.WriteText(env.Stdout, rep)
			}
			if n := rep.Missed(); n > 0 {
				return withCode(ExitError, fmt.Errorf("validate: %d expected signal(s) missed", n))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.Int64Var(&cfg.Seed, "seed", 1, "emulation seed")
	f.Int64Var(&cfg.Events, "events", 100000, "telemetry events to emulate")
	f.IntVar(&cfg.Hosts, "hosts", 40, "hosts in the emulated estate")
	f.StringArrayVar(&cfg.RuleDirs, "rules", nil, "also load rule packages from `DIR` (overrides shipped rules by id)")
	f.StringVar(&cfg.LookupDir, "lookups", "", "`DIR` of lookup files for the tunings (default: the rule's shipped example lookups)")
	f.StringVar(&format, "format", "table", "output format: table or json")
	f.IntVar(&cfg.Workers, "workers", 0, "worker goroutines (0: one per core)")
	return cmd
}
