package serve_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tiercel/tiercel/internal/serve"
)

// TestThrottle: throttleTimeSeconds with throttleField folds a rule's
// alerts per field value into one, counting them.
func TestThrottle(t *testing.T) {
	_, lines := emulated(t, 4000, 5)
	cfg := baseConfig(t)
	cfg.RuleConfig = []serve.RuleSettings{{Rule: "T1590.005", ThrottleTimeSeconds: 3600, ThrottleField: "aid"}}
	ts := start(t, cfg, nil)
	if st, body := ts.post(t, "/api/v1/ingest/raw", ingestTok, "", join(lines)); st != 200 {
		t.Fatal(st, body)
	}
	_, _, got := ts.get(t, "/api/alerts", apiTok)
	hosts := map[string]int{}
	total := 0
	for _, l := range strings.Split(strings.TrimSpace(got), "\n") {
		var m map[string]any
		json.Unmarshal([]byte(l), &m)
		hosts[m["aid"].(string)]++
		total += int(m["count"].(float64))
	}
	for aid, n := range hosts {
		if n != 1 {
			t.Errorf("host %s has %d alerts within the throttle window, want 1", aid, n)
		}
	}
	_, _, metrics := ts.get(t, "/metrics", "")
	if total <= len(hosts) || !strings.Contains(metrics, "tiercel_alerts_throttled_total") {
		t.Errorf("no alert was throttled: %d alerts, %d events", len(hosts), total)
	}
}

