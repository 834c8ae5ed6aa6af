package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpinput "github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/tiercel/tiercel/internal/alert"
	"github.com/tiercel/tiercel/internal/serve"
)

// screenshotDir is where the browser test leaves its screenshots for review
// (TIERCEL_SCREENSHOTS overrides; the default is ignored by git).
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("TIERCEL_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "..", ".screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// startUI runs `tiercel ui` on a free port over paths and returns its URL.
func startUI(t *testing.T, paths ...string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	args := append([]string{"ui", "--listen", "127.0.0.1:0", "--token", "browser-test-token", "--data", t.TempDir()}, paths...)
	go func() {
		env := &Env{Stdin: strings.NewReader(""), Stdout: pw, Stderr: io.Discard}
		cmd := newUICmd(env)
		cmd.SetArgs(args[1:])
		cmd.SetContext(ctx)
		_ = cmd.Execute()
		pw.Close()
		done <- 0
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("ui printed no URL: %v", err)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	return strings.TrimSpace(line), func() { cancel(); <-done }
}

// browserContext starts headless Chromium at 1280x800 (skipping the test
// when it is not installed) and returns a tab's context.
func browserContext(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skip("no Chromium on PATH (Debian package chromium; .ci/run installs it)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.WindowSize(1280, 800), chromedp.Flag("disable-gpu", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(cancelCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 150*time.Second)
	t.Cleanup(cancelTimeout)
	return ctx
}

// shot writes a full-page PNG into the screenshot directory.
func shot(t *testing.T, name string) chromedp.Action[chromedp.Void] {
	dir := screenshotDir(t)
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
	})
}

// poll waits until a JavaScript expression is true.
func poll(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr))
		return err
	})
}

func TestUIInBrowser(t *testing.T) {
	ctx := browserContext(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "events.ndjson")
	var emitted strings.Builder
	if code := Main([]string{"emulate", "--events", "20000", "--hosts", "12", "--view", "logscale"}, strings.NewReader(""), &emitted, io.Discard); code != 0 {
		t.Fatalf("emulate exit %d", code)
	}
	if err := os.WriteFile(data, []byte(emitted.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	seed, err := os.ReadFile(filepath.Join("..", "..", "rules", "T1590.005-ip-address-recon", "query.cql"))
	if err != nil {
		t.Fatal(err)
	}
	// What tiercel search prints for the seed query: the page must show the same.
	var want strings.Builder
	if code := Main([]string{"search", "--format", "json", "--quiet", string(seed), data}, strings.NewReader(""), &want, io.Discard); code != 0 {
		t.Fatalf("search exit %d", code)
	}
	wantRows := strings.Split(strings.TrimSpace(want.String()), "\n")
	var first map[string]any
	if err := json.Unmarshal([]byte(wantRows[0]), &first); err != nil {
		t.Fatal(err)
	}

	url, stop := startUI(t, data)
	defer stop()
	shots := screenshotDir(t)
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("reading %s: %v", sel, err)
		}
		return s
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// Log in through the printed link, type a query, see a diagnostic at the typo.
	do("typing a query",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(url),
		chromedp.WaitVisible(`#editor .cm-content`),
		chromedp.Click(`#editor .cm-content`),
		chromedp.SendKeys(`#editor .cm-content`, `#event_simpleName=DnsRequest | tabel([ComputerName`),
		chromedp.WaitVisible(`#editor .cm-lintRange-error`),
		shot(t, "search-diagnostic"),
	)
	// A page load from the local server (reported, not asserted: timings never go in tests).
	if load, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime; })()`)); err == nil {
		t.Logf("page load: %.0f ms", load)
	}
	if got := text(`#editor .cm-lintRange-error`); got != "tabel" {
		t.Errorf("the error squiggle covers %q, want the misspelt function name %q", got, "tabel")
	}

	// The seed query from its detection page, run in search: the same rows as tiercel search.
	base := strings.SplitN(url, "?", 2)[0]
	do("running the seed query",
		chromedp.Navigate(base+"#/rules/T1590.005-ip-address-recon"),
		chromedp.WaitVisible(`#test-rule`),
		chromedp.Click(`#test-rule`),
		chromedp.WaitVisible(`#test-results .good`),
		shot(t, "detection-page"),
		chromedp.Click(chromedp.Search(`//a[text()="Open in search"]`)),
		chromedp.WaitVisible(`#editor .cm-content`),
		chromedp.Click(`#run`),
		chromedp.WaitVisible(`.results .trow`),
		poll(`document.querySelector('.status').textContent.includes(' results from ')`),
		shot(t, "search-seed"),
	)
	if status := text(`.status`); !strings.HasPrefix(status, fmt.Sprintf("%d results from ", len(wantRows))) {
		t.Errorf("status %q, want %d results as tiercel search printed", status, len(wantRows))
	}
	if cell := text(`.results .trow .cell`); cell != fmt.Sprint(first["#event_simpleName"]) {
		t.Errorf("first row starts with %q, tiercel search's with %q", cell, first["#event_simpleName"])
	}

	// Drag across the histogram: the range narrows to a custom one and the query reruns.
	box, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => { const r = document.querySelector('#histogram .u-over').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`))
	if err != nil || len(box) != 4 {
		t.Fatalf("histogram not drawn: %v", err)
	}
	y := box[1] + box[3]/2
	do("dragging the histogram",
		chromedp.MouseEvent(cdpinput.DispatchMouseEventTypeMousePressed, box[0]+box[2]*0.2, y, chromedp.ButtonLeft),
		chromedp.MouseEvent(cdpinput.DispatchMouseEventTypeMouseMoved, box[0]+box[2]*0.5, y, chromedp.ButtonLeft),
		chromedp.MouseEvent(cdpinput.DispatchMouseEventTypeMouseMoved, box[0]+box[2]*0.8, y, chromedp.ButtonLeft),
		chromedp.MouseEvent(cdpinput.DispatchMouseEventTypeMouseReleased, box[0]+box[2]*0.8, y, chromedp.ButtonLeft),
		chromedp.WaitVisible(`#start`),
		poll(`document.querySelector('.status').textContent.includes(' results from ')`),
		shot(t, "search-narrowed"),
	)
	startValue, err := chromedp.Run(ctx, chromedp.Value(`#start`))
	if _, perr := time.Parse(time.RFC3339Nano, startValue); err != nil || perr != nil {
		t.Errorf("after the drag the start is %q (%v), want an RFC 3339 time", startValue, err)
	}

	// Alerts: open one, acknowledge it, reload, still acknowledged.
	do("acknowledging an alert",
		chromedp.Navigate(base+"#/alerts"),
		chromedp.WaitVisible(`.arow .badge-new`),
		chromedp.Click(`.arow .what`),
		chromedp.WaitVisible(`#ack`),
		chromedp.SendKeys(`#alert-note`, "known analyst test"),
		chromedp.Click(`#ack`),
		chromedp.WaitVisible(`#alert-status.badge-acknowledged`),
		shot(t, "alerts"),
		chromedp.Reload(),
		chromedp.WaitVisible(`.arow`),
		poll(`document.querySelectorAll('.arow .badge-acknowledged').length === 1`),
	)
	if badge := text(`.arow.status-acknowledged .badge`); badge != "acknowledged" {
		t.Errorf("after reload the alert shows %q", badge)
	}

	do("validation page",
		chromedp.Navigate(base+"#/validate"),
		chromedp.Click(`#run-validate`),
		chromedp.WaitVisible(`table.matrix tbody tr`),
		shot(t, "validation"),
		chromedp.Click(`#run-validate-sensors`),
		chromedp.WaitVisible(`#sensor-matrix tbody tr`),
		shot(t, "validation-sensors"),
		chromedp.Navigate(base+"#/search"),
		chromedp.WaitVisible(`#editor .cm-content`),
		chromedp.Evaluate[chromedp.Void](`document.documentElement.dataset.theme = 'dark'`),
		shot(t, "search-dark"),
	)
	t.Logf("screenshots in %s", shots)
}

