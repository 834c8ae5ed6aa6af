// Package sensor reads the logs of sensors other than Falcon — Windows event
// logs (EVTX and their JSON/XML exports, Sysmon above all), Linux auditd,
// Microsoft Defender XDR Advanced Hunting exports and proxy logs — and maps
// their records onto the Falcon event model the rules read.
package sensor

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
)

// EVTX layout constants (see docs/sensors.md for the format notes).
const (
	evtxFileHeaderSize  = 4096
	evtxChunkSize       = 65536
	evtxChunkHeaderSize = 512
	evtxRecordHeader    = 24
)

var (
	evtxFileMagic  = []byte("ElfFile\x00")
	evtxChunkMagic = []byte("ElfChnk\x00")
	evtxRecMagic   = []byte{0x2a, 0x2a, 0, 0}
)

// IsEVTX reports whether data starts like an EVTX file.
// A file whose header is damaged still counts when its first chunk is
// where it should be.
func IsEVTX(head []byte) bool {
	return bytes.HasPrefix(head, evtxFileMagic) ||
		(len(head) >= evtxFileHeaderSize+8 && bytes.Equal(head[evtxFileHeaderSize:evtxFileHeaderSize+8], evtxChunkMagic))
}

// EVTXRecord is one event record of an EVTX file.
type EVTXRecord struct {
	Number  uint64 // record number from the record header
	Chunk   int    // 0-based index of the chunk holding it
	Written uint64 // FILETIME the record was written
	Event   *Node  // the <Event> element (or the record's first element)
	Damage  string // set when the record comes from a chunk that failed its checks
}

// EVTXProblem is damage found while reading: a chunk or record skipped.
type EVTXProblem struct {
	Chunk  int    // chunk index
	Record uint64 // record number when known, else 0
	Offset int64  // file offset of the damage
	Err    error
}

func (p EVTXProblem) Error() string {
	if p.Chunk < 0 {
		return fmt.Sprintf("file header: %v", p.Err)
	}
	if p.Record > 0 {
		return fmt.Sprintf("chunk %d record %d (offset %d): %v", p.Chunk, p.Record, p.Offset, p.Err)
	}
	return fmt.Sprintf("chunk %d (offset %d): %v", p.Chunk, p.Offset, p.Err)
}

// EVTXStats counts what a read saw.
type EVTXStats struct {
	HeaderChunks  int  // chunk count the file header claims
	HeaderOK      bool // file header checksum verified
	Dirty         bool // file flag "dirty"
	Chunks        int  // chunks with the chunk magic
	EmptyChunks   int  // zero-filled 64 KiB blocks
	BadChunks     int  // chunks skipped as damaged
	Records       int  // records delivered
	BadRecords    int  // records skipped
	TemplateCache int  // templates parsed (all chunks)
}

var errTruncatedHeader = errors.New("not an EVTX file: shorter than its 4096-byte header")

// ReadEVTX reads every record of an EVTX file held in data, calling fn for
// each in file order. Damaged chunks and records are reported to problem
// (when not nil) and skipped; the rest is read. Chunks are read up to the
// end of the file whatever the header's chunk count says: dirty logs
// under-report it. The error is non-nil only when data is not an EVTX file
// or fn fails.
func ReadEVTX(data []byte, fn func(*EVTXRecord) error, problem func(EVTXProblem)) (EVTXStats, error) {
	return ReadEVTXStream(bytes.NewReader(data), fn, problem)
}

