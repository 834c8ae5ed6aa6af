// Package s3store reads FDR archives from S3 and S3-compatible servers
// (MinIO, Ceph, the in-test gofakes3) through the AWS SDK for Go v2: client
// set-up from options and the SDK's default chain, paginated listing that
// orders and filters keys like a local directory walk, and parallel object
// reads delivered in a stable order.
package s3store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// DefaultConcurrency is how many objects are read at once by default:
// object reads wait on the network, so more than the core count pays.
const DefaultConcurrency = 8

// Options configures a Store. Empty fields fall back to the SDK's default
// chain: AWS_REGION, AWS_ENDPOINT_URL(_S3), AWS_ACCESS_KEY_ID, profiles,
// instance roles.
type Options struct {
	// Endpoint is the base URL of an S3-compatible server
	// (http://127.0.0.1:9000); empty means AWS.
	Endpoint string
	// Region defaults to the SDK chain, then us-east-1.
	Region string
	// PathStyle addresses buckets as ENDPOINT/bucket/key rather than
	// bucket.ENDPOINT/key (most self-hosted servers need it).
	PathStyle bool
	// AccessKey and SecretKey, when set, replace the default chain.
	AccessKey, SecretKey, SessionToken string
	// Concurrency bounds parallel object reads (DefaultConcurrency when 0).
	Concurrency int
	// PageSize asks for at most this many keys per listing page (0: the
	// server's default, 1000 on AWS).
	PageSize int32
	// HTTPClient replaces the SDK's (tests).
	HTTPClient *http.Client
}

// Store is a configured S3 client.
type Store struct {
	client      *s3.Client
	concurrency int
	pageSize    int32
}

// New builds a client from opts.
func New(ctx context.Context, opts Options) (*Store, error) {
	var load []func(*config.LoadOptions) error
	if opts.Region != "" {
		load = append(load, config.WithRegion(opts.Region))
	}
	if opts.AccessKey != "" || opts.SecretKey != "" {
		load = append(load, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(opts.AccessKey, opts.SecretKey, opts.SessionToken)))
	}
	if opts.HTTPClient != nil {
		load = append(load, config.WithHTTPClient(opts.HTTPClient))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("s3: configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.Endpoint)
		}
		o.UsePathStyle = opts.PathStyle
	})
	n := opts.Concurrency
	if n <= 0 {
		n = DefaultConcurrency
	}
	return &Store{client: client, concurrency: n, pageSize: opts.PageSize}, nil
}

// Concurrency is the bound on parallel reads.
func (s *Store) Concurrency() int { return s.concurrency }

// Location is a bucket and a key or key prefix.
type Location struct {
	Bucket, Key string
}

func (l Location) String() string { return "s3://" + l.Bucket + "/" + l.Key }

// ParseURL splits s3://bucket/key into its parts; the key may be empty
// (the whole bucket).
func ParseURL(u string) (Location, error) {
	rest, ok := strings.CutPrefix(u, "s3://")
	if !ok {
		return Location{}, fmt.Errorf("%s: not an s3:// URL", u)
	}
	bucket, key, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return Location{}, fmt.Errorf("%s: no bucket name", u)
	}
	return Location{Bucket: bucket, Key: key}, nil
}

// Object is one listed object.
type Object struct {
	Key  string
	Size int64
}

// URL is the object's s3:// URL in bucket.
func (o Object) URL(bucket string) string { return "s3://" + bucket + "/" + o.Key }

// List returns every object below prefix (treated as a directory: a/b
// lists a/b/...), following continuation tokens, ordered like a directory
// walk (segment by segment) so reads are deterministic.
func (s *Store) List(ctx context.Context, bucket, prefix string) ([]Object, error) {
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	var out []Object
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)}
	if s.pageSize > 0 {
		in.MaxKeys = aws.Int32(s.pageSize)
	}
	p := s3.NewListObjectsV2Paginator(s.client, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, &URLError{"s3://" + bucket + "/" + prefix, fmt.Errorf("listing: %w", cleanErr(err))}
		}
		for _, o := range page.Contents {
			if o.Key == nil || strings.HasSuffix(*o.Key, "/") {
				continue // a "directory" placeholder some tools write
			}
			out = append(out, Object{Key: *o.Key, Size: aws.ToInt64(o.Size)})
		}
	}
	SortKeys(out)
	return out, nil
}

