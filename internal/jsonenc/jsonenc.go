// Package jsonenc appends JSON strings without reflection: the one encoder
// behind search output, hunt alerts and emulated telemetry.
package jsonenc

import (
	"strings"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string: quote, backslash and control
// characters escaped, invalid UTF-8 as U+FFFD so the output always parses,
// and U+2028/U+2029 escaped (valid JSON, but they break JavaScript and some
// line readers).
func AppendString(b []byte, s string) []byte { return appendString(b, s, false) }

// AppendStringFalcon is AppendString with the extra escapes of Falcon's FDR
// producer (a Go-style encoder): '&', '<', '>' and '=' as \u00XX.
func AppendStringFalcon(b []byte, s string) []byte { return appendString(b, s, true) }

// plainBytes and falconBytes mark the bytes AppendString and
// AppendStringFalcon copy as they are: one load a byte, where the tests
// of each were most of encoding an alert.
var plainBytes, falconBytes = asIs(""), asIs("&<>=")

func asIs(escaped string) (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && strings.IndexByte(escaped, byte(c)) < 0
	}
	return t
}

func appendString(b []byte, s string, falcon bool) []byte {
	plain := &plainBytes
	if falcon {
		plain = &falconBytes
	}
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		for i < len(s) && plain[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
