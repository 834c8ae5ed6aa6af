//go:build linux || darwin || freebsd || netbsd || openbsd

package cli

import (
	"os"
	"syscall"
	"unsafe"
)

type winsize struct{ rows, cols, x, y uint16 }

func getWinsize(f *os.File) (winsize, bool) {
	var ws winsize
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), uintptr(syscall.TIOCGWINSZ), uintptr(unsafe.Pointer(&ws)))
	return ws, errno == 0
}

func fileIsTerminal(f *os.File) bool {
	_, ok := getWinsize(f)
	return ok
}

func fileWidth(f *os.File) int {
	ws, ok := getWinsize(f)
	if !ok {
		return 0
	}
	return int(ws.cols)
}
