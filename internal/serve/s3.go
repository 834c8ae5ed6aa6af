package serve

import (
	"errors"
	"log/slog"

	"github.com/tiercel/tiercel/internal/source"
)

// newS3Source builds the S3+SQS FDR source.
func newS3Source(c S3Config, checkpoint string, log *slog.Logger) (source.Source, error) {
	return nil, errors.New("sources.s3sqs: not built yet")
}
