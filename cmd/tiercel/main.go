// Command tiercel runs CrowdStrike Falcon LogScale (CQL) detections anywhere.
package main

import (
	"os"

	"github.com/tiercel/tiercel/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