// ReadEVTXStream is ReadEVTX over a stream, read one 64 KiB chunk at a
// time so memory does not grow with the file.
func ReadEVTXStream(r io.Reader, fn func(*EVTXRecord) error, problem func(EVTXProblem)) (EVTXStats, error) {
	var st EVTXStats
	head := make([]byte, evtxFileHeaderSize)
	n, err := io.ReadFull(r, head)
	report := func(p EVTXProblem) {
		if problem != nil {
			problem(p)
		}
	}
	var cr chunkReader
	buf := make([]byte, evtxChunkSize)
	first := 0 // bytes of the first chunk already in buf
	if !bytes.HasPrefix(head[:n], evtxFileMagic) {
		// Only a damaged header with the first chunk intact is read on.
		m, _ := io.ReadFull(r, buf[:8])
		if n < evtxFileHeaderSize || !bytes.Equal(buf[:m], evtxChunkMagic) {
			return st, errors.New("not an EVTX file: no ElfFile signature")
		}
		first = m
		report(EVTXProblem{Chunk: -1, Err: errors.New("no ElfFile signature (damaged header): chunks read on")})
	} else {
		if n < 128 {
			return st, errTruncatedHeader
		}
		st.HeaderChunks = int(binary.LittleEndian.Uint16(head[42:]))
		st.HeaderOK = crc32.ChecksumIEEE(head[:120]) == binary.LittleEndian.Uint32(head[124:])
		st.Dirty = binary.LittleEndian.Uint32(head[120:])&1 != 0
		if !st.HeaderOK {
			report(EVTXProblem{Chunk: -1, Err: errors.New("checksum mismatch: its values are ignored, chunks read to the end of the file")})
		}
		if err != nil {
			return st, nil // header only (or cut inside it): no chunks
		}
	}
	for ci, off := 0, evtxFileHeaderSize; ; ci, off = ci+1, off+evtxChunkSize {
		n, rerr := io.ReadFull(r, buf[first:])
		n += first
		first = 0
		if n == 0 {
			if rerr != nil && rerr != io.EOF {
				return st, rerr
			}
			return st, nil
		}
		chunk := buf[:n]
		if rerr != nil && rerr != io.ErrUnexpectedEOF {
			return st, rerr
		}
		if err := readChunk(&cr, &st, chunk, ci, off, fn, report); err != nil {
			return st, err
		}
		if rerr != nil {
			return st, nil
		}
	}
}

func readChunk(cr *chunkReader, st *EVTXStats, chunk []byte, ci, off int, fn func(*EVTXRecord) error, report func(EVTXProblem)) error {
	if !bytes.HasPrefix(chunk, evtxChunkMagic) {
		if allZero(chunk) {
			st.EmptyChunks++
			return nil
		}
		st.BadChunks++
		report(EVTXProblem{Chunk: ci, Offset: int64(off), Err: errors.New("no chunk signature: chunk skipped")})
		return nil
	}
	st.Chunks++
	// A chunk that fails its checks is reported; its records are then read
	// only as far as each one is whole (signature, size and its copy, binary
	// XML that parses), like the recovery of libevtx, and carry the damage.
	damage := ""
	if len(chunk) < evtxChunkSize {
		damage = fmt.Sprintf("chunk cut off after %d of %d bytes", len(chunk), evtxChunkSize)
	} else if err := checkChunk(chunk); err != nil {
		damage = err.Error()
	}
	if damage != "" {
		st.BadChunks++
		report(EVTXProblem{Chunk: ci, Offset: int64(off), Err: fmt.Errorf("%s: only whole records read from it", damage)})
	}
	cr.reset(chunk, ci)
	cr.damage = damage
	cr.headerBad = strings.HasPrefix(damage, "chunk header")
	err := cr.records(func(rec *EVTXRecord) error {
		st.Records++
		return fn(rec)
	}, func(p EVTXProblem) {
		st.BadRecords++
		p.Offset += int64(off)
		report(p)
	})
	st.TemplateCache += len(cr.templates)
	return err
}

