package sensor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// Node is one rendered XML element of an event.
type Node struct {
	Name     string
	Attrs    []Attr
	Children []*Node
	Text     string
	// Array holds the items of a string-array (or other array) value;
	// IsArray tells an empty array from no array.
	Array   []string
	IsArray bool
}

// Attr is one attribute of an element.
type Attr struct{ Name, Value string }

// Child returns the first child element called name, or nil.
func (n *Node) Child(name string) *Node {
	if n == nil {
		return nil
	}
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Attr returns the value of an attribute and whether it exists.
func (n *Node) Attr(name string) (string, bool) {
	if n == nil {
		return "", false
	}
	for _, a := range n.Attrs {
		if a.Name == name {
			return a.Value, true
		}
	}
	return "", false
}

// Binary XML tokens (the 0x40 "more" flag cleared).
const (
	tokEOF         = 0x00
	tokOpenElement = 0x01
	tokCloseStart  = 0x02
	tokCloseEmpty  = 0x03
	tokEndElement  = 0x04
	tokValue       = 0x05
	tokAttribute   = 0x06
	tokCDATA       = 0x07
	tokCharRef     = 0x08
	tokEntityRef   = 0x09
	tokPITarget    = 0x0a
	tokPIData      = 0x0b
	tokTemplate    = 0x0c
	tokNormalSub   = 0x0d
	tokOptionalSub = 0x0e
	tokFragment    = 0x0f
)

// maxDepth bounds element nesting and nested binary XML, so hostile input
// cannot exhaust the stack.
const maxDepth = 64

type tkind uint8

const (
	tElem tkind = iota
	tText
	tSub
	tInstance
)

// tnode is a parsed piece of binary XML: a template's tree, with
// substitutions still open.
type tnode struct {
	kind     tkind
	optional bool
	sub      uint16
	name     string // element name
	text     string
	attrs    []tattr
	kids     []tnode
	inst     *instance
}

type tattr struct {
	name  string
	parts []tnode // tText and tSub only
}

type tmpl struct{ nodes []tnode }

// instance is a template instance: the template and its values.
type instance struct {
	t    *tmpl
	vals []subValue
}

type subValue struct {
	typ  byte
	data []byte
	off  int // chunk offset of data (binary XML values point into the chunk)
}

type bxParser struct {
	cr    *chunkReader
	pos   int
	end   int
	depth int
	err   error
}

var errShort = errors.New("binary XML runs past its end")

func (p *bxParser) fail(err error) {
	if p.err == nil {
		p.err = err
	}
}

func (p *bxParser) take(n int) []byte {
	if p.err != nil || n < 0 || p.pos+n > p.end {
		p.fail(errShort)
		return nil
	}
	b := p.cr.c[p.pos : p.pos+n]
	p.pos += n
	return b
}

func (p *bxParser) u8() byte {
	if b := p.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (p *bxParser) u16() uint16 {
	if b := p.take(2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (p *bxParser) u32() uint32 {
	if b := p.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (p *bxParser) peek() (byte, bool) {
	if p.err != nil || p.pos >= p.end {
		return 0, false
	}
	return p.cr.c[p.pos], true
}

// document parses fragments and template instances up to the end-of-file
// token (or the end of the data).
func (p *bxParser) document() ([]tnode, error) {
	if p.depth > maxDepth {
		return nil, errors.New("binary XML nested too deep")
	}
	var out []tnode
	for p.err == nil {
		tok, ok := p.peek()
		if !ok {
			break
		}
		switch tok &^ 0x40 {
		case tokEOF:
			p.pos++
			return out, p.err
		case tokFragment:
			p.take(4)
		case tokTemplate:
			out = append(out, p.templateInstance())
		case tokOpenElement:
			out = append(out, p.element(0))
		case tokPITarget:
			p.pi()
		default:
			p.fail(fmt.Errorf("unexpected token 0x%02x at chunk offset %d", tok, p.pos))
		}
	}
	return out, p.err
}

// name reads the name stored at chunk offset off; when the name is stored
// inline (off is the current position) it is skipped over.
func (p *bxParser) name(off uint32) string {
	if p.err != nil {
		return ""
	}
	c := p.cr.c
	o := int(off)
	if o+8 > len(c) {
		p.fail(fmt.Errorf("name offset %d out of the chunk", off))
		return ""
	}
	n := int(binary.LittleEndian.Uint16(c[o+6:]))
	size := 8 + 2*n + 2
	if o+size > len(c) {
		p.fail(fmt.Errorf("name at offset %d runs out of the chunk", off))
		return ""
	}
	if o == p.pos {
		p.take(size)
	}
	if s, ok := p.cr.names[off]; ok {
		return s
	}
	s := utf16String(c[o+8 : o+8+2*n])
	p.cr.names[off] = s
	return s
}

// plausibleName reports whether the 32-bit name offset at chunk position at
// points to a name structure: inside the chunk, ending in a NUL character.
func (p *bxParser) plausibleName(at int) bool {
	c := p.cr.c
	if at+4 > p.end {
		return false
	}
	o := int(binary.LittleEndian.Uint32(c[at:]))
	if o < evtxChunkHeaderSize || o+8 > len(c) {
		return false
	}
	n := int(binary.LittleEndian.Uint16(c[o+6:]))
	end := o + 8 + 2*n
	return n > 0 && end+2 <= len(c) && c[end] == 0 && c[end+1] == 0
}

func (p *bxParser) element(depth int) tnode {
	if depth > maxDepth {
		p.fail(errors.New("elements nested too deep"))
		return tnode{}
	}
	tok := p.u8()
	// The dependency identifier is left out in some embedded binary XML
	// ([MS-EVEN6]); take the layout whose name offset points at a name.
	if !p.plausibleName(p.pos+6) && p.plausibleName(p.pos+4) {
		p.u32() // data size
	} else {
		p.u16() // dependency identifier
		p.u32() // data size
	}
	el := tnode{kind: tElem, name: p.name(p.u32())}
	if tok&0x40 != 0 {
		p.u32() // attribute list size
		for p.err == nil {
			t, ok := p.peek()
			if !ok || t&^0x40 != tokAttribute {
				break
			}
			p.pos++
			a := tattr{name: p.name(p.u32())}
			a.parts = p.values(depth)
			el.attrs = append(el.attrs, a)
		}
	}
	switch p.u8() {
	case tokCloseEmpty:
		return el
	case tokCloseStart:
	default:
		p.fail(fmt.Errorf("element %q: expected close of start tag at chunk offset %d", el.name, p.pos-1))
		return el
	}
	for p.err == nil {
		t, ok := p.peek()
		if !ok {
			p.fail(errShort)
			break
		}
		switch t &^ 0x40 {
		case tokEndElement:
			p.pos++
			return el
		case tokOpenElement:
			el.kids = append(el.kids, p.element(depth+1))
		case tokValue, tokNormalSub, tokOptionalSub, tokCharRef, tokEntityRef, tokCDATA:
			el.kids = append(el.kids, p.values(depth)...)
		case tokPITarget:
			p.pi()
		default:
			p.fail(fmt.Errorf("element %q: unexpected token 0x%02x at chunk offset %d", el.name, t, p.pos))
		}
	}
	return el
}

// values reads a run of text pieces: values, substitutions, references, CDATA.
func (p *bxParser) values(depth int) []tnode {
	var out []tnode
	for p.err == nil {
		t, ok := p.peek()
		if !ok {
			return out
		}
		switch t &^ 0x40 {
		case tokValue:
			p.pos++
			typ := p.u8()
			if typ != 0x01 && typ != 0x02 {
				p.fail(fmt.Errorf("value token of type 0x%02x at chunk offset %d", typ, p.pos-1))
				return out
			}
			n := int(p.u16())
			b := p.take(2 * n)
			out = append(out, tnode{kind: tText, text: utf16String(b)})
		case tokCDATA:
			p.pos++
			n := int(p.u16())
			out = append(out, tnode{kind: tText, text: utf16String(p.take(2 * n))})
		case tokNormalSub, tokOptionalSub:
			p.pos++
			id := p.u16()
			p.u8() // declared type; the instance's value type is what counts
			out = append(out, tnode{kind: tSub, sub: id, optional: t == tokOptionalSub})
		case tokCharRef:
			p.pos++
			out = append(out, tnode{kind: tText, text: string(rune(p.u16()))})
		case tokEntityRef:
			p.pos++
			out = append(out, tnode{kind: tText, text: entity(p.name(p.u32()))})
		default:
			return out
		}
	}
	return out
}

func (p *bxParser) pi() {
	p.u8()
	p.name(p.u32())
	if t, ok := p.peek(); ok && t == tokPIData {
		p.pos++
		n := int(p.u16())
		p.take(2 * n)
	}
}

func entity(name string) string {
	switch name {
	case "lt":
		return "<"
	case "gt":
		return ">"
	case "amp":
		return "&"
	case "quot":
		return `"`
	case "apos":
		return "'"
	}
	return "&" + name + ";"
}

// templateInstance reads a template instance: the definition (inline or a
// reference to one earlier in the chunk) and the substitution values.
func (p *bxParser) templateInstance() tnode {
	p.u8() // token
	p.u8() // unknown
	p.u32()
	defOff := p.u32()
	var t *tmpl
	if int(defOff) == p.pos {
		p.u32()    // next template
		p.take(16) // GUID
		size := int(p.u32())
		start := p.pos
		p.take(size)
		if p.err != nil {
			return tnode{}
		}
		t = p.parseTemplate(defOff, start, start+size)
	} else {
		t = p.cr.templates[defOff]
		if t == nil {
			o := int(defOff)
			if o+24 > len(p.cr.c) {
				p.fail(fmt.Errorf("template offset %d out of the chunk", defOff))
				return tnode{}
			}
			size := int(binary.LittleEndian.Uint32(p.cr.c[o+20:]))
			if o+24+size > len(p.cr.c) || size < 0 {
				p.fail(fmt.Errorf("template at offset %d runs out of the chunk", defOff))
				return tnode{}
			}
			t = p.parseTemplate(defOff, o+24, o+24+size)
		}
	}
	if p.err != nil {
		return tnode{}
	}
	n := int(p.u32())
	if n < 0 || n > (p.end-p.pos)/4 {
		p.fail(fmt.Errorf("template instance claims %d values", n))
		return tnode{}
	}
	desc := p.take(4 * n)
	vals := make([]subValue, n)
	for i := range n {
		size := int(binary.LittleEndian.Uint16(desc[4*i:]))
		vals[i].typ = desc[4*i+2]
		vals[i].off = p.pos
		vals[i].data = p.take(size)
	}
	return tnode{kind: tInstance, inst: &instance{t: t, vals: vals}}
}

func (p *bxParser) parseTemplate(off uint32, start, end int) *tmpl {
	if t := p.cr.templates[off]; t != nil {
		return t
	}
	if p.depth >= maxDepth/4 {
		p.fail(errors.New("templates nested too deep"))
		return nil
	}
	q := &bxParser{cr: p.cr, pos: start, end: end, depth: p.depth + 1}
	// Mark it while parsing so a template that refers to itself fails
	// instead of recursing.
	p.cr.templates[off] = &tmpl{}
	nodes, err := q.document()
	if err != nil {
		delete(p.cr.templates, off)
		p.fail(fmt.Errorf("template at offset %d: %w", off, err))
		return nil
	}
	t := &tmpl{nodes: nodes}
	p.cr.templates[off] = t
	return t
}

// instantiate renders parsed nodes with their substitution values into parent.
func (cr *chunkReader) instantiate(parent *Node, nodes []tnode, vals []subValue, depth int) error {
	if depth > maxDepth {
		return errors.New("binary XML nested too deep")
	}
	// Templates and embedded binary XML can refer to each other many times
	// over: a budget per record keeps hostile input from blowing up.
	cr.budget -= len(nodes) + 1
	if cr.budget < 0 {
		return errors.New("binary XML expands to too many nodes")
	}
	for i := range nodes {
		n := &nodes[i]
		switch n.kind {
		case tText:
			parent.Text += n.text
		case tInstance:
			if n.inst == nil || n.inst.t == nil {
				return errors.New("broken template instance")
			}
			if err := cr.instantiate(parent, n.inst.t.nodes, n.inst.vals, depth+1); err != nil {
				return err
			}
		case tSub:
			if int(n.sub) >= len(vals) {
				return fmt.Errorf("substitution %d of %d values", n.sub, len(vals))
			}
			v := &vals[n.sub]
			switch {
			case v.typ == 0x21:
				cr.budget -= len(v.data)
				if cr.budget < 0 {
					return errors.New("binary XML expands to too many nodes")
				}
				q := &bxParser{cr: cr, pos: v.off, end: v.off + len(v.data), depth: depth + 1}
				inner, err := q.document()
				if err != nil {
					return fmt.Errorf("embedded binary XML: %w", err)
				}
				if err := cr.instantiate(parent, inner, nil, depth+1); err != nil {
					return err
				}
			case v.typ&0x80 != 0:
				parent.IsArray = true
				parent.Array = append(parent.Array, renderArray(v.typ, v.data)...)
			default:
				parent.Text += renderValue(v.typ, v.data)
			}
		case tElem:
			if nullOptionalOnly(n.kids, vals) {
				continue
			}
			el := &Node{Name: n.name}
			if len(n.attrs) > 0 {
				el.Attrs = make([]Attr, 0, len(n.attrs))
			}
			if len(n.kids) > 1 {
				el.Children = make([]*Node, 0, len(n.kids))
			}
			for _, a := range n.attrs {
				if len(a.parts) == 1 && isNullOptional(&a.parts[0], vals) {
					continue
				}
				tmp := Node{}
				if err := cr.instantiate(&tmp, a.parts, vals, depth+1); err != nil {
					return err
				}
				val := tmp.Text
				if tmp.IsArray {
					val = strings.Join(tmp.Array, " ")
				}
				el.Attrs = append(el.Attrs, Attr{Name: a.name, Value: val})
			}
			if err := cr.instantiate(el, n.kids, vals, depth+1); err != nil {
				return err
			}
			parent.Children = append(parent.Children, el)
		}
	}
	return nil
}

func isNullOptional(n *tnode, vals []subValue) bool {
	return n.kind == tSub && n.optional && int(n.sub) < len(vals) && vals[n.sub].typ == 0
}

// nullOptionalOnly is true when an element's content is nothing but
// optional substitutions with NULL values: Windows leaves such elements out.
func nullOptionalOnly(kids []tnode, vals []subValue) bool {
	if len(kids) == 0 {
		return false
	}
	for i := range kids {
		if !isNullOptional(&kids[i], vals) {
			return false
		}
	}
	return true
}
