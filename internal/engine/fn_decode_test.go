package engine

import (
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestDecodeFunctions(t *testing.T) {
	events := []*event.Event{ev(
		"b", "aGVsbG8gd29ybGQ=",
		"w", "dwBoAG8AYQBtAGkA", // "whoami" in UTF-16LE, as PowerShell -EncodedCommand
		"bad", "@@@",
		"u", "a%20b+c%3D%2F",
		"h", "0x1F",
		"le", "0100",
	)}
	tests := []struct {
		src  string
		want []string
	}{
		{"base64Decode(b) | select(_base64Decode)", []string{"_base64Decode=hello world"}},
		{`d := base64Decode(w, charset="UTF-16LE") | select(d)`, []string{"d=whoami"}},
		{"base64Decode(bad, as=d) | select(d)", []string{""}},
		{"base64Encode(u) | select(_base64Encode)", []string{"_base64Encode=YSUyMGIrYyUzRCUyRg=="}},
		{"urlDecode(u) | select(_urldecode)", []string{"_urldecode=a b c=/"}},
		{"urlEncode(field=b, as=e) | select(e)", []string{"e=aGVsbG8gd29ybGQ%3D"}},
		{"parseInt(h) | select(h)", []string{"h=31"}},
		{"parseInt(le, endian=little, as=n) | select(n)", []string{"n=1"}},
		{"parseInt(le, radix=2, as=n) | select(n)", []string{"n=4"}},
		{"parseInt(b, radix=10, as=n) | select(n)", []string{""}},
	}
	for _, tc := range tests {
		expect(t, tc.src, events, tc.want)
	}
	expectCompileError(t, `base64Decode(b, charset="EBCDIC")`)
	expectCompileError(t, "parseInt(h, radix=99)")
	expectCompileError(t, "parseInt(h, endian=middle)")
}
