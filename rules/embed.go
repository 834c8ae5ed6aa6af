// Package rules holds tiercel's shipped detection content: one directory per
// rule package (see docs/rules.md), embedded into the binary.
package rules

import "embed"

// FS holds every rule package directory of this directory.
//
//go:embed T*
var FS embed.FS
