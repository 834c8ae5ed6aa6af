//go:build !unix

package engine

import "errors"

// mkfifo: no FIFOs here; the tests that use one skip that case.
func mkfifo(string) error { return errors.New("no FIFOs on this system") }
