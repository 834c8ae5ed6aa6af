package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tiercel/tiercel/internal/rules"
)

func init() { register(newShowCmd) }

func newShowCmd(env *Env) *cobra.Command {
	var (
		ruleDirs []string
		format   string
	)
	cmd := &cobra.Command{
		Use:   "show [--rules DIR]... [--format text|markdown] RULE...",
		Short: "Print a detection package: query, ATT&CK placement, tunings, tests",
		Long: "Prints a rule package (query, ATT&CK placement, false positives and their\n" +
			"tunings, testing methodology). RULE is a rule id, a rule directory name, or an\n" +
			"ATT&CK technique or sub-technique id such as T1590.005. The text format is\n" +
			"wrapped to the terminal; --format markdown prints the Markdown document.",
		Example: showExamples,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "markdown" {
				return withCode(ExitUsage, fmt.Errorf("unknown --format %q (want text or markdown)", format))
			}
			set, errs := rules.LoadSet(ruleDirs)
			if len(errs) > 0 {
				printLoadErrors(env.Stderr, errs)
				return withCode(ExitError, fmt.Errorf("%d rule load problem(s)", len(errs)))
			}
			for i, name := range args {
				sel := rules.Select(set, name)
				if len(sel) == 0 {
					return withCode(ExitUsage, fmt.Errorf("no rule %q; known rules: %s", name, ruleIDs(set)))
				}
				for j, r := range sel {
					if format == "markdown" {
						if i > 0 || j > 0 {
							fmt.Fprint(env.Stdout, "\n---\n\n")
						}
						fmt.Fprint(env.Stdout, r.Markdown())
						if x := r.ExportsMarkdown(); x != "" {
							fmt.Fprint(env.Stdout, "\n"+x)
						}
						continue
					}
					if i > 0 || j > 0 {
						fmt.Fprint(env.Stdout, "\n")
					}
					md := r.Markdown()
					if x := r.ExportsMarkdown(); x != "" {
						md += "\n" + x
					}
					fmt.Fprint(env.Stdout, renderMarkdown(md, terminalWidth(env.Stdout), useColour(env.Stdout)))
				}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&ruleDirs, "rules", nil, "also load rule packages from `DIR` (overrides shipped rules by id)")
	cmd.Flags().StringVar(&format, "format", "text", "text (wrapped for the terminal) or markdown")
	return cmd
}

// printLoadErrors lists rule load problems, one per line with file:line:col,
// followed by the rendered query context when there is one.
func printLoadErrors(w io.Writer, errs rules.Errors) {
	for _, e := range errs {
		fmt.Fprintf(w, "%s\n", e.Error())
		if e.Detail != "" {
			for _, l := range strings.Split(e.Detail, "\n")[1:] {
				fmt.Fprintf(w, "  %s\n", l)
			}
		}
	}
}

func ruleIDs(set []*rules.Rule) string {
	ids := make([]string, len(set))
	for i, r := range set {
		ids[i] = r.ID
	}
	return strings.Join(ids, ", ")
}
