package inflate

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	kflate "github.com/klauspost/compress/flate"
)

// inputs are data of the shapes compressors treat differently: event-like
// text, random bytes (stored blocks), long runs (distance 1), short
// periods (distances 2-7), and sizes around the window's.
func inputs() map[string][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	var text bytes.Buffer
	for i := 0; text.Len() < 3<<20; i++ {
		fmt.Fprintf(&text, `{"aid":"%032x","event_simpleName":"%s","TargetProcessId":"%d","CommandLine":"\"C:\\Windows\\system32\\cmd.exe\" /c %s"}`+"\n",
			r.Uint64()%500, []string{"ProcessRollup2", "DnsRequest", "NetworkConnectIP4"}[r.IntN(3)], r.Uint32(), bytes.Repeat([]byte("x"), r.IntN(200)))
	}
	random := make([]byte, 300<<10)
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	var periods []byte
	for p := 1; p <= 9; p++ {
		for range 3000 {
			periods = append(periods, "abcdefghi"[:p]...)
		}
		periods = append(periods, random[:p*37]...)
	}
	mixed := append(append(append([]byte{}, text.Bytes()[:winSize-5]...), random[:70000]...), text.Bytes()[:2*winSize]...)
	return map[string][]byte{
		"empty":   {},
		"one":     {'x'},
		"text":    text.Bytes(),
		"random":  random,
		"runs":    bytes.Repeat([]byte{0}, 2<<20),
		"periods": periods,
		"mixed":   mixed,
	}
}

// compressors write DEFLATE as the tools that make real files do, from
// stored blocks to fixed and dynamic codes.
var compressors = map[string]func(io.Writer) io.WriteCloser{
	"stdlib-0":     func(w io.Writer) io.WriteCloser { z, _ := flate.NewWriter(w, 0); return z },
	"stdlib-1":     func(w io.Writer) io.WriteCloser { z, _ := flate.NewWriter(w, 1); return z },
	"stdlib-6":     func(w io.Writer) io.WriteCloser { z, _ := flate.NewWriter(w, 6); return z },
	"stdlib-9":     func(w io.Writer) io.WriteCloser { z, _ := flate.NewWriter(w, 9); return z },
	"stdlib-huff":  func(w io.Writer) io.WriteCloser { z, _ := flate.NewWriter(w, flate.HuffmanOnly); return z },
	"klauspost-1":  func(w io.Writer) io.WriteCloser { z, _ := kflate.NewWriter(w, 1); return z },
	"klauspost-5":  func(w io.Writer) io.WriteCloser { z, _ := kflate.NewWriter(w, 5); return z },
	"klauspost-9":  func(w io.Writer) io.WriteCloser { z, _ := kflate.NewWriter(w, 9); return z },
	"klauspost-st": func(w io.Writer) io.WriteCloser { z, _ := kflate.NewWriter(w, kflate.ConstantCompression); return z },
}

