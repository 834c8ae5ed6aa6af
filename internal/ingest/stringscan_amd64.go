package ingest

// stringEnd finds the closing quote of a string whose contents start at
// s[i]; esc reports whether the contents hold a backslash. It is the
// scan's hottest loop, in assembly here (stringscan_amd64.s): sixteen
// bytes at a time.
//
//go:noescape
func stringEnd(s []byte, i int) (end int, esc bool, ok bool)
