package serve_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tiercel/tiercel/internal/emulate"
	"github.com/tiercel/tiercel/internal/serve"
)

// TestIngestMatchesHunt sends emulated telemetry over HTTP in small
// gzip requests and checks the stored alerts are hunt's, that a replay
// stores nothing twice, and that the data directory is searchable.
func TestIngestMatchesHunt(t *testing.T) {
	path, lines := emulated(t, 6000, 7)
	code, want, stderr := tiercel(t, "hunt", "--format", "json", "--quiet", path)
	if code != 0 {
		t.Fatalf("hunt: %d %s", code, stderr)
	}
	wantKeys := alertKeys(t, want)
	if len(wantKeys) == 0 {
		t.Fatal("the emulated data should raise alerts")
	}
	cfg := baseConfig(t)
	ts := start(t, cfg, nil)
	send := func() {
		for i := 0; i < len(lines); i += 700 {
			end := min(i+700, len(lines))
			if st, body := ts.post(t, "/api/v1/ingest/raw", ingestTok, "gzip", join(lines[i:end])); st != 200 {
				t.Fatalf("ingest: %d %s", st, body)
			}
		}
	}
	send()
	st, _, got := ts.get(t, "/api/alerts", apiTok)
	if st != 200 {
		t.Fatalf("alerts: %d %s", st, got)
	}
	if gotKeys := alertKeys(t, got); !slices.Equal(gotKeys, wantKeys) {
		t.Errorf("stored alerts differ from hunt:\n got %d %v\nwant %d %v", len(gotKeys), gotKeys, len(wantKeys), wantKeys)
	}
	for _, l := range strings.Split(strings.TrimSpace(got), "\n") {
		if !strings.HasPrefix(l, `{"alert_id":"`) || !strings.Contains(l, `"status":"new"`) || !strings.Contains(l, `"technique":"T1590"`) {
			t.Fatalf("alert line lacks the contract fields: %s", l)
		}
	}
	send() // a shipper retrying everything
	_, _, again := ts.get(t, "/api/alerts", apiTok)
	if n := len(alertKeys(t, again)); n != len(wantKeys) {
		t.Errorf("after a replay %d alerts, want %d", n, len(wantKeys))
	}
	_, _, metrics := ts.get(t, "/metrics", "")
	for _, m := range []string{
		fmt.Sprintf("tiercel_events_stored_total %d", len(lines)),
		fmt.Sprintf("tiercel_events_duplicate_total %d", len(lines)),
		`tiercel_events_in_total{source="http:edr"}`,
		"process_resident_memory_bytes",
		"tiercel_event_store_bytes",
	} {
		if !strings.Contains(metrics, m) {
			t.Errorf("metrics lack %q", m)
		}
	}
	// The data directory is searchable as it is, also while serving.
	ts.Events.Seal()
	code, out, stderr := tiercel(t, "search", "--format", "csv", "--no-enrich", "count()", cfg.Data)
	if code != 0 || strings.TrimSpace(out) != "_count\n"+strconv.Itoa(len(lines)) {
		t.Errorf("search DATA: %d %q %s", code, out, stderr)
	}
	// POST /api/search streams the same rows
	st, body := ts.post(t, "/api/search", apiTok, "", []byte(`{"query":"#event_simpleName=DnsRequest | count()","start":"7d"}`))
	_ = body
	if st != 200 {
		t.Fatalf("api search: %d %s", st, body)
	}
	st, body = ts.post(t, "/api/search", apiTok, "", []byte(`{"query":"count()","start":"2026-03-02T09:00:00Z","end":"2026-03-02T09:30:00Z"}`))
	code, out, _ = tiercel(t, "search", "--format", "json", "--no-enrich", "--start", "2026-03-02T09:00:00Z", "--end", "2026-03-02T09:30:00Z", "count()", cfg.Data)
	if st != 200 || code != 0 || body != out || out == `{"_count":"0"}`+"\n" {
		t.Errorf("api search %d %q, cli %d %q", st, body, code, out)
	}
	if st, body := ts.post(t, "/api/search", apiTok, "", []byte(`{"query":"count(","start":"1h"}`)); st != 400 || !strings.Contains(body, "query") {
		t.Errorf("bad query: %d %s", st, body)
	}
}

