package ingest

import (
	"bytes"
	"io"
	"runtime"

	"github.com/tiercel/tiercel/internal/readfull"
)

// Events also come as one JSON document rather than one per line: a JSON
// array (LogScale's search API answering application/json, most export
// buttons) or objects pretty-printed over many lines (jq's default output,
// ConvertTo-Json, json.dumps with indent). Such a stream is read as NDJSON:
// each element becomes one compact line, so everything after the line
// split (the prefilter, the raw field scans, reports by line) works as for
// NDJSON. An element is put on the line of the file it starts on, or on the
// line after the previous element's when several share a line (a one-line
// array numbers its elements), so a report names a line the user can find.

// isJSONDocument says whether a stream whose first bytes are head is a JSON
// document of events: an array of objects (it starts with '[' then '{', or
// is an empty array), or objects whose first line is a lone '{'. An NDJSON
// file whose first line is cut short starts with '{' too, but that line
// holds more than the brace; a text log's first line may start with '['
// (a bracketed date), but not with "[{".
func isJSONDocument(head []byte) bool {
	h := bytes.TrimLeft(head, " \t\r\n")
	if len(h) == 0 {
		return false
	}
	switch h[0] {
	case '[':
		h = bytes.TrimLeft(h[1:], " \t\r\n")
		return len(h) > 0 && (h[0] == '{' || h[0] == ']')
	case '{':
		end := bytes.IndexByte(h, '\n')
		return end >= 0 && len(bytes.TrimSpace(h[:end])) == 1
	}
	return false
}

// documentLines reads a JSON document as NDJSON (see above). It checks only
// what it needs to find where elements start and end (strings, escapes,
// nesting): an element that is not valid JSON comes out as one line, which
// the decoder reports.
//
// Compacting is most of what reading a document costs (it looks at every
// byte, a search at few), so blocks of it are compacted in parallel.
// Where a block starts is guessed: it is cut before a '{' that follows a
// '}' (and a ',' in an array), the start of an element unless those bytes
// are inside a string or a nested value. A guess is checked against where
// the block before ended; a wrong one is compacted again from there, so
// the output is the same as compacting the whole stream in one go.
type documentLines struct {
	src       io.Reader
	err       error // src's, once it has ended
	blockSize int
	parallel  bool
	// inArray: the document starts with '[' (known from the first
	// block), so a cut assumes it is inside the outermost array
	inArray, formKnown bool
	blocks             int    // read so far
	cut                bool   // the last block read was cut before an element
	carry              []byte // what followed the cut: the next block's start
	queue              []*docBlock
	free               []*docBlock

	// writing out
	cur      *docBlock
	pos, end int // cur.out[pos:end] is to be written
	next     int // cur's next element
	state    docState
	srcLine  int // the file's line cur starts on, from 1
	outLine  int // the output's line, from 1
	started  bool
	newline  int // newlines owed before the next byte written
}

// docBlockSize is how much of a document a block holds.
const docBlockSize = 256 << 10

func newDocumentLines(src io.Reader) *documentLines {
	return newDocumentBlocks(src, docBlockSize, runtime.GOMAXPROCS(0) > 1)
}

func newDocumentBlocks(src io.Reader, blockSize int, parallel bool) *documentLines {
	return &documentLines{src: src, blockSize: blockSize, parallel: parallel, srcLine: 1, outLine: 1}
}

func (d *documentLines) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if d.newline > 0 {
			p[n] = '\n'
			n++
			d.newline--
			continue
		}
		if d.cur == nil {
			if n > 0 {
				return n, nil // hand over what is done before waiting for more
			}
			if !d.take() {
				if d.started {
					d.started = false
					d.newline++ // the last element's line ends
					continue
				}
				return 0, d.err
			}
			continue
		}
		if d.pos < d.end {
			k := copy(p[n:], d.cur.out[d.pos:d.end])
			n += k
			d.pos += k
			continue
		}
		if d.next == len(d.cur.elems) {
			d.srcLine += d.cur.lines
			d.state = d.cur.end
			d.free = append(d.free, d.cur)
			d.cur = nil
			continue
		}
		e := d.cur.elems[d.next]
		d.next++
		d.end = d.segmentEnd()
		// An element goes on the line it starts on, or on the line after
		// the previous element's.
		owed := d.srcLine + e.line - d.outLine
		if d.started {
			owed = max(owed, 1)
		}
		d.newline += owed
		d.outLine += owed
		d.started = true
	}
	return n, nil
}

