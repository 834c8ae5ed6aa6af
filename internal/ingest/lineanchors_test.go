package ingest

import (
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

// lineAnchorsByteWise is IndexLineAnchored one byte at a time.
func lineAnchorsByteWise(s []byte, c byte) (nl int, pos []uint32, n int) {
	for i, b := range s {
		switch b {
		case '\n':
			return i, pos, n
		case c:
			if n < MaxLineAnchors {
				pos = append(pos, uint32(i))
			}
			n++
		}
	}
	return -1, pos, n
}

func TestIndexLineAnchored(t *testing.T) {
	long := strings.Repeat("x", 70)
	tests := []struct {
		name, s string
		nl      int
		pos     []uint32
		known   bool
	}{
		{"empty", "", -1, nil, true},
		{"no newline", "a_b", -1, []uint32{1}, true},
		{"newline first", "\na_b", 0, nil, true},
		{"anchors after the newline are the next line's", "a_b\n_c", 3, []uint32{1}, true},
		{"an FDR line", `{"event_platform":"Win","event_simpleName":"DnsRequest"}` + "\n{", 56, []uint32{7, 30}, true},
		{"past sixty-four bytes", long + "_" + long + "_\n", 142, []uint32{70, 141}, true},
		{"at block edges", strings.Repeat("_", 1) + strings.Repeat("y", 14) + "_" + "_" + strings.Repeat("y", 14) + "_\n", 32, []uint32{0, 15, 16, 31}, true},
		{"eight anchors", "________\n", 8, []uint32{0, 1, 2, 3, 4, 5, 6, 7}, true},
		{"nine: not all listed", "_________\n", 9, []uint32{0, 1, 2, 3, 4, 5, 6, 7}, false},
	}
	for _, tt := range tests {
		var a LineAnchors
		nl := IndexLineAnchored([]byte(tt.s), '_', &a)
		if nl != tt.nl || a.Known() != tt.known || !slices.Equal(a.Positions(), tt.pos) {
			t.Errorf("%s: newline %d, anchors %v (known %v); want %d, %v (%v)", tt.name, nl, a.Positions(), a.Known(), tt.nl, tt.pos, tt.known)
		}
	}
}

// Every implementation the machine can run agrees with the byte-wise
// reference, on lines of every length around the blocks' sizes, with
// and without a newline and with more anchors than are listed.
func TestIndexLineAnchorsImplementationsAgree(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	alphabet := []byte("ab_\n\"\\")
	for range 100000 {
		s := make([]byte, r.Intn(200))
		for i := range s {
			s[i] = 'a'
			if r.Intn(8) == 0 {
				s[i] = alphabet[r.Intn(len(alphabet))]
			}
		}
		wantNL, wantPos, wantN := lineAnchorsByteWise(s, '_')
		for name, f := range lineAnchorImplementations() {
			var pos [MaxLineAnchors]uint32
			nl, n := f(s, '_', &pos)
			if got := pos[:min(n, MaxLineAnchors)]; nl != wantNL || n != wantN || !slices.Equal(got, wantPos) {
				t.Fatalf("%s(%q): newline %d, %d anchors at %v; want %d, %d at %v", name, s, nl, n, got, wantNL, wantN, wantPos)
			}
		}
	}
}

func FuzzIndexLineAnchored(f *testing.F) {
	f.Add([]byte(`{"event_platform":"Win","event_simpleName":"DnsRequest"}`+"\n{}"), byte('_'))
	f.Add([]byte(strings.Repeat("_x", 40)+"\n"), byte('_'))
	f.Fuzz(func(t *testing.T, s []byte, c byte) {
		wantNL, wantPos, wantN := lineAnchorsByteWise(s, c)
		for name, impl := range lineAnchorImplementations() {
			var pos [MaxLineAnchors]uint32
			nl, n := impl(s, c, &pos)
			if nl != wantNL || n != wantN || !slices.Equal(pos[:min(n, MaxLineAnchors)], wantPos) {
				t.Fatalf("%s(%q, %q): %d %v (%d); want %d %v (%d)", name, s, c, nl, pos, n, wantNL, wantPos, wantN)
			}
		}
	})
}

// Lines and LinesAnchored cut a chunk alike: without "\n" or "\r\n",
// blank lines numbered and skipped, the last line without a newline, and
// no line past the one fn stops at.
func TestLinesAndLinesAnchoredCutAlike(t *testing.T) {
	type cut struct {
		line string
		no   int
	}
	tests := []struct {
		data   string
		stopAt int // the line number fn stops at (0: none)
		want   []cut
	}{
		{"a\nb\n", 0, []cut{{"a", 10}, {"b", 11}}},
		{"a\r\n\r\nb_c", 0, []cut{{"a", 10}, {"b_c", 12}}},
		{"\n\n_\n", 0, []cut{{"_", 12}}},
		{"a\nb\nc\n", 11, []cut{{"a", 10}, {"b", 11}}},
		{"\r", 0, nil},
	}
	for _, tt := range tests {
		c := event.Chunk{Data: []byte(tt.data), FirstLine: 10}
		var plain, anchored []cut
		Lines(c, func(line []byte, no int) bool {
			plain = append(plain, cut{string(line), no})
			return no != tt.stopAt
		})
		LinesAnchored(c, '_', func(line []byte, no int, a *LineAnchors) bool {
			anchored = append(anchored, cut{string(line), no})
			if want := strings.Count(string(line), "_"); len(a.Positions()) != want {
				t.Errorf("%q: line %q has %d anchors listed, want %d", tt.data, line, len(a.Positions()), want)
			}
			return no != tt.stopAt
		})
		if !slices.Equal(plain, tt.want) || !slices.Equal(anchored, tt.want) {
			t.Errorf("%q: Lines %v, LinesAnchored %v, want %v", tt.data, plain, anchored, tt.want)
		}
	}
}
