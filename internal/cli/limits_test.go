package cli

import "testing"

func TestByteFlag(t *testing.T) {
	for in, want := range map[string]int64{
		"1024": 1024, "16MiB": 16 << 20, "16M": 16 << 20, "16mb": 16 << 20, "512KiB": 512 << 10,
		"1GiB": 1 << 30, "2g": 2 << 30, "100B": 100, " 8 MiB ": 8 << 20,
	} {
		var b byteFlag
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, b, err, want)
		}
	}
	for _, bad := range []string{"", "MiB", "12x", "-1", "1.5MiB", "99999999999GiB"} {
		var b byteFlag
		if err := b.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted: %d", bad, b)
		}
	}
	for n, want := range map[int64]string{16 << 20: "16MiB", 1 << 30: "1GiB", 1000: "1000", 3 << 10: "3KiB"} {
		b := byteFlag(n)
		if got := b.String(); got != want {
			t.Errorf("String(%d) = %q, want %q", n, got, want)
		}
	}
}
