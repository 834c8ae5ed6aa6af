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
// names a file for a CPU profile of the whole command (see
// docs/performance.md): how the benchmarks find per-line work.
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
	return cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
}
