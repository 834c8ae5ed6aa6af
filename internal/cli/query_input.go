package cli

import (
	"fmt"
	"io"
	"os"
)

// readQueryArg reads a query from --file F, the positional QUERY, or "-"
// (standard input), and names its origin for diagnostics: the file name,
// "stdin" or "query". Giving both a file and an argument, or neither, is a
// usage error (exit 2); an unreadable file is exit 1.
func readQueryArg(stdin io.Reader, file string, args []string) (name, src string, err error) {
	switch {
	case len(args) > 1:
		return "", "", withCode(ExitUsage, fmt.Errorf("expected one query argument, got %d (quote the query)", len(args)))
	case file != "" && len(args) > 0:
		return "", "", withCode(ExitUsage, fmt.Errorf("give the query either with --file or as an argument, not both"))
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", "", withCode(ExitError, fmt.Errorf("reading query: %w", err))
		}
		return file, string(b), nil
	case len(args) == 0:
		return "", "", withCode(ExitUsage, fmt.Errorf("no query: give QUERY, --file F, or - for standard input"))
	case args[0] == "-":
		b, err := io.ReadAll(stdin)
		if err != nil {
			return "", "", withCode(ExitError, fmt.Errorf("reading standard input: %w", err))
		}
		return "stdin", string(b), nil
	}
	return "query", args[0], nil
}
