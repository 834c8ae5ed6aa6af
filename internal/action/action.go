// Package action delivers stored alerts: to a webhook (LogScale message
// templates, or Slack's incoming-webhook format) and to an NDJSON file.
// Deliveries are queued in the alert store in the same transaction as
// the alert, so a Dispatcher delivers each alert at least once, across
// restarts, retrying with back-off; every delivery carries the alert id,
// so a receiver can drop duplicates. Delivery never blocks ingest: the
// dispatcher works from the queue on its own goroutines.
package action

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/tiercel/tiercel/internal/alert"
	"github.com/tiercel/tiercel/internal/jsonenc"
)

// Action delivers one alert. A nil error means delivered; an error
// means try again later.
type Action interface {
	Name() string
	Deliver(ctx context.Context, a alert.Alert) error
}

// DefaultWebhookTemplate is the JSON body a webhook gets without a
// template of its own, shaped like LogScale's default webhook body.
const DefaultWebhookTemplate = `{"alert":{"id":"{alert_id}","name":"{alert_name}","description":"{alert_description}","rule":"{rule}","severity":"{severity}","branch":"{branch}"},` +
	`"timestamp":"{alert_triggered_timestamp}","numberOfEvents":{event_count},"events":{events}}`

// DefaultSlackText is the message a Slack action posts without a template.
const DefaultSlackText = "*{alert_name}* ({severity}) {branch} on {field:ComputerName}: {event_count} event(s), alert {alert_id}"

// Webhook POSTs each alert to URL.
type Webhook struct {
	ActionName string
	URL        string
	Headers    map[string]string
	// Template is the body (a LogScale message template); values are
	// escaped for JSON unless PlainText.
	Template  string
	PlainText bool
	// Slack posts {"text": Template} instead (Slack incoming webhooks).
	Slack  bool
	Meta   func(rule string) Meta
	Client *http.Client
}

// Name implements Action.
func (w *Webhook) Name() string { return w.ActionName }

