package ingest

import "bytes"

// MaxLineAnchors is how many positions of an anchor byte a line's cut
// records (LineAnchors); a line holding more is searched as before.
const MaxLineAnchors = 8

// LineAnchors are the positions in a line of one byte, the anchor of a key
// (engine.KeyAnchor), found in the pass that found the line's end
// (IndexLineAnchored): the key is then checked at those positions instead
// of by a second scan of the line.
type LineAnchors struct {
	pos [MaxLineAnchors]uint32
	n   int
}

// Known reports whether every position of the byte in the line is listed.
// A nil LineAnchors knows none.
func (a *LineAnchors) Known() bool { return a != nil && a.n <= MaxLineAnchors }

// Positions returns the listed positions, in order: all of them when Known.
func (a *LineAnchors) Positions() []uint32 { return a.pos[:min(a.n, MaxLineAnchors)] }

// IndexLineAnchored returns the index of the first newline in s (-1:
// none) and records in anchors where c occurs before it, in one pass.
func IndexLineAnchored(s []byte, c byte, anchors *LineAnchors) int {
	if len(s) >= 1<<31 {
		anchors.n = MaxLineAnchors + 1 // positions past uint32: not listed
		return bytes.IndexByte(s, '\n')
	}
	nl, n := indexLineAnchors(s, c, &anchors.pos)
	anchors.n = n
	return nl
}

// indexLineAnchorsGeneric is indexLineAnchors by IndexByte.
func indexLineAnchorsGeneric(s []byte, c byte, pos *[MaxLineAnchors]uint32) (nl, n int) {
	nl = bytes.IndexByte(s, '\n')
	seg := s
	if nl >= 0 {
		seg = s[:nl]
	}
	for i := 0; ; {
		j := bytes.IndexByte(seg[i:], c)
		if j < 0 {
			return nl, n
		}
		if n < MaxLineAnchors {
			pos[n] = uint32(i + j)
		}
		n++
		i += j + 1
	}
}
