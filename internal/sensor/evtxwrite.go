package sensor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
)

// EVTXWriter writes Windows events as an EVTX file (format 3.1), the way
// Windows lays them out: 64 KiB chunks with checksums, one template per
// event shape and chunk (defined inline on first use, referenced after),
// values as template substitutions. It needs to seek back to fill in the
// file header when it is closed.
type EVTXWriter struct {
	w         io.WriteSeeker
	chunk     []byte
	pos       int
	chunks    int
	first     uint64 // first record number of the current chunk
	last      uint64
	next      uint64 // next record number
	names     map[string]uint32
	templates map[string]uint32
	err       error
}

// NewEVTXWriter starts an EVTX file on w.
func NewEVTXWriter(w io.WriteSeeker) (*EVTXWriter, error) {
	ew := &EVTXWriter{w: w, chunk: make([]byte, evtxChunkSize), next: 1}
	if _, err := w.Write(make([]byte, evtxFileHeaderSize)); err != nil {
		return nil, err
	}
	ew.startChunk()
	return ew, nil
}

func (ew *EVTXWriter) startChunk() {
	clear(ew.chunk)
	ew.pos = evtxChunkHeaderSize
	ew.first = ew.next
	ew.last = 0
	ew.names = map[string]uint32{}
	ew.templates = map[string]uint32{}
}

// The System values a written event carries, as template substitutions.
var systemSubs = []struct {
	name string
	typ  byte
}{
	{"Provider", 0x01}, {"ProviderGuid", 0x0f}, {"EventID", 0x06}, {"Version", 0x04}, {"Level", 0x04},
	{"Task", 0x06}, {"Opcode", 0x04}, {"Keywords", 0x15}, {"TimeCreated", 0x11},
	{"EventRecordID", 0x0a}, {"ProcessID", 0x08}, {"ThreadID", 0x08}, {"Channel", 0x01},
	{"Computer", 0x01}, {"UserID", 0x13},
}

// sysmonGUID is the Sysmon provider's GUID.
const sysmonGUID = "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"

// Write appends one event. ft is its TimeCreated as a FILETIME; the record
// number (and EventRecordID) counts from 1.
func (ew *EVTXWriter) Write(w *WinEvent, ft uint64) error {
	if ew.err != nil {
		return ew.err
	}
	rec, err := ew.record(w, ft)
	if err != nil {
		return err
	}
	if ew.pos+len(rec) > evtxChunkSize {
		if ew.last == 0 {
			return fmt.Errorf("event %s too large for a chunk", w.RecordID)
		}
		if err := ew.flushChunk(); err != nil {
			return err
		}
		ew.startChunk()
		if rec, err = ew.record(w, ft); err != nil {
			return err
		}
		if ew.pos+len(rec) > evtxChunkSize {
			return fmt.Errorf("event %s too large for a chunk", w.RecordID)
		}
	}
	copy(ew.chunk[ew.pos:], rec)
	binary.LittleEndian.PutUint32(ew.chunk[44:], uint32(ew.pos))
	ew.pos += len(rec)
	ew.last = ew.next
	ew.next++
	return nil
}

// record builds one record at the chunk's current position. It registers
// names and templates in the chunk's tables, so it is built again when it
// has to move to a new chunk.
func (ew *EVTXWriter) record(w *WinEvent, ft uint64) ([]byte, error) {
	b := make([]byte, 24, 1024)
	copy(b, evtxRecMagic)
	binary.LittleEndian.PutUint64(b[8:], ew.next)
	binary.LittleEndian.PutUint64(b[16:], ft)
	base := ew.pos // chunk offset of b[0]
	b = append(b, tokFragment, 1, 1, 0)
	names := make([]string, 0, len(w.Data))
	for _, kv := range w.Data {
		names = append(names, kv.Name)
	}
	key := w.Provider + "|" + w.EventID + "|" + strings.Join(names, ",")
	b = append(b, tokTemplate, 1)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(ew.templates)+1))
	if off, ok := ew.templates[key]; ok {
		b = binary.LittleEndian.AppendUint32(b, off)
	} else {
		off := uint32(base + len(b) + 4)
		b = binary.LittleEndian.AppendUint32(b, off)
		b = binary.LittleEndian.AppendUint32(b, 0) // next template
		b = append(b, make([]byte, 16)...)         // template GUID
		sizeAt := len(b)
		b = append(b, 0, 0, 0, 0)
		start := len(b)
		b = ew.templateBody(b, base, names)
		binary.LittleEndian.PutUint32(b[sizeAt:], uint32(len(b)-start))
		ew.templates[key] = off
	}
	vals := ew.values(w, ft)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(vals)))
	for _, v := range vals {
		if len(v.data) > 0xffff {
			return nil, errors.New("value longer than 65535 bytes")
		}
		b = binary.LittleEndian.AppendUint16(b, uint16(len(v.data)))
		b = append(b, v.typ, 0)
	}
	for _, v := range vals {
		b = append(b, v.data...)
	}
	b = append(b, tokEOF)
	size := len(b) + 4
	b = binary.LittleEndian.AppendUint32(b, uint32(size))
	binary.LittleEndian.PutUint32(b[4:], uint32(size))
	return b, nil
}

