package run

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// runPrepasses gives programs with join() or defineTable() sub-queries the
// passes over the whole input they need before the search pass. Each pass
// re-reads the input through opts.Reopen, decodes every telemetry line with
// what the sub-queries read, enriches it and feeds it in input order on
// this goroutine. It returns each program's pass warnings (rows cut).
func runPrepasses(ctx context.Context, progs []*engine.Program, opts Options) ([][]string, error) {
	var levels [][]*engine.Pass
	owner := map[*engine.Pass]int{}
	for i, p := range progs {
		for lvl, ps := range p.Prepass() {
			for len(levels) <= lvl {
				levels = append(levels, nil)
			}
			levels[lvl] = append(levels[lvl], ps)
			owner[ps] = i
		}
	}
	if len(levels) == 0 {
		return nil, nil
	}
	if opts.Reopen == nil {
		return nil, errors.New("a query uses join() or defineTable(), whose sub-queries need a pass over the input before the search: give input files (standard input cannot be read twice)")
	}
	warns := make([][]string, len(progs))
	for _, passes := range levels {
		if err := runPassLevel(ctx, passes, opts, progs); err != nil {
			return nil, err
		}
		for _, ps := range passes {
			warns[owner[ps]] = append(warns[owner[ps]], ps.Warnings()...)
		}
	}
	return warns, nil
}

// progsErr is the first limit that stopped one of progs.
func progsErr(progs []*engine.Program) error {
	for _, p := range progs {
		if err := p.Err(); err != nil {
			return err
		}
	}
	return nil
}

func runPassLevel(ctx context.Context, passes []*engine.Pass, opts Options, progs []*engine.Program) error {
	var needs event.Needs
	for _, ps := range passes {
		needs.Merge(ps.Needs())
	}
	if opts.Enricher != nil {
		needs.Merge(opts.Enricher.Needs())
	}
	src, err := opts.Reopen()
	if err != nil {
		return fmt.Errorf("re-reading the input for join()/defineTable(): %w", err)
	}
	defer closeSource(src)
	dec := ingest.NewDecoder(needs)
	var ev event.Event
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := progsErr(progs); err != nil {
			return err
		}
		c, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if c.Kind != event.KindTelemetry {
			continue
		}
		ingest.Lines(c, func(line []byte, _ int) bool {
			// malformed lines are reported by the search pass
			if dec.Decode(line, &ev) != nil {
				return true
			}
			if opts.Enricher != nil {
				opts.Enricher.Apply(&ev)
			}
			for _, ps := range passes {
				ps.Add(&ev)
			}
			return true
		})
	}
	for _, ps := range passes {
		ps.Finish()
	}
	return progsErr(progs)
}
