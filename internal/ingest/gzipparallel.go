package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/tiercel/tiercel/internal/inflate"
)

// A gzip file of many members (concatenated gzip streams) can be decoded on
// several cores: each member starts with the magic bytes and holds its own
// checksum. Those bytes may also occur inside compressed data, so a span
// between two of them is only trusted once every span before it decoded to
// complete, verified members ending exactly where it starts; any doubt, and
// the rest of the file is decoded one member at a time as before.

// parallelGzipMin is the smallest compressed rest worth splitting, and
// gzipTaskSpan about how much compressed input one task decodes: a few MB
// of output each, a few tasks in flight. Variables for tests.
var (
	parallelGzipMin int64 = 8 << 20
	gzipTaskSpan    int64 = 512 << 10
)

// maxGzipTaskOut bounds a task's output: a span that decodes to more (a
// member of its own that large, or a false member start that ran on) is
// left to the sequential decoder. A span of more than maxGzipTaskSpan
// compressed bytes (a large member: files of concatenated gzip files) is
// left to it without being tried: held whole, a few such members took
// hundreds of MB. Buffers up to maxReusedGzipOut are kept for the next
// tasks.
const (
	maxGzipTaskOut   = 32 << 20
	maxReusedGzipOut = 16 << 20
)

var maxGzipTaskSpan int64 = maxGzipTaskOut / 8 // a variable for tests

var errGzipTaskTooBig = errors.New("gzip task output over its bound")

// gzipTasksDecoded counts spans decoded in parallel (tests check the path
// is taken).
var gzipTasksDecoded atomic.Int64

// gzipTask is one span of members, decoded by its own goroutine.
type gzipTask struct {
	start, end int64
	out        []byte
	err        error
	done       chan struct{}
}

// parallelGzip yields the decoded bytes of the members in [start, size) of
// f, in order.
type parallelGzip struct {
	f           io.ReaderAt // decoded from (counted as read)
	raw         io.ReaderAt // scanned for member starts
	start, size int64
	order       chan *gzipTask // in file order, to Read
	slots       chan struct{}  // bounds the tasks in flight (and their output)
	stop        chan struct{}
	stopOnce    sync.Once
	wg          sync.WaitGroup
	free        chan []byte // output buffers of tasks read, for reuse
	cur         *gzipTask
	off         int
	fallback    *verifiedGzip // once a span is in doubt
	lines       int           // newlines handed out, for fallback messages
}

// newParallelGzip starts decoding the members of f from start, which must
// be where a member starts, to size.
func newParallelGzip(f io.ReaderAt, start, size int64, lines int) *parallelGzip {
	n := runtime.GOMAXPROCS(0)
	g := &parallelGzip{f: countingReaderAt{f}, raw: f, start: start, size: size, lines: lines,
		order: make(chan *gzipTask, n+1), slots: make(chan struct{}, n+1), stop: make(chan struct{}),
		free: make(chan []byte, n+2)}
	g.wg.Add(1)
	go g.plan()
	return g
}

// plan cuts the file into tasks at member starts found by their magic
// bytes, and starts each task as a slot frees.
func (g *parallelGzip) plan() {
	defer g.wg.Done()
	defer close(g.order)
	taskStart := g.start
	emit := func(end int64) bool {
		select {
		case g.slots <- struct{}{}:
		case <-g.stop:
			return false
		}
		t := &gzipTask{start: taskStart, end: end, done: make(chan struct{})}
		if end-taskStart > maxGzipTaskSpan {
			t.err = errGzipTaskTooBig
			close(t.done)
		} else {
			g.wg.Add(1)
			go g.decode(t)
		}
		select {
		case g.order <- t:
		case <-g.stop:
			return false
		}
		taskStart = end
		return true
	}
	buf := make([]byte, 1<<20)
	overlap := len(gzipMemberMagic) // a magic cut by a read is found whole in the next
	for off := g.start + 1; off < g.size; {
		n, err := g.raw.ReadAt(buf, off)
		if n <= overlap {
			break // the end, or a failing read: the last task decodes the rest
		}
		b := buf[:n]
		last := off+int64(n) >= g.size
		for i := 0; ; {
			j := bytes.Index(b[i:], gzipMemberMagic)
			if j < 0 {
				break
			}
			k := i + j
			i = k + 1
			flg := k + len(gzipMemberMagic)
			if flg >= len(b) || b[flg]&0xe0 != 0 {
				continue // cut by the read (found again), or reserved flag bits: no header
			}
			if at := off + int64(k); at-taskStart >= gzipTaskSpan && !emit(at) {
				return
			}
		}
		if last || err != nil {
			break
		}
		off += int64(n - overlap)
	}
	emit(g.size)
}

// gzipMemberMagic starts every member: ID1, ID2 and CM (deflate).
var gzipMemberMagic = []byte{0x1f, 0x8b, 0x08}

// decode decodes t's span, which must hold only whole members.
func (g *parallelGzip) decode(t *gzipTask) {
	defer g.wg.Done()
	defer close(t.done)
	gzipTasksDecoded.Add(1)
	zr, err := inflate.NewReader(bufio.NewReaderSize(io.NewSectionReader(g.f, t.start, t.end-t.start), 64<<10))
	if err != nil {
		t.err = err
		return
	}
	defer zr.Close()
	var out []byte
	select {
	case out = <-g.free:
	default:
		out = make([]byte, 0, min(8*(t.end-t.start), maxGzipTaskOut))
	}
	for {
		if len(out) == cap(out) {
			if len(out) >= maxGzipTaskOut {
				t.err = errGzipTaskTooBig
				return
			}
			out = slices.Grow(out, min(max(len(out), 64<<10), maxGzipTaskOut-len(out)))
		}
		n, err := zr.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if err == io.EOF {
			t.out = out
			return
		}
		if err != nil {
			t.err = err
			return
		}
		select {
		case <-g.stop:
			t.err = io.ErrClosedPipe
			return
		default:
		}
	}
}

func (g *parallelGzip) Read(p []byte) (int, error) {
	for {
		if g.fallback != nil {
			return g.fallback.Read(p)
		}
		if g.cur != nil {
			if g.off < len(g.cur.out) {
				n := copy(p, g.cur.out[g.off:])
				g.lines += bytes.Count(p[:n], []byte{'\n'})
				g.off += n
				return n, nil
			}
			if cap(g.cur.out) <= maxReusedGzipOut {
				select {
				case g.free <- g.cur.out[:0]:
				default:
				}
			}
			g.cur = nil
			<-g.slots
		}
		t, ok := <-g.order
		if !ok {
			return 0, io.EOF
		}
		<-t.done
		if t.err != nil {
			// In doubt from here on: the span may not start a member, or
			// a member is damaged. One member at a time, as before.
			g.halt()
			zr, err := newVerifiedGzip(io.NewSectionReader(g.f, t.start, g.size-t.start))
			if err != nil {
				return 0, err
			}
			zr.lines = g.lines
			g.fallback = zr
			continue
		}
		g.cur, g.off = t, 0
	}
}

// halt stops planning and decoding, and waits for the goroutines.
func (g *parallelGzip) halt() {
	g.stopOnce.Do(func() { close(g.stop) })
	g.wg.Wait()
}

func (g *parallelGzip) Close() error {
	g.halt()
	if g.fallback != nil {
		return g.fallback.Close()
	}
	return nil
}
