package cli

import (
	"bufio"
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestAdviseHugePagesMarksTheHeap checks in /proc/self/smaps that the
// block mapped for the heap is flagged for huge pages ("hg"), so the
// heap's later faults take 2 MiB pages.
func TestAdviseHugePagesMarksTheHeap(t *testing.T) {
	start, end, err := adviseHugePages(8 << 20)
	if errors.Is(err, syscall.EINVAL) {
		t.Skip("kernel without transparent huge pages:", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip("no /proc/self/smaps:", err)
	}
	defer f.Close()
	covered := start // the block is advised up to here
	var lo, hi uint64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if r, _, ok := strings.Cut(line, " "); ok && strings.Contains(r, "-") && !strings.HasSuffix(r, ":") {
			a, b, _ := strings.Cut(r, "-")
			lo, _ = strconv.ParseUint(a, 16, 64)
			hi, _ = strconv.ParseUint(b, 16, 64)
			continue
		}
		flags, ok := strings.CutPrefix(line, "VmFlags:")
		if !ok || covered >= end || uintptr(lo) > covered || uintptr(hi) <= covered {
			continue
		}
		if !strings.Contains(" "+flags+" ", " hg ") {
			t.Fatalf("mapping %x-%x holding heap block %x-%x lacks the hg flag: %s", lo, hi, start, end, flags)
		}
		covered = uintptr(hi)
	}
	if covered < end {
		t.Fatalf("heap block %x-%x advised only up to %x", start, end, covered)
	}
}

// TestFaultProbeTimesBothSizes runs the probe: it measures something
// for both page sizes, and fails only where the kernel has no THP.
func TestFaultProbeTimesBothSizes(t *testing.T) {
	huge, small, err := faultProbe()
	if errors.Is(err, syscall.EINVAL) {
		t.Skip("kernel without transparent huge pages:", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if huge <= 0 || small <= 0 {
		t.Fatalf("faultProbe() = %v, %v: a first touch takes time", huge, small)
	}
	t.Logf("first touch: huge page %v, its worth of small pages %v (advise: %v)", huge, small, hugePagesPay(huge, small))
}

// The heap mapped ahead is not touched, even where pages a collection
// freed lie where it begins: the runtime zeroes a whole allocation that
// reuses any freed page (one run of the seed cleared 512 MiB in 1.6 s).
func TestAdviseHugePagesTouchesNoBlock(t *testing.T) {
	freed := make([]byte, 32<<20)
	for i := range freed {
		freed[i] = 1
	}
	freed = nil
	runtime.GC()
	before := residentBytes(t)
	if _, _, err := adviseHugePages(256 << 20); errors.Is(err, syscall.EINVAL) {
		t.Skip("kernel without transparent huge pages:", err)
	}
	if grown := residentBytes(t) - before; grown > 64<<20 {
		t.Fatalf("mapping the heap block made %d MiB resident", grown>>20)
	}
}

// residentBytes reads VmRSS from /proc/self/status.
func residentBytes(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status:", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Skip("no VmRSS")
	return 0
}
