package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tiercel/tiercel/internal/cql"
)

func init() { register(newFmtCmd) }

func newFmtCmd(env *Env) *cobra.Command {
	var (
		canonical bool
		strict    bool
		file      string
	)
	cmd := &cobra.Command{
		Use:   "fmt [--canonical] [--strict] [--file F | QUERY | -]",
		Short: "Print a query in canonical CQL layout",
		Long: "Parses a CQL query and prints it in canonical layout on stdout: one step\n" +
			"per line, each after the first led by \"| \"; conditions, argument lists\n" +
			"and clauses longer than 100 columns wrap at and/or and commas (literals\n" +
			"are never broken). Comments are kept: those on\n" +
			"their own lines before a step lead it, a comment after a step stays on its\n" +
			"line, and comments inside an expression move to lead their step.\n" +
			"Diagnostics go to stderr. --canonical also rewrites tiercel's dialect\n" +
			"extensions (case `=>`, infix `in [...]`, drop() without fields) into\n" +
			"LogScale syntax; --strict makes those extensions errors.\n" +
			"Exit 0 on success, 1 on parse errors, 2 on usage errors.",
		Example: fmtExamples,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, src, err := readQueryArg(env.Stdin, file, args)
			if err != nil {
				return err
			}
			q, ds := cql.Parse(src)
			if strict {
				ds = cql.Strict(ds)
			}
			for _, d := range ds {
				fmt.Fprint(env.Stderr, d.Render(name, src))
			}
			if ds.HasErrors() {
				return withCode(ExitError, nil)
			}
			if canonical {
				q = cql.Canonicalize(q)
			}
			fmt.Fprintln(env.Stdout, q.String())
			return nil
		},
	}
	cmd.Flags().BoolVar(&canonical, "canonical", false, "rewrite dialect extensions into LogScale syntax")
	cmd.Flags().BoolVar(&strict, "strict", false, "treat tiercel dialect extensions as errors")
	cmd.Flags().StringVar(&file, "file", "", "read the query from `F`")
	return cmd
}
