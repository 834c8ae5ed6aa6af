// Package cql is tiercel's front end for CrowdStrike LogScale queries (CQL):
// a mode-driven scanner (scan.go), a recovering recursive-descent parser
// (parse.go, entry point Parse), the canonical printer behind every node's
// String (printer.go), comments kept and attached to steps and clauses
// (comment.go, attach.go), span-blind tree equality (equal.go), and the seed
// dialect's Strict/Canonicalize (dialect.go). Diagnostics carry stable codes
// and spans (diag.go).
package cql
