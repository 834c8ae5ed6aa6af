package kafka_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/tiercel/tiercel/internal/action"
	"github.com/tiercel/tiercel/internal/alert"
	"github.com/tiercel/tiercel/internal/alert/pgtest"
	"github.com/tiercel/tiercel/internal/cli"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/kafka"
	"github.com/tiercel/tiercel/internal/rules"
	"github.com/tiercel/tiercel/internal/segment"
	"github.com/tiercel/tiercel/internal/serve"
)

const (
	topic      = "falcon-telemetry"
	alertTopic = "tiercel-alerts"
	group      = "tiercel"
	partitions = 6
)

var debugOpts []kgo.Opt

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// telemetry emulates the estate (LogScale view: events carry the fields the
// Falcon package adds, so a partition moving mid-run loses no context).
func telemetry(t *testing.T, events int) []byte {
	t.Helper()
	var out bytes.Buffer
	if code := cli.Main([]string{"emulate", "--events", fmt.Sprint(events), "--hosts", "16", "--view", "logscale"}, strings.NewReader(""), &out, io.Discard); code != 0 {
		t.Fatalf("emulate exit %d", code)
	}
	return out.Bytes()
}

// huntIDs are the alert ids `tiercel hunt` finds over data: the oracle.
func huntIDs(t *testing.T, data []byte) map[string]bool {
	t.Helper()
	path := filepath.Join(t.TempDir(), "events.ndjson")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if code := cli.Main([]string{"hunt", "--format", "json", "--quiet", path}, strings.NewReader(""), &out, io.Discard); code != 0 {
		t.Fatalf("hunt exit %d", code)
	}
	ids := map[string]bool{}
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var a map[string]any
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		id, _ := a["id"].(string)
		branch, _ := a["DetectionBranch"].(string)
		ids[alert.ID(a["rule"].(string), branch, id, sc.Text())] = true
	}
	if len(ids) == 0 {
		t.Fatal("hunt found no alerts: the test would prove nothing")
	}
	return ids
}

