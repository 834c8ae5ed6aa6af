//go:build !linux

package cli

import (
	"errors"
	"time"
)

// hugePage is the transparent huge page size the Linux code advises.
const hugePage = 2 << 20

// adviseHugePages: transparent huge pages are Linux's; nothing is mapped.
func adviseHugePages(int) (start, end uintptr, err error) {
	return 0, 0, errors.ErrUnsupported
}

// faultProbe: nothing to measure without transparent huge pages.
func faultProbe() (huge, small time.Duration, err error) {
	return 0, 0, errors.ErrUnsupported
}
