package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sync"

	"github.com/tiercel/tiercel/internal/inflate"
)

// gzipHold is how much of one gzip member is held back until the member's
// CRC-32 and length are checked: a member that fails its checksum then
// yields no rows at all. Longer members are passed on as they decode, and
// a checksum failure says which lines came from the damaged member. FDR's
// parts are single members of tens of MB, passed on after their first
// hold either way: 2 MB holds small members whole and leaves the memory
// to the chunks compressed files read ahead.
var gzipHold = 2 << 20

// holdBuffers recycles hold buffers between files (cap gzipHold).
var holdBuffers sync.Pool

// verifiedGzip decodes a gzip stream member by member, releasing each
// member's bytes only once its trailer has been verified (up to gzipHold).
type verifiedGzip struct {
	br   *bufio.Reader // one buffered reader across members: no byte is lost at a boundary
	zr   *inflate.GzipReader
	hold []byte // the current member's bytes, not yet verified
	out  []byte // verified bytes not yet read
	// passing: the current member outgrew the hold and is passed on
	// unverified; passLine is the line (0-based count of newlines released
	// before it) where its bytes started.
	passing  bool
	passLine int
	lines    int // newlines released so far
	err      error
	eof      bool
	// A file read from its start can have the members after the first
	// decoded in parallel (gzipparallel.go): file and size locate them,
	// consumed tells where the first one ended, rest decodes them.
	file     io.ReaderAt
	size     int64
	consumed *offsetReader
	rest     *parallelGzip
}

func newVerifiedGzip(r io.Reader) (*verifiedGzip, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	zr, err := inflate.NewGzipReader(br)
	if err != nil {
		return nil, err
	}
	return &verifiedGzip{br: br, zr: zr}, nil
}

// newSplittingGzip is newVerifiedGzip for r, the stream of file (size
// bytes) from its start: once the first member is read, the rest is
// decoded in parallel when it is large.
func newSplittingGzip(r io.Reader, file io.ReaderAt, size int64) (*verifiedGzip, error) {
	consumed := &offsetReader{r: r}
	g, err := newVerifiedGzip(consumed)
	if err != nil {
		return nil, err
	}
	g.file, g.size, g.consumed = file, size, consumed
	return g, nil
}

// offsetReader counts the bytes read through it.
type offsetReader struct {
	r io.Reader
	n int64
}

func (o *offsetReader) Read(p []byte) (int, error) {
	n, err := o.r.Read(p)
	o.n += int64(n)
	return n, err
}

func (g *verifiedGzip) Close() error {
	if cap(g.hold) == gzipHold {
		b := g.hold[:0]
		holdBuffers.Put(&b)
	}
	g.hold, g.out = nil, nil
	if g.rest != nil {
		g.rest.Close()
	}
	return g.zr.Close()
}

func (g *verifiedGzip) Read(p []byte) (int, error) {
	for len(g.out) == 0 {
		if g.rest != nil {
			return g.rest.Read(p)
		}
		if g.err != nil {
			return 0, g.err
		}
		if g.eof {
			return 0, io.EOF
		}
		if g.passing {
			n, err := g.zr.Read(p)
			g.lines += bytes.Count(p[:n], []byte{'\n'})
			if err != nil {
				g.memberEnd(err)
				if n > 0 {
					return n, nil
				}
				continue
			}
			return n, nil
		}
		g.fill()
	}
	n := copy(p, g.out)
	g.lines += bytes.Count(p[:n], []byte{'\n'})
	g.out = g.out[n:]
	return n, nil
}

// fill decodes the current member into hold until it ends (verified: its
// bytes move to out) or outgrows gzipHold (passed on unverified).
func (g *verifiedGzip) fill() {
	if cap(g.hold) == 0 {
		if b, ok := holdBuffers.Get().(*[]byte); ok && cap(*b) == gzipHold {
			g.hold = *b
		} else {
			g.hold = make([]byte, 0, gzipHold)
		}
	}
	g.hold = g.hold[:0]
	for {
		if len(g.hold) >= gzipHold {
			g.passing, g.passLine = true, g.lines
			g.out = g.hold // fill runs again only once out is read: hold is then free
			return
		}
		n, err := g.zr.Read(g.hold[len(g.hold):gzipHold])
		g.hold = g.hold[:len(g.hold)+n]
		if err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				// Verified, or cut short: a truncated stream decodes
				// correctly up to the cut, so its lines are kept.
				g.out = g.hold
			} else {
				dropped := bytes.Count(g.hold, []byte{'\n'})
				g.hold = g.hold[:0]
				err = fmt.Errorf("%w (%d line(s) of the damaged member dropped)", err, dropped)
			}
			g.memberEnd(err)
			return
		}
	}
}

// memberEnd handles the end of a member: io.EOF means its trailer checked
// out, and the next member (if any) starts.
func (g *verifiedGzip) memberEnd(err error) {
	wasPassing := g.passing
	g.passing = false
	if err != io.EOF {
		if wasPassing {
			err = fmt.Errorf("%w (lines %d onwards came from the damaged member and were read before its checksum failed)", err, g.passLine+1)
		}
		g.err = err
		return
	}
	if g.consumed != nil {
		// the next member starts here, in the file
		at := g.consumed.n - int64(g.br.Buffered())
		g.consumed = nil // only after the first member
		if g.size-at >= parallelGzipMin {
			g.rest = newParallelGzip(g.file, at, g.size, g.lines+bytes.Count(g.out, []byte{'\n'}))
			return
		}
	}
	switch rerr := g.zr.Reset(g.br); rerr {
	case nil:
	case io.EOF:
		g.eof = true
	default:
		g.err = rerr
	}
}