func (ew *EVTXWriter) values(w *WinEvent, ft uint64) []subValue {
	vals := make([]subValue, 0, len(systemSubs)+len(w.Data))
	u8 := func(s string) []byte { v, _ := strconv.ParseUint(s, 10, 8); return []byte{byte(v)} }
	u16 := func(s string) []byte {
		v, _ := strconv.ParseUint(s, 10, 16)
		return binary.LittleEndian.AppendUint16(nil, uint16(v))
	}
	u32 := func(s string) []byte {
		v, _ := strconv.ParseUint(s, 10, 32)
		return binary.LittleEndian.AppendUint32(nil, uint32(v))
	}
	for _, s := range systemSubs {
		var d []byte
		switch s.name {
		case "Provider":
			d = utf16Bytes(w.Provider)
		case "ProviderGuid":
			d = guidBytes(sysmonGUID)
		case "EventID":
			d = u16(w.EventID)
		case "Version":
			d = u8("5")
		case "Level":
			d = u8("4")
		case "Task":
			d = u16(w.EventID)
		case "Opcode":
			d = u8("0")
		case "Keywords":
			d = binary.LittleEndian.AppendUint64(nil, 0x8000000000000000)
		case "TimeCreated":
			d = binary.LittleEndian.AppendUint64(nil, ft)
		case "EventRecordID":
			d = binary.LittleEndian.AppendUint64(nil, ew.next)
		case "ProcessID":
			d = u32(w.ProcessID)
		case "ThreadID":
			d = u32("0")
		case "Channel":
			d = utf16Bytes(w.Channel)
		case "Computer":
			d = utf16Bytes(w.Computer)
		case "UserID":
			d = sidBytes(w.UserID)
			if d == nil {
				vals = append(vals, subValue{typ: 0})
				continue
			}
		}
		vals = append(vals, subValue{typ: s.typ, data: d})
	}
	for _, kv := range w.Data {
		vals = append(vals, subValue{typ: 0x01, data: utf16Bytes(kv.Value)})
	}
	return vals
}

// templateBody writes the template's fragment: <Event> with <System> and
// <EventData> whose values are all optional substitutions.
func (ew *EVTXWriter) templateBody(b []byte, base int, names []string) []byte {
	e := &elemWriter{ew: ew, b: b, base: base}
	e.b = append(e.b, tokFragment, 1, 1, 0)
	e.open("Event", []attrSpec{{name: "xmlns", text: "http://schemas.microsoft.com/win/2004/08/events/event"}})
	e.open("System", nil)
	sub := func(name string) uint16 {
		for i, s := range systemSubs {
			if s.name == name {
				return uint16(i)
			}
		}
		panic("unknown system value " + name)
	}
	typ := func(i uint16) byte { return systemSubs[i].typ }
	e.empty("Provider", []attrSpec{{name: "Name", sub: sub("Provider"), typ: 0x01}, {name: "Guid", sub: sub("ProviderGuid"), typ: 0x0f}})
	for _, n := range []string{"EventID", "Version", "Level", "Task", "Opcode", "Keywords"} {
		e.leaf(n, sub(n), typ(sub(n)))
	}
	e.empty("TimeCreated", []attrSpec{{name: "SystemTime", sub: sub("TimeCreated"), typ: 0x11}})
	e.leaf("EventRecordID", sub("EventRecordID"), 0x0a)
	e.empty("Correlation", nil)
	e.empty("Execution", []attrSpec{{name: "ProcessID", sub: sub("ProcessID"), typ: 0x08}, {name: "ThreadID", sub: sub("ThreadID"), typ: 0x08}})
	e.leaf("Channel", sub("Channel"), 0x01)
	e.leaf("Computer", sub("Computer"), 0x01)
	e.empty("Security", []attrSpec{{name: "UserID", sub: sub("UserID"), typ: 0x13, optional: true}})
	e.close()
	e.open("EventData", nil)
	for i, n := range names {
		e.open("Data", []attrSpec{{name: "Name", text: n}})
		e.subst(uint16(len(systemSubs)+i), 0x01)
		e.close()
	}
	e.close()
	e.close()
	return append(e.b, tokEOF)
}

