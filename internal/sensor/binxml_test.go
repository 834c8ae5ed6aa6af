package sensor

import (
	"encoding/binary"
	"testing"
	"unicode/utf16"
)

// chunkBuilder lays out binary XML at known chunk offsets.
type chunkBuilder struct{ b []byte }

func (c *chunkBuilder) u8(v ...byte)           { c.b = append(c.b, v...) }
func (c *chunkBuilder) u16(v uint16)           { c.b = binary.LittleEndian.AppendUint16(c.b, v) }
func (c *chunkBuilder) u32(v uint32)           { c.b = binary.LittleEndian.AppendUint32(c.b, v) }
func (c *chunkBuilder) at() uint32             { return uint32(len(c.b)) }
func (c *chunkBuilder) put32(at int, v uint32) { binary.LittleEndian.PutUint32(c.b[at:], v) }

// name writes a name offset followed by the name itself (stored inline).
func (c *chunkBuilder) name(s string) {
	c.u32(c.at() + 4)
	u := utf16.Encode([]rune(s))
	c.u32(0)
	c.u16(0)
	c.u16(uint16(len(u)))
	for _, x := range u {
		c.u16(x)
	}
	c.u16(0)
}

// An embedded binary XML value (type 0x21) whose element has no dependency
// identifier, as [MS-EVEN6] describes, renders inside its parent.
func TestEmbeddedBinXMLWithoutDependencyID(t *testing.T) {
	c := &chunkBuilder{b: make([]byte, evtxChunkHeaderSize)}
	rec := len(c.b)
	c.u8(0x2a, 0x2a, 0, 0)
	c.u32(0) // size, filled below
	c.u32(1)
	c.u32(0) // record number 1
	c.u32(0)
	c.u32(0) // written
	c.u8(0x0f, 1, 1, 0)
	c.u8(0x0c, 1)
	c.u32(1)
	c.u32(c.at() + 4) // definition follows inline
	c.u32(0)
	c.b = append(c.b, make([]byte, 16)...)
	sizeAt := len(c.b)
	c.u32(0)
	start := len(c.b)
	c.u8(0x0f, 1, 1, 0)
	c.u8(0x01)
	c.u16(0xffff)
	c.u32(0)
	c.name("Event")
	c.u8(0x02)
	c.u8(0x0e)
	c.u16(0)
	c.u8(0x21)
	c.u8(0x04, 0x00)
	c.put32(sizeAt, uint32(len(c.b)-start))
	// one value: embedded binary XML <Inner>hi</Inner>, no dependency id
	c.u32(1)
	descAt := len(c.b)
	c.u16(0)
	c.u8(0x21, 0)
	vs := len(c.b)
	c.u8(0x0f, 1, 1, 0)
	c.u8(0x01)
	c.u32(0) // data size, no dependency id before it
	c.name("Inner")
	c.u8(0x02, 0x05, 0x01)
	c.u16(2)
	c.u16('h')
	c.u16('i')
	c.u8(0x04, 0x00)
	binary.LittleEndian.PutUint16(c.b[descAt:], uint16(len(c.b)-vs))
	c.u8(0x00) // end of the record's document
	size := len(c.b) - rec + 4
	c.u32(uint32(size))
	c.put32(rec+4, uint32(size))
	binary.LittleEndian.PutUint32(c.b[48:], uint32(len(c.b)))
	var got *Node
	_, err := ReadEVTX(fixChunk(c.b), func(r *EVTXRecord) error { got = r.Event; return nil }, func(p EVTXProblem) { t.Errorf("problem: %v", p) })
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Name != "Event" || got.Child("Inner") == nil || got.Child("Inner").Text != "hi" {
		t.Fatalf("got %+v", got)
	}
}
