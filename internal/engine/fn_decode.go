package engine

import (
	"encoding/base64"
	"math/big"
	"net/url"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tiercel/tiercel/internal/event"
)

// Decoders and encoders of one field: base64, URL percent-encoding and
// integers in other radixes. Undecodable input gives no value.

func init() {
	registerFunc("base64Decode", &funcImpl{params: []string{"field", "as", "charset"}, defaultAs: "_base64Decode",
		value: compileBase64Decode})
	registerFunc("base64Encode", &funcImpl{params: []string{"field", "as"}, defaultAs: "_base64Encode",
		value: func(c *compiler, a *args) (expr, error) {
			return fieldMapExpr(a, func(s string) (string, bool) { return base64.StdEncoding.EncodeToString([]byte(s)), true })
		}})
	registerFunc("urlDecode", &funcImpl{params: []string{"field", "as"}, defaultAs: "_urldecode",
		value: func(c *compiler, a *args) (expr, error) { return fieldMapExpr(a, urlDecode) }})
	registerFunc("urlEncode", &funcImpl{params: []string{"field", "as"}, defaultAs: "_urlencode",
		value: func(c *compiler, a *args) (expr, error) {
			return fieldMapExpr(a, func(s string) (string, bool) { return url.QueryEscape(s), true })
		}})
	// parseInt converts in place unless as= is given.
	registerFunc("parseInt", &funcImpl{params: []string{"field", "as", "endian", "radix"},
		step: func(c *compiler, a *args) (any, error) {
			e, err := compileParseInt(a)
			if err != nil {
				return nil, err
			}
			field, _ := a.str("field", "")
			return &assignStep{field: a.asOr(field), e: e}, nil
		}})
}

// fieldMap applies fn to a field's value.
type fieldMap struct {
	field string
	fn    func(string) (string, bool)
}

func (e *fieldMap) eval(_ *exec, ev *event.Event) (string, bool) {
	v, ok := ev.Get(e.field)
	if !ok {
		return "", false
	}
	return e.fn(v)
}

func fieldMapExpr(a *args, fn func(string) (string, bool)) (expr, error) {
	field, err := a.fieldName("field", "")
	if err != nil {
		return nil, err
	}
	if field == "" {
		return nil, a.errorf("field", "missing required parameter field")
	}
	return &fieldMap{field: field, fn: fn}, nil
}

func compileBase64Decode(c *compiler, a *args) (expr, error) {
	cs, err := a.str("charset", "UTF-8")
	if err != nil {
		return nil, err
	}
	text, ok := charsetDecoder(cs)
	if !ok {
		return nil, a.errorf("charset", "unsupported charset %q (UTF-8, UTF-16LE, UTF-16BE, UTF-16, ISO-8859-1, US-ASCII)", cs)
	}
	return fieldMapExpr(a, func(s string) (string, bool) {
		b, ok := decodeBase64(s)
		if !ok {
			return "", false
		}
		return text(b), true
	})
}

// decodeBase64 accepts standard and URL-safe alphabets, padded or not.
func decodeBase64(s string) ([]byte, bool) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

// charsetDecoder turns bytes in a charset into a Go string; invalid
// sequences become U+FFFD, as Java's decoders do.
func charsetDecoder(name string) (func([]byte) string, bool) {
	switch strings.ToUpper(strings.ReplaceAll(name, "_", "-")) {
	case "UTF-8", "UTF8":
		return func(b []byte) string { return strings.ToValidUTF8(string(b), "\uFFFD") }, true
	case "UTF-16LE", "UTF16LE":
		return func(b []byte) string { return decodeUTF16(b, false) }, true
	case "UTF-16BE", "UTF16BE":
		return func(b []byte) string { return decodeUTF16(b, true) }, true
	case "UTF-16", "UTF16":
		return func(b []byte) string {
			switch {
			case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE:
				return decodeUTF16(b[2:], false)
			case len(b) >= 2 && b[0] == 0xFE && b[1] == 0xFF:
				return decodeUTF16(b[2:], true)
			}
			return decodeUTF16(b, true)
		}, true
	case "ISO-8859-1", "LATIN1", "LATIN-1":
		return func(b []byte) string {
			r := make([]rune, len(b))
			for i, c := range b {
				r[i] = rune(c)
			}
			return string(r)
		}, true
	case "US-ASCII", "ASCII":
		return func(b []byte) string {
			r := make([]rune, len(b))
			for i, c := range b {
				r[i] = rune(c)
				if c >= 0x80 {
					r[i] = utf8.RuneError
				}
			}
			return string(r)
		}, true
	}
	return nil, false
}

func decodeUTF16(b []byte, bigEndian bool) string {
	u := make([]uint16, 0, len(b)/2+1)
	for i := 0; i+1 < len(b); i += 2 {
		if bigEndian {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		} else {
			u = append(u, uint16(b[i+1])<<8|uint16(b[i]))
		}
	}
	s := string(utf16.Decode(u))
	if len(b)%2 == 1 {
		s += "\uFFFD"
	}
	return s
}

// urlDecode decodes %XX escapes and '+' as space (Java's URLDecoder); a
// malformed escape gives no value.
func urlDecode(s string) (string, bool) {
	if !strings.ContainsAny(s, "%+") {
		return s, true
	}
	v, err := url.QueryUnescape(s)
	if err != nil {
		return "", false
	}
	return v, true
}

func compileParseInt(a *args) (expr, error) {
	radixText, err := a.str("radix", "16")
	if err != nil {
		return nil, err
	}
	radix, ok := event.ParseNumber(radixText)
	if !ok || radix < 2 || radix > 36 || radix != float64(int(radix)) {
		return nil, a.errorf("radix", "radix must be an integer from 2 to 36, not %q", radixText)
	}
	endian, err := a.str("endian", "big")
	if err != nil {
		return nil, err
	}
	if endian != "big" && endian != "little" {
		return nil, a.errorf("endian", "endian must be big or little, not %q", endian)
	}
	little := endian == "little"
	r := int(radix)
	return fieldMapExpr(a, func(s string) (string, bool) { return parseIntRadix(s, r, little) })
}

// parseIntRadix converts an unsigned integer written in radix to decimal.
// Little endian reverses the byte order (pairs of hex digits).
func parseIntRadix(s string, radix int, little bool) (string, bool) {
	s = strings.TrimSpace(s)
	if radix == 16 {
		s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	}
	if s == "" {
		return "", false
	}
	if little {
		if radix != 16 || len(s)%2 != 0 {
			return "", false
		}
		b := make([]byte, 0, len(s))
		for i := len(s) - 2; i >= 0; i -= 2 {
			b = append(b, s[i], s[i+1])
		}
		s = string(b)
	}
	n, ok := new(big.Int).SetString(s, radix)
	if !ok || n.Sign() < 0 {
		return "", false
	}
	return n.String(), true
}
