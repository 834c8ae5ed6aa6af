package engine

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tiercel/tiercel/internal/event"
)

// parseHexString(field, as=_parsehexstring, charset=UTF-8) decodes hex
// encoded bytes as text (reference page functions-parsehexstring): a 0x or
// 16# prefix is skipped, every other non-hex character is ignored, case is
// ignored; the bytes are decoded as ISO-8859-1, UTF-16BE, UTF-16LE or UTF-8.

func init() {
	registerFunc("parseHexString", &funcImpl{params: []string{"field", "as", "charset"}, defaultAs: "_parsehexstring",
		value: func(c *compiler, a *args) (expr, error) {
			f, err := a.fieldName("field", "")
			if err != nil {
				return nil, err
			}
			if f == "" {
				return nil, c.errAt(a.call.Span(), "invalid-argument", "parseHexString(): missing required parameter field")
			}
			cs, err := a.str("charset", "UTF-8")
			if err != nil {
				return nil, err
			}
			switch strings.ToUpper(cs) {
			case "UTF-8", "ISO-8859-1", "UTF-16BE", "UTF-16LE":
			default:
				return nil, a.errorf("charset", "charset must be ISO-8859-1, UTF-16BE, UTF-16LE or UTF-8, not %q", cs)
			}
			return &hexStringExpr{field: f, charset: strings.ToUpper(cs)}, nil
		}})
}

type hexStringExpr struct{ field, charset string }

func (e *hexStringExpr) eval(_ *exec, ev *event.Event) (string, bool) {
	v, ok := ev.Get(e.field)
	if !ok {
		return "", false
	}
	t := strings.TrimSpace(v)
	if strings.HasPrefix(t, "0x") || strings.HasPrefix(t, "0X") {
		t = t[2:]
	} else if strings.HasPrefix(t, "16#") {
		t = t[3:]
	}
	b := make([]byte, 0, len(t)/2)
	hi, half := byte(0), false
	for i := 0; i < len(t); i++ {
		n, ok := hexNibble(t[i])
		if !ok {
			continue
		}
		if half {
			b = append(b, hi<<4|n)
		} else {
			hi = n
		}
		half = !half
	}
	return decodeCharset(b, e.charset), true
}

func hexNibble(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func decodeCharset(b []byte, charset string) string {
	switch charset {
	case "ISO-8859-1":
		var sb strings.Builder
		for _, c := range b {
			sb.WriteRune(rune(c))
		}
		return sb.String()
	case "UTF-16BE", "UTF-16LE":
		u := make([]uint16, 0, len(b)/2)
		for i := 0; i+1 < len(b); i += 2 {
			if charset == "UTF-16BE" {
				u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
			} else {
				u = append(u, uint16(b[i+1])<<8|uint16(b[i]))
			}
		}
		return string(utf16.Decode(u))
	}
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
