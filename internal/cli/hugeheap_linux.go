package cli

import (
	"errors"
	"runtime"
	"syscall"
	"unsafe"
)

// madvHugepage is MADV_HUGEPAGE (the syscall package does not name it).
const madvHugepage = 14

// hugePage is the transparent huge page size with 4 KiB base pages
// (x86-64, most arm64), to which the advised range is widened: a multiple
// of any base page size, so the start madvise needs is aligned.
const hugePage = 2 << 20

// heapProbe is an early heap object: its address tells where the heap
// mapped before the block begins.
var heapProbe *[64]byte

// adviseHugePages maps an n-byte heap block, advises MADV_HUGEPAGE over it
// and the heap below it, and drops it (the caller collects it). It returns
// the block's range, and an error when the kernel refused the advice
// (EINVAL without transparent huge pages).
func adviseHugePages(n int) (start, end uintptr, err error) {
	heapProbe = new([64]byte)
	block := make([]byte, n) // fresh from the OS: not zeroed, not touched
	start = uintptr(unsafe.Pointer(unsafe.SliceData(block)))
	end = start + uintptr(n)
	lo := min(uintptr(unsafe.Pointer(heapProbe)), start) &^ (hugePage - 1)
	if start-lo > 1<<30 {
		lo = start &^ (hugePage - 1) // an unexpected layout: the block alone
	}
	heapProbe = nil
	_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, lo, end-lo, madvHugepage)
	runtime.KeepAlive(block)
	// Holes in the range (address space the runtime reserved but has not
	// mapped) make madvise return ENOMEM after advising what is mapped.
	if errno != 0 && !errors.Is(errno, syscall.ENOMEM) {
		return start, end, errno
	}
	return start, end, nil
}
