package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tiercel/tiercel/internal/rules"
)

func init() { register(newLookupsCmd) }

func newLookupsCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lookups",
		Short: "Work with the lookup files that tunings read",
		Long: "Tunings (hunt --tuning NAME) read lookup files with match(file=...) from\n" +
			"--lookups DIR. `lookups init DIR` writes every rule package's example files,\n" +
			"headers included, as a starting point to edit.",
		Example: lookupsExamples,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withCode(ExitUsage, fmt.Errorf("give a subcommand: tiercel lookups init DIR"))
		},
	}
	var (
		ruleDirs []string
		force    bool
	)
	initCmd := &cobra.Command{
		Use:   "init [--rules DIR]... [--force] DIR",
		Short: "Write the rule packages' example lookup files into DIR",
		Long: "Creates DIR when needed and writes each rule package's lookups/*.csv into it,\n" +
			"listing each file with the tunings that read it and its columns. Existing files\n" +
			"are kept unless --force: edit them to name your own hosts and accounts.",
		Example: "  tiercel lookups init ./lookups\n" +
			"  tiercel hunt --tuning soc-analyst-hosts --lookups ./lookups fdr/",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, errs := rules.LoadSet(ruleDirs)
			if len(errs) > 0 {
				printLoadErrors(env.Stderr, errs)
				return withCode(ExitError, fmt.Errorf("%d rule load problem(s)", len(errs)))
			}
			return lookupsInit(env, set, args[0], force)
		},
	}
	initCmd.Flags().StringArrayVar(&ruleDirs, "rules", nil, "also load rule packages from `DIR`")
	initCmd.Flags().BoolVar(&force, "force", false, "overwrite files that exist")
	cmd.AddCommand(initCmd)
	return cmd
}

func lookupsInit(env *Env, set []*rules.Rule, dir string, force bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return withCode(ExitError, err)
	}
	written := 0
	for _, r := range set {
		from := path.Join(r.Dir, "lookups")
		entries, err := fs.ReadDir(r.FS, from)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return withCode(ExitError, fmt.Errorf("%s: %w", r.ID, err))
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			data, err := fs.ReadFile(r.FS, path.Join(from, e.Name()))
			if err != nil {
				return withCode(ExitError, err)
			}
			dst := filepath.Join(dir, e.Name())
			header, _, _ := strings.Cut(string(data), "\n")
			note := fmt.Sprintf("columns %s; read by %s", strings.TrimSpace(header), tuningsReading(r, e.Name()))
			if _, err := os.Stat(dst); err == nil && !force {
				fmt.Fprintf(env.Stdout, "kept    %s (exists; --force overwrites): %s\n", dst, note)
				continue
			}
			if err := os.WriteFile(dst, data, 0o644); err != nil {
				return withCode(ExitError, err)
			}
			written++
			fmt.Fprintf(env.Stdout, "wrote   %s: %s\n", dst, note)
		}
	}
	fmt.Fprintf(env.Stderr, "lookups: %d file(s) written to %s; use them with --lookups %s\n", written, dir, dir)
	return nil
}

// tuningsReading names the tunings of r whose match() calls read file.
func tuningsReading(r *rules.Rule, file string) string {
	var names []string
	for _, t := range r.Tunings {
		for _, l := range t.Lookups {
			if l == file {
				names = append(names, r.ID+":"+t.Name)
			}
		}
	}
	if len(names) == 0 {
		return "no tuning (example data)"
	}
	return strings.Join(names, ", ")
}