// TestServeUIInBrowser drives the UI of a running tiercel serve while
// telemetry streams in over HTTP ingest: alerts appear without a reload,
// one is closed, and the search page queries the event store.
func TestServeUIInBrowser(t *testing.T) {
	ctx := browserContext(t)
	cfg := &serve.Config{Data: t.TempDir(), Listen: "127.0.0.1:0",
		IngestTokens: []serve.IngestToken{{Name: "edr", Token: "ingest-token"}}, APITokens: []string{"api-token"}}
	if err := cfg.Check(); err != nil {
		t.Fatal(err)
	}
	progs, err := compileServeRules(&Env{Stderr: io.Discard}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := serve.New(cfg, progs, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv.UI = serveUI(cfg, srv, progs)
	addr, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stopServe := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Run(runCtx) }()
	defer func() { stopServe(); <-served }()
	base := "http://" + addr.String()

	var events strings.Builder
	if code := Main([]string{"emulate", "--events", "6000", "--hosts", "10", "--view", "logscale"}, strings.NewReader(""), &events, io.Discard); code != 0 {
		t.Fatalf("emulate exit %d", code)
	}
	lines := strings.SplitAfter(events.String(), "\n")
	send := func(part []string) {
		req, _ := http.NewRequest("POST", base+"/api/v1/ingest/raw", strings.NewReader(strings.Join(part, "")))
		req.Header.Set("Authorization", "Bearer ingest-token")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("ingest: status %d", res.StatusCode)
		}
	}
	// Nothing yet: the alerts page is empty; then the stream arrives.
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(base+"/?token=api-token"),
		chromedp.WaitVisible(`#editor .cm-content`),
		chromedp.Navigate(base+"/#/alerts"),
		poll(`document.querySelector('.status') && document.querySelector('.status').textContent.startsWith('0 alert')`),
	); err != nil {
		t.Fatalf("opening the alerts page: %v", err)
	}
	send(lines[:len(lines)/2])
	send(lines[len(lines)/2:])
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(`.arow .badge-new`), // the page polls: no reload
		chromedp.Click(`.arow .what`),
		chromedp.WaitVisible(`#close-alert`),
		chromedp.Click(`#close-alert`),
		chromedp.WaitVisible(`#alert-status.badge-closed`),
		shot(t, "serve-alerts"),
		chromedp.Navigate(base+"/#/search?q="+url.QueryEscape("#event_simpleName=DnsRequest | groupBy(ComputerName)")),
		chromedp.WaitVisible(`.results .trow`),
		poll(`document.querySelector('.status').textContent.includes(' results from ')`),
		shot(t, "serve-search"),
	); err != nil {
		t.Fatalf("triage on serve: %v", err)
	}
	stored, err := srv.Alerts.List(context.Background(), alert.Filter{Status: alert.StatusClosed})
	if err != nil || len(stored) != 1 {
		t.Errorf("alert store holds %d closed alert(s) (%v), want the one closed in the page", len(stored), err)
	}
}
