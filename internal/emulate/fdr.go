package emulate

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/klauspost/compress/gzip"
)

// FDR layout constants: batches of gzip NDJSON parts, as Falcon Data
// Replicator writes them.
const (
	partsPerBatch   = 3
	maxLinesPerPart = 1_000_000
	batchSpan       = 10 * time.Minute
)

// WriteFDR runs g and writes an FDR-layout tree under dir:
//
//	dir/data/<uuid>/part-0000N.gz + _SUCCESS   telemetry, several parts per batch
//	dir/fdrv2/aidmaster/<uuid>/part-00000.gz   one record per host
//	dir/fdrv2/userinfo/<uuid>/part-00000.gz    Windows accounts
//	dir/manifest.json                           ground truth (outside data/ and fdrv2/)
func WriteFDR(dir string, g *Generator) (*Manifest, error) {
	o := g.Options()
	ids := rand.New(rand.NewPCG(uint64(o.Seed), 0x666472646972))
	batches := max(int64(o.Duration/batchSpan), 1)
	batches = max(batches, (o.Events+partsPerBatch*maxLinesPerPart-1)/(partsPerBatch*maxLinesPerPart))
	w := &fdrWriter{dir: filepath.Join(dir, "data"), ids: ids, perBatch: max((o.Events+batches-1)/batches, 1)}
	m, err := g.Run(w)
	if cerr := w.closeBatch(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	snap := o.Start.Add(o.Duration)
	for _, lk := range []struct {
		name  string
		write func(io.Writer) error
	}{
		{"aidmaster", func(w io.Writer) error { return g.Estate().WriteAidmaster(w, snap) }},
		{"userinfo", func(w io.Writer) error { return g.Estate().WriteUserinfo(w, snap) }},
	} {
		d := filepath.Join(dir, "fdrv2", lk.name, uuidString(ids))
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
		p, err := newGzipPart(filepath.Join(d, "part-00000.gz"))
		if err != nil {
			return nil, err
		}
		if err := lk.write(p); err != nil {
			p.close()
			return nil, fmt.Errorf("emulate: writing %s: %w", lk.name, err)
		}
		if err := p.close(); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(d, "_SUCCESS"), nil, 0o644); err != nil {
			return nil, err
		}
	}
	f, err := os.Create(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, err
	}
	if err := m.WriteJSON(f); err != nil {
		f.Close()
		return nil, err
	}
	return m, f.Close()
}

func uuidString(rng *rand.Rand) string {
	a, b := rng.Uint64(), rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, a>>16&0xffff, a&0xfff, 0x8000|b>>48&0x3fff, b&0xffffffffffff)
}

// gzipPart is one part file. Lines collect in a chunk; full chunks are
// compressed by the part's own goroutine so generation and gzip overlap.
type gzipPart struct {
	f     *os.File
	gz    *gzip.Writer
	chunk []byte
	work  chan []byte
	free  chan []byte
	done  chan error
}

const chunkSize = 256 << 10

func newGzipPart(path string) (*gzipPart, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	gz, _ := gzip.NewWriterLevel(f, gzip.BestSpeed) // level is valid
	p := &gzipPart{f: f, gz: gz, work: make(chan []byte, 2), free: make(chan []byte, 3), done: make(chan error, 1)}
	for i := 0; i < 3; i++ {
		p.free <- make([]byte, 0, chunkSize)
	}
	p.chunk = <-p.free
	go p.compress()
	return p, nil
}

func (p *gzipPart) compress() {
	var err error
	for c := range p.work {
		if err == nil {
			_, err = p.gz.Write(c)
		}
		p.free <- c[:0]
	}
	p.done <- err
}

// Write buffers whole lines; it never splits one across chunks.
func (p *gzipPart) Write(line []byte) (int, error) {
	if len(p.chunk)+len(line) > chunkSize && len(p.chunk) > 0 {
		p.work <- p.chunk
		p.chunk = <-p.free
	}
	p.chunk = append(p.chunk, line...)
	return len(line), nil
}

func (p *gzipPart) close() error {
	if len(p.chunk) > 0 {
		p.work <- p.chunk
	}
	close(p.work)
	err := <-p.done
	if e := p.gz.Close(); err == nil {
		err = e
	}
	if e := p.f.Close(); err == nil {
		err = e
	}
	return err
}

// fdrWriter receives whole lines and spreads them over the parts of the
// current batch, closing a batch with _SUCCESS when it is full.
type fdrWriter struct {
	dir      string
	ids      *rand.Rand
	perBatch int64
	batchDir string
	parts    []*gzipPart
	lines    int64
}

func (w *fdrWriter) Write(line []byte) (int, error) {
	if w.parts == nil {
		w.batchDir = filepath.Join(w.dir, uuidString(w.ids))
		if err := os.MkdirAll(w.batchDir, 0o755); err != nil {
			return 0, err
		}
		for i := 0; i < partsPerBatch; i++ {
			p, err := newGzipPart(filepath.Join(w.batchDir, fmt.Sprintf("part-%05d.gz", i)))
			if err != nil {
				return 0, err
			}
			w.parts = append(w.parts, p)
		}
	}
	n, err := w.parts[w.lines%partsPerBatch].Write(line)
	if err != nil {
		return n, err
	}
	w.lines++
	if w.lines >= w.perBatch {
		return n, w.closeBatch()
	}
	return n, nil
}

func (w *fdrWriter) closeBatch() error {
	if w.parts == nil {
		return nil
	}
	var err error
	for _, p := range w.parts {
		if e := p.close(); err == nil {
			err = e
		}
	}
	w.parts, w.lines = nil, 0
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(w.batchDir, "_SUCCESS"), nil, 0o644)
}
