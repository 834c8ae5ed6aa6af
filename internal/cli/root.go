// Package cli wires the tiercel subcommands. One file per subcommand; each
// registers itself with register() from an init function.
package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Exit codes (design §3).
const (
	ExitOK    = 0
	ExitError = 1 // query or input error
	ExitUsage = 2 // bad flags or arguments
	ExitAlert = 3 // hunt --fail-on-alert found alerts
)

// Env is what a subcommand may touch: its streams.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// exitError carries an exit code out of a RunE.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

// withCode wraps err so Main exits with code. A nil err with a code exits
// silently with that code (the command already printed what it had to say).
func withCode(code int, err error) error { return &exitError{code: code, err: err} }

var subcommands []func(*Env) *cobra.Command

func register(f func(*Env) *cobra.Command) { subcommands = append(subcommands, f) }

// Main runs tiercel with args and returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr}
	root := newRoot(env)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "tiercel: %v\n", ee.err)
		}
		return ee.code
	}
	// Cobra's own errors (unknown command, bad args) are usage errors.
	fmt.Fprintf(stderr, "tiercel: %v\n", err)
	return ExitUsage
}

// newRoot builds the command tree over env's streams.
func newRoot(env *Env) *cobra.Command {
	root := &cobra.Command{
		Use:   "tiercel",
		Short: "Run CrowdStrike Falcon LogScale (CQL) detections anywhere",
		Long: "tiercel runs CrowdStrike Falcon LogScale (CQL) queries and detection packages\n" +
			"over your own Falcon telemetry (FDR dumps, NDJSON exports, streams), enriching\n" +
			"raw events as the Falcon platform does, and emulates the attacks they target.\n" +
			"Exit codes: 0 success, 1 query or input error, 2 usage error, 3 hunt\n" +
			"--fail-on-alert found alerts.",
		Example: "  tiercel demo\n" +
			"  tiercel emulate --fdr fdr/\n" +
			"  tiercel hunt fdr/",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       readVersion().String(),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	for _, f := range subcommands {
		root.AddCommand(f(env))
	}
	addCompletions(root)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return withCode(ExitUsage, err) })
	return root
}