// TestAuthAndFormats: tokens, encodings, ingest formats, bad bodies.
func TestAuthAndFormats(t *testing.T) {
	cfg := baseConfig(t)
	cfg.MaxBodyBytes = 4096
	ts := start(t, cfg, nil)
	ev := func(id string) string {
		return fmt.Sprintf(`{"id":"%s","aid":"a1","event_simpleName":"DnsRequest","DomainName":"api.shodan.io","ContextProcessId":"1","timestamp":"1772442000000"}`, id)
	}
	stored := func() int {
		ts.Events.Seal()
		code, out, stderr := tiercel(t, "search", "--format", "csv", "--no-enrich", "count()", cfg.Data)
		if code != 0 {
			t.Fatalf("search: %s", stderr)
		}
		n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(out, "_count\n")))
		return n
	}
	tests := []struct {
		name, path, token, enc, body string
		status, stored               int
	}{
		{"no token", "/api/v1/ingest/raw", "", "", ev("n1"), 401, 0},
		{"API token on ingest", "/api/v1/ingest/raw", apiTok, "", ev("n2"), 401, 0},
		{"bad token", "/services/collector", "nope", "", `{"event":` + ev("n3") + `}`, 401, 0},
		{"malformed line", "/api/v1/ingest/raw", ingestTok, "", ev("m1") + "\n{\"id\":\n", 400, 0},
		{"oversized", "/api/v1/ingest/raw", ingestTok, "", strings.Repeat(ev("big")+"\n", 40), 413, 0},
		{"unknown encoding", "/api/v1/ingest/raw", ingestTok, "br", ev("e1"), 415, 0},
		{"raw", "/api/v1/ingest/raw", ingestTok, "", ev("r1") + "\n\n" + ev("r2") + "\n", 200, 2},
		{"raw gzip", "/api/v1/ingest/raw", ingestTok, "gzip", ev("g1"), 200, 3},
		{"hec", "/api/v1/ingest/hec", ingestTok, "", `{"event":` + ev("h1") + `}{"event":"plain text","time":1772442001.5,"host":"h"}`, 200, 5},
		{"hec collector", "/services/collector", ingestTok, "", `{"event":` + ev("h2") + `}` + "\n", 200, 6},
		{"hec without event", "/services/collector", ingestTok, "", `{"time":1}`, 400, 6},
		{"structured", "/api/v1/ingest/humio-structured", ingestTok, "",
			`[{"tags":{"host":"s1"},"events":[{"timestamp":"2026-03-02T09:00:00Z","attributes":{"id":"s1","event_simpleName":"DnsRequest"}},{"timestamp":"2026-03-02T09:00:01Z","rawstring":` + strconv.Quote(ev("s2")) + `}]}]`, 200, 8},
		{"unstructured", "/api/v1/ingest/humio-unstructured", ingestTok, "", `[{"fields":{"src":"u"},"messages":["hello world",` + strconv.Quote(ev("u2")) + `]}]`, 200, 10},
		{"structured not an array", "/api/v1/ingest/humio-structured", ingestTok, "", `{"events":[]}`, 400, 10},
	}
	for _, tt := range tests {
		st, body := ts.post(t, tt.path, tt.token, tt.enc, []byte(tt.body))
		if st != tt.status {
			t.Errorf("%s: status %d (%s), want %d", tt.name, st, body, tt.status)
		}
		if n := stored(); n != tt.stored {
			t.Errorf("%s: %d events stored, want %d", tt.name, n, tt.stored)
		}
	}
	// the HEC string event became @rawstring with HEC's time as @timestamp
	code, out, _ := tiercel(t, "search", "--format", "json", "--no-enrich", `host=h | select([@timestamp, host])`, cfg.Data)
	if code != 0 || strings.TrimSpace(out) != `{"@timestamp":1772442001500,"host":"h"}` {
		t.Errorf("HEC string event: %q", out)
	}
	// ingest tokens do not open the API
	if st, _, _ := ts.get(t, "/api/alerts", ingestTok); st != 401 {
		t.Errorf("ingest token on the API: %d", st)
	}
	if st, _, _ := ts.get(t, "/api/alerts", ""); st != 401 {
		t.Errorf("no token on the API: %d", st)
	}
	// zstd
	st, body := postZstd(t, ts, ev("z1"))
	if st != 200 || stored() != 11 {
		t.Errorf("zstd: %d %s, %d stored", st, body, stored())
	}
}