// checkChunk verifies the chunk header and records checksums.
func checkChunk(c []byte) error {
	h := crc32.NewIEEE()
	h.Write(c[:120])
	h.Write(c[128:evtxChunkHeaderSize])
	if got, want := h.Sum32(), binary.LittleEndian.Uint32(c[124:]); got != want {
		return fmt.Errorf("chunk header checksum mismatch (%08x, header says %08x)", got, want)
	}
	free := int(binary.LittleEndian.Uint32(c[48:]))
	if free < evtxChunkHeaderSize || free > len(c) {
		return fmt.Errorf("free space offset %d out of range", free)
	}
	if got, want := crc32.ChecksumIEEE(c[evtxChunkHeaderSize:free]), binary.LittleEndian.Uint32(c[52:]); got != want {
		return fmt.Errorf("event records checksum mismatch (%08x, header says %08x)", got, want)
	}
	return nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// chunkReader walks the records of one chunk; templates and names are
// cached per chunk because their offsets are chunk-relative.
type chunkReader struct {
	c         []byte
	index     int
	templates map[uint32]*tmpl
	names     map[uint32]string
	rec       EVTXRecord
	budget    int    // node expansions left for the current record
	damage    string // why the chunk failed its checks, "" when it passed
	headerBad bool   // the chunk header itself failed its checksum
}

func (cr *chunkReader) reset(c []byte, index int) {
	cr.c, cr.index = c, index
	if cr.templates == nil {
		cr.templates = map[uint32]*tmpl{}
		cr.names = map[uint32]string{}
	}
	clear(cr.templates)
	clear(cr.names)
}

func (cr *chunkReader) records(fn func(*EVTXRecord) error, problem func(EVTXProblem)) error {
	c := cr.c
	free := int(binary.LittleEndian.Uint32(c[48:]))
	if free < evtxChunkHeaderSize || free > evtxChunkSize || cr.headerBad {
		free = len(c) // the header cannot be trusted: look at everything
	}
	free = min(free, len(c))
	pos := evtxChunkHeaderSize
	for pos+evtxRecordHeader+4 <= free {
		size, num, err := cr.recordAt(pos, free)
		if err != nil {
			if allZero(c[pos:free]) {
				return nil
			}
			problem(EVTXProblem{Chunk: cr.index, Record: num, Offset: int64(pos), Err: err})
			if cr.damage == "" {
				return nil
			}
			// In a damaged chunk, look for the next whole record.
			next := cr.nextRecord(pos+1, free)
			if next < 0 {
				return nil
			}
			pos = next
			continue
		}
		root, err := cr.parseRecord(pos+evtxRecordHeader, pos+size-4)
		if err != nil {
			problem(EVTXProblem{Chunk: cr.index, Record: num, Offset: int64(pos), Err: err})
		} else {
			cr.rec = EVTXRecord{Number: num, Chunk: cr.index, Written: binary.LittleEndian.Uint64(c[pos+16:]), Event: root, Damage: cr.damage}
			if err := fn(&cr.rec); err != nil {
				return err
			}
		}
		pos += size
	}
	return nil
}

// recordAt checks the record header at pos: signature, size within the
// used part of the chunk, and the copy of the size at its end.
func (cr *chunkReader) recordAt(pos, free int) (size int, num uint64, err error) {
	c := cr.c
	if !bytes.Equal(c[pos:pos+4], evtxRecMagic) {
		return 0, 0, errors.New("no record signature: rest of chunk skipped")
	}
	size = int(binary.LittleEndian.Uint32(c[pos+4:]))
	num = binary.LittleEndian.Uint64(c[pos+8:])
	if size < evtxRecordHeader+4 || size > free-pos {
		return 0, num, fmt.Errorf("record size %d out of range: rest of chunk skipped", size)
	}
	if cp := int(binary.LittleEndian.Uint32(c[pos+size-4:])); cp != size {
		return 0, num, fmt.Errorf("record size %d and its copy %d differ: rest of chunk skipped", size, cp)
	}
	return size, num, nil
}

// nextRecord finds the next offset from pos holding a whole record header.
func (cr *chunkReader) nextRecord(pos, free int) int {
	for pos+evtxRecordHeader+4 <= free {
		i := bytes.Index(cr.c[pos:free], evtxRecMagic)
		if i < 0 {
			return -1
		}
		pos += i
		if pos+evtxRecordHeader+4 > free {
			return -1
		}
		if _, _, err := cr.recordAt(pos, free); err == nil {
			return pos
		}
		pos++
	}
	return -1
}

// parseRecord renders the record's binary XML between start and end.
func (cr *chunkReader) parseRecord(start, end int) (root *Node, err error) {
	defer func() {
		// A malformed record must never take the reader down; the parser
		// bounds-checks, this is the last line of defence.
		if r := recover(); r != nil {
			root, err = nil, fmt.Errorf("binary XML: %v", r)
		}
	}()
	// A record is at most a chunk; real ones expand to a few hundred nodes.
	cr.budget = 1 << 18
	p := &bxParser{cr: cr, pos: start, end: end}
	nodes, err := p.document()
	if err != nil {
		return nil, err
	}
	doc := &Node{}
	if err := cr.instantiate(doc, nodes, nil, 0); err != nil {
		return nil, err
	}
	for _, n := range doc.Children {
		if n.Name == "Event" {
			return n, nil
		}
	}
	if len(doc.Children) > 0 {
		return doc.Children[0], nil
	}
	return nil, errors.New("binary XML holds no element")
}
