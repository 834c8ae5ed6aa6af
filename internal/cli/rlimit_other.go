//go:build !unix

package cli

// addressSpaceLimit: no RLIMIT_AS outside Unix.
func addressSpaceLimit() int64 { return 0 }
