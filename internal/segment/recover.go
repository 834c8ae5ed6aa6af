package segment

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/tiercel/tiercel/internal/ingest"
)

// recoverSegment seals a segment a crash left open: it keeps the complete
// frames that decode (each was fsynced whole before its Commit returned),
// cuts off the rest, and writes the index from what is left.
func recoverSegment(sg Segment, now time.Time) (Segment, error) {
	data, err := os.ReadFile(sg.Path)
	if err != nil {
		return sg, err
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
	if err != nil {
		return sg, err
	}
	defer dec.Close()
	ix := Index{Created: now.UnixMilli(), Sealed: now.UnixMilli()}
	good := 0
	var info ingest.LineInfo
	for good < len(data) {
		n := frameLen(data[good:])
		if n <= 0 {
			break
		}
		raw, err := dec.DecodeAll(data[good:good+n], nil)
		if err != nil {
			break
		}
		for line := range bytes.Lines(raw) {
			line = bytes.TrimSuffix(line, []byte("\n"))
			ingest.ReadLineInfo(line, &info)
			ix.add(&info, len(line))
		}
		good += n
	}
	if good < len(data) {
		if err := os.Truncate(sg.Path, int64(good)); err != nil {
			return sg, fmt.Errorf("recovering %s: %w", sg.Path, err)
		}
		f, err := os.OpenFile(sg.Path, os.O_WRONLY, 0)
		if err == nil {
			err = f.Sync()
			f.Close()
		}
		if err != nil {
			return sg, err
		}
	}
	sg.Index, sg.Open = ix, false
	if ix.Lines == 0 {
		// Nothing was committed to it: remove it rather than keep an empty file.
		os.Remove(sg.Path)
		sg.Path = visiblePath(sg.Path)
		return sg, nil
	}
	err = publish(&sg)
	return sg, err
}

const zstdMagic = 0xFD2FB528

// frameLen returns the length of the complete zstd frame at the start of
// b, or 0 when b does not start with a whole frame (RFC 8878 §3.1.1).
func frameLen(b []byte) int {
	if len(b) < 5 || binary.LittleEndian.Uint32(b) != zstdMagic {
		return 0
	}
	fhd := b[4]
	single := fhd&0x20 != 0
	checksum := fhd&0x04 != 0
	i := 5
	if !single {
		i++ // window descriptor
	}
	i += [4]int{0, 1, 2, 4}[fhd&3] // dictionary id
	switch fhd >> 6 {              // frame content size
	case 0:
		if single {
			i++
		}
	case 1:
		i += 2
	case 2:
		i += 4
	case 3:
		i += 8
	}
	for {
		if i+3 > len(b) {
			return 0
		}
		h := uint32(b[i]) | uint32(b[i+1])<<8 | uint32(b[i+2])<<16
		i += 3
		last := h&1 != 0
		size := int(h >> 3)
		switch (h >> 1) & 3 {
		case 0, 2: // raw, compressed
			i += size
		case 1: // RLE
			i++
		default:
			return 0
		}
		if i > len(b) {
			return 0
		}
		if last {
			break
		}
	}
	if checksum {
		i += 4
	}
	if i > len(b) {
		return 0
	}
	return i
}
