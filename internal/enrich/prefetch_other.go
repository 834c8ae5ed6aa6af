//go:build !amd64 && !arm64

package enrich

// prefetch does nothing where no prefetch instruction is written for.
func prefetch(uintptr) {}
