//go:build !unix

package pgtest

import (
	"syscall"
	"testing"
)

// serverUser: outside Unix the server runs as the user running the tests.
func serverUser(*testing.T, string) *syscall.SysProcAttr { return nil }
