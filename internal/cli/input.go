package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/run"
	"github.com/tiercel/tiercel/internal/sensor"
	"github.com/tiercel/tiercel/internal/timerange"
)

// input is the telemetry a command reads: files, directories or stdin.
// Unreadable files are reported on stderr and counted; the run goes on.
type input struct {
	reader     *ingest.Reader
	paths      []string
	maxLine    int
	fileErrors int
	skips      *sensorSkips
	window     timerange.Range // --start/--end (timerange.go)
}

// openInput opens paths; every path that cannot be read is reported (and
// counted in fileErrors) when reading starts, and the others are read.
// Lines over maxLine bytes go to problems as skipped lines; damaged records
// of other sensors' logs are counted and reported by skips.
func openInput(env *Env, paths []string, maxLine int, problems *ingest.Problems) (*input, error) {
	in := &input{paths: paths, maxLine: maxLine, skips: &sensorSkips{out: env.Stderr}}
	reader, err := ingest.Open(paths, ingest.Options{
		Stdin:        env.Stdin,
		MaxLine:      maxLine,
		OnSensorSkip: in.skips.add,
		OnError: func(err error) {
			in.fileErrors++
			fmt.Fprintf(env.Stderr, "tiercel: %v\n", err)
		},
		OnSkip:      func(e *ingest.LineError) { problems.Add(e.Path, e.Line, e.Err) },
		MemoryShort: heapShort,
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
	if len(files) == 0 || readsStdin(paths) {
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
	if readsStdin(in.paths) {
		return nil
	}
	return func() (run.Source, error) {
		r, err := ingest.Open(in.paths, ingest.Options{MaxLine: in.maxLine, MemoryShort: heapShort})
		if err != nil {
			return nil, err
		}
		return windowSource(r, in.window), nil
	}
}

// size is the input files' size in bytes as stored (filesSize), or 0
// when standard input is read.
func (in *input) size() int64 { return filesSize(in.reader.Files()) }

// orderProblems has problems name malformed lines in input order: files
// are read by several workers, stdin by one as it comes.
func (in *input) orderProblems(problems *ingest.Problems) {
	if in.reopen() == nil {
		return
	}
	var sources []string
	for _, f := range in.reader.Files() {
		sources = append(sources, f.Path)
	}
	problems.Order(sources)
}

// Close stops reading and reports the sensor records skipped.
func (in *input) Close() error {
	err := in.reader.Close()
	in.skips.summary()
	return err
}

// sensorSkips prints the first damaged records of other sensors' logs
// (EVTX chunks, audit lines...) and counts them all.
type sensorSkips struct {
	mu    sync.Mutex
	out   io.Writer
	count int
	first string
}

func (s *sensorSkips) add(p sensor.Problem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count++
	if s.count == 1 {
		s.first = p.Error()
	}
	if s.count <= ingest.DefaultProblemLimit {
		fmt.Fprintf(s.out, "tiercel: %v\n", p)
	}
}

func (s *sensorSkips) summary() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.count > 0 {
		fmt.Fprintf(s.out, "tiercel: warning: %d problem(s) in sensor logs or CSV exports: damaged records skipped or read with SensorDamage (first: %s)\n", s.count, s.first)
	}
	s.count = 0
}
