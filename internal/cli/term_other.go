//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package cli

import "os"

// Without the window-size ioctl: a character device is taken for a
// terminal, and its width comes from $COLUMNS or defaults to 80.
func fileIsTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func fileWidth(*os.File) int { return 0 }
