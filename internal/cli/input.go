package cli

import (
	"fmt"
	"slices"

	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/run"
	"github.com/tiercel/tiercel/internal/timerange"
)

// input is the telemetry a command reads: files, directories or stdin.
// Unreadable files are reported on stderr and counted; the run goes on.
type input struct {
	reader     *ingest.Reader
	paths      []string
	fileErrors int
	window     timerange.Range // --start/--end (timerange.go)
}

func openInput(env *Env, paths []string) (*input, error) {
	in := &input{paths: paths}
	reader, err := ingest.Open(paths, ingest.Options{
		Stdin: env.Stdin,
		OnError: func(err error) {
			in.fileErrors++
			fmt.Fprintf(env.Stderr, "tiercel: %v\n", err)
		},
	})
	if err != nil {
		return nil, err
	}
	in.reader = reader
	return in, nil
}

// reopen re-reads files for the passes that join() and defineTable() make
// before the search; nil for stdin, which cannot be read twice.
func (in *input) reopen() func() (run.Source, error) {
	if len(in.paths) == 0 || slices.Contains(in.paths, ingest.Stdin) {
		return nil
	}
	return func() (run.Source, error) {
		r, err := ingest.Open(in.paths, ingest.Options{})
		if err != nil {
			return nil, err
		}
		return windowSource(r, in.window), nil
	}
}

func (in *input) Close() error { return in.reader.Close() }