func newCluster(t *testing.T) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.SeedTopics(partitions, topic), kfake.SeedTopics(3, alertTopic),
		kfake.GroupMinSessionTimeout(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func produce(t *testing.T, c *kfake.Cluster, data []byte) kafka.ProduceStats {
	t.Helper()
	st, err := kafka.ProduceNDJSON(context.Background(), kafka.Config{Brokers: c.ListenAddrs()}, topic, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func compiledRules(t *testing.T) []*rules.Program {
	t.Helper()
	set, errs := rules.LoadSet(nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var progs []*rules.Program
	for _, r := range set {
		p, err := rules.Compile(r, nil, engine.Options{Now: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		progs = append(progs, p)
	}
	return progs
}

// node is one tiercel serve instance: its own event store and pipeline,
// the shared alert store, a Kafka consumer and the alert-topic action.
type node struct {
	consumer *kafka.Consumer
	cancel   context.CancelFunc
	done     chan struct{}
}

func startNode(t *testing.T, c *kfake.Cluster, store alert.Store, progs []*rules.Program) *node {
	t.Helper()
	return startNodeIn(t, t.TempDir(), c, store, progs)
}

// benchEnrich turns stream enrichment on in the nodes (the serve default),
// for BenchmarkConsume; the tests feed already-enriched events.
var benchEnrich bool

func startNodeIn(t testing.TB, dir string, c *kfake.Cluster, store alert.Store, progs []*rules.Program) *node {
	t.Helper()
	events, err := segment.Open(filepath.Join(dir, "events"), segment.Options{})
	if err != nil {
		t.Fatal(err)
	}
	topicAction, err := kafka.NewAlertTopic(kafka.Config{Brokers: c.ListenAddrs()}, alertTopic)
	if err != nil {
		t.Fatal(err)
	}
	disp := &action.Dispatcher{Store: store, Actions: map[string]action.Action{topicAction.Name(): topicAction}, Log: quietLog,
		Backoff: func(int) time.Duration { return 50 * time.Millisecond }}
	pipe := &serve.Pipeline{Events: events, Alerts: store, Detect: serve.NewDetector(progs, !benchEnrich, serve.CorrelationOptions{}, serve.LateOptions{}),
		Actions: []string{topicAction.Name()}, Log: quietLog, Delivered: disp.Wake}
	ctx, cancel := context.WithCancel(context.Background())
	n := &node{
		consumer: &kafka.Consumer{Config: kafka.Config{Brokers: c.ListenAddrs()}, Topics: []string{topic}, Group: group,
			MaxRecords: 10000, SessionTimeout: 2 * time.Second, Log: quietLog, Extra: debugOpts},
		cancel: cancel, done: make(chan struct{}),
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); pipe.Run(context.Background()) }()
	go func() { defer wg.Done(); disp.Run(ctx) }()
	go func() {
		if err := n.consumer.Run(ctx, pipe); err != nil {
			t.Errorf("consumer: %v", err)
		}
		pipe.Close()
		wg.Wait()
		topicAction.Close()
		events.Close()
		close(n.done)
	}()
	return n
}

func (n *node) stop() { n.cancel(); <-n.done }

// committed is the group's committed offset total over the topic.
func committed(t *testing.T, c *kfake.Cluster) int64 {
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Group = group
	rt := kmsg.NewOffsetFetchRequestTopic()
	rt.Topic = topic
	for p := int32(0); p < partitions; p++ {
		rt.Partitions = append(rt.Partitions, p)
	}
	req.Topics = append(req.Topics, rt)
	// Version 8 and later ask by groups.
	rg := kmsg.NewOffsetFetchRequestGroup()
	rg.Group = group
	gt := kmsg.NewOffsetFetchRequestGroupTopic()
	gt.Topic, gt.Partitions = topic, rt.Partitions
	rg.Topics = append(rg.Topics, gt)
	req.Groups = append(req.Groups, rg)
	resp, err := req.RequestWith(context.Background(), cl)
	if err != nil {
		return 0
	}
	var n int64
	if len(resp.Groups) == 0 {
		for _, tp := range resp.Topics {
			for _, p := range tp.Partitions {
				n += max(p.Offset, 0)
			}
		}
	}
	for _, g := range resp.Groups {
		for _, tp := range g.Topics {
			for _, p := range tp.Partitions {
				n += max(p.Offset, 0)
			}
		}
	}
	return n
}

func storedIDs(t *testing.T, store alert.Store) map[string]int {
	t.Helper()
	list, err := store.List(context.Background(), alert.Filter{Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int{}
	for _, a := range list {
		ids[a.ID]++
	}
	return ids
}

// topicIDs reads the alert topic from the start: ids and how often each came.
func topicIDs(t *testing.T, c *kfake.Cluster, want int) map[string]int {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics(alertTopic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ids := map[string]int{}
	deadline := time.Now().Add(20 * time.Second)
	for len(ids) < want && time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		fs := cl.PollFetches(ctx)
		cancel()
		fs.EachRecord(func(r *kgo.Record) {
			var v map[string]any
			if json.Unmarshal(r.Value, &v) == nil && v["alert_id"] == string(r.Key) {
				ids[string(r.Key)]++
			}
		})
	}
	return ids
}

// waitConsumed waits until the nodes together made every produced event
// durable, and returns the longest time the group's progress stalled.
func waitConsumed(t *testing.T, c *kfake.Cluster, produced int64) time.Duration {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var last int64
	lastMove, stall := time.Now(), time.Duration(0)
	for time.Now().Before(deadline) {
		n := committed(t, c)
		if n != last {
			last, lastMove = n, time.Now()
		}
		stall = max(stall, time.Since(lastMove))
		if n >= produced {
			return stall
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("group committed %d of %d records in time", committed(t, c), produced)
	return 0
}

// slices cuts NDJSON into n parts at line ends.
func slices(data []byte, n int) [][]byte {
	var out [][]byte
	size := len(data)/n + 1
	for len(data) > 0 {
		end := min(size, len(data))
		if i := bytes.IndexByte(data[end-1:], '\n'); i >= 0 {
			end += i
		} else {
			end = len(data)
		}
		out = append(out, data[:end])
		data = data[end:]
	}
	return out
}

func compare(t *testing.T, what string, got map[string]int, want map[string]bool) {
	t.Helper()
	lost, extra, dup := 0, 0, 0
	for id := range want {
		if got[id] == 0 {
			lost++
		}
	}
	for id, n := range got {
		if !want[id] {
			extra++
		}
		if n > 1 {
			dup += n - 1
		}
	}
	if lost > 0 || extra > 0 {
		t.Errorf("%s: %d alerts, hunt found %d: %d lost, %d not found by hunt", what, len(got), len(want), lost, extra)
	}
	if dup > 0 && what == "alert store" {
		t.Errorf("%s: %d duplicate alerts", what, dup)
	}
	t.Logf("%s: %d alerts (%d duplicate deliveries, each with the same id), hunt: %d", what, len(got), dup, len(want))
}

func TestKafkaConsumerGroupMatchesHunt(t *testing.T) {
	data := telemetry(t, 30000)
	want := huntIDs(t, data)
	progs := compiledRules(t)
	var dsn string

	tests := []struct {
		name     string
		nodes    int
		postgres bool // the instances share a PostgreSQL alert store
		// disturb runs while the nodes consume; it returns the nodes still running.
		disturb func(t *testing.T, c *kfake.Cluster, store alert.Store, nodes []*node) []*node
	}{
		{name: "two consumers", nodes: 2},
		{name: "three consumers", nodes: 3},
		{name: "three consumers sharing PostgreSQL", nodes: 3, postgres: true},
		{name: "consumer killed mid-batch, replaced", nodes: 2, disturb: func(t *testing.T, c *kfake.Cluster, store alert.Store, nodes []*node) []*node {
			for nodes[0].consumer.Stats().Records.Load() == 0 {
				time.Sleep(time.Millisecond)
			}
			nodes[0].stop()
			return append(nodes[1:], startNode(t, c, store, progs))
		}},
		{name: "rebalance under load", nodes: 2, disturb: func(t *testing.T, c *kfake.Cluster, store alert.Store, nodes []*node) []*node {
			for i := 0; i < 5; i++ {
				nodes = append(nodes, startNode(t, c, store, progs))
				time.Sleep(200 * time.Millisecond)
				nodes[0].stop()
				nodes = nodes[1:]
				time.Sleep(200 * time.Millisecond)
			}
			return nodes
		}},
		{name: "partition leadership change", nodes: 3, disturb: func(t *testing.T, c *kfake.Cluster, _ alert.Store, nodes []*node) []*node {
			for i := 0; i < 10; i++ {
				c.ShufflePartitionLeaders()
				time.Sleep(150 * time.Millisecond)
			}
			return nodes
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCluster(t)
			var stores []alert.Store
			open := func() alert.Store {
				var s alert.Store
				var err error
				if tc.postgres {
					s, err = alert.OpenPostgres(dsn)
				} else if len(stores) == 0 {
					s, err = alert.OpenSQLite(filepath.Join(t.TempDir(), "alerts.db"))
				} else {
					return stores[0] // one embedded store stands for a shared one
				}
				if err != nil {
					t.Fatal(err)
				}
				stores = append(stores, s)
				return s
			}
			if tc.postgres && dsn == "" {
				dsn = pgtest.Start(t)
			}
			defer func() {
				for _, s := range stores {
					s.Close()
				}
			}()
			var nodes []*node
			for i := 0; i < tc.nodes; i++ {
				nodes = append(nodes, startNode(t, c, open(), progs))
			}
			store := stores[0]
			// Events arrive over about two seconds while the group is disturbed.
			produced := make(chan kafka.ProduceStats)
			go func() {
				var total kafka.ProduceStats
				for _, part := range slices(data, 20) {
					st := produce(t, c, part)
					total.Records += st.Records
					total.MissingAid += st.MissingAid
					time.Sleep(100 * time.Millisecond)
				}
				produced <- total
			}()
			if tc.disturb != nil {
				nodes = tc.disturb(t, c, store, nodes)
			}
			st := <-produced
			stall := waitConsumed(t, c, st.Records)
			rebalances := int64(0)
			for _, n := range nodes {
				rebalances += n.consumer.Stats().Rebalances.Load()
			}
			got := storedIDs(t, store)
			compare(t, "alert store", got, want)
			compare(t, "alert topic", topicIDs(t, c, len(want)), want)
			for _, n := range nodes {
				n.stop()
			}
			t.Logf("%d events produced (%d without aid); longest pause in the group's progress %v; %d partition releases seen by the last nodes", st.Records, st.MissingAid, stall.Round(time.Millisecond), rebalances)
		})
	}
}

func TestKafkaDuplicateProducerMakesNoSecondAlert(t *testing.T) {
	data := telemetry(t, 8000)
	want := huntIDs(t, data)
	c := newCluster(t)
	store, err := alert.OpenSQLite(filepath.Join(t.TempDir(), "alerts.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	n := startNode(t, c, store, compiledRules(t))
	defer n.stop()
	st1 := produce(t, c, data)
	st2 := produce(t, c, data) // a producer retrying everything
	waitConsumed(t, c, st1.Records+st2.Records)
	compare(t, "alert store", storedIDs(t, store), want)
}

func TestConsumerCountsMissingKeys(t *testing.T) {
	c := newCluster(t)
	lines := "{\"event_simpleName\":\"DnsRequest\",\"DomainName\":\"example.com\",\"id\":\"x1\",\"timestamp\":\"1772442000000\"}\n"
	st, err := kafka.ProduceNDJSON(context.Background(), kafka.Config{Brokers: c.ListenAddrs()}, topic, strings.NewReader(lines))
	if err != nil {
		t.Fatal(err)
	}
	if st.MissingAid != 1 {
		t.Errorf("producer counted %d events without aid, want 1", st.MissingAid)
	}
	store, err := alert.OpenSQLite(filepath.Join(t.TempDir(), "alerts.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	n := startNode(t, c, store, compiledRules(t))
	waitConsumed(t, c, 1)
	n.stop()
	if got := n.consumer.Stats().MissingKey.Load(); got != 1 {
		t.Errorf("consumer counted %d records without key, want 1", got)
	}
}

func TestConfigOptions(t *testing.T) {
	tests := []struct {
		cfg  kafka.Config
		want string
	}{
		{kafka.Config{}, "no brokers"},
		{kafka.Config{Brokers: []string{"b:9092"}, SASLMechanism: "gssapi"}, "unknown SASL mechanism"},
		{kafka.Config{Brokers: []string{"b:9092"}, CAFile: "/nonexistent/ca.pem"}, "CA file"},
		{kafka.Config{Brokers: []string{"b:9092"}, SASLMechanism: "SCRAM-SHA-512", SASLUser: "u", SASLPassword: "p"}, ""},
		{kafka.Config{Brokers: []string{"b:9092"}, SASLMechanism: "plain", SASLUser: "u", SASLPassword: "p", TLS: true}, ""},
	}
	for _, tc := range tests {
		_, err := tc.cfg.Options()
		if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: error %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

func TestEmulateToKafkaKeysByAid(t *testing.T) {
	c := newCluster(t)
	var stderr bytes.Buffer
	code := cli.Main([]string{"emulate", "--events", "3000", "--hosts", "10", "--kafka", strings.Join(c.ListenAddrs(), ","), "--topic", topic},
		strings.NewReader(""), io.Discard, &stderr)
	if code != 0 {
		t.Fatalf("emulate --kafka exit %d: %s", code, stderr.String())
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	partOf := map[string]int32{}
	n := 0
	for n < 3000 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		fs := cl.PollFetches(ctx)
		cancel()
		if ctx.Err() != nil && fs.NumRecords() == 0 {
			break
		}
		fs.EachRecord(func(r *kgo.Record) {
			n++
			var ev map[string]any
			if err := json.Unmarshal(r.Value, &ev); err != nil {
				t.Fatalf("record is not one JSON event: %v", err)
			}
			if ev["aid"] != string(r.Key) {
				t.Fatalf("record keyed %q carries aid %v", r.Key, ev["aid"])
			}
			if p, ok := partOf[string(r.Key)]; ok && p != r.Partition {
				t.Fatalf("host %s in partitions %d and %d", r.Key, p, r.Partition)
			}
			partOf[string(r.Key)] = r.Partition
		})
	}
	if n != 3000 {
		t.Errorf("%d records on the topic, want 3000", n)
	}
}

// TestServeWithKafka runs the real server wiring: tiercel serve configured
// with a Kafka source, the alert topic and a PostgreSQL alert store.
func TestServeWithKafka(t *testing.T) {
	data := telemetry(t, 10000)
	want := huntIDs(t, data)
	c := newCluster(t)
	dsn := pgtest.Start(t)
	var srvs []*serve.Server
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	for i := 0; i < 2; i++ {
		cfg := &serve.Config{
			Data: t.TempDir(), Listen: "127.0.0.1:0", NoEnrich: true,
			IngestTokens: []serve.IngestToken{{Name: "edr", Token: "ingest"}}, APITokens: []string{"api"},
			Kafka:      serve.KafkaConfig{Brokers: c.ListenAddrs(), Topics: []string{topic}, Group: group, AlertTopic: alertTopic},
			AlertStore: serve.AlertStoreConfig{Postgres: dsn},
		}
		srv, err := serve.New(cfg, compiledRules(t), quietLog)
		if err != nil {
			t.Fatal(err)
		}
		srvs = append(srvs, srv)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.Run(ctx); err != nil {
				t.Errorf("serve: %v", err)
			}
		}()
	}
	st := produce(t, c, data)
	waitConsumed(t, c, st.Records)
	compare(t, "alert store", storedIDs(t, srvs[0].Alerts), want)
	compare(t, "alert topic", topicIDs(t, c, len(want)), want)
	cancel()
	wg.Wait()
}

// BenchmarkConsume measures one instance consuming emulated telemetry from
// kfake through the whole commit path (event store, detection, alert
// store, offset commit). Reported as events/s.
func BenchmarkConsume(b *testing.B) {
	t := &testing.T{}
	benchEnrich = true
	defer func() { benchEnrich = false }()
	data := telemetry(t, 100000)
	progs := compiledRules(t)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, topic), kfake.SeedTopics(1, alertTopic),
			kfake.GroupMinSessionTimeout(200*time.Millisecond))
		if err != nil {
			b.Fatal(err)
		}
		st, err := kafka.ProduceNDJSON(context.Background(), kafka.Config{Brokers: c.ListenAddrs()}, topic, bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		dir := b.TempDir()
		store, err := alert.OpenSQLite(filepath.Join(dir, "alerts.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		began := time.Now()
		n := startNodeIn(b, dir, c, store, progs)
		for committed(t, c) < st.Records {
			time.Sleep(5 * time.Millisecond)
		}
		b.ReportMetric(float64(st.Records)/time.Since(began).Seconds(), "events/s")
		b.StopTimer()
		n.stop()
		store.Close()
		c.Close()
	}
}
