package cli

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/run"
	"github.com/tiercel/tiercel/internal/segment"
	"github.com/tiercel/tiercel/internal/timerange"
)

// timeFlags are LogScale's search time range, --start and --end, on search
// and hunt.
type timeFlags struct {
	start, end string
}

func (f *timeFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.start, "start", "", "only events at or after `TIME`: relative (15m, 24h, 7d) or RFC 3339")
	fs.StringVar(&f.end, "end", "", "only events before `TIME`: relative (1h) or RFC 3339")
}

// resolve reads the flags against the current time.
func (f *timeFlags) resolve() (timerange.Range, error) {
	r, err := timerange.Parse(f.start, f.end, time.Now())
	if err != nil {
		return r, withCode(ExitUsage, fmt.Errorf("--%w", err))
	}
	return r, nil
}

// openInputRange is openInput limited to a time range: event-store
// segments (tiercel serve's data directory) whose index misses the range
// are not read at all, and the lines that are read keep only events in
// the range (lines without a time are kept).
func openInputRange(env *Env, paths []string, r timerange.Range) (*input, error) {
	if r.Empty() {
		return openInput(env, paths)
	}
	paths, err := prunePaths(paths, r)
	if err != nil {
		return nil, err
	}
	in, err := openInput(env, paths)
	if err != nil {
		return nil, err
	}
	in.window = r
	return in, nil
}

// prunePaths replaces directories holding store segments by the files a
// search over r must read; other paths are returned as they are.
func prunePaths(paths []string, r timerange.Range) ([]string, error) {
	var out []string
	for _, p := range paths {
		if p == ingest.Stdin {
			out = append(out, p)
			continue
		}
		rd, err := ingest.Open([]string{p}, ingest.Options{})
		if err != nil {
			return nil, err
		}
		files := rd.Files()
		rd.Close()
		var keep []string
		pruned := false
		for _, f := range files {
			if ix, ok := segment.ReadIndex(f.Path); ok && !ix.Overlaps(r.Start, r.End) {
				pruned = true
				continue
			}
			keep = append(keep, f.Path)
		}
		switch {
		case !pruned:
			out = append(out, p)
		case len(keep) == 0 && len(files) > 0:
			// Read one file all the same (its lines fall outside the range)
			// rather than leave no path, which would mean standard input.
			out = append(out, files[0].Path)
		default:
			out = append(out, keep...)
		}
	}
	return out, nil
}

// source is what a search reads: the reader, cut to the time range.
func (in *input) source() run.Source {
	return windowSource(in.reader, in.window)
}

// windowSource cuts src to the time range (timerange.Filter).
func windowSource(src run.Source, r timerange.Range) run.Source {
	return timerange.Filter(src, r)
}
