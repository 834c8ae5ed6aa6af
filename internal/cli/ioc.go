package cli

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tiercel/tiercel/internal/ioc"
)

func init() { register(newIOCCmd) }

// newIOCCmd is `tiercel ioc import`: it reads indicator feeds once and
// writes the indexed store that `search --ioc` and `hunt --ioc` load
// without parsing the feeds again.
func newIOCCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "ioc",
		Short:   "Manage the local indicator store read by ioc:lookup()",
		Example: iocExamples,
	}
	var out string
	imp := &cobra.Command{
		Use:     "import -o STORE PATH...",
		Short:   "Build an indexed indicator store from CSV, STIX 2.1 or MISP feeds",
		Example: iocExamples,
		Long: "Reads each PATH (a CSV file with an indicator column, a STIX 2.1 bundle, a MISP\n" +
			"JSON export, an existing store, or a directory of them) and writes one indexed\n" +
			"store to -o. Pass it to search or hunt with --ioc STORE. A summary of the\n" +
			"indicators by type goes to stderr. See docs/outside-data.md.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return withCode(ExitUsage, errors.New("ioc import: give the store file with -o STORE"))
			}
			store := ioc.NewStore()
			skipped := 0
			for _, p := range args {
				s, n, err := ioc.Load(p)
				if err != nil {
					return withCode(ExitError, err)
				}
				skipped += n
				for _, ind := range s.Inds {
					store.Add(ind)
				}
			}
			f, err := os.Create(out)
			if err != nil {
				return withCode(ExitError, err)
			}
			w := bufio.NewWriter(f)
			err = store.Save(w)
			if ferr := w.Flush(); err == nil {
				err = ferr
			}
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return withCode(ExitError, fmt.Errorf("writing %s: %w", out, err))
			}
			byType := map[string]int{}
			belowHigh := 0
			for _, ind := range store.Inds {
				byType[ind.Type]++
				if ind.Confidence != "high" {
					belowHigh++
				}
			}
			types := make([]string, 0, len(byType))
			for t := range byType {
				types = append(types, t)
			}
			sort.Strings(types)
			parts := make([]string, len(types))
			for i, t := range types {
				parts[i] = fmt.Sprintf("%s %d", t, byType[t])
			}
			fmt.Fprintf(env.Stderr, "tiercel: ioc import: %d indicators (%s) written to %s", store.Len(), strings.Join(parts, ", "), out)
			if skipped > 0 {
				fmt.Fprintf(env.Stderr, "; %d records skipped (not IP, domain, URL or hash indicators)", skipped)
			}
			fmt.Fprintln(env.Stderr)
			if belowHigh > 0 {
				// LogScale's default threshold would hide them without a word.
				fmt.Fprintf(env.Stderr, "tiercel: warning: %d of %d indicators have a confidence below high; ioc:lookup() matches only high by default, so pass confidenceThreshold=unverified (or low, medium) to use them\n", belowHigh, store.Len())
			}
			return nil
		},
	}
	imp.Flags().StringVarP(&out, "output", "o", "", "write the store to `STORE`")
	cmd.AddCommand(imp)
	return cmd
}
