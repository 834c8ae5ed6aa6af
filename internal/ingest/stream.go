package ingest

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/tiercel/tiercel/internal/readfull"
)

// DefaultChunkSize is the target size of a chunk: big enough to amortise
// per-chunk work, small enough to spread over workers.
const DefaultChunkSize = 1 << 20

// minChunkSize keeps room for the magic bytes and makes tiny test sizes safe.
const minChunkSize = 16

// maxZstdWindow matches the zstd CLI's default decoding limit, so a hostile
// header cannot make us reserve gigabytes.
const maxZstdWindow = 1 << 27

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// compression names the codec recognised from a stream's first bytes.
type compression string

const (
	plain     compression = "plain"
	gzipCodec compression = "gzip"
	zstdCodec compression = "zstd"
)

func sniff(head []byte) compression {
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		return gzipCodec
	case bytes.HasPrefix(head, zstdMagic):
		return zstdCodec
	}
	return plain
}

// chunkEmitter receives the whole-line chunks of one stream. It returns false
// when the consumer has gone away and reading should stop.
type chunkEmitter func(data []byte, firstLine int) bool

// streamError is a read failure in the middle of a stream; Line is the
// number of whole lines delivered before it.
type streamError struct {
	Codec compression
	Line  int
	Err   error
}

func (e *streamError) Error() string {
	msg := strings.TrimPrefix(e.Err.Error(), string(e.Codec)+": ")
	what := string(e.Codec) + " data broken"
	if e.Codec == plain {
		what = "read failed"
	}
	if e.Line == 0 {
		return fmt.Sprintf("%s at the start: %s", what, msg)
	}
	return fmt.Sprintf("%s after line %d: %s", what, e.Line, msg)
}

func (e *streamError) Unwrap() error { return e.Err }

// DefaultMaxLine is the longest line read by default: far beyond any real
// Falcon event, yet a line of endless bytes (a gzip bomb, /dev/zero) costs a
// bounded buffer, not all memory.
const DefaultMaxLine = 16 << 20

// utf8BOM starts some exported files; JSON decoders must not see it.
var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// streamConfig bounds one stream's reading.
type streamConfig struct {
	// file, when set, is the stream's file (size bytes), read from its
	// start: a gzip file of many members is then decoded in parallel.
	file io.ReaderAt
	size int64

	chunkSize int
	maxLine   int // longest line kept (DefaultMaxLine when 0)
	// tooLong is told of each skipped over-long line: its number and the
	// bytes seen before the limit was reached (nil: skipped silently).
	tooLong func(line int, size int)
	// stopped reports that the consumer has gone: skipping an endless line
	// (zeros from a pipe) must not outlive it. Nil: never.
	stopped func() bool
	// waiting is called every skipHeartbeat bytes of a skipped line, so a
	// consumer waiting for the next chunk gets control back (to see an
	// interrupt) while an endless line is skipped. Nil: not called.
	waiting func()
	// sniffed is told the stream's codec before its first chunk. Nil:
	// not told.
	sniffed func(compression)
	// document is set once the stream is read as a JSON document
	// (documents.go)
	document bool
}

// skipHeartbeat is how much of an over-long line is skipped between calls
// of streamConfig.waiting.
const skipHeartbeat = 64 << 20

// readStream cuts src into chunks of whole lines, decompressing it first when
// its magic bytes say gzip or zstd. Plain input is read straight into the
// chunk buffers, so lines are never copied except a line split by a chunk
// boundary. Lines decoded before a decompression error are delivered.
func readStream(src io.Reader, chunkSize int, emit chunkEmitter) error {
	return readStreamWith(src, streamConfig{chunkSize: chunkSize}, emit)
}

func readStreamWith(src io.Reader, cfg streamConfig, emit chunkEmitter) error {
	if cfg.chunkSize <= 0 {
		cfg.chunkSize = DefaultChunkSize
	}
	if cfg.maxLine <= 0 {
		cfg.maxLine = DefaultMaxLine
	}
	cfg.chunkSize = max(min(cfg.chunkSize, cfg.maxLine), minChunkSize)
	chunkSize := cfg.chunkSize
	buf := chunkBuffer(chunkSize)
	n, err := readfull.Read(src, buf[:len(zstdMagic)])
	codec := sniff(buf[:n])
	if err != nil && err != io.EOF {
		return &streamError{Codec: plain, Err: err}
	}
	if cfg.sniffed != nil {
		cfg.sniffed(codec)
	}
	if codec == plain {
		if err == io.EOF {
			src = bytes.NewReader(nil) // ended: not read again (a terminal would wait)
		}
		return cutLines(src, buf, n, cfg, plain, emit)
	}
	compressed := io.MultiReader(bytes.NewReader(append([]byte(nil), buf[:n]...)), src)
	switch codec {
	case gzipCodec:
		var zr *verifiedGzip
		var err error
		if cfg.file != nil && runtime.GOMAXPROCS(0) > 1 {
			zr, err = newSplittingGzip(compressed, cfg.file, cfg.size)
		} else {
			zr, err = newVerifiedGzip(compressed)
		}
		if err != nil {
			return &streamError{Codec: codec, Err: err}
		}
		defer zr.Close()
		return cutLines(zr, buf, 0, cfg, codec, emit)
	default:
		// Synchronous decoding is the fastest for one stream (~2.5 GB/s a
		// core here, against ~1.9 GB/s with 2 decoder goroutines); the
		// workers filter in parallel with it.
		zr, err := zstd.NewReader(compressed,
			zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderMaxWindow(maxZstdWindow))
		if err != nil {
			return &streamError{Codec: codec, Err: err}
		}
		defer zr.Close()
		return cutLines(zr, buf, 0, cfg, codec, emit)
	}
}

