package jsonenc

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

func TestAppendString(t *testing.T) {
	tests := []struct {
		in, plain, falcon string
	}{
		{"plain", `"plain"`, `"plain"`},
		{`a"b\c`, `"a\"b\\c"`, `"a\"b\\c"`},
		{"line\nnext\ttab\r", `"line\nnext\ttab\r"`, `"line\nnext\ttab\r"`},
		{"\x01", `"\u0001"`, `"\u0001"`},
		{"a=b&c<d>", `"a=b&c<d>"`, `"a\u003db\u0026c\u003cd\u003e"`},
		{`\Device\HarddiskVolume3\nmap.exe`, `"\\Device\\HarddiskVolume3\\nmap.exe"`, `"\\Device\\HarddiskVolume3\\nmap.exe"`},
		{"Mosfellsbær", `"Mosfellsbær"`, `"Mosfellsbær"`},
		{"bad\xffutf8", `"bad\ufffdutf8"`, `"bad\ufffdutf8"`},
		{"sep\u2028", `"sep\u2028"`, `"sep\u2028"`},
	}
	for _, tt := range tests {
		if got := string(AppendString(nil, tt.in)); got != tt.plain {
			t.Errorf("AppendString(%q) = %s, want %s", tt.in, got, tt.plain)
		}
		if got := string(AppendStringFalcon(nil, tt.in)); got != tt.falcon {
			t.Errorf("AppendStringFalcon(%q) = %s, want %s", tt.in, got, tt.falcon)
		}
	}
}

func FuzzAppendStringParses(f *testing.F) {
	for _, s := range []string{"", "a", `"\`, "\x00\x1f", "é\xff", "\u2028", "a=b&c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, enc := range []func([]byte, string) []byte{AppendString, AppendStringFalcon} {
			var back string
			if err := json.Unmarshal(enc(nil, s), &back); err != nil {
				t.Fatalf("%q encodes to invalid JSON: %v", s, err)
			}
			if utf8.ValidString(s) && back != s {
				t.Fatalf("%q round-trips to %q", s, back)
			}
		}
	})
}

// BenchmarkAppendString encodes an alert's kind of values: paths and
// command lines, mostly plain ASCII with backslashes.
func BenchmarkAppendString(b *testing.B) {
	vals := []string{`\Device\HarddiskVolume2\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
		`"C:\Program Files\Google\Chrome\Application\chrome.exe" --type=renderer --field-trial-handle=5048,8334e32aa8dc6205 --lang=en-US /prefetch:5`,
		"ipinfo.io", "1730000001235", "user156", "conhost.exe"}
	n := 0
	for _, v := range vals {
		n += len(v)
	}
	b.SetBytes(int64(n))
	var buf []byte
	for b.Loop() {
		buf = buf[:0]
		for _, v := range vals {
			buf = AppendString(buf, v)
		}
	}
}
