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
	"sync/atomic"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/sensor"
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
	// MaxLine is the longest line kept, in bytes (DefaultMaxLine when 0).
	MaxLine int
	// OnSkip is told of each line skipped for being longer than MaxLine
	// (a *LineError), from the goroutine calling Next. Nil: skipped silently.
	OnSkip func(err *LineError)
	// OnSensorSkip is called (from reading goroutines) for a record of another
	// sensor's log (EVTX, auditd, Defender, proxy) that was damaged and skipped.
	OnSensorSkip func(sensor.Problem)
	// MemoryShort, when not nil, tells (from reading goroutines) that the
	// heap is short of room: a compressed file then reads no further ahead
	// than a plain one. What it queued is live heap, which a held heap's
	// limit grows for.
	MemoryShort func() bool
}

// LineError is one input line that was skipped.
type LineError struct {
	Path string
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.Path, e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// ErrLineTooLong is the cause of a LineError for an over-long line.
var ErrLineTooLong = errors.New("line too long")

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
	// early: path problems found by Open, reported by the first Next
	early []error
	done  chan struct{}
	once  sync.Once
	most  atomic.Int32 // ReadAheadAtMost's n; 0: no bound of the consumer's
}

// A file reads up to plainQueueDepth chunks ahead of the consumer, or
// compressedQueueDepth when it is compressed and there are other cores: a
// gzip file decodes slower than its lines are searched, and FDR trees hold
// many, so the next files decode on the other cores while the first is
// searched; plain files are read faster than searched, and chunks queued
// ahead would only cost memory (as they would on one core) and time: a
// chunk searched soon after its read is still in the caches. One plain
// chunk ahead instead of four (interleaved runs, medians, a quiet hour):
// the seed over `mix1g` on one core 0.731 -> 0.674 s, on two 0.424 ->
// 0.379; in a slower one the 999-rule hunt 2.296 -> 2.201, `linked` 1.000
// -> 0.956, zstd on one core and `nolearn` the same (and, while another
// tenant filled the caches, the seed on one core too). Two files of
// an FDR tree read at once, 16 chunks each, took the seed's peak RSS over
// `mix1g` as 20 gzip parts to 167-174 MB; 12 each keep it at 141-147 MB,
// for 4% of the time (1.374 against 1.433 s). While memory is short
// (Options.MemoryShort) a compressed file queues no more than a plain one:
// four high-cardinality zstd files of 3.7 GB in one search peaked at 182
// MB with 12, 140 with 4, 2% slower.
const (
	plainQueueDepth      = 1
	compressedQueueDepth = 12
)

type fileJob struct {
	file File
	out  chan jobItem // up to compressedQueueDepth
	// taken is signalled when Next receives a chunk: a file that has
	// queued as many as it may waits on it
	taken chan struct{}
	// decodes is set once the file is known to be decoded (compressed, or
	// another sensor's log converted) with other cores to do it: the files
	// after it may then be read meanwhile (startJobs)
	decodes atomic.Bool
}

type jobItem struct {
	data      []byte
	firstLine int
	err       error
	skipped   *LineError
}

// Open resolves paths (files, directories, "-"; none means stdin) into the
// list of inputs. A path that cannot be read (missing, unreadable, a device,
// a directory with no files) does not stop the others: it is a *FileError
// that the first Next reports through OnError and Errors, like a file that
// fails while being read. Unreadable directories inside a walked tree are
// reported and skipped the same way.
func Open(paths []string, opts Options) (*Reader, error) {
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = DefaultChunkSize
	}
	if opts.ReadAhead <= 0 {
		opts.ReadAhead = defaultReadAhead(paths)
	}
	if opts.Stdin == nil {
		opts.Stdin = os.Stdin
	}
	var files []File
	var early []error
	for _, p := range opts.Aidmaster {
		found, errs := expand(p)
		early = append(early, errs...)
		for _, f := range found {
			files = append(files, File{Path: f, Kind: event.KindAidmaster})
		}
	}
	if len(paths) == 0 {
		paths = []string{Stdin}
	}
	for _, p := range paths {
		found, errs := expand(p)
		early = append(early, errs...)
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
	// An FDR tree's lookups (fdrv2/aidmaster, fdrv2/userinfo) sort after
	// its data/: read first, like --aidmaster files, their records are
	// known while the telemetry is read, not only at its end.
	slices.SortStableFunc(files, func(a, b File) int { return lookupRank(a.Kind) - lookupRank(b.Kind) })
	return &Reader{opts: opts, files: files, early: early, done: make(chan struct{})}, nil
}

