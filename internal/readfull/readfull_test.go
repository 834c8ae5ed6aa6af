package readfull

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// stalled returns no bytes and no error, forever.
type stalled struct{}

func (stalled) Read([]byte) (int, error) { return 0, nil }

// Read fills the buffer across short reads, says io.EOF only for a clean
// end, passes a reader's own error on, and gives up on a reader that
// never moves.
func TestRead(t *testing.T) {
	broken := io.ErrUnexpectedEOF // what a truncated gzip stream returns
	tests := []struct {
		name    string
		src     io.Reader
		size    int
		want    string
		wantErr error
	}{
		{"fills across short reads", iotest.OneByteReader(strings.NewReader("abcdef")), 4, "abcd", nil},
		{"a clean end", strings.NewReader("ab"), 4, "ab", io.EOF},
		{"a decompressor's error is its own", io.MultiReader(strings.NewReader("ab"), iotest.ErrReader(broken)), 4, "ab", broken},
		{"a reader that never moves", stalled{}, 4, "", ErrNoProgress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf := make([]byte, tt.size)
			n, err := Read(tt.src, buf)
			if string(buf[:n]) != tt.want || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("Read = %q, %v; want %q, %v", buf[:n], err, tt.want, tt.wantErr)
			}
		})
	}
}
