package serve

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tiercel/tiercel/internal/alert"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/segment"
	"github.com/tiercel/tiercel/internal/source"
)

// Pipeline is the server's one commit loop: it takes batches from every
// source, stores their events (fsynced), runs detection over them, stores
// the alerts and queues their deliveries, and only then finishes the
// batches, so a source commits its position after both stores hold the
// data (design §8 durability). Batches that queue up while one group is
// being committed are committed together (group commit).
type Pipeline struct {
	Events  *segment.Store
	Alerts  alert.Store
	Detect  *Detector
	Actions []string // action names every new alert is queued for
	Metrics *Metrics
	Log     *slog.Logger
	// Delivered is called after alerts were stored (wakes the dispatcher).
	Delivered func()
	// MaxQueueBytes bounds accepted, not yet durable data; Offer refuses
	// beyond it (default 256 MiB).
	MaxQueueBytes int64
	// MaxGroupLines bounds one group commit (default 200,000 lines).
	MaxGroupLines int

	once   sync.Once
	queue  chan *source.Batch
	mu     sync.RWMutex // guards closing queue against Offer
	closed bool
	queued atomic.Int64
	done   chan struct{}
}

func (p *Pipeline) init() {
	p.once.Do(func() {
		if p.MaxQueueBytes <= 0 {
			p.MaxQueueBytes = 256 << 20
		}
		if p.MaxGroupLines <= 0 {
			p.MaxGroupLines = 200_000
		}
		if p.Log == nil {
			p.Log = slog.Default()
		}
		p.queue = make(chan *source.Batch, 4096)
		p.done = make(chan struct{})
	})
}

// Offer implements source.Sink.
func (p *Pipeline) Offer(b *source.Batch) error {
	p.init()
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		p.reject(b, "closed")
		return source.ErrClosed
	}
	n := int64(b.Bytes())
	if q := p.queued.Add(n); q > p.MaxQueueBytes && q != n {
		p.queued.Add(-n)
		p.reject(b, "busy")
		return source.ErrBusy
	}
	select {
	case p.queue <- b:
		p.setQueueGauge()
		return nil
	default:
		p.queued.Add(-n)
		p.reject(b, "busy")
		return source.ErrBusy
	}
}

func (p *Pipeline) reject(b *source.Batch, reason string) {
	if p.Metrics != nil {
		p.Metrics.Rejected.WithLabelValues(b.Source, reason).Add(float64(len(b.Lines)))
	}
}

func (p *Pipeline) setQueueGauge() {
	if p.Metrics != nil {
		p.Metrics.QueueBytes.Set(float64(p.queued.Load()))
	}
}

// QueuedBytes is what was accepted and is not yet durable.
func (p *Pipeline) QueuedBytes() int64 { return p.queued.Load() }

// Close stops accepting batches; Run finishes those already queued and
// returns.
func (p *Pipeline) Close() {
	p.init()
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.closed = true
		close(p.queue)
	}
}

// Run commits batches until Close and the queue is drained.
func (p *Pipeline) Run(ctx context.Context) {
	p.init()
	defer close(p.done)
	defer p.flushHeld(ctx)
	for b := range p.queue {
		group, lines := []*source.Batch{b}, len(b.Lines)
	fill:
		for lines < p.MaxGroupLines {
			select {
			case nb, ok := <-p.queue:
				if !ok {
					break fill
				}
				group = append(group, nb)
				lines += len(nb.Lines)
			default:
				break fill
			}
		}
		err := p.commit(ctx, group)
		for _, b := range group {
			p.queued.Add(-int64(b.Bytes()))
			b.Finish(err)
		}
		p.setQueueGauge()
		if err != nil {
			p.Log.Error("commit failed; batches refused for the senders to retry", "batches", len(group), "err", err)
		}
	}
}

// flushHeld detects over the context events still waiting for their
// process start, so a clean stop leaves none behind.
func (p *Pipeline) flushHeld(ctx context.Context) {
	cands, err := p.Detect.Flush(ctx)
	if err == nil {
		_, err = p.Alerts.Record(ctx, cands, p.Actions, time.Now())
	}
	if err != nil {
		p.Log.Error("detecting held events at shutdown", "err", err)
	}
}

