package ingest

// indexQuoteOrEscape returns the index of the first '"' or '\\' in b, or
// -1: where a JSON string ends or escapes a byte (stringscan_amd64.s).
//
//go:noescape
func indexQuoteOrEscape(b []byte) int
