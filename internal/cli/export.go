package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tiercel/tiercel/internal/export"
	"github.com/tiercel/tiercel/internal/rules"
)

func init() { register(newExportCmd) }

func newExportCmd(env *Env) *cobra.Command {
	var ruleDirs []string
	var to, out string
	cmd := &cobra.Command{
		Use:   "export --to sigma|spl|kql|esql [--rules DIR]... RULE|FILE.cql",
		Short: "Translate a detection to Sigma, Splunk SPL, KQL or ES|QL",
		Long: "Translates a rule package's query (or a .cql file) to another detection\n" +
			"language:\n" +
			"  sigma  Sigma rules (spec v2), one per Falcon event type and detection branch\n" +
			"  spl    Splunk over Falcon data as the CrowdStrike FDR add-on indexes it\n" +
			"  kql    Microsoft Defender XDR / Sentinel advanced hunting tables\n" +
			"  esql   Elastic ES|QL over the CrowdStrike integration's FDR data (ECS)\n" +
			"What a target cannot express is an error naming the construct; what it expresses\n" +
			"with a difference, or leaves out (result order, lookup tunings), is a warning on\n" +
			"stderr and in the output's header. Mappings: docs/export.md.",
		Example: exportExamples,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !validTarget(to) {
				return withCode(ExitUsage, fmt.Errorf("--to must be one of %s", strings.Join(export.Targets, ", ")))
			}
			res, err := exportArg(args[0], ruleDirs, to, env)
			if err != nil {
				return err
			}
			for _, w := range res.Warnings {
				fmt.Fprintf(env.Stderr, "tiercel: warning: %s\n", w)
			}
			if out != "" {
				if err := os.WriteFile(out, []byte(res.Text), 0o644); err != nil {
					return withCode(ExitError, err)
				}
				return nil
			}
			fmt.Fprint(env.Stdout, res.Text)
			return nil
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "target language: "+strings.Join(export.Targets, ", "))
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to `FILE` instead of stdout")
	cmd.Flags().StringArrayVar(&ruleDirs, "rules", nil, "also load rule packages from `DIR` (overrides shipped rules by id)")
	return cmd
}

const exportExamples = `  tiercel export --to sigma T1590.005

  # the seed rule as Splunk SPL, into a file
  tiercel export --to spl -o t1590.spl T1590.005

  # your own query for Microsoft Defender XDR
  tiercel export --to kql my-detection.cql`

func validTarget(t string) bool {
	for _, x := range export.Targets {
		if x == t {
			return true
		}
	}
	return false
}

func exportArg(arg string, ruleDirs []string, to string, env *Env) (export.Output, error) {
	if strings.HasSuffix(arg, ".cql") {
		data, err := os.ReadFile(arg)
		if err != nil {
			return export.Output{}, withCode(ExitError, err)
		}
		id := strings.TrimSuffix(filepath.Base(arg), ".cql")
		res, err := export.Query(arg, string(data), export.Meta{RuleID: id, Title: id}, to)
		if err != nil {
			return export.Output{}, withCode(ExitError, err)
		}
		return res, nil
	}
	set, errs := rules.LoadSet(ruleDirs)
	if len(errs) > 0 {
		printLoadErrors(env.Stderr, errs)
		return export.Output{}, withCode(ExitError, fmt.Errorf("%d rule load problem(s)", len(errs)))
	}
	sel := rules.Select(set, arg)
	switch len(sel) {
	case 0:
		return export.Output{}, withCode(ExitUsage, fmt.Errorf("no rule %q; known rules: %s (or give a .cql file)", arg, ruleIDs(set)))
	case 1:
	default:
		ids := make([]string, len(sel))
		for i, r := range sel {
			ids[i] = r.ID
		}
		return export.Output{}, withCode(ExitUsage, fmt.Errorf("%q names %d rules (%s); export one at a time", arg, len(sel), strings.Join(ids, ", ")))
	}
	res, err := export.Rule(sel[0], to)
	if err != nil {
		return export.Output{}, withCode(ExitError, err)
	}
	return res, nil
}
