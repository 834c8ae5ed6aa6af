package cli

import (
	"errors"
	"runtime"
	"syscall"
	"time"
	"unsafe"
)

// MADV_HUGEPAGE and MADV_NOHUGEPAGE (the syscall package names neither).
const (
	madvHugepage   = 14
	madvNoHugepage = 15
)

// hugePage is the transparent huge page size with 4 KiB base pages
// (x86-64, most arm64), to which the advised range is widened: a multiple
// of any base page size, so the start madvise needs is aligned.
const hugePage = 2 << 20

// heapProbe is an early heap object: its address tells where the heap
// mapped before the block begins.
var heapProbe *[64]byte

// adviseHugePages maps n bytes of heap, advises MADV_HUGEPAGE over them
// and the heap below, and drops them (the caller collects them). It
// returns the range they span, and an error when the kernel refused the
// advice (EINVAL without transparent huge pages).
//
// The heap is mapped in pieces: the runtime zeroes an allocation that
// reuses any page the heap freed, all of it, so one block beginning in
// pages a collection freed was cleared (touched) whole, 512 MiB in 1.6 s.
// A piece is cleared at most; the others are fresh from the OS.
func adviseHugePages(n int) (start, end uintptr, err error) {
	heapProbe = new([64]byte)
	pieces := make([][]byte, 0, (n+heapPiece-1)/heapPiece)
	start = ^uintptr(0)
	for len(pieces)*heapPiece < n {
		p := make([]byte, heapPiece) // fresh from the OS: not zeroed, not touched
		pieces = append(pieces, p)
		at := uintptr(unsafe.Pointer(unsafe.SliceData(p)))
		start, end = min(start, at), max(end, at+heapPiece)
	}
	lo := min(uintptr(unsafe.Pointer(heapProbe)), start) &^ (hugePage - 1)
	if start-lo > 1<<30 {
		lo = start &^ (hugePage - 1) // an unexpected layout: the pieces alone
	}
	heapProbe = nil
	_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, lo, end-lo, madvHugepage)
	runtime.KeepAlive(pieces)
	// Holes in the range (address space the runtime reserved but has not
	// mapped) make madvise return ENOMEM after advising what is mapped.
	if errno != 0 && !errors.Is(errno, syscall.ENOMEM) {
		return start, end, errno
	}
	return start, end, nil
}

// heapPiece is the size of the pieces adviseHugePages maps: two huge
// pages.
const heapPiece = 2 * hugePage

// faultProbe times the first touch of one huge page, and of
// probeSmallPages small ones scaled to a huge page's worth (small), each
// in memory mapped for it outside the heap and unmapped after. It fails
// when the kernel refuses the advice (no transparent huge pages).
func faultProbe() (huge, small time.Duration, err error) {
	// two huge pages' worth, so one aligned huge page lies inside
	hm, err := syscall.Mmap(-1, 0, 2*hugePage, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return 0, 0, err
	}
	defer syscall.Munmap(hm)
	base := uintptr(unsafe.Pointer(unsafe.SliceData(hm)))
	off := int((base+hugePage-1)&^(hugePage-1) - base)
	page := hm[off : off+hugePage]
	if err := syscall.Madvise(page, madvHugepage); err != nil {
		return 0, 0, err
	}
	t := time.Now()
	page[0] = 1
	huge = time.Since(t)

	ps := syscall.Getpagesize()
	sm, err := syscall.Mmap(-1, 0, probeSmallPages*ps, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return 0, 0, err
	}
	defer syscall.Munmap(sm)
	_ = syscall.Madvise(sm, madvNoHugepage) // merged into a neighbour, it stays small
	t = time.Now()
	for i := 0; i < len(sm); i += ps {
		sm[i] = 1
	}
	small = time.Since(t) * time.Duration(hugePage/ps) / probeSmallPages
	return huge, small, nil
}
