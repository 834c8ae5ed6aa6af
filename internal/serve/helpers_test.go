package serve_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tiercel/tiercel/internal/cli"
	"github.com/tiercel/tiercel/internal/emulate"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/rules"
	"github.com/tiercel/tiercel/internal/serve"
)

// quietLog keeps server logs out of test output.
var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

const (
	ingestTok = "ingest-secret"
	apiTok    = "api-secret"
)

// testServer is a running server on 127.0.0.1 with its base URL.
type testServer struct {
	*serve.Server
	URL  string
	stop func()
}

func baseConfig(t *testing.T) *serve.Config {
	return &serve.Config{
		Data: t.TempDir(), Listen: "127.0.0.1:0",
		IngestTokens: []serve.IngestToken{{Name: "edr", Token: ingestTok}},
		APITokens:    []string{apiTok},
	}
}

func shippedPrograms(t *testing.T, tunings []string, lookups string) []*rules.Program {
	t.Helper()
	set, errs := rules.LoadSet(nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var progs []*rules.Program
	for _, r := range set {
		var tn []string
		for _, name := range tunings {
			if r.Tuning(name) != nil {
				tn = append(tn, name)
			}
		}
		p, err := rules.Compile(r, tn, engine.Options{LookupDir: lookups, Now: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		progs = append(progs, p)
	}
	return progs
}

// start runs a server; setup may adjust it before Run.
func start(t *testing.T, cfg *serve.Config, setup func(*serve.Server)) *testServer {
	t.Helper()
	srv, err := serve.New(cfg, shippedPrograms(t, cfg.Tunings, cfg.Lookups), quietLog)
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(srv)
	}
	addr, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	ts := &testServer{Server: srv, URL: "http://" + addr.String()}
	stopped := false
	ts.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server stopped with %v", err)
		}
	}
	t.Cleanup(ts.stop)
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(ts.URL + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("server not healthy")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return ts
}

// post sends body to path with the token and encoding given.
func (ts *testServer) post(t *testing.T, path, token, encoding string, body []byte) (int, string) {
	t.Helper()
	if encoding == "gzip" {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(body)
		zw.Close()
		body = b.Bytes()
	}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+path, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

func (ts *testServer) get(t *testing.T, path, token string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(out)
}

// alertKeys lists "rule|branch|id" of NDJSON alerts, sorted.
func alertKeys(t *testing.T, ndjson string) []string {
	t.Helper()
	var keys []string
	for _, l := range strings.Split(strings.TrimSpace(ndjson), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		keys = append(keys, m["rule"].(string)+"|"+str(m["DetectionBranch"])+"|"+str(m["id"]))
	}
	sort.Strings(keys)
	return keys
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// tiercel runs the CLI in-process.
func tiercel(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// emulated writes n events of the seed scenario to a file and returns
// its path and lines.
func emulated(t *testing.T, n int64, seed int64) (string, [][]byte) {
	t.Helper()
	g, err := emulate.New(emulate.Options{Seed: seed, Events: n})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := g.Run(&b); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "events.ndjson")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var lines [][]byte
	for l := range bytes.Lines(b.Bytes()) {
		lines = append(lines, bytes.TrimSuffix(l, []byte("\n")))
	}
	return p, lines
}

func join(lines [][]byte) []byte {
	return append(bytes.Join(lines, []byte("\n")), '\n')
}
