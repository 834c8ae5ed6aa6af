package sensor

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// Windows tools often write UTF-16 text with a byte-order mark: Event
// Viewer's "Save as XML", and anything redirected with ">" in Windows
// PowerShell 5 (wevtutil, Get-WinEvent | ConvertTo-Json). Such input is
// turned into UTF-8 before it is recognised and read.
var (
	bomUTF8    = []byte{0xef, 0xbb, 0xbf}
	bomUTF16LE = []byte{0xff, 0xfe}
	bomUTF16BE = []byte{0xfe, 0xff}
)

// decodeHead returns head as UTF-8 text without its byte-order mark.
func decodeHead(head []byte) []byte {
	switch {
	case bytes.HasPrefix(head, bomUTF8):
		return head[3:]
	case bytes.HasPrefix(head, bomUTF16LE), bytes.HasPrefix(head, bomUTF16BE):
		out, _ := io.ReadAll(newUTF16Reader(bytes.NewReader(head[2:]), bytes.HasPrefix(head, bomUTF16BE)))
		return out
	}
	return head
}

// textReader strips a byte-order mark from src and decodes UTF-16.
func textReader(src io.Reader) io.Reader {
	br := bufio.NewReaderSize(src, 64<<10)
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, bomUTF8):
		br.Discard(3)
	case bytes.HasPrefix(head, bomUTF16LE), bytes.HasPrefix(head, bomUTF16BE):
		br.Discard(2)
		return newUTF16Reader(br, bytes.HasPrefix(head, bomUTF16BE))
	}
	return br
}

// utf16Reader decodes UTF-16 into UTF-8 as it is read; a surrogate pair
// split across reads is kept for the next read, unpaired ones become U+FFFD.
type utf16Reader struct {
	src  io.Reader
	big  bool
	in   []byte
	out  []byte
	err  error
	high uint16
}

func newUTF16Reader(src io.Reader, bigEndian bool) io.Reader {
	return &utf16Reader{src: src, big: bigEndian, in: make([]byte, 0, 32<<10)}
}

func (r *utf16Reader) Read(p []byte) (int, error) {
	for len(r.out) == 0 {
		if r.err != nil {
			if r.high != 0 {
				r.out = utf8.AppendRune(r.out, utf8.RuneError)
				r.high = 0
				continue
			}
			return 0, r.err
		}
		n, err := r.src.Read(r.in[len(r.in):cap(r.in)])
		r.in = r.in[:len(r.in)+n]
		r.err = err
		even := len(r.in) &^ 1
		for i := 0; i < even; i += 2 {
			var u uint16
			if r.big {
				u = binary.BigEndian.Uint16(r.in[i:])
			} else {
				u = binary.LittleEndian.Uint16(r.in[i:])
			}
			switch {
			case r.high != 0 && utf16.IsSurrogate(rune(u)) && u >= 0xdc00:
				r.out = utf8.AppendRune(r.out, utf16.DecodeRune(rune(r.high), rune(u)))
				r.high = 0
			case u >= 0xd800 && u < 0xdc00:
				if r.high != 0 {
					r.out = utf8.AppendRune(r.out, utf8.RuneError)
				}
				r.high = u
			default:
				if r.high != 0 {
					r.out = utf8.AppendRune(r.out, utf8.RuneError)
					r.high = 0
				}
				if u >= 0xdc00 && u < 0xe000 {
					r.out = utf8.AppendRune(r.out, utf8.RuneError)
				} else {
					r.out = utf8.AppendRune(r.out, rune(u))
				}
			}
		}
		r.in = r.in[:copy(r.in, r.in[even:])]
		if r.err != nil && len(r.in) > 0 {
			r.out = utf8.AppendRune(r.out, utf8.RuneError) // an odd last byte
			r.in = r.in[:0]
		}
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	if len(r.out) == 0 {
		r.out = nil
	}
	return n, nil
}
