package inflate

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"sync"
)

var (
	// ErrChecksum: a member's CRC-32 or length does not match its data.
	ErrChecksum = errors.New("gzip: invalid checksum")
	// ErrHeader: the bytes where a member starts are not a gzip header.
	ErrHeader = errors.New("gzip: invalid header")
)

const (
	flagHeaderCRC = 1 << 1
	flagExtra     = 1 << 2
	flagName      = 1 << 3
	flagComment   = 1 << 4
)

// GzipReader decodes gzip members (RFC 1952) one at a time: Read returns
// io.EOF at the end of each member once its checksum and length are
// verified, and Reset starts the next one, so no byte after a member is
// consumed by reading it.
type GzipReader struct {
	br    *bufio.Reader
	d     *Decoder
	crc   uint32
	size  uint32
	err   error
	multi bool // read member after member, as gzip -dc
}

// NewReader returns a reader of all the members of the gzip stream r, one
// after another, as gzip -dc writes them. Bytes after the last member
// that do not start another give ErrHeader.
func NewReader(r io.Reader) (*GzipReader, error) {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	z, err := NewGzipReader(br)
	if err != nil {
		return nil, err
	}
	z.multi = true
	return z, nil
}

// NewGzipReader reads the header of the member at br's start. An input
// without a byte gives io.EOF.
func NewGzipReader(br *bufio.Reader) (*GzipReader, error) {
	d, _ := decoders.Get().(*Decoder)
	if d == nil {
		d = NewDecoder(br)
	}
	z := &GzipReader{d: d}
	if err := z.Reset(br); err != nil {
		z.Close()
		return nil, err
	}
	return z, nil
}

// Reset reads the header of the next member from br: io.EOF when br has no
// byte left, ErrHeader when the bytes there are not a gzip header.
func (z *GzipReader) Reset(br *bufio.Reader) error {
	if z.d == nil {
		return errClosed
	}
	z.br, z.crc, z.size, z.err = br, 0, 0, nil
	if err := readHeader(br); err != nil {
		z.err = err
		return err
	}
	z.d.Reset(br)
	return nil
}

func readHeader(br *bufio.Reader) error {
	var h [10]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return err
	}
	if h[0] != 0x1f || h[1] != 0x8b || h[2] != 8 {
		return ErrHeader
	}
	flags := h[3]
	crc := crc32.ChecksumIEEE(h[:])
	if flags&flagExtra != 0 {
		var n [2]byte
		if _, err := io.ReadFull(br, n[:]); err != nil {
			return noEOF(err)
		}
		crc = crc32.Update(crc, crc32.IEEETable, n[:])
		extra := make([]byte, binary.LittleEndian.Uint16(n[:]))
		if _, err := io.ReadFull(br, extra); err != nil {
			return noEOF(err)
		}
		crc = crc32.Update(crc, crc32.IEEETable, extra)
	}
	for _, f := range []byte{flagName, flagComment} {
		if flags&f == 0 {
			continue
		}
		for {
			b, err := br.ReadByte()
			if err != nil {
				return noEOF(err)
			}
			crc = crc32.Update(crc, crc32.IEEETable, []byte{b})
			if b == 0 {
				break
			}
		}
	}
	if flags&flagHeaderCRC != 0 {
		var c [2]byte
		if _, err := io.ReadFull(br, c[:]); err != nil {
			return noEOF(err)
		}
		if binary.LittleEndian.Uint16(c[:]) != uint16(crc) {
			return ErrHeader
		}
	}
	return nil
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Read decodes the current member into p (with NewReader, every member).
func (z *GzipReader) Read(p []byte) (int, error) {
	for {
		if z.err != nil {
			return 0, z.err
		}
		n, err := z.d.Read(p)
		z.crc = crc32.Update(z.crc, crc32.IEEETable, p[:n])
		z.size += uint32(n)
		if err != io.EOF {
			z.err = err
			return n, err
		}
		var t [8]byte
		if _, err := io.ReadFull(z.br, t[:]); err != nil {
			z.err = noEOF(err)
			return n, z.err
		}
		if binary.LittleEndian.Uint32(t[:4]) != z.crc || binary.LittleEndian.Uint32(t[4:]) != z.size {
			z.err = ErrChecksum
			return n, z.err
		}
		if !z.multi {
			z.err = io.EOF
			return n, io.EOF
		}
		if err := z.Reset(z.br); err != nil {
			return n, err // io.EOF after the last member
		}
		if n > 0 {
			return n, nil
		}
	}
}

// decoders keeps closed readers' decoders (and their 600 KB of window and
// tables) for the next file.
var decoders sync.Pool

// Close gives z's decoder back for reuse; z must not be used after it.
func (z *GzipReader) Close() error {
	if z.d != nil {
		z.d.Reset(nil)
		decoders.Put(z.d)
		z.d, z.err = nil, errClosed
	}
	return nil
}

var errClosed = errors.New("gzip: reader closed")

// DecodeAll decodes every member of the gzip data raw (an object fetched
// whole) into one buffer, sized from the length the last member records:
// io.ReadAll grows its buffer a quarter at a time, copying a 100 MB FDR
// part over and over.
func DecodeAll(raw []byte) ([]byte, error) {
	z, err := NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	defer z.Close()
	size := 0
	if len(raw) >= 18 { // a header and a trailer at least
		// modulo 2^32, and only the last member's: a hint, believed up
		// to an expansion telemetry reaches (past it the buffer grows)
		size = min(int(binary.LittleEndian.Uint32(raw[len(raw)-4:])), 64*len(raw), 1<<30)
	}
	out := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	_, err = out.ReadFrom(z)
	return out.Bytes(), err
}