// lookupRank orders files by kind: host and user lookups before the rest.
func lookupRank(k event.Kind) int {
	if k == event.KindAidmaster || k == event.KindUserinfo {
		return 0
	}
	return 1
}

// expand turns one path into the files it stands for: itself, or for a
// directory every regular file below it in lexical order, skipping hidden
// entries and FDR's _SUCCESS markers. Problems come back as *FileErrors,
// the files that could be found alongside them.
func expand(p string) ([]string, []error) {
	if p == Stdin {
		return []string{Stdin}, nil
	}
	fail := func(path string, err error) []error { return []error{&FileError{Path: path, Err: err}} }
	if files, remote, err := expandRemote(p); remote {
		if err != nil {
			return nil, []error{err}
		}
		return files, nil
	}
	info, err := os.Stat(p)
	if err != nil {
		return nil, fail(p, unwrapPath(err))
	}
	if !info.IsDir() {
		if info.Mode()&fs.ModeDevice != 0 {
			// /dev/zero and friends never end; pipes and FIFOs are fine.
			return nil, fail(p, errors.New("a device, not a file (use - for standard input)"))
		}
		return []string{p}, nil
	}
	var out []string
	var errs []error
	fdr := isFDRRoot(p)
	store := false
	walkErr := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			// An unreadable directory is reported and skipped; the walk goes on.
			errs = append(errs, fail(path, unwrapPath(err))...)
			if d != nil && d.IsDir() && path != p {
				return filepath.SkipDir
			}
			return nil
		}
		name := d.Name()
		if path != p && (strings.HasPrefix(name, ".") || name == "_SUCCESS") {
			// tiercel serve's event store keeps a growing segment and the
			// indexes hidden: such a directory is a store, maybe still empty.
			store = store || strings.HasSuffix(name, ".zst.open") || strings.HasSuffix(name, ".idx")
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
	if walkErr != nil {
		errs = append(errs, fail(p, unwrapPath(walkErr))...)
	}
	if len(out) == 0 && len(errs) == 0 && !store && !isStoreRoot(p) {
		errs = fail(p, errors.New("no input files in this directory (looked for telemetry files, plain, .gz or .zst, skipping hidden entries and _SUCCESS)"))
	}
	return out, errs
}