// Deliver implements Action: any 2xx status is success.
func (w *Webhook) Deliver(ctx context.Context, a alert.Alert) error {
	var meta Meta
	if w.Meta != nil {
		meta = w.Meta(a.Rule)
	}
	var body []byte
	ctype := "application/json"
	switch {
	case w.Slack:
		tmpl := w.Template
		if tmpl == "" {
			tmpl = DefaultSlackText
		}
		text := Expand(tmpl, a, meta, true)
		body = []byte(`{"text":"` + text + `"}`)
	default:
		tmpl := w.Template
		if tmpl == "" {
			tmpl = DefaultWebhookTemplate
		}
		body = []byte(Expand(tmpl, a, meta, !w.PlainText))
		if w.PlainText {
			ctype = "text/plain; charset=utf-8"
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("X-Tiercel-Alert-Id", a.ID)
	for k, v := range w.Headers {
		req.Header.Set(k, v)
	}
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s: HTTP %d", w.URL, resp.StatusCode)
	}
	return nil
}

// File appends each alert as one NDJSON line (the hunt JSON with alert_id
// and status) to Path and fsyncs it.
type File struct {
	ActionName string
	Path       string
	mu         sync.Mutex
}

// Name implements Action.
func (f *File) Name() string { return f.ActionName }

// Deliver implements Action.
func (f *File) Deliver(_ context.Context, a alert.Alert) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	fh, err := os.OpenFile(f.Path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	line := append(AppendAlertJSON(nil, a), '\n')
	if _, err := fh.Write(line); err != nil {
		fh.Close()
		return err
	}
	if err := fh.Sync(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

// AppendAlertJSON renders a stored alert as the API does: the fields of
// `hunt --format json` with alert_id and status first, then first/last
// seen, count and who set the status.
func AppendAlertJSON(b []byte, a alert.Alert) []byte {
	b = append(b, `{"alert_id":"`...)
	b = append(b, a.ID...)
	b = append(b, `","status":"`...)
	b = append(b, a.Status...)
	b = append(b, '"')
	b = fmt.Appendf(b, `,"first_seen":%d,"last_seen":%d,"count":%d`, a.FirstSeen.UnixMilli(), a.LastSeen.UnixMilli(), a.Count)
	if a.StatusBy != "" {
		b = append(b, `,"status_by":`...)
		b = jsonenc.AppendString(b, a.StatusBy)
		b = fmt.Appendf(b, `,"status_at":%d`, a.StatusAt.UnixMilli())
	}
	if a.StatusNote != "" {
		b = append(b, `,"status_note":`...)
		b = jsonenc.AppendString(b, a.StatusNote)
	}
	body := bytes.TrimSpace(a.JSON)
	if len(body) > 2 && body[0] == '{' {
		b = append(b, ',')
		b = append(b, body[1:]...)
		return b
	}
	return append(b, '}')
}

// Dispatcher delivers queued alerts.
type Dispatcher struct {
	Store   alert.Store
	Actions map[string]Action
	// Backoff is the wait before attempt n+1 (default: 1s doubling to 5 min).
	Backoff func(attempts int) time.Duration
	// Parallel bounds concurrent deliveries (default 8).
	Parallel int
	// Lease is how long a claimed delivery stays this dispatcher's
	// (DefaultLease when 0).
	Lease time.Duration
	// Observe, when set, hears each outcome ("ok", "retry", "dropped").
	Observe func(action, outcome string)
	Log     *slog.Logger
	wake    chan struct{}
	once    sync.Once
}

func (d *Dispatcher) init() {
	d.once.Do(func() {
		d.wake = make(chan struct{}, 1)
		if d.Backoff == nil {
			d.Backoff = func(n int) time.Duration { return min(time.Second<<min(n, 20), 5*time.Minute) }
		}
		if d.Parallel <= 0 {
			d.Parallel = 8
		}
		if d.Log == nil {
			d.Log = slog.Default()
		}
	})
}

// Wake makes the dispatcher look at the queue now (new alerts stored).
func (d *Dispatcher) Wake() {
	d.init()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends; what is due at start (left by an earlier
// run) is delivered first.
func (d *Dispatcher) Run(ctx context.Context) {
	d.init()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		for d.round(ctx) {
		}
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-tick.C:
		}
	}
}

// round delivers one page of due deliveries; it reports whether the page
// was full (more may be due).
func (d *Dispatcher) round(ctx context.Context) bool {
	const page = 256
	due, err := d.Store.Due(ctx, time.Now(), page)
	if err != nil {
		if ctx.Err() == nil {
			d.Log.Error("reading the delivery queue", "err", err)
		}
		return false
	}
	sem := make(chan struct{}, d.Parallel)
	var wg sync.WaitGroup
	for _, dl := range due {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			d.deliver(ctx, dl)
		}()
	}
	wg.Wait()
	return len(due) == page && ctx.Err() == nil
}

// DefaultLease is how long a claimed delivery is this instance's: after
// it, a delivery an instance took but never finished (it crashed) is due
// again.
const DefaultLease = 30 * time.Second

func (d *Dispatcher) deliver(ctx context.Context, dl alert.Delivery) {
	if ctx.Err() != nil {
		return
	}
	// Store calls outlive a shutdown that begins mid-delivery: a claim left
	// half-recorded would keep the delivery from the next start for a lease.
	sctx := context.WithoutCancel(ctx)
	// Instances sharing one store (PostgreSQL) share the queue: one claims.
	lease := d.Lease
	if lease <= 0 {
		lease = DefaultLease
	}
	if won, err := d.Store.Claim(sctx, dl, time.Now().Add(lease)); err != nil || !won {
		if err != nil {
			d.Log.Error("claiming a delivery", "err", err)
		}
		return
	}
	act, ok := d.Actions[dl.Action]
	if !ok {
		// The action was removed from the configuration: nothing to do.
		d.Store.Delivered(sctx, dl.ID)
		d.observe(dl.Action, "dropped")
		return
	}
	a, err := d.Store.Get(sctx, dl.AlertID)
	if errors.Is(err, alert.ErrNotFound) {
		d.Store.Delivered(sctx, dl.ID)
		d.observe(dl.Action, "dropped")
		return
	}
	if err == nil {
		err = act.Deliver(ctx, a)
	}
	if err == nil {
		if err := d.Store.Delivered(sctx, dl.ID); err != nil {
			d.Log.Error("marking a delivery done", "err", err)
		}
		d.observe(dl.Action, "ok")
		return
	}
	if ctx.Err() != nil {
		// Shutting down: hand the claimed delivery back so it is due at the
		// next start, not only once the claim's lease has run out.
		if err := d.Store.Retry(sctx, dl.ID, time.Now(), "interrupted by shutdown"); err != nil {
			d.Log.Error("rescheduling a delivery", "err", err)
		}
		return
	}
	wait := d.Backoff(dl.Attempts)
	d.Log.Warn("delivery failed; will retry", "action", dl.Action, "alert_id", dl.AlertID, "attempt", dl.Attempts+1, "retry_in", wait, "err", err)
	if err := d.Store.Retry(sctx, dl.ID, time.Now().Add(wait), err.Error()); err != nil {
		d.Log.Error("rescheduling a delivery", "err", err)
	}
	d.observe(dl.Action, "retry")
}

func (d *Dispatcher) observe(action, outcome string) {
	if d.Observe != nil {
		d.Observe(action, outcome)
	}
}
