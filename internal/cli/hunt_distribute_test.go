package cli

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/tiercel/tiercel/internal/distribute"
	"github.com/tiercel/tiercel/internal/s3store/s3fake"
)

// waitGroupMembers waits until group is stable with n members.
func waitGroupMembers(t *testing.T, brokers []string, group string, n int) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		req := kmsg.NewPtrDescribeGroupsRequest()
		req.Groups = []string{group}
		resp, err := req.RequestWith(context.Background(), cl)
		if err == nil && len(resp.Groups) == 1 && resp.Groups[0].State == "Stable" && len(resp.Groups[0].Members) == n {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("group %s never had %d stable members", group, n)
}

// readAlertTopic consumes topic from the start until want records arrived.
func readAlertTopic(t *testing.T, brokers []string, topic string, want int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var recs []*kgo.Record
	for len(recs) < want {
		f := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("alert topic: %d of %d records", len(recs), want)
		}
		recs = append(recs, f.Records()...)
	}
	return recs
}

var workerLine = regexp.MustCompile(`hunt: worker \S+: (\d+) item\(s\), (\d+) object\(s\), (\d+) alert\(s\)`)

// Three instances of one group share an archive hunt: every FDR batch is
// hunted once, by one of them, and the alerts that meet in the alert topic
// are exactly those of one local hunt of the whole tree.
func TestHuntDistributeMatchesLocal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Kafka cluster and three workers")
	}
	dir := emulatedFDR(t, "30000")
	srv := s3fake.Start(t)
	srv.Upload(t, "fdr-archive", "falcon", dir)
	s3flags := s3Env(t, srv)
	cluster, err := kfake.NewCluster(kfake.NumBrokers(3))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	brokers := cluster.ListenAddrs()
	kafka := []string{"--distribute", "--kafka-brokers", strings.Join(brokers, ","), "--work-topic", "hunt-work", "--work-partitions", "6"}

	code, local, stderr := runTiercel(t, "", "hunt", "--format", "json", "--quiet", dir)
	if code != ExitOK {
		t.Fatalf("local hunt: exit %d: %s", code, stderr)
	}
	localLines := strings.Split(strings.TrimSuffix(local, "\n"), "\n")

	const workers = 3
	var wg sync.WaitGroup
	stderrs := make([]string, workers)
	codes := make([]int, workers)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			args := append([]string{"hunt"}, kafka...)
			args = append(args, "--group", "hunters", "--alert-topic", "hunt-alerts", "--idle-exit", "3s")
			codes[i], _, stderrs[i] = runTiercel(t, "", append(args, s3flags...)...)
		}()
	}
	waitGroupMembers(t, brokers, "hunters", workers)
	began := time.Now()
	code, _, stderr = runTiercel(t, "", append(append([]string{"hunt"}, kafka...), append(s3flags, "s3://fdr-archive/falcon")...)...)
	if code != ExitOK || !strings.Contains(stderr, "hunt: published 6 work item(s) (18 telemetry object(s), 2 lookup object(s) each)") {
		t.Fatalf("publish: exit %d: %s", code, stderr)
	}
	wg.Wait()
	items, alerts := 0, 0
	for i := range workers {
		m := workerLine.FindStringSubmatch(stderrs[i])
		if codes[i] != ExitOK || m == nil {
			t.Fatalf("worker %d: exit %d: %s", i, codes[i], stderrs[i])
		}
		n, _ := strconv.Atoi(m[1])
		a, _ := strconv.Atoi(m[3])
		if n == 0 {
			t.Errorf("worker %d hunted nothing: %s", i, stderrs[i])
		}
		items += n
		alerts += a
		t.Logf("worker %d: %s", i, strings.TrimSpace(m[0]))
	}
	if items != 6 {
		t.Fatalf("%d items hunted, want each of 6 once", items)
	}
	recs := readAlertTopic(t, brokers, "hunt-alerts", alerts)
	t.Logf("distributed hunt: %d items, %d alerts in %v (idle exit included)", items, alerts, time.Since(began))
	byID := map[string]string{}
	for _, r := range recs {
		id, err := distribute.AlertID(r.Value)
		if err != nil || id != string(r.Key) {
			t.Fatalf("record key %s, alert id %s (%v)", r.Key, id, err)
		}
		if prev, dup := byID[id]; dup && prev != string(r.Value) {
			t.Fatalf("alert id %s for two different alerts", id)
		}
		byID[id] = string(r.Value)
	}
	var got []string
	for _, v := range byID {
		got = append(got, v)
	}
	slices.Sort(got)
	want := slices.Clone(localLines)
	slices.Sort(want)
	want = slices.Compact(want)
	if !slices.Equal(got, want) {
		var missing, extra []string
		for _, w := range want {
			if !slices.Contains(got, w) {
				missing = append(missing, w)
			}
		}
		for _, g := range got {
			if !slices.Contains(want, g) {
				extra = append(extra, g)
			}
		}
		t.Fatalf("distributed alerts differ from the local hunt (%d vs %d)\nmissing:\n%s\nextra:\n%s",
			len(got), len(want), strings.Join(missing, "\n"), strings.Join(extra, "\n"))
	}
}
