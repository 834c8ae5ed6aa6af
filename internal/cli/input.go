package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/run"
)

// input is the telemetry a command reads: files, directories or stdin.
// Unreadable files are reported on stderr and counted; the run goes on.
type input struct {
	reader     *ingest.Reader
	paths      []string
	maxLine    int
	fileErrors int
}

// openInput opens paths; every path that cannot be read is reported (and
// counted in fileErrors) when reading starts, and the others are read.
// Lines over maxLine bytes go to problems as skipped lines.
func openInput(env *Env, paths []string, maxLine int, problems *ingest.Problems) (*input, error) {
	in := &input{paths: paths, maxLine: maxLine}
	reader, err := ingest.Open(paths, ingest.Options{
		Stdin:   env.Stdin,
		MaxLine: maxLine,
		OnError: func(err error) {
			in.fileErrors++
			fmt.Fprintf(env.Stderr, "tiercel: %v\n", err)
		},
		OnSkip: func(e *ingest.LineError) { problems.Add(e.Path, e.Line, e.Err) },
	})
	if err != nil {
		return nil, err
	}
	in.reader = reader
	if err := noTelemetry(paths, reader.Files()); err != nil {
		in.fileErrors++
		fmt.Fprintf(env.Stderr, "tiercel: %v\n", err)
	}
	return in, nil
}

// noTelemetry reports paths that hold files, but only lookup tables: a
// search over them finds nothing, which must not pass for "no matches".
func noTelemetry(paths []string, files []ingest.File) error {
	if len(files) == 0 || slices.Contains(paths, ingest.Stdin) {
		return nil // nothing found at all: each path's error says why
	}
	for _, f := range files {
		if f.Kind == event.KindTelemetry {
			return nil
		}
	}
	return fmt.Errorf("%s: no telemetry found: only lookup tables (aidmaster, userinfo, other fdrv2/ files); telemetry is any other file, such as FDR data/ objects",
		strings.Join(paths, ", "))
}

// reopen re-reads files for the passes that join() and defineTable() make
// before the search; nil for stdin, which cannot be read twice.
func (in *input) reopen() func() (run.Source, error) {
	if len(in.paths) == 0 || slices.Contains(in.paths, ingest.Stdin) {
		return nil
	}
	return func() (run.Source, error) {
		return ingest.Open(in.paths, ingest.Options{MaxLine: in.maxLine})
	}
}

func (in *input) Close() error { return in.reader.Close() }