// decodedAside reports whether a stream of codec is decoded while other
// cores search what it gave: stages beside its decoding (numbering, chunks
// queued ahead, the next file read meanwhile) pay only then.
func decodedAside(codec compression) bool {
	return codec != plain && runtime.GOMAXPROCS(0) > 1
}

// cutLines fills buf (whose first filled bytes are already read) and hands
// out every run of whole lines; the partial last line moves to a fresh
// buffer. A line longer than the buffer grows it, up to cfg.maxLine; a
// longer line is skipped to its end and reported. A stream that starts with
// a UTF-8 byte-order mark loses it; one whose first buffer ends lines with
// CR alone (classic Mac) has every CR read as a newline.
func cutLines(src io.Reader, buf []byte, filled int, cfg streamConfig, codec compression, emit chunkEmitter) error {
	chunkSize := cfg.chunkSize
	out := newNumbering(emit, decodedAside(codec))
	defer out.close()
	first, crOnly := true, false
	for {
		n, err := readfull.Read(src, buf[filled:])
		if crOnly {
			crToLF(buf[filled : filled+n])
		}
		filled += n
		if first && (err == nil || err == io.EOF) {
			first = false
			if bytes.HasPrefix(buf[:filled], utf8BOM) {
				filled = copy(buf, buf[len(utf8BOM):filled])
			}
			if !cfg.document && isJSONDocument(buf[:filled]) {
				cfg.document = true
				head := bytes.NewReader(append([]byte(nil), buf[:filled]...))
				out.close() // nothing put yet
				return cutLines(newDocumentLines(io.MultiReader(head, src)), buf, 0, cfg, codec, emit)
			}
			if bytes.IndexByte(buf[:filled], '\n') < 0 && bytes.IndexByte(buf[:filled], '\r') >= 0 {
				crOnly = true
				crToLF(buf[:filled])
			}
		}
		if err == io.EOF {
			if filled > 0 {
				out.put(buf[:filled])
			}
			return nil
		}
		if err != nil {
			// Keep the whole lines that made it out before the damage.
			if cut := bytes.LastIndexByte(buf[:filled], '\n'); cut >= 0 && !out.put(buf[:cut+1]) {
				return nil
			}
			return &streamError{Codec: codec, Line: out.line() - 1, Err: err}
		}
		cut := bytes.LastIndexByte(buf[:filled], '\n')
		if cut < 0 {
			if filled > cfg.maxLine {
				// Too long: drop it up to its end, keeping the buffer.
				rest, size, err := skipLine(src, buf, filled, crOnly, cfg)
				line := out.line()
				if cfg.tooLong != nil {
					cfg.tooLong(line, size)
				}
				if err == io.EOF {
					return nil
				}
				if err != nil {
					return &streamError{Codec: codec, Line: line, Err: err}
				}
				out.skip(1)
				filled = copy(buf, rest)
				continue
			}
			// One line fills the whole buffer: grow it and keep reading.
			grown := make([]byte, min(2*len(buf), cfg.maxLine+1))
			copy(grown, buf[:filled])
			buf = grown
			continue
		}
		rest := buf[cut+1 : filled]
		// never past maxLine+1: a line ending inside a buffer that size is
		// within the limit
		next := chunkBuffer(max(chunkSize, min(2*len(rest), cfg.maxLine+1)))
		filled = copy(next, rest)
		if !out.put(buf[:cut+1]) {
			return nil
		}
		buf = next
	}
}

// skipLine discards the rest of an over-long line whose first filled bytes
// fill buf. It returns what follows the line's newline (inside buf), the
// line's size as far as read (capped at a few GB: it is only reported) and
// the read error, io.EOF when the stream ended inside the line.
func skipLine(src io.Reader, buf []byte, filled int, crOnly bool, cfg streamConfig) ([]byte, int, error) {
	size, beat := filled, filled
	for {
		if cfg.stopped != nil && cfg.stopped() {
			return nil, size, io.EOF
		}
		if size-beat >= skipHeartbeat && cfg.waiting != nil {
			beat = size
			cfg.waiting()
		}
		n, err := readfull.Read(src, buf)
		if crOnly {
			crToLF(buf[:n])
		}
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			size += i
			return buf[i+1 : n], size, nil
		}
		size += n
		if err != nil {
			return nil, size, err
		}
	}
}

// crToLF turns every CR into LF, in place.
func crToLF(b []byte) {
	for i := bytes.IndexByte(b, '\r'); i >= 0; {
		b[i] = '\n'
		j := bytes.IndexByte(b[i+1:], '\r')
		if j < 0 {
			return
		}
		i += 1 + j
	}
}
