// Package readfull fills buffers from readers that may be decompressors.
package readfull

import (
	"errors"
	"io"
)

// ErrNoProgress: the reader returned no bytes and no error, many times.
var ErrNoProgress = errors.New("reader made no progress")

// Read reads until buf is full or src fails, returning io.EOF only when
// src ended cleanly (unlike io.ReadFull, which would hide a
// decompressor's io.ErrUnexpectedEOF behind its own).
func Read(src io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := src.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
		if m == 0 {
			// Tolerate readers that return (0, nil); give up after many tries.
			for tries := 0; m == 0 && err == nil && tries < 100; tries++ {
				m, err = src.Read(buf[n:])
			}
			n += m
			if err != nil {
				return n, err
			}
			if m == 0 {
				return n, ErrNoProgress
			}
		}
	}
	return n, nil
}
