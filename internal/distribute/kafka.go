package distribute

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// DefaultPartitions is the work topic's partition count when tiercel
// creates it: more partitions than workers lets a group of up to that many
// share the work.
const DefaultPartitions = 12

// EnsureTopic creates topic with partitions partitions (replication from
// the broker's default) unless it exists.
func EnsureTopic(ctx context.Context, cl *kgo.Client, topic string, partitions int32) error {
	req := kmsg.NewPtrCreateTopicsRequest()
	t := kmsg.NewCreateTopicsRequestTopic()
	t.Topic = topic
	t.NumPartitions = partitions
	t.ReplicationFactor = -1
	req.Topics = append(req.Topics, t)
	req.TimeoutMillis = 10_000
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return fmt.Errorf("creating topic %s: %w", topic, err)
	}
	for _, rt := range resp.Topics {
		if err := kerr.ErrorForCode(rt.ErrorCode); err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("creating topic %s: %w", topic, err)
		}
	}
	return nil
}

// partitionCount asks the cluster how many partitions topic has.
func partitionCount(ctx context.Context, cl *kgo.Client, topic string) (int32, error) {
	req := kmsg.NewPtrMetadataRequest()
	mt := kmsg.NewMetadataRequestTopic()
	mt.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, mt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return 0, fmt.Errorf("topic %s: %w", topic, err)
	}
	for _, t := range resp.Topics {
		if err := kerr.ErrorForCode(t.ErrorCode); err != nil {
			return 0, fmt.Errorf("topic %s: %w", topic, err)
		}
		if n := int32(len(t.Partitions)); n > 0 {
			return n, nil
		}
	}
	return 0, fmt.Errorf("topic %s: no partitions", topic)
}

// Publish writes items to topic (created with partitions partitions when
// missing), spreading them round-robin over its partitions so a group's
// members get even shares, keyed by batch. It returns once every item is
// acknowledged.
func Publish(ctx context.Context, brokers []string, extra []kgo.Opt, topic string, partitions int32, items []Item) error {
	opts := append([]kgo.Opt{
		kgo.SeedBrokers(brokers...),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
	}, extra...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("kafka: %w", err)
	}
	defer cl.Close()
	if err := EnsureTopic(ctx, cl, topic, partitions); err != nil {
		return err
	}
	n, err := partitionCount(ctx, cl, topic)
	if err != nil {
		return err
	}
	recs := make([]*kgo.Record, len(items))
	for i, it := range items {
		recs[i] = &kgo.Record{Topic: topic, Partition: int32(i) % n, Key: []byte(it.Batch), Value: it.Encode()}
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return fmt.Errorf("publishing work to %s: %w", topic, err)
	}
	return nil
}

// Alert is one alert a worker produces: its stable id and its JSON line.
type Alert struct {
	ID   string
	JSON []byte
}

// HuntFunc hunts one item and returns its alerts.
type HuntFunc func(ctx context.Context, it Item) ([]Alert, error)

// WorkerConfig configures a worker.
type WorkerConfig struct {
	Brokers    []string
	Extra      []kgo.Opt // TLS, SASL... added to the client options
	WorkTopic  string
	Group      string
	AlertTopic string
	Partitions int32 // for creating missing topics (DefaultPartitions when 0)
	// IdleExit ends Work when no item has arrived for this long (0: run
	// until ctx ends): a batch hunt's workers stop once the plan is done.
	IdleExit time.Duration
	// OnItem, when set, is told of every item hunted (progress, tests).
	OnItem func(it Item, alerts int, took time.Duration)
}

// WorkerStats counts what one worker did.
type WorkerStats struct {
	Items, Objects, Alerts int
}

// Work consumes the work topic as a member of the group, one item at a
// time: hunt it, produce its alerts (idempotent producer, keyed by alert
// id) and wait for their acknowledgement, then commit the item's offset.
// Rebalances happen only between items, so an item is never committed by
// a member that no longer owns it; a member that dies mid-item leaves the
// offset uncommitted and the item is hunted again by the next owner. A
// hunt error stops the worker without committing the item.
func Work(ctx context.Context, cfg WorkerConfig, hunt HuntFunc) (WorkerStats, error) {
	var st WorkerStats
	parts := cfg.Partitions
	if parts <= 0 {
		parts = DefaultPartitions
	}
	opts := append([]kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.ConsumerGroup(cfg.Group),
		kgo.ConsumeTopics(cfg.WorkTopic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.DefaultProduceTopic(cfg.AlertTopic),
		kgo.FetchMaxWait(500 * time.Millisecond),
	}, cfg.Extra...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return st, fmt.Errorf("kafka: %w", err)
	}
	defer cl.Close() // leaves the group: the others take over at once
	for _, t := range []string{cfg.WorkTopic, cfg.AlertTopic} {
		if err := EnsureTopic(ctx, cl, t, parts); err != nil {
			return st, err
		}
	}
	last := time.Now()
	for {
		if ctx.Err() != nil {
			return st, nil
		}
		pollCtx, cancel := ctx, context.CancelFunc(func() {})
		if cfg.IdleExit > 0 {
			pollCtx, cancel = context.WithDeadline(ctx, last.Add(cfg.IdleExit))
		}
		fetches := cl.PollRecords(pollCtx, 1)
		cancel()
		if fetches.IsClientClosed() {
			return st, nil
		}
		var ferr error
		fetches.EachError(func(_ string, _ int32, err error) {
			if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) && ferr == nil {
				ferr = err
			}
		})
		if ferr != nil {
			cl.AllowRebalance()
			return st, fmt.Errorf("consuming %s: %w", cfg.WorkTopic, ferr)
		}
		recs := fetches.Records()
		if len(recs) == 0 {
			cl.AllowRebalance()
			if cfg.IdleExit > 0 && time.Since(last) >= cfg.IdleExit {
				return st, nil
			}
			continue
		}
		for _, rec := range recs {
			if err := work(ctx, cl, cfg, hunt, rec, &st); err != nil {
				cl.AllowRebalance()
				return st, err
			}
		}
		cl.AllowRebalance()
		last = time.Now()
	}
}

func work(ctx context.Context, cl *kgo.Client, cfg WorkerConfig, hunt HuntFunc, rec *kgo.Record, st *WorkerStats) error {
	where := fmt.Sprintf("%s[%d]@%d", rec.Topic, rec.Partition, rec.Offset)
	it, err := DecodeItem(rec.Value)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	began := time.Now()
	alerts, err := hunt(ctx, it)
	if err != nil {
		return fmt.Errorf("%s (%s): %w", where, it.Batch, err)
	}
	if len(alerts) > 0 {
		out := make([]*kgo.Record, len(alerts))
		for i, a := range alerts {
			out[i] = &kgo.Record{Key: []byte(a.ID), Value: a.JSON}
		}
		if err := cl.ProduceSync(ctx, out...).FirstErr(); err != nil {
			return fmt.Errorf("%s: producing alerts to %s: %w", where, cfg.AlertTopic, err)
		}
	}
	if err := cl.CommitRecords(ctx, rec); err != nil {
		return fmt.Errorf("%s: commit: %w", where, err)
	}
	st.Items++
	st.Objects += len(it.Objects)
	st.Alerts += len(alerts)
	if cfg.OnItem != nil {
		cfg.OnItem(it, len(alerts), time.Since(began))
	}
	return nil
}