// SortKeys orders objects segment by segment, the order filepath.WalkDir
// visits the same tree on disk ("a/b" before "a.x").
func SortKeys(objs []Object) {
	slices.SortFunc(objs, func(a, b Object) int { return compareKeys(a.Key, b.Key) })
}

func compareKeys(a, b string) int {
	for {
		sa, ra, moreA := strings.Cut(a, "/")
		sb, rb, moreB := strings.Cut(b, "/")
		if c := strings.Compare(sa, sb); c != 0 {
			return c
		}
		switch {
		case !moreA && !moreB:
			return 0
		case !moreA:
			return -1
		case !moreB:
			return 1
		}
		a, b = ra, rb
	}
}

// Stat returns the object at key, or ok=false when there is none.
func (s *Store) Stat(ctx context.Context, bucket, key string) (Object, bool, error) {
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		if isNotFound(err) {
			return Object{}, false, nil
		}
		return Object{}, false, &URLError{"s3://" + bucket + "/" + key, cleanErr(err)}
	}
	return Object{Key: key, Size: aws.ToInt64(out.ContentLength)}, true, nil
}

// Open streams one object's bytes.
func (s *Store) Open(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, &URLError{"s3://" + bucket + "/" + key, cleanErr(err)}
	}
	return out.Body, nil
}

// Put writes one object (tests, and uploading an emulated tree).
func (s *Store) Put(ctx context.Context, bucket, key string, body io.ReadSeeker) error {
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: body})
	if err != nil {
		return &URLError{"s3://" + bucket + "/" + key, cleanErr(err)}
	}
	return nil
}

// CreateBucket makes a bucket (tests).
func (s *Store) CreateBucket(ctx context.Context, bucket string) error {
	_, err := s.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	if err != nil {
		return &URLError{"s3://" + bucket, cleanErr(err)}
	}
	return nil
}

// ReadAll reads the objects with up to Concurrency requests in flight and
// calls fn with each object's bytes in the order of objs (not the order
// downloads finish), so results are deterministic. At most Concurrency
// objects are held in memory. The first error stops the reads.
func (s *Store) ReadAll(ctx context.Context, bucket string, objs []Object, fn func(o Object, data []byte) error) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	type result struct {
		data []byte
		held bool // the read holds a concurrency token
		err  error
	}
	slots := make([]chan result, len(objs))
	for i := range slots {
		slots[i] = make(chan result, 1)
	}
	sem := make(chan struct{}, s.concurrency)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i, o := range objs {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				for _, c := range slots[i:] {
					c <- result{err: ctx.Err()}
				}
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				body, err := s.Open(ctx, bucket, o.Key)
				if err != nil {
					slots[i] <- result{held: true, err: err}
					return
				}
				data, err := io.ReadAll(body)
				body.Close()
				if err != nil {
					err = fmt.Errorf("%s: %w", o.URL(bucket), err)
				}
				slots[i] <- result{data: data, held: true, err: err}
			}()
		}
	}()
	for i, o := range objs {
		r := <-slots[i]
		if r.held {
			<-sem // the object is in our hands now: let the next read start
		}
		if r.err != nil {
			return r.err
		}
		if err := fn(o, r.data); err != nil {
			return err
		}
	}
	return nil
}

// URLError is a failed request on one bucket, prefix or object.
type URLError struct {
	URL string
	Err error
}

func (e *URLError) Error() string { return e.URL + ": " + e.Err.Error() }
func (e *URLError) Unwrap() error { return e.Err }

// withoutURL drops the URL of a *URLError, for callers that name the
// object themselves.
func withoutURL(err error) error {
	var ue *URLError
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func isNotFound(err error) bool {
	var nf *types.NotFound
	var nk *types.NoSuchKey
	if errors.As(err, &nf) || errors.As(err, &nk) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "NotFound" || ae.ErrorCode() == "NoSuchKey")
}

// cleanErr keeps the service's code and message and drops the SDK's
// operation wrapping, which repeats the request details.
func cleanErr(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return fmt.Errorf("%s: %s", ae.ErrorCode(), ae.ErrorMessage())
	}
	if strings.Contains(err.Error(), "get credentials") {
		return fmt.Errorf("no usable AWS credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with an instance role): %w", err)
	}
	return err
}
