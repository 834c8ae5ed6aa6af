package serve

import (
	"log/slog"

	"github.com/tiercel/tiercel/internal/source"
)

// newS3Source builds the S3+SQS FDR source of one config entry.
func newS3Source(c S3Config, checkpoint string, log *slog.Logger) (source.Source, error) {
	return source.NewS3SQS(source.S3Options{
		QueueURL: c.QueueURL, Region: c.Region, S3Endpoint: c.Endpoint, SQSEndpoint: c.SQSEndpoint,
		AccessKey: c.AccessKey, SecretKey: c.SecretKey, PathStyle: c.PathStyle, Wait: c.Wait.Duration,
	}, &source.Checkpoint{Path: checkpoint}, log), nil
}
