package run

import (
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/enrich"
)

// NewStreamEnricher is the stream-mode enricher a long-running consumer
// (tiercel serve, Kafka) keeps across batches, as `hunt -` builds it for
// standard input: it stores only the process details progs read.
func NewStreamEnricher(progs []*engine.Program) *enrich.Enricher {
	return enrich.NewStream(enrich.Options{Reads: programReads(progs)})
}