type attrSpec struct {
	name     string
	text     string
	sub      uint16
	typ      byte
	optional bool
}

// elemWriter writes binary XML elements, back-filling each element's size.
type elemWriter struct {
	ew    *EVTXWriter
	b     []byte
	base  int
	stack []int // start offsets (in b) of open elements
}

func (e *elemWriter) name(s string) {
	if off, ok := e.ew.names[s]; ok {
		e.b = binary.LittleEndian.AppendUint32(e.b, off)
		return
	}
	off := uint32(e.base + len(e.b) + 4)
	e.ew.names[s] = off
	e.b = binary.LittleEndian.AppendUint32(e.b, off)
	u := utf16.Encode([]rune(s))
	e.b = binary.LittleEndian.AppendUint32(e.b, 0)
	e.b = binary.LittleEndian.AppendUint16(e.b, nameHash(u))
	e.b = binary.LittleEndian.AppendUint16(e.b, uint16(len(u)))
	for _, c := range u {
		e.b = binary.LittleEndian.AppendUint16(e.b, c)
	}
	e.b = append(e.b, 0, 0)
}

// nameHash is the 16-bit hash stored with names (low bits of a
// multiply-by-65 rolling hash over the UTF-16 units).
func nameHash(u []uint16) uint16 {
	var h uint32
	for _, c := range u {
		h = h*65 + uint32(c)
	}
	return uint16(h)
}

func (e *elemWriter) start(name string, attrs []attrSpec) int {
	at := len(e.b)
	tok := byte(tokOpenElement)
	if len(attrs) > 0 {
		tok |= 0x40
	}
	e.b = append(e.b, tok, 0xff, 0xff, 0, 0, 0, 0)
	e.name(name)
	if len(attrs) > 0 {
		listAt := len(e.b)
		e.b = append(e.b, 0, 0, 0, 0)
		for i, a := range attrs {
			t := byte(tokAttribute)
			if i < len(attrs)-1 {
				t |= 0x40
			}
			e.b = append(e.b, t)
			e.name(a.name)
			if a.typ == 0 {
				u := utf16.Encode([]rune(a.text))
				e.b = append(e.b, tokValue, 0x01)
				e.b = binary.LittleEndian.AppendUint16(e.b, uint16(len(u)))
				for _, c := range u {
					e.b = binary.LittleEndian.AppendUint16(e.b, c)
				}
			} else {
				st := byte(tokNormalSub)
				if a.optional {
					st = tokOptionalSub
				}
				e.b = append(e.b, st)
				e.b = binary.LittleEndian.AppendUint16(e.b, a.sub)
				e.b = append(e.b, a.typ)
			}
		}
		binary.LittleEndian.PutUint32(e.b[listAt:], uint32(len(e.b)-listAt-4))
	}
	return at
}

func (e *elemWriter) open(name string, attrs []attrSpec) {
	at := e.start(name, attrs)
	e.b = append(e.b, tokCloseStart)
	e.stack = append(e.stack, at)
}

func (e *elemWriter) close() {
	at := e.stack[len(e.stack)-1]
	e.stack = e.stack[:len(e.stack)-1]
	e.b = append(e.b, tokEndElement)
	binary.LittleEndian.PutUint32(e.b[at+3:], uint32(len(e.b)-at-7))
}

func (e *elemWriter) empty(name string, attrs []attrSpec) {
	at := e.start(name, attrs)
	e.b = append(e.b, tokCloseEmpty)
	binary.LittleEndian.PutUint32(e.b[at+3:], uint32(len(e.b)-at-7))
}

func (e *elemWriter) subst(id uint16, typ byte) {
	e.b = append(e.b, tokOptionalSub)
	e.b = binary.LittleEndian.AppendUint16(e.b, id)
	e.b = append(e.b, typ)
}

