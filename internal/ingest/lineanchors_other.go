//go:build !amd64

package ingest

func indexLineAnchors(s []byte, c byte, pos *[MaxLineAnchors]uint32) (nl, n int) {
	return indexLineAnchorsGeneric(s, c, pos)
}

// lineAnchorImplementations are the implementations this machine runs,
// for tests.
func lineAnchorImplementations() map[string]func([]byte, byte, *[MaxLineAnchors]uint32) (int, int) {
	return map[string]func([]byte, byte, *[MaxLineAnchors]uint32) (int, int){"generic": indexLineAnchorsGeneric}
}
