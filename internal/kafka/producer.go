package kafka

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/valyala/fastjson"

	"github.com/tiercel/tiercel/internal/alert"
	"github.com/tiercel/tiercel/internal/jsonenc"
)

// AlertTopic is an alert action that produces each new alert to a topic,
// keyed by alert id, with franz-go's idempotent producer: every instance
// of a consumer group writes to the same topic, so one downstream consumer
// sees one stream, and a replayed alert carries the same key and id.
type AlertTopic struct {
	Topic  string
	client *kgo.Client
}

// NewAlertTopic connects a producer for topic.
func NewAlertTopic(cfg Config, topic string, extra ...kgo.Opt) (*AlertTopic, error) {
	opts, err := cfg.Options()
	if err != nil {
		return nil, err
	}
	// Idempotence is franz-go's default; acks from all in-sync replicas
	// make an acknowledged alert survive a broker loss.
	opts = append(opts, kgo.RequiredAcks(kgo.AllISRAcks()), kgo.DefaultProduceTopic(topic))
	cl, err := kgo.NewClient(append(opts, extra...)...)
	if err != nil {
		return nil, fmt.Errorf("kafka: %w", err)
	}
	return &AlertTopic{Topic: topic, client: cl}, nil
}

// Name implements action.Action.
func (t *AlertTopic) Name() string { return "kafka:" + t.Topic }

// Deliver implements action.Action: the alert's JSON (as hunt --format json
// prints it) plus alert_id and first_seen, keyed by the alert id.
func (t *AlertTopic) Deliver(ctx context.Context, a alert.Alert) error {
	res := t.client.ProduceSync(ctx, &kgo.Record{Key: []byte(a.ID), Value: AlertJSON(a)})
	return res.FirstErr()
}

// Close flushes and closes the producer.
func (t *AlertTopic) Close() { t.client.Close() }

// AlertJSON is the record value of an alert: its body with alert_id first.
func AlertJSON(a alert.Alert) []byte {
	b := []byte(`{"alert_id":`)
	b = jsonenc.AppendString(b, a.ID)
	body := a.JSON
	if len(body) > 2 && body[0] == '{' {
		b = append(b, ',')
		b = append(b, body[1:]...)
	} else {
		b = append(b, '}')
	}
	return b
}

// ProduceStats counts what ProduceNDJSON sent.
type ProduceStats struct {
	Records    int64
	MissingAid int64 // events without an aid: sent unkeyed (any partition)
}

// ProduceNDJSON sends each line of r as one record keyed by the event's
// aid, so a host's events share a partition. It waits until every record
// is acknowledged.
func ProduceNDJSON(ctx context.Context, cfg Config, topic string, r io.Reader, extra ...kgo.Opt) (ProduceStats, error) {
	var st ProduceStats
	opts, err := cfg.Options()
	if err != nil {
		return st, err
	}
	opts = append(opts, kgo.DefaultProduceTopic(topic), kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerLinger(5e6))
	cl, err := kgo.NewClient(append(opts, extra...)...)
	if err != nil {
		return st, fmt.Errorf("kafka: %w", err)
	}
	defer cl.Close()
	var failed atomic.Value
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	var p fastjson.Parser
	for sc.Scan() {
		line := append([]byte(nil), sc.Bytes()...)
		if len(line) == 0 {
			continue
		}
		var key []byte
		if v, err := p.ParseBytes(line); err == nil {
			key = v.GetStringBytes("aid")
		}
		if len(key) == 0 {
			st.MissingAid++
			key = nil
		} else {
			key = append([]byte(nil), key...)
		}
		st.Records++
		cl.Produce(ctx, &kgo.Record{Key: key, Value: line}, func(_ *kgo.Record, err error) {
			if err != nil {
				failed.CompareAndSwap(nil, err)
			}
		})
		if err, _ := failed.Load().(error); err != nil {
			return st, fmt.Errorf("kafka: producing to %s: %w", topic, err)
		}
	}
	if err := sc.Err(); err != nil {
		return st, err
	}
	if err := cl.Flush(ctx); err != nil {
		return st, err
	}
	if err, _ := failed.Load().(error); err != nil {
		return st, fmt.Errorf("kafka: producing to %s: %w", topic, err)
	}
	return st, nil
}
