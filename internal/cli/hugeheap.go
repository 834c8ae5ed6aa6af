package cli

import (
	"os"
	"runtime"
	"strings"
	"sync"
)

// hugeHeapBytes is how much heap a search or hunt maps ahead of use and
// has backed by transparent huge pages (hugeheap_linux.go). A 1 GB search
// holds 40-70 MB and a 1,000-rule hunt up to about 100 under the heap
// tuner (heaptarget.go): 128 MiB covers both.
const hugeHeapBytes = 128 << 20

var hugeHeapOnce sync.Once

// adviseHugeHeap asks, once per process, that the heap a search is about
// to grow into be backed by transparent huge pages. On Linux set to THP
// "madvise" (the common default) the Go heap gets 4 KiB pages, each
// faulted in on first touch: on the VMs measured a fault cost 7-10 µs,
// and the 11,000 of a 1 GB search (its process table, held lines and read
// buffers) were a tenth of its time; a 2 MiB page costs one fault.
//
// The runtime maps heap as it grows, so the advice is given to a block
// mapped for it and freed at once: never touched, it costs address space
// only, and later allocations take its pages, lowest first. Not under
// an address-space limit (addressSpace, ulimit -v: the block would count
// against it), nor when GODEBUG=disablethp=1 asks the runtime for the
// opposite.
func adviseHugeHeap(addressSpace int64) {
	hugeHeapOnce.Do(func() {
		if addressSpace > 0 || thpDisabled(os.Getenv("GODEBUG")) {
			return
		}
		if start, _, _ := adviseHugePages(hugeHeapBytes); start != 0 {
			// The block is garbage now: collect it before the pacer sizes
			// the next cycle by it.
			runtime.GC()
		}
	})
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
