package source

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/klauspost/compress/zstd"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/inflate"
	"github.com/tiercel/tiercel/internal/ingest"
)

// S3Options reach an FDR feed: the SQS queue CrowdStrike announces
// batches on and the S3 bucket holding them (or S3-compatible stores and
// test servers, with endpoints and path-style addressing).
type S3Options struct {
	QueueURL    string
	Region      string
	S3Endpoint  string
	SQSEndpoint string
	AccessKey   string // empty: the SDK's default credential chain is not consulted; give keys
	SecretKey   string
	PathStyle   bool
	Wait        time.Duration // SQS long-poll wait (default 20 s)
}

// S3SQS is the FDR delivery path: it long-polls SQS for batch
// announcements ({bucket, pathPrefix, fileCount, files[{path}]}), reads
// each file from S3 (gzip, zstd or plain NDJSON), offers its lines, and
// only when all of a batch is durable records the batch in its checkpoint
// and deletes the message. A message seen again (SQS is at-least-once, or
// the server stopped before deleting it) is deleted without reading the
// batch again; a batch cut short by a crash is read again and the stores
// drop what they already hold.
type S3SQS struct {
	Opts       S3Options
	Checkpoint *Checkpoint
	Log        *slog.Logger
	s3         *s3.Client
	sqs        *sqs.Client
	done       []string
}

// fdrMessage is the body of an FDR SQS message.
type fdrMessage struct {
	Bucket     string `json:"bucket"`
	PathPrefix string `json:"pathPrefix"`
	FileCount  int    `json:"fileCount"`
	Files      []struct {
		Path string `json:"path"`
	} `json:"files"`
}

type sqsCheckpoint struct {
	Done []string `json:"done"` // bucket/pathPrefix of finished batches, newest last
}

// maxRemembered bounds the checkpoint (FDR keeps a batch about a week).
const maxRemembered = 100_000

// NewS3SQS builds the clients.
func NewS3SQS(o S3Options, cp *Checkpoint, log *slog.Logger) *S3SQS {
	if o.Region == "" {
		o.Region = "us-west-1"
	}
	if o.Wait <= 0 {
		o.Wait = 20 * time.Second
	}
	if log == nil {
		log = slog.Default()
	}
	var creds aws.CredentialsProvider
	if o.AccessKey != "" {
		creds = credentials.NewStaticCredentialsProvider(o.AccessKey, o.SecretKey, "")
	}
	s3c := s3.New(s3.Options{Region: o.Region, Credentials: creds, UsePathStyle: o.PathStyle, BaseEndpoint: nonEmpty(o.S3Endpoint)})
	sqsc := sqs.New(sqs.Options{Region: o.Region, Credentials: creds, BaseEndpoint: nonEmpty(o.SQSEndpoint)})
	return &S3SQS{Opts: o, Checkpoint: cp, Log: log, s3: s3c, sqs: sqsc}
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Name implements Source.
func (q *S3SQS) Name() string { return "sqs:" + q.Opts.QueueURL }

// Run implements Source.
func (q *S3SQS) Run(ctx context.Context, sink Sink) error {
	var cp sqsCheckpoint
	if err := q.Checkpoint.Load(&cp); err != nil {
		return fmt.Errorf("%s: checkpoint: %w", q.Name(), err)
	}
	q.done = cp.Done
	for ctx.Err() == nil {
		out, err := q.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: &q.Opts.QueueURL, MaxNumberOfMessages: 10, WaitTimeSeconds: int32(q.Opts.Wait / time.Second),
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			q.Log.Error("sqs receive", "queue", q.Opts.QueueURL, "err", err)
			sleep(ctx, 5*time.Second)
			continue
		}
		for _, m := range out.Messages {
			if err := q.handle(ctx, sink, aws.ToString(m.Body)); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				// Left on the queue: SQS shows it again after its visibility timeout.
				q.Log.Error("fdr batch failed; SQS will redeliver it", "err", err)
				continue
			}
			if _, err := q.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &q.Opts.QueueURL, ReceiptHandle: m.ReceiptHandle}); err != nil {
				q.Log.Warn("sqs delete (the batch is checkpointed; a redelivery is skipped)", "err", err)
			}
		}
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// handle processes one announcement; nil means it may be deleted.
func (q *S3SQS) handle(ctx context.Context, sink Sink, body string) error {
	var msg fdrMessage
	if err := json.Unmarshal([]byte(body), &msg); err != nil || msg.Bucket == "" {
		q.Log.Warn("sqs message is not an FDR batch announcement; deleting it", "body", truncate(body, 200))
		return nil
	}
	key := msg.Bucket + "/" + msg.PathPrefix
	if slices.Contains(q.done, key) {
		return nil
	}
	if msg.FileCount != 0 && msg.FileCount != len(msg.Files) {
		q.Log.Warn("fdr message file count differs from its file list", "batch", key, "fileCount", msg.FileCount, "files", len(msg.Files))
	}
	for _, f := range msg.Files {
		kind := ingest.Classify(f.Path)
		if kind == event.KindOtherLookup {
			continue
		}
		lines, err := q.fetch(ctx, msg.Bucket, f.Path)
		if err != nil {
			return fmt.Errorf("s3://%s/%s: %w", msg.Bucket, f.Path, err)
		}
		if err := SendChunks(ctx, sink, &linesSource{lines: lines}, q.Name(), kind); err != nil {
			return err
		}
	}
	q.done = append(q.done, key)
	if len(q.done) > maxRemembered {
		q.done = q.done[len(q.done)-maxRemembered:]
	}
	if err := q.Checkpoint.Save(sqsCheckpoint{Done: q.done}); err != nil {
		return err
	}
	q.Log.Info("fdr batch done", "batch", key, "files", len(msg.Files))
	return nil
}

// fetch reads one object, decompressed by its magic bytes.
func (q *S3SQS) fetch(ctx context.Context, bucket, key string) ([]byte, error) {
	obj, err := q.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return nil, err
	}
	defer obj.Body.Close()
	raw, err := io.ReadAll(obj.Body)
	if err != nil {
		return nil, err
	}
	switch {
	case len(raw) >= 2 && raw[0] == 0x1f && raw[1] == 0x8b:
		return inflate.DecodeAll(raw)
	case len(raw) >= 4 && bytes.Equal(raw[:4], []byte{0x28, 0xb5, 0x2f, 0xfd}):
		dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		defer dec.Close()
		return dec.DecodeAll(raw, nil)
	}
	return raw, nil
}

// linesSource hands one buffer out as a single chunk.
type linesSource struct {
	lines []byte
	done  bool
}

func (s *linesSource) Next() (event.Chunk, error) {
	if s.done {
		return event.Chunk{}, io.EOF
	}
	s.done = true
	return event.Chunk{Data: s.lines, FirstLine: 1, Kind: event.KindTelemetry}, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