// TestOverCapacity: a full queue answers 429 with Retry-After and stores
// nothing; shutting down answers 503.
func TestOverCapacity(t *testing.T) {
	cfg := baseConfig(t)
	srv, err := serve.New(cfg, shippedPrograms(t, nil, ""), quietLog)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Events.Close()
	srv.Pipeline.MaxQueueBytes = 10
	h := srv.Handler()
	// The pipeline is not running: the first request's batch stays queued.
	first := make(chan int, 1)
	go func() {
		rec := newRecorder()
		h.ServeHTTP(rec, ingestRequest(`{"id":"1"}`))
		first <- rec.Code
	}()
	waitFor(t, func() bool { return srv.Pipeline.QueuedBytes() > 0 })
	rec := newRecorder()
	h.ServeHTTP(rec, ingestRequest(`{"id":"2"}`))
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Errorf("over capacity: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	srv.Pipeline.Close()
	rec = newRecorder()
	h.ServeHTTP(rec, ingestRequest(`{"id":"3"}`))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("closed: %d", rec.Code)
	}
	go srv.Pipeline.Run(t.Context())
	if c := <-first; c != 200 {
		t.Errorf("the queued request: %d", c)
	}
}

// TestAlertAPI: paging, filters, status changes.
func TestAlertAPI(t *testing.T) {
	path, lines := emulated(t, 3000, 3)
	_ = path
	cfg := baseConfig(t)
	ts := start(t, cfg, nil)
	if st, body := ts.post(t, "/api/v1/ingest/raw", ingestTok, "", join(lines)); st != 200 {
		t.Fatal(st, body)
	}
	_, _, all := ts.get(t, "/api/alerts", apiTok)
	keys := alertKeys(t, all)
	if len(keys) < 5 {
		t.Fatalf("only %d alerts", len(keys))
	}
	var paged []string
	after := ""
	for range 100 {
		st, hdr, page := ts.get(t, "/api/alerts?limit=2"+after, apiTok)
		if st != 200 {
			t.Fatal(st, page)
		}
		paged = append(paged, alertKeys(t, page)...)
		next := hdr.Get("X-Next-After")
		if next == "" {
			break
		}
		after = "&after=" + next
	}
	slices.Sort(paged)
	if !slices.Equal(paged, keys) {
		t.Errorf("paging gave %d alerts, want %d", len(paged), len(keys))
	}
	first := strings.SplitN(all, "\n", 2)[0]
	id := first[len(`{"alert_id":"`) : len(`{"alert_id":"`)+32]
	st, body := ts.post(t, "/api/alerts/"+id+"/status", apiTok, "", []byte(`{"status":"acknowledged","by":"alice","note":"mine"}`))
	if st != 200 || !strings.Contains(body, `"status":"acknowledged"`) || !strings.Contains(body, `"status_by":"alice"`) {
		t.Errorf("status: %d %s", st, body)
	}
	if st, _ := ts.post(t, "/api/alerts/"+id+"/status", apiTok, "", []byte(`{"status":"done"}`)); st != 400 {
		t.Errorf("bad status: %d", st)
	}
	if st, _ := ts.post(t, "/api/alerts/nope/status", apiTok, "", []byte(`{"status":"closed"}`)); st != 404 {
		t.Errorf("unknown alert: %d", st)
	}
	_, _, acked := ts.get(t, "/api/alerts?status=acknowledged", apiTok)
	_, _, fresh := ts.get(t, "/api/alerts?status=new&branch=OSINTToolExecution", apiTok)
	if n := len(alertKeys(t, acked)); n != 1 {
		t.Errorf("%d acknowledged", n)
	}
	for _, k := range alertKeys(t, fresh) {
		if !strings.Contains(k, "|OSINTToolExecution|") {
			t.Errorf("branch filter let through %s", k)
		}
	}
	if st, _, _ := ts.get(t, "/api/alerts?status=bogus", apiTok); st != 400 {
		t.Errorf("bad filter: %d", st)
	}
}

