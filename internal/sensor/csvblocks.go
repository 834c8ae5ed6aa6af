package sensor

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/tiercel/tiercel/internal/readfull"
)

// A CSV export is parsed and converted in blocks of whole records, on
// every core: reading the fields (csvscan.go) and the JSON written for
// each row cost far more than finding where records end, which one pass over a block does on the
// reading goroutine looking only at its quotes. The blocks' output,
// counts and problems are taken in order, so the result is the one a
// single reader gives.

// csvBlockSize is how much of a CSV a block holds (more when one record
// is longer).
const csvBlockSize = 1 << 20

// csvCutter reads a CSV stream in blocks that end with a whole record.
type csvCutter struct {
	src   io.Reader
	size  int
	carry []byte // the start of a record the last block did not end
	line  int    // the line the next block starts on, from 1
	ended bool   // src ended (or failed: what is held is dropped)
	err   error  // src's, when it failed
	free  [][]byte
}

// failure is src's read error with the line it came after, nil when src
// ended cleanly.
func (k *csvCutter) failure() error {
	if k.err == nil {
		return nil
	}
	return fmt.Errorf("after line %d: %w", k.line-1, k.err)
}

// recycle gives back a block's buffer once its records are converted
// (and the next block read: that took what followed the cut).
func (k *csvCutter) recycle(b []byte) {
	k.free = append(k.free, b[:0])
}

// next returns the next block and the line it starts on; false once src
// has ended and every record was returned.
func (k *csvCutter) next() ([]byte, int, bool) {
	for {
		if k.ended {
			if len(k.carry) == 0 || k.err != nil {
				return nil, 0, false
			}
			b := k.carry
			k.carry = nil
			return b, k.take(b), true
		}
		size := max(k.size, 2*len(k.carry))
		var buf []byte
		if f := len(k.free); f > 0 && cap(k.free[f-1]) >= size {
			buf, k.free = k.free[f-1][:size], k.free[:f-1]
		} else {
			buf = make([]byte, size)
		}
		n := copy(buf, k.carry)
		m, err := readfull.Read(k.src, buf[n:])
		n += m
		k.carry = buf[:n]
		if err == io.EOF {
			k.ended = true
			continue // the rest is the last block
		}
		end := recordsEnd(buf[:n])
		if err != nil {
			k.ended, k.err = true, err // the whole records read are kept
		}
		if end > 0 {
			k.carry = buf[end:n]
			b := buf[:end]
			return b, k.take(b), true
		}
		// no record ends in it: read on, into a larger block
	}
}

// take counts the lines of b, the next block, and returns the line it
// starts on.
func (k *csvCutter) take(b []byte) int {
	line := k.line
	k.line += bytes.Count(b, []byte{'\n'})
	return line
}

// recordsEnd returns where the last whole record of b ends (after its
// newline), b starting with a record; 0 when none does. It follows
// encoding/csv with LazyQuotes, as csvScanner does: a field that starts with a quote is quoted
// to a quote followed by a comma or a line end ("" is a quote inside it,
// any other quote is kept), and newlines inside it are the field's; a
// quote anywhere else is kept as it is.
func recordsEnd(b []byte) int {
	end, i := 0, 0
	fieldStart := true // i starts a field
	for i < len(b) {
		// No field is quoted from i to the next quote: its newlines end records.
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			if nl := bytes.LastIndexByte(b[i:], '\n'); nl >= 0 {
				end = i + nl + 1
			}
			return end
		}
		q += i
		if nl := bytes.LastIndexByte(b[i:q], '\n'); nl >= 0 {
			end = i + nl + 1
		}
		if !(q == i && fieldStart || q > i && (b[q-1] == ',' || b[q-1] == '\n')) {
			i, fieldStart = q+1, false // a quote inside an unquoted field
			continue
		}
		i = q + 1
		for { // a quoted field, to its closing quote
			c := bytes.IndexByte(b[i:], '"')
			if c < 0 {
				return end
			}
			i += c + 1
			if i == len(b) {
				return end // what follows the quote decides
			}
			switch b[i] {
			case ',':
				i++
			case '\n':
				i++
				end = i
			case '\r':
				if i+1 == len(b) {
					return end
				}
				if b[i+1] != '\n' {
					continue // a quote kept in the field
				}
				i += 2
				end = i
			case '"':
				i++ // a doubled quote
				continue
			default:
				continue // a quote kept in the field
			}
			break
		}
		fieldStart = true
	}
	return end
}

