package cli

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/ingest"
)

// limitFlags are the budgets of search and hunt (docs/limits.md): what one
// hostile line or query may cost before it is skipped or stopped.
type limitFlags struct {
	maxLine   byteFlag
	maxMemory byteFlag
	maxValue  byteFlag
	maxFields int
	regexTime time.Duration
}

func (f *limitFlags) register(fs *pflag.FlagSet) {
	f.maxLine = byteFlag(ingest.DefaultMaxLine)
	f.maxMemory = byteFlag(engine.DefaultMemory)
	f.maxValue = byteFlag(engine.DefaultMaxValue)
	fs.Var(&f.maxLine, "max-line", "skip (and report) input lines longer than `SIZE` (e.g. 16MiB)")
	fs.Var(&f.maxMemory, "max-memory", "stop a query whose groupBy/sort/top/join/... state grows past `SIZE` (estimated)")
	fs.Var(&f.maxValue, "max-value", "stop a query that builds one value longer than `SIZE`")
	fs.IntVar(&f.maxFields, "max-fields", engine.DefaultMaxFields, "stop a query that gives one event more than `N` fields")
	fs.DurationVar(&f.regexTime, "regex-time", engine.DefaultRegexTime, "time a query's lookaround regexes may spend on matches that time out; later matches count as undecided")
}

func (f *limitFlags) validate() error {
	switch {
	case f.maxLine < 1024:
		return fmt.Errorf("--max-line must be at least 1KiB, not %s", f.maxLine.String())
	case f.maxMemory < 1<<20:
		return fmt.Errorf("--max-memory must be at least 1MiB, not %s", f.maxMemory.String())
	case f.maxValue < 1024:
		return fmt.Errorf("--max-value must be at least 1KiB, not %s", f.maxValue.String())
	case f.maxFields < 1:
		return fmt.Errorf("--max-fields must be at least 1, not %d", f.maxFields)
	case f.regexTime <= 0:
		return fmt.Errorf("--regex-time must be positive, not %v", f.regexTime)
	}
	return nil
}

// gcHeadroom is what the process needs beside the stateful functions'
// state: chunk buffers, workers' events, decoder and output buffers.
const gcHeadroom = 384 << 20

// runtimeReserve is the address space the Go runtime and its threads
// reserve whatever the heap: VmPeak of a search with a tiny heap is 1.3 GB
// built with CGO_ENABLED=0 and 1.85 GB with cgo (glibc thread arenas).
const runtimeReserve = 1792 << 20

// applyGC asks the Go runtime to collect harder as the heap nears
// --max-memory plus headroom (unless GOMEMLIMIT says otherwise), so that
// garbage does not double the footprint of a query near its budget, and
// nears 128 MiB while the live data is small (heaptarget.go).
//
// Under an address-space limit (ulimit -v), which the Go runtime meets
// with a fatal "out of memory" dump, what is left after the runtime's own
// reservations (up to 1.8 GB of address space, mostly never touched) is
// shared out: an unset --max-memory shrinks to a third of it and the heap
// is held under two thirds, so a query that needs more stops with a
// LimitError naming the function instead.
//
// First, the heap the run grows into is advised for huge pages where they
// fault in faster (hugeheap.go), for inputs at paths large enough to
// need it: before the tuner's limit, which the block would exceed.
func (f *limitFlags) applyGC(fs *pflag.FlagSet, paths []string) {
	gcLimit := int64(f.maxMemory) + gcHeadroom
	as := addressSpaceLimit()
	adviseHugeHeap(as, paths)
	if as > 0 {
		usable := max(as-runtimeReserve, 96<<20)
		if !fs.Changed("max-memory") {
			f.maxMemory = byteFlag(max(min(int64(f.maxMemory), usable/3), 1<<20))
		}
		gcLimit = min(gcLimit, usable*2/3)
	}
	if os.Getenv("GOMEMLIMIT") == "" && f.maxMemory > 0 {
		startHeapTuner(smallHeap, gcLimit, !readsStdin(paths))
	}
}

func (f *limitFlags) engine() engine.Limits {
	return engine.Limits{Memory: int64(f.maxMemory), MaxValue: int(f.maxValue), MaxFields: f.maxFields, RegexTime: f.regexTime}
}

// maxLineBytes is --max-line for the readers (the default when unset, as
// in tests that build args by hand).
func (f *limitFlags) maxLineBytes() int {
	if f.maxLine == 0 {
		return ingest.DefaultMaxLine
	}
	return int(f.maxLine)
}

// reportUndecided prints the regexes whose matches timed out; it returns
// how many events they left undecided.
func reportUndecided(w io.Writer, progs ...*engine.Program) int64 {
	var n int64
	for _, p := range progs {
		for _, msg := range p.UndecidedWarnings() {
			fmt.Fprintf(w, "tiercel: warning: %s\n", msg)
		}
		for _, u := range p.Undecided() {
			n += u.Events
		}
	}
	return n
}

// byteFlag is a size flag: 1048576, 512KiB, 16MiB, 1GiB (also K, M, G, KB, MB, GB as powers of 1024).
type byteFlag int64

func (b *byteFlag) String() string {
	n := int64(*b)
	for _, u := range []struct {
		s    string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.s
		}
	}
	return strconv.FormatInt(n, 10)
}

func (b *byteFlag) Type() string { return "size" }

func (b *byteFlag) Set(s string) error {
	t := strings.TrimSpace(s)
	num := strings.TrimRightFunc(t, func(r rune) bool { return r < '0' || r > '9' })
	unit := strings.ToUpper(strings.TrimSpace(t[len(num):]))
	mult := int64(1)
	switch strings.TrimSuffix(strings.TrimSuffix(unit, "B"), "I") {
	case "":
	case "K":
		mult = 1 << 10
	case "M":
		mult = 1 << 20
	case "G":
		mult = 1 << 30
	default:
		return fmt.Errorf("unknown size unit %q (use KiB, MiB or GiB)", unit)
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<50)/mult {
		return fmt.Errorf("not a size: %q (e.g. 16MiB)", s)
	}
	*b = byteFlag(n * mult)
	return nil
}

// printWarnings prints run-time notes (rows cut by limits and the like).
func printWarnings(w io.Writer, warns [][]string) {
	for _, ws := range warns {
		for _, msg := range ws {
			fmt.Fprintf(w, "tiercel: warning: %s\n", msg)
		}
	}
}
