package cli

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/spf13/pflag"

	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/s3store"
)

// s3Flags configure reading s3://bucket/prefix paths. Unset values come
// from the environment: TIERCEL_S3_ENDPOINT, TIERCEL_S3_REGION,
// TIERCEL_S3_PATH_STYLE, then the AWS SDK's own chain (AWS_ENDPOINT_URL_S3,
// AWS_REGION, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE,
// instance roles).
type s3Flags struct {
	endpoint    string
	region      string
	pathStyle   bool
	concurrency int
}

func (f *s3Flags) register(fs *pflag.FlagSet) {
	pathStyle, _ := strconv.ParseBool(os.Getenv("TIERCEL_S3_PATH_STYLE"))
	fs.StringVar(&f.endpoint, "s3-endpoint", os.Getenv("TIERCEL_S3_ENDPOINT"),
		"s3:// paths: `URL` of an S3-compatible server, e.g. http://minio:9000 (default: AWS; env TIERCEL_S3_ENDPOINT or AWS_ENDPOINT_URL_S3)")
	fs.StringVar(&f.region, "s3-region", os.Getenv("TIERCEL_S3_REGION"),
		"s3:// paths: `REGION` (env TIERCEL_S3_REGION or AWS_REGION; default us-east-1)")
	fs.BoolVar(&f.pathStyle, "s3-path-style", pathStyle,
		"s3:// paths: address buckets as ENDPOINT/BUCKET (MinIO, Ceph; env TIERCEL_S3_PATH_STYLE=1)")
	fs.IntVar(&f.concurrency, "s3-concurrency", s3store.DefaultConcurrency, "s3:// paths: objects read in parallel")
}

// setup makes s3:// paths readable by every ingest pass of this command;
// paths without one need nothing. Credentials come from the SDK's default
// chain.
func (f *s3Flags) setup(ctx context.Context, paths ...[]string) error {
	remote := false
	for _, ps := range paths {
		for _, p := range ps {
			switch ingest.Scheme(p) {
			case "":
			case "s3":
				remote = true
			default:
				return withCode(ExitUsage, fmt.Errorf("%s: unsupported scheme (only s3:// URLs and local paths)", p))
			}
		}
	}
	if !remote {
		return nil
	}
	st, err := s3store.New(ctx, f.options())
	if err != nil {
		return withCode(ExitError, err)
	}
	// Not bound to ctx: the registration is process-wide and outlives this
	// command (tests run several in one process); an interrupted hunt stops
	// through its readers' Close instead.
	op := &s3store.Opener{Store: st}
	ingest.RegisterOpener("s3", op)
	// List each URL once up front: a wrong bucket, endpoint or credential
	// is reported plainly, not from inside the first pass that reads it.
	for _, ps := range paths {
		for _, p := range ps {
			if ingest.Scheme(p) == "s3" {
				if _, err := op.List(p); err != nil {
					return withCode(ExitError, fmt.Errorf("%s: %w", p, err))
				}
			}
		}
	}
	return nil
}

func (f *s3Flags) options() s3store.Options {
	return s3store.Options{Endpoint: f.endpoint, Region: f.region, PathStyle: f.pathStyle, Concurrency: f.concurrency}
}
