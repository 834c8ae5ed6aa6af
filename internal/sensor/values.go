package sensor

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// utf16String decodes UTF-16LE text; unpaired surrogates become U+FFFD.
// ASCII, by far the common case, takes a fast path.
func utf16String(b []byte) string {
	n := len(b) / 2
	ascii := true
	for i := 0; i < n; i++ {
		if b[2*i+1] != 0 || b[2*i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		buf := make([]byte, n)
		for i := range n {
			buf[i] = b[2*i]
		}
		return string(buf)
	}
	u := make([]uint16, n)
	for i := range n {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, r := range utf16.Decode(u) {
		sb.WriteRune(r)
	}
	return sb.String()
}

// filetimeEpochDelta is the number of 100 ns intervals from 1601 to 1970.
const filetimeEpochDelta = 116444736000000000

// FormatFiletime renders a FILETIME as ISO 8601 UTC with 7 fractional digits.
func FormatFiletime(ft uint64) string {
	secs := int64(ft / 10_000_000)
	frac := ft % 10_000_000
	t := time.Unix(secs-11644473600, 0).UTC()
	if t.Year() > 9999 {
		return "0x" + strconv.FormatUint(ft, 16)
	}
	b := t.AppendFormat(make([]byte, 0, 28), "2006-01-02T15:04:05")
	b = append(b, '.')
	s := strconv.FormatUint(frac, 10)
	for range 7 - len(s) {
		b = append(b, '0')
	}
	b = append(b, s...)
	return string(append(b, 'Z'))
}

// FiletimeMillis converts a FILETIME to Unix epoch milliseconds.
func FiletimeMillis(ft uint64) int64 {
	return (int64(ft) - filetimeEpochDelta) / 10_000
}

func hexUint(v uint64) string { return "0x" + strconv.FormatUint(v, 16) }

func leUint(b []byte) uint64 {
	switch len(b) {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.LittleEndian.Uint16(b))
	case 4:
		return uint64(binary.LittleEndian.Uint32(b))
	case 8:
		return binary.LittleEndian.Uint64(b)
	}
	var v uint64
	for i := len(b) - 1; i >= 0 && i >= len(b)-8; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// renderValue renders one substitution value the way Windows shows it in
// the event's XML (numbers decimal, HexInt/SizeT as 0x.., GUIDs upper case
// in braces, FILETIME with 100 ns digits, binary as upper-case hex).
func renderValue(typ byte, b []byte) string {
	switch typ {
	case 0x00:
		return ""
	case 0x01:
		return strings.TrimRight(utf16String(b), "\x00")
	case 0x02:
		return strings.TrimRight(latin1(b), "\x00")
	case 0x03:
		if len(b) >= 1 {
			return strconv.Itoa(int(int8(b[0])))
		}
	case 0x04:
		if len(b) >= 1 {
			return strconv.Itoa(int(b[0]))
		}
	case 0x05:
		if len(b) >= 2 {
			return strconv.Itoa(int(int16(binary.LittleEndian.Uint16(b))))
		}
	case 0x06:
		if len(b) >= 2 {
			return strconv.Itoa(int(binary.LittleEndian.Uint16(b)))
		}
	case 0x07:
		if len(b) >= 4 {
			return strconv.FormatInt(int64(int32(binary.LittleEndian.Uint32(b))), 10)
		}
	case 0x08:
		if len(b) >= 4 {
			return strconv.FormatUint(uint64(binary.LittleEndian.Uint32(b)), 10)
		}
	case 0x09:
		if len(b) >= 8 {
			return strconv.FormatInt(int64(binary.LittleEndian.Uint64(b)), 10)
		}
	case 0x0a:
		if len(b) >= 8 {
			return strconv.FormatUint(binary.LittleEndian.Uint64(b), 10)
		}
	case 0x0b:
		if len(b) >= 4 {
			return pyFloat(float64(math.Float32frombits(binary.LittleEndian.Uint32(b))))
		}
	case 0x0c:
		if len(b) >= 8 {
			return pyFloat(math.Float64frombits(binary.LittleEndian.Uint64(b)))
		}
	case 0x0d:
		if len(b) >= 4 {
			if int32(binary.LittleEndian.Uint32(b)) > 0 {
				return "true"
			}
			return "false"
		}
	case 0x0e:
		return strings.ToUpper(hex.EncodeToString(b))
	case 0x0f:
		if len(b) >= 16 {
			return formatGUID(b)
		}
	case 0x10, 0x14, 0x15:
		return hexUint(leUint(b))
	case 0x11:
		if len(b) >= 8 {
			return FormatFiletime(binary.LittleEndian.Uint64(b))
		}
	case 0x12:
		if len(b) >= 16 {
			w := func(i int) int { return int(binary.LittleEndian.Uint16(b[2*i:])) }
			return pad(w(0), 4) + "-" + pad(w(1), 2) + "-" + pad(w(3), 2) + "T" + pad(w(4), 2) + ":" +
				pad(w(5), 2) + ":" + pad(w(6), 2) + "." + pad(w(7), 3) + "Z"
		}
	case 0x13:
		return formatSID(b)
	default:
		return strings.ToUpper(hex.EncodeToString(b))
	}
	return ""
}

// elemSize is the item size of fixed-size array types (0 = variable).
func elemSize(base byte) int {
	switch base {
	case 0x03, 0x04:
		return 1
	case 0x05, 0x06:
		return 2
	case 0x07, 0x08, 0x0b, 0x0d, 0x14:
		return 4
	case 0x09, 0x0a, 0x0c, 0x11, 0x15:
		return 8
	case 0x0f, 0x12:
		return 16
	}
	return 0
}

// renderArray splits an array value (type | 0x80) into its rendered items.
func renderArray(typ byte, b []byte) []string {
	base := typ &^ 0x80
	switch base {
	case 0x01:
		s := utf16String(b)
		items := strings.Split(s, "\x00")
		if len(items) > 0 && items[len(items)-1] == "" {
			items = items[:len(items)-1]
		}
		return items
	case 0x02:
		items := strings.Split(latin1(b), "\x00")
		if len(items) > 0 && items[len(items)-1] == "" {
			items = items[:len(items)-1]
		}
		return items
	case 0x13:
		var out []string
		for len(b) >= 8 {
			n := 8 + 4*int(b[1])
			if n > len(b) {
				break
			}
			out = append(out, formatSID(b[:n]))
			b = b[n:]
		}
		return out
	case 0x10:
		base = 0x15
		if len(b)%8 != 0 {
			base = 0x14
		}
	}
	size := elemSize(base)
	if size == 0 {
		return []string{renderValue(base, b)}
	}
	out := make([]string, 0, len(b)/size)
	for i := 0; i+size <= len(b); i += size {
		out = append(out, renderValue(base, b[i:i+size]))
	}
	return out
}

func latin1(b []byte) string {
	for _, c := range b {
		if c >= 0x80 {
			rs := make([]rune, len(b))
			for i, c := range b {
				rs[i] = rune(c)
			}
			return string(rs)
		}
	}
	return string(b)
}

func pad(v, n int) string {
	s := strconv.Itoa(v)
	for len(s) < n {
		s = "0" + s
	}
	return s
}

func formatGUID(b []byte) string {
	const hexU = "0123456789ABCDEF"
	out := make([]byte, 0, 38)
	out = append(out, '{')
	put := func(v uint64, nBytes int) {
		for i := nBytes*2 - 1; i >= 0; i-- {
			out = append(out, hexU[(v>>(4*uint(i)))&0xf])
		}
	}
	put(uint64(binary.LittleEndian.Uint32(b)), 4)
	out = append(out, '-')
	put(uint64(binary.LittleEndian.Uint16(b[4:])), 2)
	out = append(out, '-')
	put(uint64(binary.LittleEndian.Uint16(b[6:])), 2)
	out = append(out, '-')
	for i := 8; i < 16; i++ {
		if i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexU[b[i]>>4], hexU[b[i]&0xf])
	}
	return string(append(out, '}'))
}

func formatSID(b []byte) string {
	if len(b) < 8 {
		return ""
	}
	var auth uint64
	for _, c := range b[2:8] {
		auth = auth<<8 | uint64(c)
	}
	s := "S-" + strconv.Itoa(int(b[0])) + "-" + strconv.FormatUint(auth, 10)
	n := int(b[1])
	for i := 0; i < n && 8+4*i+4 <= len(b); i++ {
		s += "-" + strconv.FormatUint(uint64(binary.LittleEndian.Uint32(b[8+4*i:])), 10)
	}
	return s
}

// pyFloat renders a float the way Python's repr does (shortest round-trip
// digits; exponent form below 1e-4 and from 1e16), as the reference
// readers print real values.
func pyFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	a := math.Abs(f)
	if a != 0 && (a < 1e-4 || a >= 1e16) {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		// Go writes e-05 / e+16 like Python; only the mantissa ".0" differs.
		return s
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsRune(s, '.') {
		s += ".0"
	}
	return s
}
