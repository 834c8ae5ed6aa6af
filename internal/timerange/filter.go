package timerange

import (
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// Source is a chunk source (run.Source, *ingest.Reader).
type Source interface {
	Next() (event.Chunk, error)
}

// Filter blanks the telemetry lines of src whose event time falls outside
// r; blank lines keep line numbers for error messages, and lines without
// a time are kept. With an empty range src is returned as it is.
func Filter(src Source, r Range) Source {
	if r.Empty() {
		return src
	}
	return &filtered{src: src, r: r}
}

type filtered struct {
	src  Source
	r    Range
	info ingest.LineInfo
}

func (w *filtered) Next() (event.Chunk, error) {
	c, err := w.src.Next()
	if err != nil || c.Kind != event.KindTelemetry {
		return c, err
	}
	ingest.Lines(c, func(line []byte, _ int) bool {
		if ingest.ReadLineInfo(line, &w.info) && w.info.Time != 0 && !w.r.Contains(w.info.Time) {
			for i := range line {
				line[i] = ' '
			}
		}
		return true
	})
	return c, nil
}

// Close closes the underlying source when it has a Close method.
func (w *filtered) Close() error {
	if c, ok := w.src.(interface{ Close() error }); ok {
		return c.Close()
	}
	return nil
}
