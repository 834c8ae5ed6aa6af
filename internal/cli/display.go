package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tiercel/tiercel/internal/output"
)

// displayFlags are the result-output flags of search and hunt: where rows
// go and how a table is laid out.
type displayFlags struct {
	wide   bool
	output string
}

func (d *displayFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&d.wide, "wide", false, "table format: print every value whole instead of fitting the terminal")
	fs.StringVarP(&d.output, "output", "o", "", "write results to `FILE` instead of standard output")
}

// open returns where results go: standard output, or the -o file (its
// close flushes it to disk and reports a failed write).
func (d *displayFlags) open(env *Env) (io.Writer, func() error, error) {
	if d.output == "" || d.output == "-" {
		return env.Stdout, func() error { return nil }, nil
	}
	f, err := os.Create(d.output)
	if err != nil {
		return nil, nil, withCode(ExitError, fmt.Errorf("--output: %w", err))
	}
	return f, f.Close, nil
}

// table lays a table out for w: fitted to the terminal and coloured when
// w is one (NO_COLOR respected), 40-column cells into a pipe or file,
// every value whole with --wide.
func (d *displayFlags) table(w io.Writer, colour func(column, value string) string) output.TableOptions {
	opts := output.TableOptions{Wide: d.wide, TerminalWidth: terminalWidth(w)}
	if useColour(w) {
		opts.Colour = colour
	}
	return opts
}

// severities in rising order; the index is the rank --min-severity compares.
var severities = []string{"informational", "low", "medium", "high", "critical"}

func severityRank(s string) int {
	for i, v := range severities {
		if strings.EqualFold(v, s) {
			return i
		}
	}
	return -1
}

// severityColour is the SGR code of a severity: Hayabusa's reds for high
// and critical, yellow for medium, green for low.
func severityColour(column, value string) string {
	if column != "severity" {
		return ""
	}
	switch strings.ToLower(value) {
	case "critical":
		return "1;31"
	case "high":
		return "31"
	case "medium":
		return "33"
	case "low":
		return "32"
	case "informational":
		return "36"
	}
	return ""
}

// paint wraps s in an SGR code when on is true.
func paint(on bool, code, s string) string {
	if !on || code == "" {
		return s
	}
	return "\033[" + code + "m" + s + "\033[0m"
}

// stdinRefusal refuses to wait on a terminal for telemetry: a bare
// `tiercel hunt` would otherwise sit silently until Ctrl-D.
// example is the command line to show reading a pipe.
func stdinRefusal(env *Env, example string, paths []string) error {
	if !readsStdin(paths) || !readerIsTerminal(env.Stdin) {
		return nil
	}
	return withCode(ExitUsage, fmt.Errorf("no PATH given and standard input is a terminal: give a file or directory of Falcon telemetry "+
		"(NDJSON, .gz or .zst; an FDR tree), or pipe events in, e.g. tiercel emulate | %s", example))
}
