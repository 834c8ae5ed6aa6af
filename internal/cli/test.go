package cli

import (
	"embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tiercel/tiercel/internal/rules"
)

func init() { register(newTestCmd) }

func newTestCmd(env *Env) *cobra.Command {
	var (
		update  bool
		verbose bool
	)
	cmd := &cobra.Command{
		Use:   "test [-update] [-v] [PATH...]",
		Short: "Run rule tests (tests/*.txtar of each rule package)",
		Long: "Runs the tests of rule packages: with no PATH the shipped rules; a PATH is a\n" +
			"rules directory, one rule directory, or one test .txtar file. Failures print a\n" +
			"diff; -update rewrites the expected alerts of failing tests. The last line is\n" +
			"`N passed, M failed`; the exit code is 1 when any test failed.",
		Example: testExamples,
		// Flags are parsed by hand so that Go-test style `-update` and `-v` work.
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmd.Flags().Parse(goStyleFlags(args, "update", "v", "verbose", "help")); err != nil {
				return withCode(ExitUsage, err)
			}
			if help, _ := cmd.Flags().GetBool("help"); help {
				return cmd.Help()
			}
			t := &testRun{w: env.Stdout, update: update, verbose: verbose}
			t.run(cmd.Flags().Args())
			fmt.Fprintf(env.Stdout, "%d passed, %d failed\n", t.passed, t.failed)
			if t.failed > 0 {
				return withCode(ExitError, nil)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&update, "update", false, "rewrite the want section of failing tests with the actual alerts")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "also list passing tests")
	cmd.Flags().BoolP("help", "h", false, "help for test")
	return cmd
}

// goStyleFlags turns `-name` into `--name` for the given long flags, so
// `tiercel test -update` reads like `go test -update`.
func goStyleFlags(args []string, long ...string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		for _, l := range long {
			if len(l) > 1 && (a == "-"+l || strings.HasPrefix(a, "-"+l+"=")) {
				out[i] = "-" + a
			}
		}
		if a == "--" {
			copy(out[i:], args[i:])
			break
		}
	}
	return out
}

type testRun struct {
	w              io.Writer
	update         bool
	verbose        bool
	passed, failed int
}

func (t *testRun) run(paths []string) {
	if len(paths) == 0 {
		set, err := rules.Shipped()
		t.rules(set, err, "")
		return
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		switch {
		case err != nil:
			t.fail(p, err.Error())
		case st.IsDir():
			set, err := rules.LoadPath(p)
			t.rules(set, err, "")
		default:
			// a test file: its rule is the directory above tests/
			ruleDir := filepath.Dir(filepath.Dir(p))
			set, err := rules.LoadPath(ruleDir)
			t.rules(set, err, p)
		}
	}
}

// rules runs the tests of set (only the file only, when given).
func (t *testRun) rules(set []*rules.Rule, loadErr error, only string) {
	if loadErr != nil {
		if errs, ok := loadErr.(rules.Errors); ok {
			printLoadErrors(t.w, errs)
		} else {
			fmt.Fprintln(t.w, loadErr)
		}
		t.failed++ // a rule that does not load is a failed test of that rule
	}
	for _, r := range set {
		var cases []*rules.TestCase
		var err error
		if only != "" {
			var tc *rules.TestCase
			tc, err = r.ReadTestCase(filepath.ToSlash(filepath.Join(r.Dir, "tests", filepath.Base(only))))
			cases = []*rules.TestCase{tc}
		} else {
			cases, err = r.TestCases()
		}
		if err != nil {
			fmt.Fprintln(t.w, err)
			t.failed++
			if only != "" {
				continue
			}
		}
		for _, tc := range cases {
			t.one(r, tc)
		}
	}
}

func (t *testRun) one(r *rules.Rule, tc *rules.TestCase) {
	res := rules.RunTest(r, tc)
	if res.Passed {
		t.passed++
		if t.verbose {
			fmt.Fprintf(t.w, "--- PASS: %s\n", tc.Name)
		}
		return
	}
	if t.update {
		if _, embedded := r.FS.(embed.FS); embedded {
			t.fail(tc.Name, "cannot -update the shipped (embedded) rules: pass the rules directory, e.g. tiercel test -update rules")
			return
		}
		if err := os.WriteFile(filepath.FromSlash(tc.Name), tc.Updated(res.Got), 0o644); err != nil {
			t.fail(tc.Name, "update: "+err.Error())
			return
		}
		fmt.Fprintf(t.w, "--- UPDATED: %s\n", tc.Name)
		t.passed++
		return
	}
	t.fail(tc.Name, res.Diff)
}

func (t *testRun) fail(name, msg string) {
	t.failed++
	fmt.Fprintf(t.w, "--- FAIL: %s\n", name)
	for _, l := range strings.Split(strings.TrimRight(msg, "\n"), "\n") {
		fmt.Fprintf(t.w, "    %s\n", l)
	}
}
