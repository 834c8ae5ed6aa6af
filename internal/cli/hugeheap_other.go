//go:build !linux

package cli

import "errors"

// adviseHugePages: transparent huge pages are Linux's; nothing is mapped.
func adviseHugePages(int) (start, end uintptr, err error) {
	return 0, 0, errors.ErrUnsupported
}
