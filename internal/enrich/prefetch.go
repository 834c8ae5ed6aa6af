//go:build amd64 || arm64

package enrich

// prefetch asks the processor to bring the cache line at addr in ahead of
// a load; it never faults, whatever addr is (a table replaced since, or
// nothing at all), and reads nothing the race detector could see.
func prefetch(addr uintptr)
