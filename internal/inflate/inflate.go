// Package inflate decodes DEFLATE (RFC 1951) and gzip (RFC 1952) streams.
//
// Falcon Data Replicator delivers its events gzipped, so decompression is
// most of what reading them costs; this decoder is about 1.5 times as fast
// as klauspost/compress/flate and up to twice compress/flate on such data.
// It refills a 64-bit bit buffer eight bytes at a time, finds almost every
// code with one table lookup, writes literals in runs and copies matches
// eight bytes at a time, a short one without a loop. It accepts exactly
// the streams compress/flate accepts and reads no byte past the end of a
// stream, so gzip members can follow one another.
package inflate

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// CorruptInputError is the offset, in bytes from the start of the DEFLATE
// stream, around which the stream was found invalid.
type CorruptInputError int64

func (e CorruptInputError) Error() string {
	return fmt.Sprintf("flate: corrupt input before offset %d", int64(e))
}

const (
	maxMatch   = 258
	historyLen = 32 << 10
	// winSize is the output window: the history a match may reach back
	// into, then room for what Read hands out.
	winSize = historyLen + 512<<10
	// slack lets a match copy 32 bytes at once past its end.
	slack = 32
)

type blockState uint8

const (
	stateHeader blockState = iota
	stateStored
	stateHuffman
	stateDone
)

// Decoder reads one DEFLATE stream from a bufio.Reader, consuming exactly
// its bytes.
type Decoder struct {
	br  *bufio.Reader
	in  []byte // buffered input, peeked from br
	pos int    // bytes of in moved into the bit buffer
	eof bool   // br has nothing after in
	// consumed counts the stream's bytes before in (error offsets)
	consumed int64

	bitbuf uint64 // bits above nbits may hold the next input bits
	nbits  uint

	win        []byte
	wpos, rpos int // written up to wpos; handed out up to rpos

	state  blockState
	final  bool // the current block is the last
	stored int  // bytes left in a stored block

	lit       [litTableSize]uint32
	dist      [distTableSize]uint32
	codeLen   [1 << codeLenBits]uint32
	lengths   [numLitLen + numDist]uint8
	fixedUsed bool // lit and dist hold the fixed codes

	err error
}

// NewDecoder returns a Decoder reading a stream from br.
func NewDecoder(br *bufio.Reader) *Decoder {
	d := &Decoder{win: make([]byte, winSize+slack)}
	d.Reset(br)
	return d
}

// Reset makes d read a new stream from br, keeping its buffers.
func (d *Decoder) Reset(br *bufio.Reader) {
	d.br, d.in, d.pos, d.eof, d.consumed = br, nil, 0, false, 0
	d.bitbuf, d.nbits = 0, 0
	d.wpos, d.rpos = 0, 0
	d.state, d.final, d.stored = stateHeader, false, 0
	d.err = nil
}

// Read decodes into p. It returns io.EOF after the stream's last block,
// with the input positioned just past it.
func (d *Decoder) Read(p []byte) (int, error) {
	for {
		if d.rpos < d.wpos {
			n := copy(p, d.win[d.rpos:d.wpos])
			d.rpos += n
			return n, nil
		}
		if d.err != nil {
			return 0, d.err
		}
		if len(p) == 0 {
			return 0, nil
		}
		if d.wpos > winSize-maxMatch {
			// all handed out: keep the history, make room
			copy(d.win, d.win[d.wpos-historyLen:d.wpos])
			d.wpos, d.rpos = historyLen, historyLen
		}
		d.err = d.step()
	}
}

