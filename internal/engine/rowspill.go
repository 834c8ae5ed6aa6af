package engine

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync/atomic"
	"unsafe"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/scratch"
)

// Rows that table() and sort() keep can outgrow memory: a hunt keeps every
// alert of a rule, ordered. Past a budget a collector sorts what it holds
// and writes it to a temporary file as a run, then frees it; at the end
// the runs and the rows still held are merged, ties going to the earlier
// run, which is the stable sort of all rows in the order they came. With a
// limit, runs past twice it are merged down to the first limit rows
// (compact), and a row that cannot beat the last of them is cut as it
// arrives, so the file stays near the limit however many rows come.

// rowMemory is what the table() and sort() rows of a program, or of the
// programs sharing a RowBudget, may hold (eventSize estimates) before the
// collector adding a row spills; it also spills once its program holds half
// its --max-memory, so that rows never stop a query. minRowSpill: a
// collector holding less never spills (a run is worth a file write).
// Variables for tests.
var (
	rowMemory   int64 = 32 << 20
	minRowSpill int64 = 256 << 10
)

// rowSpill is a collector's temporary file and the runs written to it.
type rowSpill struct {
	f      *scratch.File
	runs   []rowRun
	end    int64
	failed error // the first write failure: rows then stay in memory
}

// RowBudget counts the row bytes a set of programs holds in memory; share
// one between programs run together (Options.Rows).
type RowBudget struct{ held atomic.Int64 }

// rowRunsWritten and rowsWritten count runs and rows written (tests).
var rowRunsWritten, rowsWritten atomic.Int64

// rowRun is one sorted run: count records at off, size bytes.
type rowRun struct {
	off, size int64
	count     int
}

// write appends rows, sorted, as a run.
func (s *rowSpill) write(rows []*event.Event) error {
	w, err := s.newRun()
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := w.add(r); err != nil {
			return err
		}
	}
	return w.end()
}

// runWriter writes one run, row by row.
type runWriter struct {
	s     *rowSpill
	w     *bufio.Writer
	buf   []byte
	size  int64
	count int
}

func (s *rowSpill) newRun() (*runWriter, error) {
	if s.f == nil {
		f, err := scratch.New("tiercel-rows-*")
		if err != nil {
			return nil, err
		}
		s.f = f
	}
	return &runWriter{s: s, w: bufio.NewWriterSize(io.NewOffsetWriter(s.f, s.end), 256<<10)}, nil
}

func (w *runWriter) add(r *event.Event) error {
	w.buf = appendRowRecord(w.buf[:0], r)
	w.size += int64(len(w.buf))
	w.count++
	_, err := w.w.Write(w.buf)
	return err
}

// end completes the run.
func (w *runWriter) end() error {
	if err := w.w.Flush(); err != nil {
		return err
	}
	s := w.s
	s.runs = append(s.runs, rowRun{off: s.end, size: w.size, count: w.count})
	rowRunsWritten.Add(1)
	rowsWritten.Add(int64(w.count))
	s.end += w.size
	return nil
}

// rows is how many rows the runs hold.
func (s *rowSpill) rows() int {
	n := 0
	for _, r := range s.runs {
		n += r.count
	}
	return n
}

// compact merges the runs into one of their first limit rows, in a file
// of its own, and returns it with the last row's keys: a row arriving
// later that does not sort before them can never be shown.
func (s *rowSpill) compact(keys []sortKey, limit int) (*rowSpill, []sortVal, error) {
	out := &rowSpill{}
	w, err := out.newRun()
	if err != nil {
		return nil, nil, err
	}
	var last *event.Event
	var werr error
	if _, err := s.merge(keys, nil, limit, func(r *event.Event) {
		if werr == nil {
			werr = w.add(r)
		}
		last = r.Clone() // r is the merge's until its next row
	}); err != nil {
		out.close()
		return nil, nil, err
	}
	if werr == nil {
		werr = w.end()
	}
	if werr != nil {
		out.close()
		return nil, nil, werr
	}
	s.close()
	cutoff := make([]sortVal, len(keys))
	if last != nil {
		sortValsOf(last, keys, cutoff)
	}
	return out, cutoff, nil
}

// close releases the file.
func (s *rowSpill) close() {
	if s.f == nil {
		return
	}
	s.f.Close()
	s.f = nil
}

// A record is its field count, then each name and value, each a length
// (uvarint) and its bytes.
func appendRowRecord(b []byte, r *event.Event) []byte {
	fields := r.Fields()
	b = binary.AppendUvarint(b, uint64(len(fields)))
	for _, f := range fields {
		b = binary.AppendUvarint(b, uint64(len(f.Name)))
		b = append(b, f.Name...)
		b = binary.AppendUvarint(b, uint64(len(f.Value)))
		b = append(b, f.Value...)
	}
	return b
}

var errRowRecord = errors.New("malformed row record")

// readRowRecord reads one record into a new event.
func readRowRecord(r *bufio.Reader) (*event.Event, error) {
	rr := rowReader{r: r}
	return rr.next()
}

// rowReader reads a run's records into an event and a buffer it reuses:
// merging a hunt's spilled alerts allocated every name and value of every
// row, most of the merge's time with the collector it woke. A row read is
// valid until the next is read, which is all emit needs (rows are only
// valid during the call).
type rowReader struct {
	r    *bufio.Reader
	ev   *event.Event
	buf  []byte
	ends []int // each string's end in buf: its start is the one before's end
}

