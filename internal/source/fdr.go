package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// BatchLines is how many lines a file source puts in one Batch.
const BatchLines = 20_000

// FDRDir watches a local FDR tree (an S3 sync of the bucket, say): every
// complete batch, a directory data/<uuid>/ or fdrv2/<lookup>/<uuid>/ with
// its _SUCCESS marker, is read once (lookups first, so aidmaster and
// userinfo updates reach enrichment before the events that need them). A
// batch is recorded in the checkpoint after all its events are durable;
// a batch cut short by a crash is read again, and the event and alert
// stores drop what they already hold.
type FDRDir struct {
	Dir        string
	Poll       time.Duration // default 10 s
	Checkpoint *Checkpoint
	Log        *slog.Logger
	done       map[string]bool
}

// Name implements Source.
func (f *FDRDir) Name() string { return "fdr:" + f.Dir }

type fdrCheckpoint struct {
	Done []string `json:"done"` // batch directories, relative to Dir
}

// Run implements Source.
func (f *FDRDir) Run(ctx context.Context, sink Sink) error {
	if f.Poll <= 0 {
		f.Poll = 10 * time.Second
	}
	if f.Log == nil {
		f.Log = slog.Default()
	}
	var cp fdrCheckpoint
	if err := f.Checkpoint.Load(&cp); err != nil {
		return fmt.Errorf("%s: checkpoint: %w", f.Name(), err)
	}
	f.done = map[string]bool{}
	for _, d := range cp.Done {
		f.done[d] = true
	}
	for {
		if err := f.scan(ctx, sink); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			f.Log.Error("fdr batch failed; will retry", "dir", f.Dir, "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(f.Poll):
		}
	}
}

// Pending lists complete batches not yet processed, lookups first.
func (f *FDRDir) Pending() ([]string, error) {
	var lookups, data []string
	err := filepath.WalkDir(f.Dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || d.Name() != "_SUCCESS" {
			return nil
		}
		dir := filepath.Dir(p)
		rel, err := filepath.Rel(f.Dir, dir)
		if err != nil || f.done[rel] {
			return err
		}
		if ingest.Classify(rel) == event.KindTelemetry {
			data = append(data, rel)
		} else {
			lookups = append(lookups, rel)
		}
		return nil
	})
	if errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	slices.Sort(lookups)
	slices.Sort(data)
	return append(lookups, data...), err
}

func (f *FDRDir) scan(ctx context.Context, sink Sink) error {
	pending, err := f.Pending()
	if err != nil {
		return err
	}
	for _, rel := range pending {
		if err := f.batch(ctx, sink, rel); err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		f.done[rel] = true
		cp := fdrCheckpoint{}
		for d := range f.done {
			cp.Done = append(cp.Done, d)
		}
		slices.Sort(cp.Done)
		if err := f.Checkpoint.Save(cp); err != nil {
			return err
		}
		f.Log.Info("fdr batch done", "batch", rel)
	}
	return nil
}

// batch reads one batch directory and waits until all of it is durable.
func (f *FDRDir) batch(ctx context.Context, sink Sink, rel string) error {
	dir := filepath.Join(f.Dir, rel)
	kind := ingest.Classify(rel)
	if kind == event.KindOtherLookup {
		return nil // managedassets, appinfo...: nothing reads them
	}
	rd, err := ingest.Open([]string{dir}, ingest.Options{})
	if err != nil {
		return err
	}
	defer rd.Close()
	return SendChunks(ctx, sink, rd, f.Name(), kind)
}

// SendChunks reads src to its end, offering its lines in batches of
// BatchLines and waiting until every batch is durable. Reads overlap with
// the sink's work: several batches are in flight at once.
func SendChunks(ctx context.Context, sink Sink, src interface {
	Next() (event.Chunk, error)
}, name string, kind event.Kind) error {
	var inflight []*Batch
	wait := func(keep int) error {
		for len(inflight) > keep {
			if err := inflight[0].Wait(ctx); err != nil {
				return err
			}
			inflight = inflight[1:]
		}
		return nil
	}
	var lines [][]byte
	flush := func() error {
		if len(lines) == 0 {
			return nil
		}
		b := NewBatch(name, kind, lines, "")
		lines = nil
		if err := OfferWait(ctx, sink, b); err != nil {
			return err
		}
		inflight = append(inflight, b)
		return wait(4)
	}
	for {
		c, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		ingest.Lines(c, func(line []byte, _ int) bool {
			if l := bytes.TrimSpace(line); len(l) > 0 {
				lines = append(lines, bytes.Clone(l))
			}
			return true
		})
		ingest.Recycle(c.Data)
		if len(lines) >= BatchLines {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return wait(0)
}
