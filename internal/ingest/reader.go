// Package ingest turns files, directories and stdin into chunks of whole
// NDJSON lines, and decodes lines into events.
package ingest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/tiercel/tiercel/internal/event"
)

// Stdin is the path that means standard input.
const Stdin = "-"

// Options tunes a Reader. The zero value reads everything with defaults.
type Options struct {
	// OnError is called (from the goroutine calling Next) for a file that
	// could not be read completely; reading goes on with the next file.
	// Errors are also kept and returned by Reader.Errors.
	OnError func(err error)
	// Kinds, when not empty, keeps only files of these kinds.
	Kinds []event.Kind
	// Aidmaster lists files or directories (--aidmaster) read as
	// KindAidmaster whatever their path; they are read before PATHs.
	Aidmaster []string
	// ChunkSize is the target chunk size (DefaultChunkSize when 0).
	ChunkSize int
	// ReadAhead bounds how many files are read and decompressed in
	// parallel ahead of the consumer (default: GOMAXPROCS, at least 2).
	ReadAhead int
	// Stdin replaces os.Stdin (for tests).
	Stdin io.Reader
}

// File is one input the reader will read, in reading order.
type File struct {
	Path string // as given or as found by the walk; "-" for stdin
	Kind event.Kind
}

// FileError is a failure to read one input; Path names it.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

// Reader yields the chunks of all inputs in a stable order. Several files
// are read and decompressed concurrently, but chunks come out file by file.
type Reader struct {
	opts  Options
	files []File
	next  int        // index in files of the next file to start
	queue []*fileJob // started files, in order
	seq   int64
	errs  []error
	done  chan struct{}
	once  sync.Once
}

// chunkQueueDepth is how many chunks one file may read ahead of the consumer.
const chunkQueueDepth = 4

type fileJob struct {
	file File
	out  chan jobItem
}

type jobItem struct {
	data      []byte
	firstLine int
	err       error
}

// Open resolves paths (files, directories, "-"; none means stdin) into the
// list of inputs. A path that does not exist is an error naming it.
func Open(paths []string, opts Options) (*Reader, error) {
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = DefaultChunkSize
	}
	if opts.ReadAhead <= 0 {
		opts.ReadAhead = max(runtime.GOMAXPROCS(0), 2)
	}
	if opts.Stdin == nil {
		opts.Stdin = os.Stdin
	}
	var files []File
	for _, p := range opts.Aidmaster {
		found, err := expand(p)
		if err != nil {
			return nil, err
		}
		for _, f := range found {
			files = append(files, File{Path: f, Kind: event.KindAidmaster})
		}
	}
	if len(paths) == 0 {
		paths = []string{Stdin}
	}
	for _, p := range paths {
		found, err := expand(p)
		if err != nil {
			return nil, err
		}
		for _, f := range found {
			kind := event.KindTelemetry
			if f != Stdin {
				kind = Classify(f)
			}
			files = append(files, File{Path: f, Kind: kind})
		}
	}
	if len(opts.Kinds) > 0 {
		files = slices.DeleteFunc(files, func(f File) bool { return !slices.Contains(opts.Kinds, f.Kind) })
	}
	return &Reader{opts: opts, files: files, done: make(chan struct{})}, nil
}

// expand turns one path into the files it stands for: itself, or for a
// directory every regular file below it in lexical order, skipping hidden
// entries and FDR's _SUCCESS markers.
func expand(p string) ([]string, error) {
	if p == Stdin {
		return []string{Stdin}, nil
	}
	info, err := os.Stat(p)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if !info.IsDir() {
		return []string{p}, nil
	}
	var out []string
	fdr := isFDRRoot(p)
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", path, unwrapPath(err))
		}
		name := d.Name()
		if path != p && (strings.HasPrefix(name, ".") || name == "_SUCCESS") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if fdr && filepath.Dir(path) == filepath.Clean(p) {
			return nil // beside data/ and fdrv2/: a manifest or notes, not telemetry
		}
		if d.Type()&fs.ModeSymlink != 0 {
			// Follow links to files only; a link to a directory could loop.
			if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		out = append(out, path)
		return nil
	})
	return out, err
}

// isFDRRoot reports whether dir is the top of an FDR tree (data/ and
// fdrv2/ below it); only those two hold records then.
func isFDRRoot(dir string) bool {
	for _, sub := range []string{"data", "fdrv2"} {
		if st, err := os.Stat(filepath.Join(dir, sub)); err != nil || !st.IsDir() {
			return false
		}
	}
	return true
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Files lists the inputs in reading order.
func (r *Reader) Files() []File { return r.files }

// Errors returns the per-file errors met so far.
func (r *Reader) Errors() []error { return r.errs }

// Next returns the next chunk, or io.EOF when every input is read. Files
// that fail are reported through Options.OnError and skipped; Next itself
// only fails with io.EOF. Call it from one goroutine.
func (r *Reader) Next() (event.Chunk, error) {
	for {
		r.startJobs()
		if len(r.queue) == 0 {
			return event.Chunk{}, io.EOF
		}
		job := r.queue[0]
		item, ok := <-job.out
		if !ok {
			r.queue[0] = nil
			r.queue = r.queue[1:]
			continue
		}
		if item.err != nil {
			err := &FileError{Path: job.file.Path, Err: item.err}
			r.errs = append(r.errs, err)
			if r.opts.OnError != nil {
				r.opts.OnError(err)
			}
			continue
		}
		c := event.Chunk{
			Seq:       r.seq,
			Source:    job.file.Path,
			FirstLine: item.firstLine,
			Data:      item.data,
			Kind:      job.file.Kind,
		}
		r.seq++
		return c, nil
	}
}

// startJobs keeps up to ReadAhead files being read.
func (r *Reader) startJobs() {
	for len(r.queue) < r.opts.ReadAhead && r.next < len(r.files) {
		job := &fileJob{file: r.files[r.next], out: make(chan jobItem, chunkQueueDepth)}
		r.next++
		r.queue = append(r.queue, job)
		go r.run(job)
	}
}

// run reads one file into its job's channel; it stops early when the
// reader is closed.
func (r *Reader) run(job *fileJob) {
	defer close(job.out)
	send := func(it jobItem) bool {
		select {
		case job.out <- it:
			return true
		case <-r.done:
			return false
		}
	}
	var src io.Reader
	if job.file.Path == Stdin {
		src = r.opts.Stdin
	} else {
		f, err := os.Open(job.file.Path)
		if err != nil {
			send(jobItem{err: unwrapPath(err)})
			return
		}
		defer f.Close()
		src = countingReader{f}
	}
	err := readStream(src, r.opts.ChunkSize, func(data []byte, firstLine int) bool {
		return send(jobItem{data: data, firstLine: firstLine})
	})
	if err != nil {
		send(jobItem{err: err})
	}
}

// Close stops background reads; call it when abandoning a Reader before
// io.EOF. It is safe to call more than once.
func (r *Reader) Close() error {
	r.once.Do(func() { close(r.done) })
	for _, job := range r.queue {
		for range job.out {
			// Drain so the goroutine's deferred Close runs before we return.
		}
	}
	r.queue = nil
	r.next = len(r.files)
	return nil
}