// next reads the next record: io.EOF at the end of the run.
func (rr *rowReader) next() (*event.Event, error) {
	n, err := binary.ReadUvarint(rr.r)
	if err != nil {
		return nil, err
	}
	if n > DefaultMaxFields {
		return nil, errRowRecord
	}
	rr.buf, rr.ends = rr.buf[:0], rr.ends[:0]
	for range 2 * n {
		l, err := binary.ReadUvarint(rr.r)
		if err != nil {
			return nil, noEOF(err)
		}
		if l > 1<<31 {
			return nil, errRowRecord
		}
		if rr.buf, err = appendLength(rr.buf, rr.r, int(l)); err != nil {
			return nil, noEOF(err)
		}
		rr.ends = append(rr.ends, len(rr.buf))
	}
	if rr.ev == nil {
		rr.ev = &event.Event{}
	}
	e := rr.ev
	e.Reset()
	str := func(i int) string {
		from := 0
		if i > 0 {
			from = rr.ends[i-1]
		}
		return unsafe.String(unsafe.SliceData(rr.buf[from:]), rr.ends[i]-from) // the buffer is not written until the next record
	}
	for i := 0; i < len(rr.ends); i += 2 {
		e.Set(str(i), str(i+1))
	}
	return e, nil
}

// appendLength appends n bytes read from r to b, growing b as they arrive
// rather than by all that a damaged length claims (up to 2 GiB for a few
// bytes of file).
func appendLength(b []byte, r io.Reader, n int) ([]byte, error) {
	const step = 1 << 20
	for left := n; left > 0; {
		k := min(left, max(step, len(b))) // doubles: amortised like append
		b = slices.Grow(b, k)
		m, err := io.ReadFull(r, b[len(b):len(b)+k])
		b = b[:len(b)+m]
		left -= m
		if err != nil {
			if err == io.EOF && left < n {
				err = io.ErrUnexpectedEOF // some bytes were read before
			}
			return b, err
		}
	}
	return b, nil
}

// noEOF: a record cut short is an error, not the end of its run.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// rowSource is one sorted input of the merge: a run read back, or the
// rows still in memory (the last input).
type rowSource struct {
	order int // earlier runs win ties
	next  func() (*event.Event, error)
	row   *event.Event
	vals  []sortVal
}

type rowHeap struct {
	keys []sortKey
	srcs []*rowSource
}

func (h *rowHeap) Len() int { return len(h.srcs) }
func (h *rowHeap) Less(i, j int) bool {
	a, b := h.srcs[i], h.srcs[j]
	if lessVals(h.keys, a.vals, b.vals) {
		return true
	}
	if lessVals(h.keys, b.vals, a.vals) {
		return false
	}
	return a.order < b.order
}
func (h *rowHeap) Swap(i, j int) { h.srcs[i], h.srcs[j] = h.srcs[j], h.srcs[i] }
func (h *rowHeap) Push(x any)    { h.srcs = append(h.srcs, x.(*rowSource)) }
func (h *rowHeap) Pop() any {
	s := h.srcs[len(h.srcs)-1]
	h.srcs = h.srcs[:len(h.srcs)-1]
	return s
}

// advance loads src's next row; false at its end.
func (src *rowSource) advance(keys []sortKey) (bool, error) {
	r, err := src.next()
	if err != nil || r == nil {
		return false, err
	}
	src.row = r
	sortValsOf(r, keys, src.vals)
	return true, nil
}

// merge emits the runs and then mem (sorted) in key order, up to limit
// rows (0: all), and returns how many it emitted.
func (s *rowSpill) merge(keys []sortKey, mem []*event.Event, limit int, emit func(*event.Event)) (int, error) {
	h := &rowHeap{keys: keys}
	var firstErr error
	add := func(src *rowSource) {
		src.vals = make([]sortVal, len(keys))
		ok, err := src.advance(keys)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		if ok {
			h.srcs = append(h.srcs, src)
		}
	}
	// the readers share 8 MiB of buffers: a collector that spilled small
	// runs many times must not need a large buffer for each
	bufSize := min(64<<10, max(4<<10, (8<<20)/len(s.runs)))
	for i, run := range s.runs {
		rr := &rowReader{r: bufio.NewReaderSize(io.NewSectionReader(s.f, run.off, run.size), int(min(int64(bufSize), max(16, run.size))))}
		left := run.count
		add(&rowSource{order: i, next: func() (*event.Event, error) {
			if left == 0 {
				return nil, nil
			}
			left--
			r, err := rr.next()
			if err != nil {
				return nil, fmt.Errorf("reading rows back: %w", noEOF(err))
			}
			return r, nil
		}})
	}
	at := 0
	add(&rowSource{order: len(s.runs), next: func() (*event.Event, error) {
		if at == len(mem) {
			return nil, nil
		}
		at++
		return mem[at-1], nil
	}})
	heap.Init(h)
	emitted := 0
	for h.Len() > 0 && (limit <= 0 || emitted < limit) {
		src := h.srcs[0]
		emit(src.row)
		emitted++
		ok, err := src.advance(keys)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		if ok {
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
	}
	return emitted, firstErr
}
