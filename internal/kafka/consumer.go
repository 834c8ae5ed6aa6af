package kafka

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/source"
)

// Consumer is a tiercel serve source reading telemetry from Kafka topics as
// one member of a consumer group. Producers key each event by its aid, so
// a host's process starts, DNS requests and connections land in one
// partition and meet in one instance, where enrichment and correlation
// windows stay local.
//
// Delivery is at least once with nothing lost: a poll becomes one batch;
// the batch's offsets are committed only after the sink reports its events
// in the event store and its alerts in the alert store. Rebalances wait
// while a batch is in flight (franz-go's BlockRebalanceOnPoll), so a
// revoked partition's batch is finished and committed, or, when the
// instance stops first, left uncommitted for the next owner to replay;
// the alert store's stable ids turn such a replay into no new alert.
type Consumer struct {
	Config Config
	Topics []string
	Group  string
	// StartAtEnd starts a group with no committed offsets at the newest
	// records instead of the oldest.
	StartAtEnd bool
	// MaxRecords bounds one poll (default 10,000).
	MaxRecords int
	// SessionTimeout is the group session timeout (default franz-go's 45s).
	SessionTimeout time.Duration
	Log            *slog.Logger
	// Extra franz-go options (tests).
	Extra []kgo.Opt

	stats Stats
}

// Stats are the consumer's counters, safe to read while it runs.
type Stats struct {
	Records      atomic.Int64 // records polled
	Events       atomic.Int64 // event lines offered
	MissingKey   atomic.Int64 // records without a key (no aid): placement is arbitrary
	Batches      atomic.Int64 // batches made durable and committed
	Retries      atomic.Int64 // batches offered again after the sink refused them
	CommitErrors atomic.Int64
	Rebalances   atomic.Int64 // partitions revoked or lost
	Assigned     atomic.Int64 // partitions currently owned
}

// Stats returns the live counters.
func (c *Consumer) Stats() *Stats { return &c.stats }

// Name implements source.Source.
func (c *Consumer) Name() string { return "kafka:" + c.Group }

// Run implements source.Source: it polls until ctx ends, then leaves the
// group. A batch not yet durable when ctx ends is not committed.
func (c *Consumer) Run(ctx context.Context, sink source.Sink) error {
	if c.Group == "" || len(c.Topics) == 0 {
		return errors.New("kafka: a consumer needs a group and at least one topic")
	}
	log := c.Log
	if log == nil {
		log = slog.Default()
	}
	opts, err := c.Config.Options()
	if err != nil {
		return err
	}
	reset := kgo.NewOffset().AtStart()
	if c.StartAtEnd {
		reset = kgo.NewOffset().AtEnd()
	}
	// Revocation runs only between batches (after AllowRebalance): the
	// batch before it is durable and committed.
	onLoss := func(_ context.Context, _ *kgo.Client, parts map[string][]int32) {
		c.stats.Rebalances.Add(1)
		c.stats.Assigned.Add(-int64(count(parts)))
		log.Info("kafka partitions released", "group", c.Group, "partitions", describe(parts))
	}
	opts = append(opts,
		kgo.ConsumerGroup(c.Group),
		kgo.ConsumeTopics(c.Topics...),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.ConsumeResetOffset(reset),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, parts map[string][]int32) {
			c.stats.Assigned.Add(int64(count(parts)))
			log.Info("kafka partitions assigned", "group", c.Group, "partitions", describe(parts))
		}),
		kgo.OnPartitionsRevoked(onLoss),
		kgo.OnPartitionsLost(onLoss),
	)
	if c.SessionTimeout > 0 {
		// Heartbeats at a third of the session, as Kafka advises.
		opts = append(opts, kgo.SessionTimeout(c.SessionTimeout), kgo.HeartbeatInterval(c.SessionTimeout/3))
	}
	opts = append(opts, c.Extra...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("kafka: %w", err)
	}
	defer cl.Close()

	max := c.MaxRecords
	if max <= 0 {
		max = 10000
	}
	for {
		fetches := cl.PollRecords(ctx, max)
		if ctx.Err() != nil || fetches.IsClientClosed() {
			cl.AllowRebalance()
			return nil
		}
		fetches.EachError(func(topic string, part int32, err error) {
			if !errors.Is(err, context.Canceled) {
				log.Warn("kafka fetch error", "topic", topic, "partition", part, "err", err)
			}
		})
		records := fetches.Records()
		if len(records) == 0 {
			cl.AllowRebalance()
			continue
		}
		c.stats.Records.Add(int64(len(records)))
		lines := c.linesOf(records)
		if err := c.deliver(ctx, sink, lines, position(records)); err != nil {
			// Stopping mid-batch: leave its offsets uncommitted.
			cl.AllowRebalance()
			return nil
		}
		if err := cl.CommitRecords(ctx, records...); err != nil {
			c.stats.CommitErrors.Add(1)
			log.Warn("kafka offset commit failed; the batch will be replayed and deduplicated", "err", err)
		} else {
			c.stats.Batches.Add(1)
		}
		cl.AllowRebalance()
	}
}

// deliver offers lines until the sink has made them durable, retrying a
// refused batch with back-off; it fails only when ctx ends.
func (c *Consumer) deliver(ctx context.Context, sink source.Sink, lines [][]byte, pos string) error {
	if len(lines) == 0 {
		return nil
	}
	delay := 100 * time.Millisecond
	for {
		b := source.NewBatch(c.Name(), event.KindTelemetry, lines, pos)
		err := source.OfferWait(ctx, sink, b)
		if err == nil {
			err = b.Wait(ctx)
		}
		if err == nil {
			c.stats.Events.Add(int64(len(lines)))
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c.stats.Retries.Add(1)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, 5*time.Second)
	}
}

// linesOf splits record values into event lines (a value may hold several
// NDJSON lines) and counts records without a key.
func (c *Consumer) linesOf(records []*kgo.Record) [][]byte {
	lines := make([][]byte, 0, len(records))
	for _, r := range records {
		if len(r.Key) == 0 {
			c.stats.MissingKey.Add(1)
		}
		v := r.Value
		for len(v) > 0 {
			line := v
			if i := bytes.IndexByte(v, '\n'); i >= 0 {
				line, v = v[:i], v[i+1:]
			} else {
				v = nil
			}
			line = bytes.TrimRight(line, "\r")
			if len(bytes.TrimSpace(line)) > 0 {
				lines = append(lines, line)
			}
		}
	}
	return lines
}

// position names the batch's last offset per partition, for logs.
func position(records []*kgo.Record) string {
	last := map[string]int64{}
	for _, r := range records {
		k := fmt.Sprintf("%s/%d", r.Topic, r.Partition)
		if r.Offset > last[k] {
			last[k] = r.Offset
		}
	}
	parts := make([]string, 0, len(last))
	for k, o := range last {
		parts = append(parts, fmt.Sprintf("%s@%d", k, o))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func count(parts map[string][]int32) int {
	n := 0
	for _, ps := range parts {
		n += len(ps)
	}
	return n
}

func describe(parts map[string][]int32) string {
	var out []string
	for t, ps := range parts {
		for _, p := range ps {
			out = append(out, fmt.Sprintf("%s/%d", t, p))
		}
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}
