package ingest

import "golang.org/x/sys/cpu"

// indexLineAnchors returns the index of the first newline in s (-1: none)
// and how many bytes before it are c, the first MaxLineAnchors of whose
// positions it stores in pos: the line's end and its anchors in one pass
// (lineanchors_amd64.s), thirty-two bytes at a time where the processor
// has AVX2, else sixteen. s is shorter than 1<<31.
func indexLineAnchors(s []byte, c byte, pos *[MaxLineAnchors]uint32) (nl, n int) {
	return indexLineAnchorsAsm(s, c, pos, hasAVX2)
}

var hasAVX2 = cpu.X86.HasAVX2

//go:noescape
func indexLineAnchorsAsm(s []byte, c byte, pos *[MaxLineAnchors]uint32, avx2 bool) (nl, n int)

// lineAnchorImplementations are the implementations this machine runs,
// for tests.
func lineAnchorImplementations() map[string]func([]byte, byte, *[MaxLineAnchors]uint32) (int, int) {
	impls := map[string]func([]byte, byte, *[MaxLineAnchors]uint32) (int, int){
		"generic": indexLineAnchorsGeneric,
		"SSE2": func(s []byte, c byte, pos *[MaxLineAnchors]uint32) (int, int) {
			return indexLineAnchorsAsm(s, c, pos, false)
		},
	}
	if hasAVX2 {
		impls["AVX2"] = indexLineAnchors
	}
	return impls
}
