package serve_test

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func ingestRequest(body string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/api/v1/ingest/raw", bytes.NewReader([]byte(body)))
	req.Header.Set("Authorization", "Bearer "+ingestTok)
	return req
}

func postZstd(t *testing.T, ts *testServer, body string) (int, string) {
	t.Helper()
	enc, _ := zstd.NewWriter(nil)
	z := enc.EncodeAll([]byte(body), nil)
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/v1/ingest/raw", bytes.NewReader(z))
	req.Header.Set("Authorization", "Bearer "+ingestTok)
	req.Header.Set("Content-Encoding", "zstd")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// newHook is a webhook receiver: fn gets the alert id header and the body
// and returns the status to answer.
func newHook(fn func(id, body string) int) *httptest.Server {
	return httptest.NewServer(hookHandler(fn))
}

// newHookAt serves fn on a given address (a receiver coming back up).
func newHookAt(addr string, fn func(id, body string) int) *httptest.Server {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		panic(err)
	}
	s := httptest.NewUnstartedServer(hookHandler(fn))
	s.Listener.Close()
	s.Listener = ln
	s.Start()
	return s
}

func hookHandler(fn func(id, body string) int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.WriteHeader(fn(r.Header.Get("X-Tiercel-Alert-Id"), string(b)))
	})
}