// take makes the next block, compacted, the one written out; false once
// src has ended and every block was written.
func (d *documentLines) take() bool {
	for d.err == nil && len(d.queue) < d.ahead() {
		d.read()
	}
	if len(d.queue) == 0 {
		return false
	}
	b := d.queue[0]
	d.queue = d.queue[1:]
	if b.done != nil {
		<-b.done
	}
	switch {
	case b.done == nil, b.blind:
		b.start = d.state
		b.compact()
	case b.speculative && !d.state.between(b.start.inArray):
		b.start = d.state // guessed wrong: an element went on past the cut
		b.compact()
	}
	d.cur, d.pos, d.next = b, 0, 0
	d.end = d.segmentEnd() // first, the end of an element from the block before
	return true
}

// segmentEnd is where what is written of cur.out before its next element
// ends: that element's start, or the block's end.
func (d *documentLines) segmentEnd() int {
	if d.next < len(d.cur.elems) {
		return d.cur.elems[d.next].at
	}
	return len(d.cur.out)
}

// ahead is how many blocks are read before the first is written out: one
// for each core compacting, one more being read.
func (d *documentLines) ahead() int {
	if !d.parallel {
		return 1
	}
	return runtime.GOMAXPROCS(0) + 1
}

// read reads a block from src and, in parallel, starts compacting it.
func (d *documentLines) read() {
	var b *docBlock
	if k := len(d.free); k > 0 {
		b, d.free = d.free[k-1], d.free[:k-1]
	} else {
		b = &docBlock{}
	}
	if cap(b.in) < d.blockSize {
		b.in = make([]byte, d.blockSize)
	}
	buf := b.in[:d.blockSize]
	filled := copy(buf, d.carry)
	m, err := readfull.Read(d.src, buf[filled:])
	filled += m
	if err != nil {
		d.err = err
	}
	in := buf[:filled]
	if !d.formKnown {
		if h := bytes.TrimLeft(in, " \t\r\n"); len(h) > 0 {
			d.formKnown, d.inArray = true, h[0] == '['
		}
	}
	first := d.blocks == 0
	d.blocks++
	b.speculative, b.blind = d.cut, !first && !d.cut
	b.start = docState{inArray: d.inArray}
	d.carry = d.carry[:0]
	d.cut = false
	if d.err == nil {
		if c := elementCut(in, d.inArray); c > 0 {
			d.carry = append(d.carry, in[c:]...)
			in = in[:c]
			d.cut = true
		}
	}
	b.in = in
	b.done = nil
	if d.parallel && !b.blind && (b.speculative || first) {
		b.done = make(chan struct{})
		if first {
			b.start = docState{}
		}
		go func() {
			b.compact()
			close(b.done)
		}()
	}
	d.queue = append(d.queue, b)
}

// elementCut returns where in the last element of in that follows another
// seems to start: a '{' after a '}', with a ',' between in an array; 0
// when there is none.
func elementCut(in []byte, inArray bool) int {
	for j := len(in); j > 0; {
		k := bytes.LastIndexByte(in[:j], '{')
		if k <= 0 {
			return 0
		}
		before := bytes.TrimRight(in[:k], " \t\r\n")
		if inArray {
			if len(before) == 0 || before[len(before)-1] != ',' {
				j = k
				continue
			}
			before = bytes.TrimRight(before[:len(before)-1], " \t\r\n")
		}
		if len(before) > 0 && before[len(before)-1] == '}' {
			return k
		}
		j = k
	}
	return 0
}
