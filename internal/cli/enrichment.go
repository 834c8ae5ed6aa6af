package cli

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/run"
)

// enrichFlags are the Falcon enrichment flags shared by search and hunt.
type enrichFlags struct {
	off       bool
	aidmaster []string
	quiet     bool
	verbose   bool
	hold      enrich.HoldOptions
	procMem   byteFlag
	// procMemFlag is --process-memory's flag: Changed tells a size given
	// from the default
	procMemFlag *pflag.Flag
	// scaled: a hunt's default --process-memory grows with the process
	// details its rules read
	scaled bool
}

// register adds the flags to fs; hunt scales the default process memory.
func (f *enrichFlags) register(fs *pflag.FlagSet, hunt bool) {
	fs.BoolVar(&f.off, "no-enrich", false, "do not add ComputerName, UserName, ContextProcessName... from aidmaster, userinfo and process starts")
	fs.StringArrayVar(&f.aidmaster, "aidmaster", nil, "read aidmaster host records from `PATH` (file or directory; repeatable)")
	fs.BoolVar(&f.quiet, "quiet", false, "no summaries on standard error (errors and warnings still)")
	fs.BoolVarP(&f.verbose, "verbose", "v", false, "also print enrichment counters (events, fields added, lookup misses) on standard error")
	fs.IntVar(&f.hold.MaxEvents, "hold-events", enrich.DefaultHoldEvents, "standard input: hold at most `N` events that arrive before their process start")
	f.procMem = byteFlag(enrich.DefaultProcessMemory)
	f.scaled = hunt
	fs.Var(&f.procMem, "process-memory", "files: keep at most `SIZE` of learned process details (and an eighth of it of user mappings) in memory, the rest in a temporary file (0: all in memory)")
	f.procMemFlag = fs.Lookup("process-memory")
	if hunt {
		f.procMemFlag.DefValue = f.procMem.String() + " for each kind of detail the rules read: names, command lines, image paths, parents"
	}
	fs.DurationVar(&f.hold.MaxLateness, "hold-lateness", enrich.DefaultHoldLateness, "standard input: hold such an event for at most `D` of event time")
}

// prepare builds the enricher for paths (nil with --no-enrich), running the
// learn pass over files. progs, when given, let it keep only what they read.
func (f *enrichFlags) prepare(ctx context.Context, env *Env, paths []string, workers, maxLine int, progs ...*engine.Program) (*enrich.Enricher, error) {
	if f.off {
		return nil, nil
	}
	en, st, err := run.PrepareEnricher(ctx, run.EnrichInput{
		Paths: paths, Aidmaster: f.aidmaster, Stdin: env.Stdin, Workers: workers, Programs: progs, MaxLine: maxLine,
		ProcessMemory: f.processMemory(), ScaleProcessMemory: f.scaled,
	})
	if err != nil {
		return nil, fmt.Errorf("enrichment: %w", err)
	}
	if st.Skipped && f.verbose {
		fmt.Fprintln(env.Stderr, "enrich: skipped: the events the query may select already carry the enriched fields it reads")
	}
	return en, nil
}

// processMemory is --process-memory for enrich.Options: 0 when not given
// (the default, scaled for a hunt), -1 for 0 (never spill).
func (f *enrichFlags) processMemory() int {
	switch {
	case f.procMemFlag == nil || !f.procMemFlag.Changed: // nil: flags never registered (the UI's passes)
		return 0
	case f.procMem == 0:
		return -1
	}
	return int(f.procMem)
}

// source puts the stream enricher's reorder buffer in front of in (stdin);
// file input is returned as it is. The buffer reads ahead of itself, so
// the input then queues no more than it does.
func (f *enrichFlags) source(in *input, en *enrich.Enricher) run.Source {
	if en != nil && en.Streaming() {
		in.reader.ReadAheadAtMost(run.HoldReadAhead)
	}
	return run.HoldForEnrichment(in.source(), en, f.hold)
}

// reads reports whether a program (or one of its sub-query passes) reads
// field.
func reads(progs []*engine.Program, field string) bool {
	for _, p := range progs {
		if n := p.Needs(); n.Wants(field) {
			return true
		}
		for _, ps := range p.Prepass() {
			if n := ps.Needs(); n.Wants(field) {
				return true
			}
		}
	}
	return false
}

// options puts en into opts (a nil *Enricher must not become a non-nil
// interface value).
func withEnricher(opts run.Options, en *enrich.Enricher) run.Options {
	if en != nil {
		opts.Enricher = en
	}
	return opts
}

// report warns when no host or user records were found for fields progs
// read (once, plainly) and prints the enrichment counters with --verbose,
// with the candidate lines the search held until learning was done and
// why it read the input again, if it did.
func (f *enrichFlags) report(env *Env, en *enrich.Enricher, stats *run.Stats, progs ...*engine.Program) {
	if en == nil {
		return
	}
	st := en.Stats()
	for _, w := range missingLookupWarnings(st, reads(progs, "ComputerName"), reads(progs, "UserName")) {
		fmt.Fprintf(env.Stderr, "tiercel: warning: %s\n", w)
	}
	switch {
	case st.SpillLost:
		fmt.Fprintf(env.Stderr, "tiercel: warning: %s: some events went without their process's details\n", st.SpillError)
	case st.SpillError != "":
		fmt.Fprintf(env.Stderr, "tiercel: warning: %s: the process table stayed in memory (set TMPDIR to a writable directory, or --process-memory 0)\n", st.SpillError)
	}
	switch {
	case st.UserSpillLost:
		fmt.Fprintf(env.Stderr, "tiercel: warning: %s: some events went without their user's name\n", st.UserSpillError)
	case st.UserSpillError != "":
		fmt.Fprintf(env.Stderr, "tiercel: warning: %s: the user directory stayed in memory (set TMPDIR to a writable directory, or --process-memory 0)\n", st.UserSpillError)
	}
	if f.verbose && !f.quiet {
		fmt.Fprint(env.Stderr, st.Summary())
		if stats.Held > 0 {
			fmt.Fprintf(env.Stderr, "enrich: %d candidate line(s) held until learning was done\n", stats.Held)
			if stats.RanAhead > 0 {
				fmt.Fprintf(env.Stderr, "enrich: %d of them run as the input was read: nothing in it taught enrichment\n", stats.RanAhead)
			}
		}
		if stats.TargetedReads > 0 {
			fmt.Fprintf(env.Stderr, "enrich: learned after the search, in %d read(s) of only the lines holding what the held lines look up\n", stats.TargetedReads)
		}
		for _, why := range stats.ReadsAgain {
			fmt.Fprintf(env.Stderr, "enrich: read the input again: %s\n", why)
		}
	}
}