func deflate(t testing.TB, compress func(io.Writer) io.WriteCloser, data []byte) []byte {
	var b bytes.Buffer
	z := compress(&b)
	// Flushing at odd places gives empty stored blocks and short blocks.
	for i := 0; i < len(data); i += 700001 {
		if _, err := z.Write(data[i:min(i+700001, len(data))]); err != nil {
			t.Fatal(err)
		}
		if f, ok := z.(interface{ Flush() error }); ok && i%2 == 1 {
			f.Flush()
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// decode reads stream whole with reads of readSize through a bufio.Reader
// of bufSize, then the bytes left after the stream.
func decode(stream []byte, bufSize, readSize int) (out, rest []byte, err error) {
	return decodeWith(nil, stream, bufSize, readSize)
}

// decodeWith is decode with d Reset for the stream (nil: a new Decoder).
func decodeWith(d *Decoder, stream []byte, bufSize, readSize int) (out, rest []byte, err error) {
	br := bufio.NewReaderSize(bytes.NewReader(stream), bufSize)
	if d == nil {
		d = NewDecoder(br)
	} else {
		d.Reset(br)
	}
	buf := make([]byte, readSize)
	for {
		n, rerr := d.Read(buf)
		out = append(out, buf[:n]...)
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return out, nil, rerr
		}
	}
	rest, _ = io.ReadAll(br)
	return out, rest, nil
}

func TestDecodesWhatCompressorsWrite(t *testing.T) {
	trailer := []byte("after the stream")
	for iname, data := range inputs() {
		for cname, compress := range compressors {
			stream := append(deflate(t, compress, data), trailer...)
			for _, sizes := range [][2]int{{64 << 10, 1 << 20}, {16, 777}, {4096, 1}} {
				t.Run(fmt.Sprintf("%s/%s/%d/%d", iname, cname, sizes[0], sizes[1]), func(t *testing.T) {
					if sizes[1] == 1 && len(data) > 1<<20 {
						t.Skip("byte-sized reads of megabytes")
					}
					out, rest, err := decode(stream, sizes[0], sizes[1])
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(out, data) {
						t.Fatalf("decoded %d bytes, want %d (first difference at %d)", len(out), len(data), firstDiff(out, data))
					}
					if !bytes.Equal(rest, trailer) {
						t.Fatalf("left %q after the stream, want %q", rest, trailer)
					}
				})
			}
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// Every cut of a stream is an error, never a panic or a short success.
func TestTruncatedStreamsFail(t *testing.T) {
	data := inputs()["periods"][:20000]
	d := NewDecoder(nil) // Reset for each cut: a used decoder starts clean
	for cname, compress := range compressors {
		stream := deflate(t, compress, data)
		for cut := range len(stream) {
			out, _, err := decodeWith(d, stream[:cut], 16, 4096)
			if err == nil {
				t.Fatalf("%s: cut at %d of %d decoded without error", cname, cut, len(stream))
			}
			if !bytes.HasPrefix(data, out) {
				t.Fatalf("%s: cut at %d decoded bytes that are not the data's", cname, cut)
			}
		}
	}
}

// crafted are streams hand-written bit by bit (RFC 1951 bit order) for
// the rules compressors never break.
func TestRejectsWhatCompressFlateRejects(t *testing.T) {
	cases := map[string][]byte{
		"block type 3":                           {0x07},
		"stored length check":                    {0x01, 0x05, 0x00, 0x00, 0x00},
		"fixed literal 286":                      bitsLE("1 01", "11000110"),
		"fixed distance 30":                      bitsLE("1 01", "0000001", "11110"),
		"distance before the start":              bitsLE("1 01", "00110000", "0000001", "00001"),
		"repeat with nothing before":             dynamicHeader(),
		"dynamic header, code lengths of 7 bits": {0x05, 0xe0, 0xff, 0xff, 0xff, 0xff},
		"dynamic header cut short":               {0x05, 0x00, 0x02},
		"empty":                                  {},
		"literal then nothing":                   bitsLE("1 01", "00110000"),
		"valid: fixed, one literal":              bitsLE("1 01", "00110000", "0000000"),
		"valid: empty stored final":              {0x01, 0x00, 0x00, 0xff, 0xff},
		"valid: distance 1 after a lit":          bitsLE("1 01", "00110000", "0000001", "00000", "0000000"),
		// end of block (1 bit) and 'a' (2 bits) leave "11" unused
		"incomplete literal code":      dynamicBlock(257, 1, map[int]int{256: 1, 'a': 2}, nil, "10", "0"),
		"valid: complete literal code": dynamicBlock(257, 1, map[int]int{256: 1, 'a': 2, 'b': 2}, nil, "10", "11", "0"),
		"valid: one-bit distance code": dynamicBlock(258, 1, map[int]int{256: 1, 'a': 2, 257: 2}, map[int]int{0: 1}, "10", "11", "0", "0"),
		"287 literal/length codes":     dynamicBlock(287, 1, map[int]int{256: 1, 'a': 1}, nil, "1", "0"),
		"31 distance codes":            dynamicBlock(257, 31, map[int]int{256: 1, 'a': 1}, nil, "1", "0"),
	}
	for name, stream := range cases {
		t.Run(name, func(t *testing.T) {
			want, wantErr := io.ReadAll(flate.NewReader(bytes.NewReader(stream)))
			got, _, err := decode(stream, 16, 64)
			if strings.HasPrefix(name, "valid:") && wantErr != nil {
				t.Fatalf("compress/flate rejects it: %v", wantErr)
			}
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("error %v, compress/flate's %v", err, wantErr)
			}
			if err == nil && !bytes.Equal(got, want) {
				t.Fatalf("decoded %q, compress/flate %q", got, want)
			}
		})
	}
}

// bitsLE packs groups of bits, each written most significant bit first
// as in the RFC's code tables, into bytes from their least significant
// bit. A group with a space is a header: its bits go in reversed (they
// are numbers, sent least significant bit first).
func bitsLE(groups ...string) []byte {
	var out []byte
	n := 0
	put := func(bit byte) {
		if n%8 == 0 {
			out = append(out, 0)
		}
		out[len(out)-1] |= bit << (n % 8)
		n++
	}
	for _, g := range groups {
		if bytes.ContainsRune([]byte(g), ' ') {
			// "BFINAL BTYPE" written as numbers, least significant first
			var final, btype int
			fmt.Sscanf(g, "%b %b", &final, &btype)
			put(byte(final))
			put(byte(btype & 1))
			put(byte(btype >> 1))
			continue
		}
		for _, c := range g {
			put(byte(c - '0'))
		}
	}
	return out
}

// dynamicHeader is a dynamic block whose first code length is "repeat the
// previous" (16).
func dynamicHeader() []byte {
	// BFINAL=1, BTYPE=10, HLIT=0, HDIST=0, HCLEN=0 (4 lengths: 16, 17,
	// 18, 0 with 1, 0, 0, 1 bits), then the symbol 16.
	var b []byte
	acc, n := uint64(0), 0
	put := func(v uint64, bits int) {
		acc |= v << n
		n += bits
	}
	put(1, 1)
	put(2, 2)
	put(0, 5)
	put(0, 5)
	put(0, 4)
	put(1, 3) // 16: 1 bit
	put(0, 3)
	put(0, 3)
	put(1, 3) // 0: 1 bit
	put(1, 1) // the code of 16 (0 has code 0, 16 has code 1)
	put(0, 2)
	for i := 0; i < n; i += 8 {
		b = append(b, byte(acc>>i))
	}
	return b
}

func TestGzipMembers(t *testing.T) {
	data := inputs()["text"][:200000]
	var file bytes.Buffer
	for _, part := range [][]byte{data[:1000], data[1000:150000], {}, data[150000:]} {
		z := gzip.NewWriter(&file)
		z.Name, z.Comment, z.Extra = "events.json", "a comment", []byte("extra field")
		z.Write(part)
		z.Close()
	}
	br := bufio.NewReaderSize(bytes.NewReader(file.Bytes()), 4096)
	z, err := NewGzipReader(br)
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	members := 0
	for {
		b, err := io.ReadAll(z)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b...)
		members++
		if err := z.Reset(br); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if members != 4 || !bytes.Equal(out, data) {
		t.Fatalf("%d members, %d bytes; want 4, %d", members, len(out), len(data))
	}
}

func TestGzipDamage(t *testing.T) {
	var good bytes.Buffer
	z := gzip.NewWriter(&good)
	z.Write([]byte("line one\nline two\n"))
	z.Close()
	flip := func(at int) []byte {
		b := bytes.Clone(good.Bytes())
		b[at] ^= 0x10
		return b
	}
	cases := []struct {
		name  string
		file  []byte
		want  error
		atNew bool // the error comes from NewGzipReader
	}{
		{"checksum", flip(good.Len() - 6), ErrChecksum, false},
		{"length", flip(good.Len() - 2), ErrChecksum, false},
		{"magic", flip(1), ErrHeader, true},
		{"cut in the header", good.Bytes()[:5], io.ErrUnexpectedEOF, true},
		{"cut in the trailer", good.Bytes()[:good.Len()-3], io.ErrUnexpectedEOF, false},
		{"nothing", nil, io.EOF, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			z, err := NewGzipReader(bufio.NewReader(bytes.NewReader(c.file)))
			if !c.atNew {
				if err != nil {
					t.Fatal(err)
				}
				_, err = io.ReadAll(z)
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
		})
	}
}

// FuzzDecoder holds the decoder to compress/flate: the same bytes for
// every stream compress/flate decodes, an error for every one it rejects.
func FuzzDecoder(f *testing.F) {
	data := inputs()
	for _, name := range []string{"one", "periods"} {
		for _, c := range []string{"stdlib-1", "stdlib-huff", "klauspost-5", "stdlib-0"} {
			f.Add(deflate(f, compressors[c], data[name][:min(len(data[name]), 3000)]))
		}
	}
	f.Add(dynamicHeader())
	f.Fuzz(func(t *testing.T, stream []byte) {
		want, wantErr := io.ReadAll(flate.NewReader(bytes.NewReader(stream)))
		got, _, err := decode(stream, 16, 100)
		if wantErr == nil && err != nil {
			t.Fatalf("error %v; compress/flate decoded %d bytes", err, len(want))
		}
		if wantErr != nil && err == nil {
			t.Fatalf("decoded %d bytes; compress/flate failed: %v", len(got), wantErr)
		}
		if err == nil && !bytes.Equal(got, want) {
			t.Fatalf("decoded %d bytes, compress/flate %d (first difference at %d)", len(got), len(want), firstDiff(got, want))
		}
	})
}

// NewReader reads every member, as gzip -dc does, and rejects bytes after
// the last one that do not start another.
func TestReaderReadsAllMembers(t *testing.T) {
	var file bytes.Buffer
	for _, part := range []string{"one\n", "", "two\n", "three\n"} {
		z := gzip.NewWriter(&file)
		z.Write([]byte(part))
		z.Close()
	}
	for _, c := range []struct {
		name    string
		after   string
		want    string
		wantErr error
	}{
		{"members", "", "one\ntwo\nthree\n", nil},
		{"trailing garbage", "junk after the members", "one\ntwo\nthree\n", ErrHeader},
	} {
		t.Run(c.name, func(t *testing.T) {
			z, err := NewReader(bytes.NewReader(append(bytes.Clone(file.Bytes()), c.after...)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(z)
			if string(got) != c.want || !errors.Is(err, c.wantErr) && err != c.wantErr {
				t.Fatalf("read %q, %v; want %q, %v", got, err, c.want, c.wantErr)
			}
		})
	}
}

// FuzzRoundTrip decodes what compress/flate writes of any data at any
// level, read in pieces of any size: the data back, the bytes after the
// stream untouched.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), 6, uint16(1))
	f.Add(inputs()["periods"][:5000], 1, uint16(300))
	f.Add([]byte{}, 0, uint16(16))
	f.Fuzz(func(t *testing.T, data []byte, level int, readSize uint16) {
		level = (level%11+11)%11 - 2 // -2 (Huffman only) to 9
		var b bytes.Buffer
		z, err := flate.NewWriter(&b, level)
		if err != nil {
			t.Fatal(err)
		}
		z.Write(data)
		z.Close()
		b.WriteString("tail")
		got, rest, err := decode(b.Bytes(), 16, int(readSize)+1)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) || string(rest) != "tail" {
			t.Fatalf("decoded %d bytes (first difference at %d) leaving %q; want %d and %q", len(got), firstDiff(got, data), rest, len(data), "tail")
		}
	})
}

// dynamicBlock writes a final dynamic block of nlit literal/length and
// ndist distance code lengths (lengths not given are 0), sent with a code
// length code giving each of 0-15 four bits, then the body's Huffman codes.
func dynamicBlock(nlit, ndist int, lit, dist map[int]int, body ...string) []byte {
	var acc []byte
	num := func(v, n int) { // a number, least significant bit first
		for i := range n {
			acc = append(acc, byte(v>>i&1))
		}
	}
	code := func(v, n int) { // a Huffman code, most significant bit first
		for i := n - 1; i >= 0; i-- {
			acc = append(acc, byte(v>>i&1))
		}
	}
	num(1, 1)
	num(2, 2)
	num(nlit-257, 5)
	num(ndist-1, 5)
	num(numCodeLens-4, 4)
	for _, s := range codeLenOrder {
		l := 0
		if s < 16 {
			l = 4 // sixteen codes of four bits: symbol s has code s
		}
		num(l, 3)
	}
	for i := range nlit {
		code(lit[i], 4)
	}
	for i := range ndist {
		code(dist[i], 4)
	}
	for _, b := range body {
		for _, c := range b {
			acc = append(acc, byte(c-'0'))
		}
	}
	out := make([]byte, (len(acc)+7)/8)
	for i, b := range acc {
		out[i/8] |= b << (i % 8)
	}
	return out
}

// DecodeAll gives every member's bytes, in one buffer sized from the
// recorded length when there is one member.
func TestDecodeAll(t *testing.T) {
	data := inputs()["text"][:500000]
	one := gzipped(t, data)
	got, err := DecodeAll(one)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("one member: %d bytes, %v; want %d", len(got), err, len(data))
	}
	if cap(got) > len(data)+bytes.MinRead {
		t.Errorf("one member: a buffer of %d bytes for %d: not sized from the trailer", cap(got), len(data))
	}
	two := append(gzipped(t, data[:1000]), gzipped(t, data[1000:])...)
	if got, err := DecodeAll(two); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("two members: %d bytes, %v; want %d", len(got), err, len(data))
	}
	if _, err := DecodeAll(one[:len(one)-5]); err == nil {
		t.Fatal("a cut stream decoded without error")
	}
	// a trailer claiming more than telemetry expands to is not believed
	lying := bytes.Clone(one)
	binary.LittleEndian.PutUint32(lying[len(lying)-4:], 0xffffffff)
	if _, err := DecodeAll(lying); err != ErrChecksum {
		t.Fatalf("a wrong length: %v, want %v", err, ErrChecksum)
	}
}

func gzipped(t *testing.T, data []byte) []byte {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	if _, err := z.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