// isStoreRoot reports whether dir is a tiercel serve data directory (its
// state in .tiercel/), whose event store is empty until the first ingest:
// no events there is an empty result, not a mistaken path.
func isStoreRoot(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, ".tiercel"))
	return err == nil && st.IsDir()
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
// only fails with io.EOF. A chunk may be empty: one comes back now and then
// while an over-long line is skipped, so that callers stay responsive. Call
// it from one goroutine.
func (r *Reader) Next() (event.Chunk, error) {
	for _, err := range r.early {
		r.fail(err)
	}
	r.early = nil
	for {
		r.startJobs()
		if len(r.queue) == 0 {
			return event.Chunk{}, io.EOF
		}
		job := r.queue[0]
		item, ok := <-job.out
		select {
		case job.taken <- struct{}{}:
		default: // signalled already
		}
		if !ok {
			r.queue[0] = nil
			r.queue = r.queue[1:]
			continue
		}
		if item.skipped != nil {
			if r.opts.OnSkip != nil {
				r.opts.OnSkip(item.skipped)
			}
			continue
		}
		if item.err != nil {
			r.fail(&FileError{Path: job.file.Path, Err: item.err})
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

func (r *Reader) fail(err error) {
	r.errs = append(r.errs, err)
	if r.opts.OnError != nil {
		r.opts.OnError(err)
	}
}

// depth is how many chunks a file may queue: a compressed one (not
// limited) more while memory is not short.
func (r *Reader) depth(limited bool) int {
	d := compressedQueueDepth
	if limited || r.opts.MemoryShort != nil && r.opts.MemoryShort() {
		d = plainQueueDepth
	}
	if most := int(r.most.Load()); most > 0 {
		d = min(d, most)
	}
	return d
}

// ReadAheadAtMost has each file queue at most n chunks from now on: a
// consumer reading ahead itself (a stream's Holder) would otherwise hold
// both queues.
func (r *Reader) ReadAheadAtMost(n int) { r.most.Store(int32(n)) }

// startJobs keeps up to ReadAhead files being read. The next file starts
// before the last one started ends only when that one decodes: a plain
// file is read faster than it is searched, and the next file's chunks
// would wait in memory meanwhile (3 MiB: the one queued, the one cut and
// the one filled next).
func (r *Reader) startJobs() {
	for len(r.queue) < r.opts.ReadAhead && r.next < len(r.files) {
		if n := len(r.queue); n > 0 && !r.queue[n-1].decodes.Load() {
			return
		}
		job := &fileJob{file: r.files[r.next], out: make(chan jobItem, compressedQueueDepth),
			taken: make(chan struct{}, 1)}
		r.next++
		r.queue = append(r.queue, job)
		go r.run(job)
	}
}

// run reads one file into its job's channel; it stops early when the
// reader is closed.
func (r *Reader) run(job *fileJob) {
	defer close(job.out)
	limited := true // plain, until the stream says otherwise
	send := func(it jobItem) bool {
		for len(job.out) >= r.depth(limited) {
			select {
			case <-job.taken:
			case <-r.done:
				return false
			}
		}
		select {
		case job.out <- it:
			return true
		case <-r.done:
			return false
		}
	}
	var src io.Reader
	var file io.ReaderAt
	var size int64
	if job.file.Path == Stdin {
		src = r.opts.Stdin
	} else {
		f, err := openFile(job.file.Path)
		if err != nil {
			send(jobItem{err: unwrapPath(err)})
			return
		}
		defer f.Close()
		src = countingReader{f}
		file, size = regularFile(f)
	}
	cfg := streamConfig{file: file, size: size, chunkSize: r.opts.ChunkSize, maxLine: r.opts.MaxLine, stopped: func() bool {
		select {
		case <-r.done:
			return true
		default:
			return false
		}
	}}
	// an empty chunk while skipping: Next returns, so its caller can notice
	// an interrupt instead of waiting for an endless line to end
	cfg.waiting = func() { send(jobItem{}) }
	in, converted := sensorInput(src, job.file.Path, r.opts.OnSensorSkip)
	cfg.sniffed = func(c compression) {
		limited = !decodedAside(c)
		job.decodes.Store(decodedAside(c) || converted && runtime.GOMAXPROCS(0) > 1)
	}
	cfg.tooLong = func(line, size int) {
		limit := r.opts.MaxLine
		if limit <= 0 {
			limit = DefaultMaxLine
		}
		send(jobItem{skipped: &LineError{Path: job.file.Path, Line: line,
			Err: fmt.Errorf("%w: %s, over the %s limit (--max-line); skipped", ErrLineTooLong, ByteSize(size), ByteSize(limit))}})
	}
	// Other sensors' logs become Falcon-model NDJSON here (see sensor.go).
	defer in.Close()
	src = in
	err := readStreamWith(src, cfg, func(data []byte, firstLine int) bool {
		return send(jobItem{data: data, firstLine: firstLine})
	})
	if err != nil {
		send(jobItem{err: err})
	}
}

// regularFile returns f and its size when it is a regular local file, which
// can be read at offsets.
func regularFile(f io.ReadCloser) (io.ReaderAt, int64) {
	osf, ok := f.(*os.File)
	if !ok {
		return nil, 0
	}
	st, err := osf.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return nil, 0
	}
	return osf, st.Size()
}

// Close stops background reads; call it when abandoning a Reader before
// io.EOF. It is safe to call more than once.
func (r *Reader) Close() error {
	r.once.Do(func() { close(r.done) })
	for _, job := range r.queue {
		for item := range job.out {
			// Drain so the goroutine's deferred Close runs before we
			// return; the chunks were never handed out.
			Recycle(item.data)
		}
	}
	r.queue = nil
	r.next = len(r.files)
	return nil
}

// ByteSize writes n bytes the way limits are given: 2 GiB, 16 MiB, 1.5
// MiB, 300 KiB, 12 B. Limit and spill messages all use it.
func ByteSize(n int) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
