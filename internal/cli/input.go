package cli

import (
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/run"
	"github.com/tiercel/tiercel/internal/sensor"
)

// input is the telemetry a command reads: files, directories or stdin.
// Unreadable files are reported on stderr and counted; the run goes on.
type input struct {
	reader     *ingest.Reader
	paths      []string
	fileErrors int
	skips      *sensorSkips
}

func openInput(env *Env, paths []string) (*input, error) {
	in := &input{paths: paths, skips: &sensorSkips{out: env.Stderr}}
	reader, err := ingest.Open(paths, ingest.Options{
		Stdin:  env.Stdin,
		OnSkip: in.skips.add,
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
	return func() (run.Source, error) { return ingest.Open(in.paths, ingest.Options{}) }
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
		fmt.Fprintf(s.out, "tiercel: warning: %d problem(s) in sensor logs: damaged records skipped or read with SensorDamage (first: %s)\n", s.count, s.first)
	}
	s.count = 0
}