// step decodes until the window is nearly full, the stream ends (io.EOF)
// or an error.
func (d *Decoder) step() error {
	for d.wpos <= winSize-maxMatch {
		var err error
		switch d.state {
		case stateHeader:
			err = d.header()
		case stateStored:
			err = d.copyStored()
		case stateHuffman:
			err = d.huffman()
		case stateDone:
			// the input stands just past the stream: what follows is
			// the caller's
			d.unread()
			d.discard()
			return io.EOF
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// fill makes at least want bytes of input available past pos, unless the
// input ends first (then eof). The bits held are kept.
func (d *Decoder) fill(want int) error {
	d.unread()
	d.discard()
	_, err := d.br.Peek(want)
	d.in, _ = d.br.Peek(d.br.Buffered())
	switch err {
	case nil:
	case io.EOF:
		d.eof = true
	case bufio.ErrBufferFull:
	default:
		return err
	}
	return nil
}

// unread gives the whole bytes of the bit buffer back to the input, so the
// input stands just past the bits used.
func (d *Decoder) unread() {
	d.pos -= int(d.nbits >> 3)
	d.nbits &= 7
	d.bitbuf &= 1<<d.nbits - 1
}

// discard consumes the input used so far from br.
func (d *Decoder) discard() {
	if d.pos > 0 {
		d.br.Discard(d.pos)
		d.consumed += int64(d.pos)
		d.in, d.pos = d.in[d.pos:], 0
	}
}

// more fills at least want bytes once the buffered input is used up, or
// fails at the end of the input.
func (d *Decoder) more(want int) error {
	if d.eof {
		return io.ErrUnexpectedEOF
	}
	return d.fill(want)
}

// need makes at least n bits available, one byte at a time.
func (d *Decoder) need(n uint) error {
	for d.nbits < n {
		if d.pos == len(d.in) {
			if err := d.more(16); err != nil {
				return err
			}
			continue
		}
		d.bitbuf |= uint64(d.in[d.pos]) << d.nbits
		d.pos++
		d.nbits += 8
	}
	return nil
}

// bits reads n bits (n <= 32).
func (d *Decoder) bits(n uint) (uint32, error) {
	if err := d.need(n); err != nil {
		return 0, err
	}
	v := uint32(d.bitbuf & (1<<n - 1))
	d.bitbuf >>= n
	d.nbits -= n
	return v, nil
}

func (d *Decoder) corrupt() error {
	return CorruptInputError(d.consumed + int64(d.pos))
}

// header reads a block header and readies its codes.
func (d *Decoder) header() error {
	h, err := d.bits(3)
	if err != nil {
		return err
	}
	d.final = h&1 != 0
	switch h >> 1 {
	case 0:
		return d.storedHeader()
	case 1:
		if !d.fixedUsed {
			d.fixedCodes()
		}
	case 2:
		if err := d.dynamicCodes(); err != nil {
			return err
		}
	default:
		return d.corrupt()
	}
	d.state = stateHuffman
	return nil
}

// fixedCodes builds the codes of RFC 1951, 3.2.6.
func (d *Decoder) fixedCodes() {
	l := d.lengths[:numLitLen+numDist]
	for i := range l {
		switch {
		case i < 144:
			l[i] = 8
		case i < 256:
			l[i] = 9
		case i < 280:
			l[i] = 7
		case i < numLitLen:
			l[i] = 8
		default:
			l[i] = 5
		}
	}
	build(d.lit[:], litBits, l[:numLitLen], litLenEntries[:])
	build(d.dist[:], distBits, l[numLitLen:], distEntries[:])
	d.fixedUsed = true
}

// codeLenOrder is the order code length code lengths are sent in.
var codeLenOrder = [numCodeLens]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// dynamicCodes reads the codes of a dynamic block (RFC 1951, 3.2.7).
func (d *Decoder) dynamicCodes() error {
	d.fixedUsed = false
	h, err := d.bits(14)
	if err != nil {
		return err
	}
	nlit, ndist, nclen := int(h&31)+257, int(h>>5&31)+1, int(h>>10)+4
	if nlit > 286 || ndist > 30 {
		return d.corrupt()
	}
	var clens [numCodeLens]uint8
	for i := range nclen {
		v, err := d.bits(3)
		if err != nil {
			return err
		}
		clens[codeLenOrder[i]] = uint8(v)
	}
	if !build(d.codeLen[:], codeLenBits, clens[:], codeLenEntries[:]) {
		return d.corrupt()
	}
	lengths := d.lengths[:nlit+ndist]
	for i := 0; i < len(lengths); {
		if err := d.need(codeLenBits); err != nil && !(err == io.ErrUnexpectedEOF && d.nbits > 0) {
			return err
		}
		e := d.codeLen[d.bitbuf&(1<<codeLenBits-1)]
		n := uint(e & 15)
		if e&kindMask == kindInvalid {
			return d.corrupt()
		}
		if n > d.nbits {
			return io.ErrUnexpectedEOF
		}
		d.bitbuf >>= n
		d.nbits -= n
		sym := e >> 16
		if sym < 16 {
			lengths[i] = uint8(sym)
			i++
			continue
		}
		var rep uint32
		var fill uint8
		switch sym {
		case 16:
			if i == 0 {
				return d.corrupt()
			}
			rep, err = d.bits(2)
			rep += 3
			fill = lengths[i-1]
		case 17:
			rep, err = d.bits(3)
			rep += 3
		default:
			rep, err = d.bits(7)
			rep += 11
		}
		if err != nil {
			return err
		}
		if i+int(rep) > len(lengths) {
			return d.corrupt()
		}
		for range rep {
			lengths[i] = fill
			i++
		}
	}
	if !build(d.lit[:], litBits, lengths[:nlit], litLenEntries[:]) ||
		!build(d.dist[:], distBits, lengths[nlit:], distEntries[:]) {
		return d.corrupt()
	}
	return nil
}

// storedHeader reads a stored block's lengths, at the next byte boundary.
func (d *Decoder) storedHeader() error {
	d.bitbuf >>= d.nbits & 7
	d.nbits &^= 7
	h, err := d.bits(32)
	if err != nil {
		return err
	}
	if uint16(h) != ^uint16(h>>16) {
		return d.corrupt()
	}
	d.stored = int(h & 0xffff)
	d.state = stateStored
	return nil
}

// copyStored copies a stored block's bytes, as many as the window takes.
func (d *Decoder) copyStored() error {
	d.unread() // byte aligned: the bytes are in the input
	for d.stored > 0 && d.wpos < winSize {
		if d.pos == len(d.in) {
			if err := d.more(1); err != nil {
				return err
			}
			continue
		}
		n := copy(d.win[d.wpos:min(winSize, d.wpos+d.stored)], d.in[d.pos:])
		d.pos += n
		d.wpos += n
		d.stored -= n
	}
	if d.stored == 0 {
		d.endBlock()
	}
	return nil
}

func (d *Decoder) endBlock() {
	if d.final {
		d.state = stateDone
	} else {
		d.state = stateHeader
	}
}

// huffman decodes a Huffman block until its end, a full window, or too
// little input left in the buffer to take eight bytes at a time.
func (d *Decoder) huffman() error {
	in, pos, eof := d.in, d.pos, d.eof
	bitbuf, nbits := d.bitbuf, d.nbits
	win, wpos := d.win[:winSize+slack], d.wpos
	lit, dist := &d.lit, &d.dist
	var err error
	for wpos <= winSize-maxMatch {
		if pos+8 <= len(in) {
			bitbuf |= binary.LittleEndian.Uint64(in[pos:]) << nbits
			pos += int(63-nbits) >> 3
			nbits |= 56
		} else if !eof {
			d.in, d.pos, d.bitbuf, d.nbits, d.wpos = in, pos, bitbuf, nbits, wpos
			if err = d.fill(16); err != nil {
				return err
			}
			in, pos, eof, bitbuf, nbits = d.in, d.pos, d.eof, d.bitbuf, d.nbits
			continue
		} else {
			for nbits <= 56 && pos < len(in) {
				bitbuf |= uint64(in[pos]) << nbits
				pos++
				nbits += 8
			}
		}

		e := lit[bitbuf&(1<<litBits-1)]
		if e&kindMask == kindLiteral && uint(e&15) <= nbits {
			// Literals come in runs: with 56 bits in the buffer, three
			// fit (15 bits each at most) before the next refill.
			for range 3 {
				bitbuf >>= e & 15
				nbits -= uint(e & 15)
				win[wpos] = byte(e >> 16)
				wpos++
				e = lit[bitbuf&(1<<litBits-1)]
				if e&kindMask != kindLiteral || uint(e&15) > nbits {
					break
				}
			}
			continue
		}
		if e&kindMask == kindLink {
			var ok bool
			if e, bitbuf, nbits, ok = follow(lit[:], e, litBits, bitbuf, nbits); !ok {
				err = io.ErrUnexpectedEOF
				break
			}
		}
		n := uint(e & 15)
		if n > nbits {
			err = io.ErrUnexpectedEOF
			break
		}
		bitbuf >>= n
		nbits -= n
		if e&kindMask != kindMatch {
			switch e & kindMask {
			case kindLiteral: // from a subtable
				win[wpos] = byte(e >> 16)
				wpos++
				continue
			case kindEnd:
				d.endBlock()
			default:
				err = d.corruptAt(pos, nbits)
			}
			break
		}

		// a length, then its distance
		extra := uint(e >> 4 & 15)
		if extra > nbits {
			err = io.ErrUnexpectedEOF
			break
		}
		length := int(e>>16) + int(bitbuf&(1<<extra-1))
		bitbuf >>= extra
		nbits -= extra

		e = dist[bitbuf&(1<<distBits-1)]
		if e&kindMask == kindLink {
			var ok bool
			if e, bitbuf, nbits, ok = follow(dist[:], e, distBits, bitbuf, nbits); !ok {
				err = io.ErrUnexpectedEOF
				break
			}
		}
		n = uint(e & 15)
		extra = uint(e >> 4 & 15)
		if n+extra > nbits || e&kindMask != kindMatch {
			if e&kindMask != kindMatch {
				err = d.corruptAt(pos, nbits)
			} else {
				err = io.ErrUnexpectedEOF
			}
			break
		}
		bitbuf >>= n
		distance := int(e>>16) + int(bitbuf&(1<<extra-1))
		bitbuf >>= extra
		nbits -= n + extra
		if distance > wpos {
			err = d.corruptAt(pos, nbits)
			break
		}

		src := wpos - distance
		end := wpos + length
		switch {
		case distance >= 8:
			// Each eight bytes read were written at least eight before.
			// Most matches are short: their first 32 bytes are copied
			// without a loop (the window has the slack), sparing the
			// branch on a length that varies from match to match.
			w, r := win[wpos:wpos+32], win[src:src+32]
			binary.LittleEndian.PutUint64(w, binary.LittleEndian.Uint64(r))
			binary.LittleEndian.PutUint64(w[8:], binary.LittleEndian.Uint64(r[8:]))
			binary.LittleEndian.PutUint64(w[16:], binary.LittleEndian.Uint64(r[16:]))
			binary.LittleEndian.PutUint64(w[24:], binary.LittleEndian.Uint64(r[24:]))
			for wpos, src = wpos+32, src+32; wpos < end; wpos, src = wpos+8, src+8 {
				binary.LittleEndian.PutUint64(win[wpos:], binary.LittleEndian.Uint64(win[src:]))
			}
		case distance == 1:
			v := uint64(win[src]) * 0x0101010101010101
			for ; wpos < end; wpos += 8 {
				binary.LittleEndian.PutUint64(win[wpos:], v)
			}
		default:
			for ; wpos < end; wpos, src = wpos+1, src+1 {
				win[wpos] = win[src]
			}
		}
		wpos = end
	}
	d.in, d.pos, d.bitbuf, d.nbits, d.wpos = in, pos, bitbuf, nbits, wpos
	return err
}

// follow takes link e of a table with primary index bits: it drops those
// bits and looks the code's rest up in the subtable. It reports false when
// the input ends within them.
func follow(tab []uint32, e uint32, primary uint, bitbuf uint64, nbits uint) (uint32, uint64, uint, bool) {
	if nbits < primary {
		return e, bitbuf, nbits, false
	}
	bitbuf >>= primary
	return tab[e>>16+uint32(bitbuf)&(1<<(e>>4&15)-1)], bitbuf, nbits - primary, true
}

// corruptAt is corrupt with the decoding loop's input position.
func (d *Decoder) corruptAt(pos int, nbits uint) error {
	return CorruptInputError(d.consumed + int64(pos) - int64(nbits>>3))
}
