package cli

import (
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// hugeHeapBytes is how much heap a search or hunt maps ahead of use and
// has backed by transparent huge pages (hugeheap_linux.go). A search over
// 1 GB peaks at 80-120 MB and a hunt of a thousand SigmaHQ rules at
// 300-350 MB (128 MiB left it 53,000 faults, 0.4 s); never touched, the
// block is address space only.
const hugeHeapBytes = 512 << 20

var hugeHeapOnce sync.Once

// adviseHugeHeap asks, once per process, that the heap a search is about
// to grow into be backed by transparent huge pages when they fault in
// faster than small ones. On Linux set to THP "madvise" (the common
// default) the Go heap gets 4 KiB pages, each faulted in on first touch;
// a 1 GB search touches 45-80 MB (its process table, held lines, read
// buffers). Which page size is cheaper depends on the host: under a
// hypervisor that traps every guest fault a 4 KiB fault costs about 11 µs
// and a 2 MiB page a twentieth of the 512 faults it replaces, while a
// host that backs a huge page on first touch can take 13 ms for it. So a
// probe decides (faultProbe).
//
// The runtime maps heap as it grows, so the advice is given to a block
// mapped for it and freed at once: never touched, it costs address space
// only, and later allocations take its pages, lowest first. Not under
// an address-space limit (addressSpace, ulimit -v: the block would count
// against it), nor when GODEBUG=disablethp=1 asks the runtime for the
// opposite, nor for inputs too small to touch much memory (the probe and
// the block cost a few milliseconds).
func adviseHugeHeap(addressSpace int64, paths []string) {
	hugeHeapOnce.Do(func() {
		if addressSpace > 0 || thpDisabled(os.Getenv("GODEBUG")) || smallInput(paths) {
			return
		}
		huge, small, err := faultProbe()
		if err != nil || !hugePagesPay(huge, small) {
			return
		}
		// Growing the heap by the block would run a collection at every
		// doubling of it (15-20 ms here, against 8-13 without): none
		// runs until the one below.
		old := debug.SetGCPercent(-1)
		defer debug.SetGCPercent(old)
		if start, _, _ := adviseHugePages(hugeHeapBytes); start != 0 {
			// The block is garbage now: collect it before the pacer sizes
			// the next cycle by it.
			runtime.GC()
		}
	})
}

// smallInputBytes: inputs below it are searched before the heap grows
// much.
const smallInputBytes = 64 << 20

// smallInput reports whether paths are all regular files holding less
// than smallInputBytes together. Standard input, directories and URLs
// may hold anything.
func smallInput(paths []string) bool {
	if len(paths) == 0 {
		return false
	}
	var total int64
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			return false
		}
		total += fi.Size()
	}
	return total < smallInputBytes
}

// probeSmallPages is how many small pages faultProbe touches (a huge page
// holds 512 of 4 KiB).
const probeSmallPages = 64

// hugePagesPay reports whether a huge page's first touch (huge) costs less
// than the small pages it replaces (small, their time for a huge page's
// worth). Either probe may have been slowed by the scheduler: then the
// heap keeps the runtime's pages, as it would without the probe.
func hugePagesPay(huge, small time.Duration) bool {
	return huge < small
}

// thpDisabled reports whether a GODEBUG value sets disablethp=1 (the last
// setting wins, as the runtime reads it).
func thpDisabled(godebug string) bool {
	off := false
	for _, kv := range strings.Split(godebug, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(kv), "disablethp="); ok {
			off = v == "1"
		}
	}
	return off
}