func (e *elemWriter) leaf(name string, id uint16, typ byte) {
	e.open(name, nil)
	e.subst(id, typ)
	e.close()
}

// flushChunk finishes the chunk header (checksums) and writes the chunk.
func (ew *EVTXWriter) flushChunk() error {
	c := ew.chunk
	copy(c, evtxChunkMagic)
	binary.LittleEndian.PutUint64(c[8:], ew.first)
	binary.LittleEndian.PutUint64(c[16:], ew.last)
	binary.LittleEndian.PutUint64(c[24:], ew.first)
	binary.LittleEndian.PutUint64(c[32:], ew.last)
	binary.LittleEndian.PutUint32(c[40:], 128)
	binary.LittleEndian.PutUint32(c[48:], uint32(ew.pos))
	binary.LittleEndian.PutUint32(c[52:], crc32.ChecksumIEEE(c[evtxChunkHeaderSize:ew.pos]))
	// The common-string table (128..384) holds each name's offset by hash.
	for s, off := range ew.names {
		u := utf16.Encode([]rune(s))
		slot := 128 + 4*(int(nameHash(u))%64)
		if binary.LittleEndian.Uint32(c[slot:]) == 0 {
			binary.LittleEndian.PutUint32(c[slot:], off)
		}
	}
	h := crc32.NewIEEE()
	h.Write(c[:120])
	h.Write(c[128:evtxChunkHeaderSize])
	binary.LittleEndian.PutUint32(c[124:], h.Sum32())
	if _, err := ew.w.Write(c); err != nil {
		ew.err = err
		return err
	}
	ew.chunks++
	return nil
}

// Close writes the last chunk and the file header. It does not close w.
func (ew *EVTXWriter) Close() error {
	if ew.err != nil {
		return ew.err
	}
	if ew.last != 0 {
		if err := ew.flushChunk(); err != nil {
			return err
		}
	}
	h := make([]byte, evtxFileHeaderSize)
	copy(h, evtxFileMagic)
	if ew.chunks > 0 {
		binary.LittleEndian.PutUint64(h[16:], uint64(ew.chunks-1))
	}
	binary.LittleEndian.PutUint64(h[24:], ew.next)
	binary.LittleEndian.PutUint32(h[32:], 128)
	binary.LittleEndian.PutUint16(h[36:], 1)
	binary.LittleEndian.PutUint16(h[38:], 3)
	binary.LittleEndian.PutUint16(h[40:], evtxFileHeaderSize)
	binary.LittleEndian.PutUint16(h[42:], uint16(ew.chunks))
	binary.LittleEndian.PutUint32(h[124:], crc32.ChecksumIEEE(h[:120]))
	if _, err := ew.w.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := ew.w.Write(h); err != nil {
		return err
	}
	_, err := ew.w.Seek(0, io.SeekEnd)
	ew.err = errors.New("EVTX writer closed")
	return err
}

func utf16Bytes(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

func guidBytes(s string) []byte {
	s = strings.Trim(s, "{}")
	h := strings.ReplaceAll(s, "-", "")
	if len(h) != 32 {
		return make([]byte, 16)
	}
	raw := make([]byte, 16)
	for i := range 16 {
		v, _ := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
		raw[i] = byte(v)
	}
	out := make([]byte, 16)
	binary.LittleEndian.PutUint32(out, binary.BigEndian.Uint32(raw))
	binary.LittleEndian.PutUint16(out[4:], binary.BigEndian.Uint16(raw[4:]))
	binary.LittleEndian.PutUint16(out[6:], binary.BigEndian.Uint16(raw[6:]))
	copy(out[8:], raw[8:])
	return out
}

// sidBytes encodes "S-1-5-21-..." in binary form; nil when s is not a SID.
func sidBytes(s string) []byte {
	parts := strings.Split(s, "-")
	if len(parts) < 3 || parts[0] != "S" {
		return nil
	}
	rev, err1 := strconv.ParseUint(parts[1], 10, 8)
	auth, err2 := strconv.ParseUint(parts[2], 10, 48)
	if err1 != nil || err2 != nil || len(parts)-3 > 15 {
		return nil
	}
	b := []byte{byte(rev), byte(len(parts) - 3)}
	for i := 5; i >= 0; i-- {
		b = append(b, byte(auth>>(8*uint(i))))
	}
	for _, p := range parts[3:] {
		v, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return nil
		}
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	return b
}
