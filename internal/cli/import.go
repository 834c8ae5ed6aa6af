package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tiercel/tiercel/internal/sigma"
)

func init() { register(newImportCmd) }

func newImportCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "import",
		Short:   "Convert detections from other formats into CQL rules",
		Example: importSigmaExamples,
	}
	cmd.AddCommand(newImportSigmaCmd(env))
	return cmd
}

func newImportSigmaCmd(env *Env) *cobra.Command {
	var (
		sf          sigmaFlags
		out         string
		skipInvalid bool
	)
	cmd := &cobra.Command{
		Use:   "sigma [flags] FILE|DIR...",
		Short: "Convert Sigma rules to CQL over Falcon telemetry",
		Long: "Converts Sigma rules (specification v2: conditions, modifiers, correlation\n" +
			"rules) into CQL over CrowdStrike Falcon telemetry, with the field table of\n" +
			"docs/sigma.md. Without --out, prints each query after a comment naming the\n" +
			"rule and its author. With --out DIR, writes one rule package per rule\n" +
			"(rule.yaml, query.cql, the original sigma.yml and tests/sigma-derived.txtar:\n" +
			"matching events and near misses derived from the detection logic, run by\n" +
			"`tiercel test DIR`). A rule that cannot be converted (a field Falcon lacks, an\n" +
			"unsupported logsource) is reported as file:line:col with the rule's title.\n" +
			"Exit 0 when every rule converted (or with --skip-invalid), 1 otherwise, 2 on\n" +
			"a usage error.",
		Example: importSigmaExamples,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, problems, err := sf.convertSigma(env.Stderr, args)
			if err != nil {
				return withCode(ExitUsage, err)
			}
			for i, cv := range set {
				if out != "" {
					if err := writeSigmaPackage(out, cv); err != nil {
						return withCode(ExitError, err)
					}
					continue
				}
				if i > 0 {
					fmt.Fprintln(env.Stdout)
				}
				note := ""
				for _, w := range cv.Warnings {
					note += "// Note: " + w.Msg + "\n"
				}
				fmt.Fprint(env.Stdout, sigma.Header(cv.Rule)+note+cv.CQL+"\n")
			}
			dest := ""
			if out != "" {
				dest = " into " + out
			}
			fmt.Fprintf(env.Stderr, "import: %d rule(s) converted%s, %d not converted\n", len(set), dest, problems)
			if problems > 0 && !skipInvalid {
				return withCode(ExitError, nil)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write rule packages into `DIR` instead of printing CQL")
	cmd.Flags().BoolVar(&skipInvalid, "skip-invalid", false, "exit 0 even when some rules do not convert")
	sf.register(cmd.Flags())
	return cmd
}

const importSigmaExamples = `  # print each rule's CQL, its author and licence in a comment above it
  tiercel import sigma sigma/

  # write rule packages with tests derived from the rules, then run the tests
  tiercel import sigma --out converted sigma/
  tiercel test converted`

// writeSigmaPackage writes one converted rule as a rule package, with a
// test of events derived from its detection logic (correlations get none).
func writeSigmaPackage(dir string, cv *sigma.Converted) error {
	var test []byte
	if cv.Query != nil {
		pos, neg := cv.Query.Examples(4)
		if len(pos) > 0 {
			test = sigma.TestArchive(cv.Rule.Title, pos, neg)
		}
	}
	return sigma.WritePackage(dir, cv.ID, cv.Rule, cv.Source.Data, cv.CQL, cv.EventTypes, test, cv.Warnings)
}