// TestActionsRetryAndRestart: a failing webhook is retried with back-off
// until it accepts; deliveries owed at a stop are made after a restart;
// the file action writes NDJSON.
func TestActionsRetryAndRestart(t *testing.T) {
	var fails atomic.Int32
	fails.Store(2)
	var mu = make(chan struct{}, 1)
	mu <- struct{}{}
	var got []string
	hook := newHook(func(id, body string) int {
		if fails.Add(-1) >= 0 {
			return 503
		}
		<-mu
		got = append(got, id+" "+body)
		mu <- struct{}{}
		return 200
	})
	defer hook.Close()
	down := newHook(func(string, string) int { return 500 })
	cfg := baseConfig(t)
	file := filepath.Join(t.TempDir(), "alerts.ndjson")
	cfg.Actions = []serve.ActionConfig{
		{Name: "hook", Type: "webhook", URL: hook.URL, Template: `{"id":"{alert_id}","name":"{alert_name}","n":{event_count},"host":"{field:ComputerName}","branch":"{branch}"}`},
		{Name: "down", Type: "slack", URL: down.URL},
		{Name: "file", Type: "file", Path: file},
	}
	fast := func(s *serve.Server) { s.Dispatch.Backoff = func(int) time.Duration { return 20 * time.Millisecond } }
	_, lines := emulated(t, 3000, 5)
	ts := start(t, cfg, fast)
	if st, body := ts.post(t, "/api/v1/ingest/raw", ingestTok, "", join(lines)); st != 200 {
		t.Fatal(st, body)
	}
	_, _, all := ts.get(t, "/api/alerts", apiTok)
	n := len(alertKeys(t, all))
	waitFor(t, func() bool { <-mu; defer func() { mu <- struct{}{} }(); return len(got) == n })
	<-mu
	for _, g := range got {
		id, body, _ := strings.Cut(g, " ")
		if !strings.Contains(body, `"id":"`+id+`"`) || !strings.Contains(body, `"name":"IP Address Reconnaissance (OSINT tools and IP intelligence lookups)"`) {
			t.Errorf("webhook body: %s", g)
		}
	}
	mu <- struct{}{}
	data, _ := os.ReadFile(file)
	if c := strings.Count(string(data), "\n"); c != n {
		t.Errorf("file action wrote %d lines, want %d", c, n)
	}
	ts.stop()
	// The Slack endpoint was down all along: after a restart with it up,
	// every alert reaches it.
	down.Close()
	var slack atomic.Int32
	up := newHookAt(down.Listener.Addr().String(), func(_, body string) int {
		if strings.HasPrefix(body, `{"text":"*IP Address Reconnaissance`) {
			slack.Add(1)
		}
		return 200
	})
	defer up.Close()
	start(t, cfg, fast)
	waitFor(t, func() bool { return int(slack.Load()) == n })
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestFDRDirSource: an emulated FDR tree is read once, checkpointed, and
// gives hunt's alerts; a restart reads nothing again.
func TestFDRDirSource(t *testing.T) {
	fdr := t.TempDir()
	g, err := emulate.New(emulate.Options{Seed: 11, Events: 5000})
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
	cfg := baseConfig(t)
	cfg.Sources.FDR = []serve.FDRConfig{{Dir: fdr, Poll: serve.Duration{Duration: 50 * time.Millisecond}}}
	ts := start(t, cfg, nil)
	countStored := func() int {
		ts.Events.Seal()
		_, out, _ := tiercel(t, "search", "--format", "csv", "--no-enrich", "count()", cfg.Data)
		n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(out, "_count\n")))
		return n
	}
	waitFor(t, func() bool { return countStored() == 5000 })
	// A batch's events are stored before its alerts (its checkpoint waits
	// for both): on a loaded machine the last alerts land a moment later.
	wantKeys := alertKeys(t, want)
	var gotKeys []string
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, _, got := ts.get(t, "/api/alerts", apiTok)
		if gotKeys = alertKeys(t, got); slices.Equal(gotKeys, wantKeys) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !slices.Equal(gotKeys, wantKeys) {
		t.Errorf("FDR alerts differ from hunt: got %d, want %d", len(gotKeys), len(wantKeys))
	}
	ts.stop()
	ts2 := start(t, cfg, nil)
	time.Sleep(300 * time.Millisecond)
	_, _, metrics := ts2.get(t, "/metrics", "")
	if strings.Contains(metrics, "tiercel_events_in_total{source=\"fdr:") {
		t.Error("a restart read FDR batches again")
	}
}
