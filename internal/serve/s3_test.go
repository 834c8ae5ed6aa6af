package serve_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/tiercel/tiercel/internal/emulate"
	"github.com/tiercel/tiercel/internal/serve"
)

// sqsQueue serves the SQS JSON protocol's ReceiveMessage and
// DeleteMessage over an in-memory queue with a visibility timeout.
type sqsQueue struct {
	mu       sync.Mutex
	msgs     []*sqsMsg
	deleted  int
	received int
}

type sqsMsg struct {
	id, body  string
	invisible time.Time
	gone      bool
}

func (q *sqsQueue) send(body string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.msgs = append(q.msgs, &sqsMsg{id: fmt.Sprint("m", len(q.msgs)), body: body})
}

func (q *sqsQueue) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in map[string]any
	json.NewDecoder(r.Body).Decode(&in)
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	q.mu.Lock()
	defer q.mu.Unlock()
	switch r.Header.Get("X-Amz-Target") {
	case "AmazonSQS.ReceiveMessage":
		var out []map[string]string
		for _, m := range q.msgs {
			if m.gone || time.Now().Before(m.invisible) || len(out) == 10 {
				continue
			}
			m.invisible = time.Now().Add(5 * time.Second)
			sum := md5.Sum([]byte(m.body))
			out = append(out, map[string]string{"MessageId": m.id, "ReceiptHandle": m.id, "Body": m.body, "MD5OfBody": hex.EncodeToString(sum[:])})
			q.received++
		}
		if len(out) == 0 {
			q.mu.Unlock()
			time.Sleep(100 * time.Millisecond) // a short long-poll
			q.mu.Lock()
		}
		json.NewEncoder(w).Encode(map[string]any{"Messages": out})
	case "AmazonSQS.DeleteMessage":
		for _, m := range q.msgs {
			if m.id == in["ReceiptHandle"] && !m.gone {
				m.gone = true
				q.deleted++
			}
		}
		io.WriteString(w, "{}")
	default:
		w.WriteHeader(400)
		io.WriteString(w, `{"__type":"InvalidAction","message":"unsupported"}`)
	}
}

// TestS3SQSSource: an emulated FDR feed in an S3-protocol server, announced
// on SQS, gives hunt's alerts; batches are checkpointed and messages
// deleted; a duplicate announcement is not read twice.
func TestS3SQSSource(t *testing.T) {
	fdr := t.TempDir()
	g, err := emulate.New(emulate.Options{Seed: 13, Events: 4000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emulate.WriteFDR(fdr, g); err != nil {
		t.Fatal(err)
	}
	code, want, stderr := tiercel(t, "hunt", "--format", "json", "--quiet", fdr)
	if code != 0 {
		t.Fatal(stderr)
	}
	s3srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	defer s3srv.Close()
	client := s3.New(s3.Options{Region: "us-west-1", BaseEndpoint: aws.String(s3srv.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")})
	ctx := context.Background()
	bucket := "cs-prod-cannon-0123456789abcdef"
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	batches := map[string][]string{}
	filepath.WalkDir(fdr, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasPrefix(d.Name(), "part-") {
			return err
		}
		rel, _ := filepath.Rel(fdr, p)
		data, _ := os.ReadFile(p)
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &rel, Body: strings.NewReader(string(data))}); err != nil {
			t.Fatal(err)
		}
		batches[filepath.Dir(rel)] = append(batches[filepath.Dir(rel)], rel)
		return nil
	})
	queue := &sqsQueue{}
	var prefixes []string
	for p := range batches {
		prefixes = append(prefixes, p)
	}
	// lookups first, as CrowdStrike's feed interleaves them
	slices.SortFunc(prefixes, func(a, b string) int {
		return strings.Compare(fmt.Sprint(!strings.HasPrefix(a, "fdrv2"), a), fmt.Sprint(!strings.HasPrefix(b, "fdrv2"), b))
	})
	for _, p := range prefixes {
		var files []map[string]any
		for _, f := range batches[p] {
			files = append(files, map[string]any{"path": f, "size": 1, "checksum": "00"})
		}
		body, _ := json.Marshal(map[string]any{"cid": "c", "timestamp": 1, "fileCount": len(files), "totalSize": 1, "bucket": bucket, "pathPrefix": p, "files": files})
		queue.send(string(body))
	}
	queue.send(queue.msgs[len(queue.msgs)-1].body) // at-least-once: announced twice
	sqsSrv := httptest.NewServer(queue)
	defer sqsSrv.Close()

	cfg := baseConfig(t)
	cfg.Sources.S3SQS = []serve.S3Config{{QueueURL: sqsSrv.URL + "/123/fdr", Endpoint: s3srv.URL, SQSEndpoint: sqsSrv.URL,
		AccessKey: "k", SecretKey: "s", PathStyle: true, Wait: serve.Duration{Duration: time.Second}}}
	ts := start(t, cfg, nil)
	waitFor(t, func() bool {
		queue.mu.Lock()
		defer queue.mu.Unlock()
		return queue.deleted == len(queue.msgs)
	})
	_, _, got := ts.get(t, "/api/alerts", apiTok)
	if g, w := alertKeys(t, got), alertKeys(t, want); !slices.Equal(g, w) {
		t.Errorf("S3/SQS alerts differ from hunt: got %d, want %d", len(g), len(w))
	}
	ts.Events.Seal()
	_, out, _ := tiercel(t, "search", "--format", "csv", "--no-enrich", "count()", cfg.Data)
	if strings.TrimSpace(out) != "_count\n4000" {
		t.Errorf("stored: %q, want 4000 events once", out)
	}
	cps, _ := filepath.Glob(filepath.Join(cfg.Data, ".tiercel", "checkpoints", "sqs-*.json"))
	if len(cps) != 1 {
		t.Fatalf("checkpoints %v", cps)
	}
	data, err := os.ReadFile(cps[0])
	if err != nil || strings.Count(string(data), bucket+"/") != len(prefixes) {
		t.Errorf("checkpoint: %s %v", data, err)
	}
}
