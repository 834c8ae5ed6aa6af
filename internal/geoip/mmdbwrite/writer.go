// Package mmdbwrite writes small MaxMind DB (.mmdb) files. Tests use it to
// build GeoIP and ASN databases of a few networks instead of downloading
// real ones; it follows the MaxMind DB format specification 2.0 but keeps
// only what a test needs: an IPv6 tree (IPv4 networks live under ::/96),
// 24-bit records, and maps, strings, doubles, unsigned ints and booleans.
package mmdbwrite

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"net/netip"
	"os"
	"sort"
)

// DB collects networks and their records, then writes the file.
type DB struct {
	Type     string // database_type metadata, e.g. "GeoLite2-City"
	networks []entry
}

type entry struct {
	prefix netip.Prefix
	data   map[string]any
}

// Insert maps a network (an IPv4 or IPv6 CIDR) to a record. Record values
// may be string, float64, uint32/uint64/int, bool, []any or map[string]any.
func (d *DB) Insert(cidr string, data map[string]any) error {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return err
	}
	d.networks = append(d.networks, entry{p.Masked(), data})
	return nil
}

type node struct {
	child [2]*node
	data  int // offset into the data section + 1; 0: no data
}

// Bytes renders the database.
func (d *DB) Bytes() ([]byte, error) {
	root := &node{}
	var data bytes.Buffer
	// Shorter prefixes first so that longer ones overwrite inside them.
	nets := append([]entry(nil), d.networks...)
	sort.SliceStable(nets, func(i, j int) bool { return nets[i].prefix.Bits() < nets[j].prefix.Bits() })
	for _, e := range nets {
		off := data.Len()
		if err := encode(&data, e.data); err != nil {
			return nil, err
		}
		addr, bits := e.prefix.Addr(), e.prefix.Bits()
		if addr.Is4() {
			bits += 96
		}
		ip := addr.As16()
		if addr.Is4() {
			ip = [16]byte{}
			a4 := addr.As4()
			copy(ip[12:], a4[:])
		}
		n := root
		for i := 0; i < bits; i++ {
			b := ip[i/8] >> (7 - uint(i%8)) & 1
			if n.child[b] == nil {
				n.child[b] = &node{data: n.data} // inherit the enclosing network
			}
			n = n.child[b]
		}
		setData(n, off+1)
	}
	// Number the internal nodes breadth-first; leaves become data pointers.
	var order []*node
	index := map[*node]int{}
	queue := []*node{root}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if n != root && n.child[0] == nil && n.child[1] == nil {
			continue
		}
		index[n] = len(order)
		order = append(order, n)
		for _, c := range n.child {
			if c != nil {
				queue = append(queue, c)
			}
		}
	}
	count := len(order)
	if count >= 1<<24-16-data.Len() {
		return nil, fmt.Errorf("mmdbwrite: tree too large for 24-bit records")
	}
	var out bytes.Buffer
	record := func(n *node, c *node) uint32 {
		switch {
		case c == nil && n.data > 0: // the network continues below this node
			return uint32(count + 16 + n.data - 1)
		case c == nil:
			return uint32(count)
		case c.child[0] == nil && c.child[1] == nil:
			if c.data == 0 {
				return uint32(count)
			}
			return uint32(count + 16 + c.data - 1)
		}
		return uint32(index[c])
	}
	for _, n := range order {
		for _, c := range n.child {
			r := record(n, c)
			out.Write([]byte{byte(r >> 16), byte(r >> 8), byte(r)})
		}
	}
	out.Write(make([]byte, 16))
	out.Write(data.Bytes())
	out.WriteString("\xab\xcd\xefMaxMind.com")
	meta := map[string]any{
		"node_count":                  uint32(count),
		"record_size":                 uint16(24),
		"ip_version":                  uint16(6),
		"database_type":               d.Type,
		"languages":                   []any{"en"},
		"binary_format_major_version": uint16(2),
		"binary_format_minor_version": uint16(0),
		"build_epoch":                 uint64(1_700_000_000),
		"description":                 map[string]any{"en": "tiercel test database"},
	}
	if err := encode(&out, meta); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// setData marks n and the part of its subtree that had the enclosing
// network's data as belonging to the new, longer prefix.
func setData(n *node, d int) {
	old := n.data
	n.data = d
	for _, c := range n.child {
		if c != nil && c.data == old {
			setData(c, d)
		}
	}
}

// WriteFile writes the database to path.
func (d *DB) WriteFile(path string) error {
	b, err := d.Bytes()
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// Data section types (MaxMind DB spec "Output Data Section").
const (
	tString = 2
	tDouble = 3
	tUint16 = 5
	tUint32 = 6
	tMap    = 7
	tUint64 = 9
	tArray  = 11
	tBool   = 14
)

func control(b *bytes.Buffer, typ, size int) {
	var first byte
	ext := -1
	if typ <= 7 {
		first = byte(typ << 5)
	} else {
		ext = typ - 7
	}
	switch {
	case size < 29:
		first |= byte(size)
		b.WriteByte(first)
		if ext >= 0 {
			b.WriteByte(byte(ext))
		}
	case size < 29+256:
		b.WriteByte(first | 29)
		if ext >= 0 {
			b.WriteByte(byte(ext))
		}
		b.WriteByte(byte(size - 29))
	default:
		s := size - 285
		b.WriteByte(first | 30)
		if ext >= 0 {
			b.WriteByte(byte(ext))
		}
		b.WriteByte(byte(s >> 8))
		b.WriteByte(byte(s))
	}
}

func uintBytes(v uint64) []byte {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], v)
	i := 0
	for i < 8 && buf[i] == 0 {
		i++
	}
	return buf[i:]
}

func encode(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case string:
		control(b, tString, len(x))
		b.WriteString(x)
	case float64:
		control(b, tDouble, 8)
		var buf [8]byte
		binary.BigEndian.PutUint64(buf[:], math.Float64bits(x))
		b.Write(buf[:])
	case uint16:
		u := uintBytes(uint64(x))
		control(b, tUint16, len(u))
		b.Write(u)
	case uint32:
		u := uintBytes(uint64(x))
		control(b, tUint32, len(u))
		b.Write(u)
	case int:
		u := uintBytes(uint64(x))
		control(b, tUint32, len(u))
		b.Write(u)
	case uint64:
		u := uintBytes(x)
		control(b, tUint64, len(u))
		b.Write(u)
	case bool:
		n := 0
		if x {
			n = 1
		}
		control(b, tBool, n)
	case []any:
		control(b, tArray, len(x))
		for _, e := range x {
			if err := encode(b, e); err != nil {
				return err
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		control(b, tMap, len(keys))
		for _, k := range keys {
			if err := encode(b, k); err != nil {
				return err
			}
			if err := encode(b, x[k]); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("mmdbwrite: cannot encode %T", v)
	}
	return nil
}