// csvRowFunc converts one row of a CSV, its columns named by header and
// starting on line, through c.
type csvRowFunc func(c *converter, header, rec []string, line int) error

// csvBlock is a block's conversion: its output, counts and problems.
// Blocks are used again, their buffers with them.
type csvBlock struct {
	data     []byte
	out      bytes.Buffer
	w        *bufio.Writer
	st       Stats
	problems []Problem
	werr     error
	done     chan struct{}
}

// convertCSVBlock converts the rows of data, whose first line is line of
// the file, with fn.
func (c *converter) convertCSVBlock(data []byte, line int, header []string, fn csvRowFunc, res *csvBlock) {
	res.out.Reset()
	res.out.Grow(2 * len(data)) // JSON takes about twice a row's CSV
	if res.w == nil {
		res.w = bufio.NewWriterSize(&res.out, 64<<10)
	}
	res.w.Reset(&res.out)
	res.problems = res.problems[:0]
	bc := &converter{source: c.source, w: res.w,
		skip: func(p Problem) { res.problems = append(res.problems, p) }}
	bc.eachRow(newCSVScanner(data, line), header, fn)
	if err := bc.w.Flush(); bc.werr == nil {
		bc.werr = err
	}
	res.st, res.werr = bc.st, bc.werr
}

// eachRow calls fn with every row sc reads. A row of another width or
// fn's error is reported with its line and the row skipped.
func (c *converter) eachRow(sc *csvScanner, header []string, fn csvRowFunc) {
	for {
		rec, line, ok := sc.next()
		if !ok {
			return
		}
		c.st.Records++
		if len(rec) != len(header) {
			c.problem(line, 0, fmt.Errorf("CSV row has %d values for %d columns", len(rec), len(header)))
			continue
		}
		if err := fn(c, header, rec, line); err != nil {
			c.problem(line, 0, err)
		}
		if c.werr != nil {
			return
		}
	}
}

// csvRows reads an RFC 4180 CSV export whose first row names the columns
// and converts each row with fn, the blocks after the first in parallel.
// A read error ends it, after the whole records read before it.
func (c *converter) csvRows(src io.Reader, fn csvRowFunc) error {
	cut := &csvCutter{src: src, size: cmp.Or(c.csvBlock, csvBlockSize), line: 1}
	// The header is the first record that is not an empty line: read
	// from the first blocks, as many as hold only empty lines.
	var head []byte
	var sc *csvScanner
	var header []string
	for {
		b, _, more := cut.next()
		head = append(head, b...)
		sc = newCSVScanner(head, 1)
		if rec, _, ok := sc.next(); ok {
			header = append([]string(nil), rec...)
			break
		}
		if !more {
			if err := cut.failure(); err != nil {
				return err
			}
			c.problem(1, 0, fmt.Errorf("CSV header: %v", io.EOF))
			return nil
		}
	}
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	c.eachRow(sc, header, fn) // the rest of the first blocks
	if c.werr != nil {
		return c.werr
	}
	ahead := runtime.GOMAXPROCS(0) + 1
	var queue, free []*csvBlock
	for {
		for len(queue) < ahead {
			data, line, ok := cut.next()
			if !ok {
				break
			}
			res := &csvBlock{}
			if f := len(free); f > 0 {
				res, free = free[f-1], free[:f-1]
			}
			res.data, res.done = data, make(chan struct{})
			go func() {
				defer close(res.done)
				c.convertCSVBlock(data, line, header, fn, res)
			}()
			queue = append(queue, res)
		}
		if len(queue) == 0 {
			return cut.failure()
		}
		res := queue[0]
		queue = queue[1:]
		<-res.done
		c.st.add(res.st)
		if c.skip != nil {
			for _, p := range res.problems {
				c.skip(p)
			}
		}
		if _, err := c.w.Write(res.out.Bytes()); err != nil && c.werr == nil {
			c.werr = err
		}
		if c.werr == nil {
			c.werr = res.werr
		}
		if c.werr != nil {
			return c.werr
		}
		cut.recycle(res.data)
		free = append(free, res)
	}
}
