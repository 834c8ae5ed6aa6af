//go:build !linux

package cli

import (
	"errors"
	"time"
)

// adviseHugePages: transparent huge pages are Linux's; nothing is mapped.
func adviseHugePages(int) (start, end uintptr, err error) {
	return 0, 0, errors.ErrUnsupported
}

// faultProbe: nothing to measure without transparent huge pages.
func faultProbe() (huge, small time.Duration, err error) {
	return 0, 0, errors.ErrUnsupported
}
