package source

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/tiercel/tiercel/internal/event"
)

// Tail follows an NDJSON file as it grows (tail -F): complete lines are
// sent in batches; the byte offset after the last durable batch is the
// checkpoint, so a restart resumes there. A file that shrinks (rotated
// or truncated) is read again from the start.
type Tail struct {
	Path       string
	Poll       time.Duration // default 1 s
	Checkpoint *Checkpoint
	Log        *slog.Logger
}

type tailCheckpoint struct {
	Offset int64 `json:"offset"`
}

// Name implements Source.
func (t *Tail) Name() string { return "file:" + t.Path }

// Run implements Source.
func (t *Tail) Run(ctx context.Context, sink Sink) error {
	if t.Poll <= 0 {
		t.Poll = time.Second
	}
	if t.Log == nil {
		t.Log = slog.Default()
	}
	var cp tailCheckpoint
	if err := t.Checkpoint.Load(&cp); err != nil {
		return fmt.Errorf("%s: checkpoint: %w", t.Name(), err)
	}
	for {
		off, err := t.readFrom(ctx, sink, cp.Offset)
		if err != nil && ctx.Err() == nil {
			t.Log.Error("tail failed; will retry", "path", t.Path, "err", err)
		}
		if off != cp.Offset {
			cp.Offset = off
			if err := t.Checkpoint.Save(cp); err != nil {
				t.Log.Error("tail checkpoint", "path", t.Path, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(t.Poll):
		}
	}
}

// readFrom sends the complete lines after off and returns the offset
// after the last line that is durable.
func (t *Tail) readFrom(ctx context.Context, sink Sink, off int64) (int64, error) {
	f, err := os.Open(t.Path)
	if errors.Is(err, os.ErrNotExist) {
		return off, nil
	}
	if err != nil {
		return off, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() < off {
		t.Log.Warn("file shrank; reading it again from the start", "path", t.Path)
		off = 0
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return off, err
	}
	r := bufio.NewReaderSize(f, 1<<20)
	var lines [][]byte
	var pending int64
	send := func() error {
		if len(lines) == 0 {
			return nil
		}
		b := NewBatch(t.Name(), event.KindTelemetry, lines, "")
		lines = nil
		if err := OfferWait(ctx, sink, b); err != nil {
			return err
		}
		if err := b.Wait(ctx); err != nil {
			return err
		}
		off += pending
		pending = 0
		return nil
	}
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			pending += int64(len(line))
			if l := bytes.TrimSpace(line); len(l) > 0 {
				lines = append(lines, l)
			}
			if len(lines) >= BatchLines {
				if err := send(); err != nil {
					return off, err
				}
			}
		}
		if err != nil { // EOF: a partial last line waits for its newline
			break
		}
	}
	return off, send()
}

// Reader sends an NDJSON stream (standard input) until it ends.
type Reader struct {
	R    io.Reader
	Desc string
}

// Name implements Source.
func (r *Reader) Name() string { return r.Desc }

// Run implements Source.
func (r *Reader) Run(ctx context.Context, sink Sink) error {
	br := bufio.NewReaderSize(r.R, 1<<20)
	var lines [][]byte
	var inflight []*Batch
	flush := func() error {
		if len(lines) > 0 {
			b := NewBatch(r.Desc, event.KindTelemetry, lines, "")
			lines = nil
			if err := OfferWait(ctx, sink, b); err != nil {
				return err
			}
			inflight = append(inflight, b)
		}
		for len(inflight) > 4 {
			if err := inflight[0].Wait(ctx); err != nil {
				return err
			}
			inflight = inflight[1:]
		}
		return nil
	}
	for {
		line, err := br.ReadBytes('\n')
		if l := bytes.TrimSpace(line); len(l) > 0 {
			lines = append(lines, l)
		}
		if len(lines) >= BatchLines {
			if ferr := flush(); ferr != nil {
				return ferr
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return err
			}
			break
		}
	}
	if err := flush(); err != nil {
		return err
	}
	for _, b := range inflight {
		if err := b.Wait(ctx); err != nil {
			return err
		}
	}
	return nil
}