// Replay runs detection again over stored lines (the recent tail of the
// event store, at start): alerts a crash kept from being stored, such as
// those of held context events, are stored now; the others are
// duplicates. It also fills the enricher's tables as before the stop.
func (p *Pipeline) Replay(ctx context.Context, paths []string) (lines int, err error) {
	if len(paths) == 0 {
		return 0, nil
	}
	rd, err := ingest.Open(paths, ingest.Options{OnError: func(e error) { p.Log.Warn("replay", "err", e) }})
	if err != nil {
		return 0, err
	}
	defer rd.Close()
	var batch [][]byte
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		cands, err := p.Detect.Detect(ctx, batch)
		if err != nil {
			return err
		}
		res, err := p.Alerts.Record(ctx, cands, p.Actions, time.Now())
		if err != nil {
			return err
		}
		if len(res.New) > 0 {
			p.Log.Info("replay stored alerts a stop left out", "new", len(res.New))
			if p.Delivered != nil {
				p.Delivered()
			}
		}
		lines += len(batch)
		batch = nil
		return nil
	}
	for {
		c, err := rd.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return lines, err
		}
		ingest.Lines(c, func(line []byte, _ int) bool {
			if l := bytes.TrimSpace(line); len(l) > 0 {
				batch = append(batch, bytes.Clone(l))
			}
			return true
		})
		ingest.Recycle(c.Data)
		if len(batch) >= 50_000 {
			if err := flush(); err != nil {
				return lines, err
			}
		}
	}
	return lines, flush()
}

// Done is closed when Run has returned.
func (p *Pipeline) Done() <-chan struct{} {
	p.init()
	return p.done
}

// commit makes one group durable: events, detection, alerts.
func (p *Pipeline) commit(ctx context.Context, group []*source.Batch) error {
	var tele [][]byte
	for _, b := range group {
		switch b.Kind {
		case event.KindTelemetry:
			tele = append(tele, b.Lines...)
		case event.KindAidmaster, event.KindUserinfo:
			p.learn(b.Lines)
		}
	}
	if len(tele) == 0 {
		return nil
	}
	// Storing and detection read the same lines and run side by side.
	var kept, dups int
	stored := make(chan error, 1)
	go func() {
		kept, dups = p.Events.Append(tele)
		stored <- p.Events.Commit()
	}()
	cands, derr := p.Detect.Detect(ctx, tele)
	if err := <-stored; err != nil {
		return err
	}
	if derr != nil {
		return derr
	}
	now := time.Now()
	res, err := p.Alerts.Record(ctx, cands, p.Actions, now)
	if err != nil {
		return err
	}
	if m := p.Metrics; m != nil {
		m.EventsStored.Add(float64(kept))
		m.EventsDup.Add(float64(dups))
		for _, b := range group {
			m.EventsIn.WithLabelValues(b.Source).Add(float64(len(b.Lines)))
			m.BatchLatency.Observe(now.Sub(b.Received).Seconds())
		}
		for _, a := range res.New {
			m.Alerts.WithLabelValues(a.Rule).Inc()
		}
		m.AlertsDup.Add(float64(res.Duplicates))
		m.AlertsThrottle.Add(float64(res.Throttled))
		p.observeLag(group, now)
	}
	if len(res.New) > 0 {
		p.Log.Debug("alerts", "new", len(res.New), "duplicates", res.Duplicates, "throttled", res.Throttled)
		if p.Delivered != nil {
			p.Delivered()
		}
	}
	return nil
}

// observeLag sets each source's lag from the newest event time of its
// last line (a cheap sample, not a scan of the batch).
func (p *Pipeline) observeLag(group []*source.Batch, now time.Time) {
	var info ingest.LineInfo
	for _, b := range group {
		if len(b.Lines) == 0 || b.Kind != event.KindTelemetry {
			continue
		}
		if ingest.ReadLineInfo(b.Lines[len(b.Lines)-1], &info) && info.Time > 0 {
			p.Metrics.EventLag.WithLabelValues(b.Source).Set(now.Sub(time.UnixMilli(info.Time)).Seconds())
		}
	}
}

// learn feeds aidmaster/userinfo records to the enricher.
func (p *Pipeline) learn(lines [][]byte) {
	en := p.Detect.Enricher
	if en == nil {
		return
	}
	dec := ingest.NewDecoder(en.LearnNeeds())
	var ev event.Event
	for _, l := range lines {
		if dec.Decode(l, &ev) == nil {
			en.Learn(&ev)
		}
	}
}
