package cli

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tiercel/tiercel/internal/rules"
)

func init() { register(newRulesCmd) }

// ruleListing is one rule in `tiercel rules --format json`.
type ruleListing struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Technique string          `json:"technique"`
	Severity  string          `json:"severity"`
	Origin    string          `json:"origin"`
	Tunings   []tuningListing `json:"tunings"`
	Tests     []string        `json:"tests"`
}

type tuningListing struct {
	Name    string   `json:"name"`
	Status  string   `json:"status"`
	Lookups []string `json:"lookups,omitempty"`
}

func newRulesCmd(env *Env) *cobra.Command {
	var (
		ruleDirs []string
		format   string
	)
	cmd := &cobra.Command{
		Use:   "rules [--rules DIR]... [--format table|json] [RULE...]",
		Short: "List the detection rules with their tunings and tests",
		Long: "Lists the shipped rules (plus those under --rules DIR) with ATT&CK technique,\n" +
			"severity, name, the tunings hunt --tuning switches on (and the lookup files\n" +
			"they read) and the rule tests. RULE narrows the list as in show.",
		Example: rulesExamples,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" {
				return withCode(ExitUsage, fmt.Errorf("unknown --format %q (want table or json)", format))
			}
			set, errs := rules.LoadSet(ruleDirs)
			if len(errs) > 0 {
				printLoadErrors(env.Stderr, errs)
				return withCode(ExitError, fmt.Errorf("%d rule load problem(s)", len(errs)))
			}
			if len(args) > 0 {
				var sel []*rules.Rule
				for _, a := range args {
					s := rules.Select(set, a)
					if len(s) == 0 {
						return withCode(ExitUsage, fmt.Errorf("no rule %q; known rules: %s", a, ruleIDs(set)))
					}
					sel = append(sel, s...)
				}
				set = sel
			}
			list := make([]ruleListing, 0, len(set))
			for _, r := range set {
				list = append(list, listRule(r))
			}
			if format == "json" {
				enc := json.NewEncoder(env.Stdout)
				for _, l := range list {
					if err := enc.Encode(l); err != nil {
						return withCode(ExitError, err)
					}
				}
				return nil
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "RULE\tTECHNIQUE\tSEVERITY\tNAME")
			for _, l := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.ID, l.Technique, l.Severity, l.Name)
			}
			tw.Flush()
			for _, l := range list {
				fmt.Fprintf(env.Stdout, "\n%s\n  tunings (--tuning NAME, lookups from --lookups DIR):\n", l.ID)
				for _, t := range l.Tunings {
					files := ""
					if len(t.Lookups) > 0 {
						files = " reads " + strings.Join(t.Lookups, ", ")
					}
					fmt.Fprintf(env.Stdout, "    %-20s %s%s\n", t.Name, t.Status, files)
				}
				fmt.Fprintf(env.Stdout, "  tests: %d (tiercel test runs them)\n", len(l.Tests))
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&ruleDirs, "rules", nil, "also load rule packages from `DIR`")
	cmd.Flags().StringVar(&format, "format", "table", "table, or json (one object per rule)")
	return cmd
}

func listRule(r *rules.Rule) ruleListing {
	tech := r.Attack.Technique.ID
	if r.Attack.Subtechnique.ID != "" {
		tech = r.Attack.Subtechnique.ID
	}
	l := ruleListing{ID: r.ID, Name: r.DisplayName(), Technique: tech, Severity: r.Severity, Origin: r.Origin, Tunings: []tuningListing{}, Tests: []string{}}
	for _, t := range r.Tunings {
		l.Tunings = append(l.Tunings, tuningListing{Name: t.Name, Status: t.Status, Lookups: t.Lookups})
	}
	if entries, err := fs.ReadDir(r.FS, path.Join(r.Dir, "tests")); err == nil {
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".txtar") {
				l.Tests = append(l.Tests, strings.TrimSuffix(e.Name(), ".txtar"))
			}
		}
	}
	return l
}