// TestScheduledSearch: a scheduled search runs over the stored events of
// its window; its rows are alerts, the same rows in a later run the same
// alerts.
func TestScheduledSearch(t *testing.T) {
	_, lines := emulated(t, 3000, 9)
	cfg := baseConfig(t)
	cfg.Actions = []serve.ActionConfig{{Name: "file", Type: "file", Path: filepath.Join(t.TempDir(), "a.ndjson")}}
	cfg.Scheduled = []serve.Scheduled{{Name: "dns-per-host", Severity: "low",
		Query: `#event_simpleName=DnsRequest | groupBy([aid], function=count()) | _count > 5`, SearchIntervalSeconds: 7200, Schedule: "0 * * * *"}}
	ts := start(t, cfg, nil)
	if st, body := ts.post(t, "/api/v1/ingest/raw", ingestTok, "", join(lines)); st != 200 {
		t.Fatal(st, body)
	}
	job := ts.Scheduler.Jobs[0]
	if job.Cron == nil || job.Interval != 2*time.Hour {
		t.Fatalf("job %+v", job)
	}
	at := time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC) // the emulation's hour is inside the window
	for range 2 {
		if err := ts.Scheduler.RunJob(context.Background(), job, at); err != nil {
			t.Fatal(err)
		}
	}
	_, _, got := ts.get(t, "/api/alerts?rule=dns-per-host", apiTok)
	n := len(strings.Split(strings.TrimSpace(got), "\n"))
	ts.Events.Seal()
	code, out, _ := tiercel(t, "search", "--format", "json", "--no-enrich", cfg.Scheduled[0].Query, cfg.Data)
	if want := len(strings.Split(strings.TrimSpace(out), "\n")); code != 0 || got == "" || n != want {
		t.Errorf("scheduled search stored %d alerts, search gives %d rows", n, want)
	}
	if !strings.Contains(got, `"severity":"low"`) || !strings.Contains(got, `"_count":"`) {
		t.Errorf("alert: %s", strings.SplitN(got, "\n", 2)[0])
	}
	// a window without events gives nothing
	if err := ts.Scheduler.RunJob(context.Background(), job, at.Add(30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, _, again := ts.get(t, "/api/alerts?rule=dns-per-host", apiTok)
	if again != got {
		t.Error("an empty window changed the alerts")
	}
}

// TestTailSource: a tailed file is read as it grows, from its checkpoint
// after a restart.
func TestTailSource(t *testing.T) {
	_, lines := emulated(t, 2000, 4)
	file := filepath.Join(t.TempDir(), "events.ndjson")
	os.WriteFile(file, join(lines[:1000]), 0o644)
	cfg := baseConfig(t)
	cfg.Sources.Files = []string{file}
	var ts *testServer
	stored := func() string {
		ts.Events.Seal()
		_, out, _ := tiercel(t, "search", "--format", "csv", "--no-enrich", "count()", cfg.Data)
		return strings.TrimSpace(strings.TrimPrefix(out, "_count\n"))
	}
	ts = start(t, cfg, nil)
	waitFor(t, func() bool { return stored() == "1000" })
	f, _ := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	f.Write(join(lines[1000:1500]))
	f.Write([]byte(`{"partial":`)) // no newline yet: not read
	f.Close()
	waitFor(t, func() bool { return stored() == "1500" })
	ts.stop()
	f, _ = os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	f.Write([]byte("\"line\"}\n"))
	f.Write(join(lines[1500:]))
	f.Close()
	ts = start(t, cfg, nil)
	waitFor(t, func() bool { return stored() == "2001" })
}

// TestStdinSource: events piped to the server are stored and detected.
func TestStdinSource(t *testing.T) {
	path, lines := emulated(t, 2000, 6)
	_, want, _ := tiercel(t, "hunt", "--format", "json", "--quiet", path)
	cfg := baseConfig(t)
	cfg.Sources.Stdin = true
	ts := start(t, cfg, func(s *serve.Server) { s.Stdin = strings.NewReader(string(join(lines))) })
	waitFor(t, func() bool {
		_, _, got := ts.get(t, "/api/alerts", apiTok)
		return len(alertKeys(t, got)) == len(alertKeys(t, want))
	})
}

// TestTuningsOnStream: the seed rule with all its tunings, the
// browser-prefetch correlation among them, gives hunt's alerts when the
// telemetry arrives in many small requests.
func TestTuningsOnStream(t *testing.T) {
	lookups := filepath.Join("..", "..", "rules", "T1590.005-ip-address-recon", "lookups")
	tunings := []string{"browser-prefetch", "scanner-accounts", "scanner-hosts", "soar-enrichment", "soc-analyst-hosts"}
	path, lines := emulated(t, 6000, 7)
	args := []string{"hunt", "--format", "json", "--quiet", "--lookups", lookups}
	for _, tn := range tunings {
		args = append(args, "--tuning", tn)
	}
	code, want, stderr := tiercel(t, append(args, path)...)
	if code != 0 {
		t.Fatal(stderr)
	}
	_, untuned, _ := tiercel(t, "hunt", "--format", "json", "--quiet", path)
	if len(alertKeys(t, want)) >= len(alertKeys(t, untuned)) {
		t.Fatal("the tunings should remove alerts from this data")
	}
	cfg := baseConfig(t)
	cfg.Lookups, cfg.Tunings = lookups, tunings
	ts := start(t, cfg, nil)
	for i := 0; i < len(lines); i += 500 {
		if st, body := ts.post(t, "/api/v1/ingest/raw", ingestTok, "", join(lines[i:min(i+500, len(lines))])); st != 200 {
			t.Fatal(st, body)
		}
	}
	_, _, early := ts.get(t, "/api/alerts", apiTok)
	if extra := diff(alertKeys(t, early), alertKeys(t, want)); len(extra) > 0 {
		t.Errorf("alerts hunt does not raise: %v", extra)
	}
	// The last minute of the stream waits for the correlation's second
	// pass until more events come or the server stops.
	ts.stop()
	ts = start(t, cfg, nil)
	_, _, got := ts.get(t, "/api/alerts", apiTok)
	if g, w := alertKeys(t, got), alertKeys(t, want); !slices.Equal(g, w) {
		t.Errorf("tuned alerts on the stream differ from hunt: got %d, want %d\nmissing %v\nextra %v", len(g), len(w), diff(w, g), diff(g, w))
	}
}
