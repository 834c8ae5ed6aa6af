// Package export translates a CQL detection into other detection languages:
// Sigma (spec v2, one rule per Falcon event type), Splunk SPL over the
// CrowdStrike add-on's Falcon data, KQL over Microsoft Defender XDR /
// Sentinel tables, and ES|QL over Elastic's CrowdStrike FDR integration.
//
// It works on the parsed query (internal/cql), never on its text: the query
// is lowered into legs (lower.go), one per (event type, DetectionBranch),
// each a boolean condition over Falcon fields; every target then renders the
// legs through its own field table (models.go). What a target cannot express
// is an error naming the construct and its position; what it expresses with a
// documented difference is a warning, printed at the top of the output.
package export
