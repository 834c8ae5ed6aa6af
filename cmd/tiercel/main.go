// Command tiercel runs CrowdStrike Falcon LogScale (CQL) detections anywhere.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/tiercel/tiercel/internal/cli"
)

func main() {
	os.Exit(run())
}

// run is main with deferred work done before exiting. TIERCEL_CPUPROFILE
// names a file for a CPU profile of the whole command, TIERCEL_MEMPROFILE
// one for a heap profile as it ends (see docs/performance.md): how the
// benchmarks find per-line work and what memory holds.
func run() int {
	if path := os.Getenv("TIERCEL_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "tiercel: TIERCEL_CPUPROFILE: %v\n", err)
			return 2
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(os.Stderr, "tiercel: TIERCEL_CPUPROFILE: %v\n", err)
			return 2
		}
		defer pprof.StopCPUProfile()
	}
	rc := cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if path := os.Getenv("TIERCEL_MEMPROFILE"); path != "" {
		if err := writeHeapProfile(path); err != nil {
			fmt.Fprintf(os.Stderr, "tiercel: TIERCEL_MEMPROFILE: %v\n", err)
		}
	}
	return rc
}

// writeHeapProfile writes what is allocated and still live as the command
// ends: the tables a search built, for memory work.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.Lookup("heap").WriteTo(f, 0)
}
