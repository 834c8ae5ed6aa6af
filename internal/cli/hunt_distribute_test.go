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

// Instances of one group share an archive hunt: every FDR batch is hunted
// by one of them (twice when published twice: at least once), and the
// alerts that meet in the alert topic, deduplicated by their key (the
// stable alert id), are exactly those of one local hunt of the whole tree.
// With --context batch a worker learns process starts from its own
// batches only: alerts that need a process started in another batch are
// lost (measured and logged), and no alert appears that the local hunt
// lacks.
func TestHuntDistributeMatchesLocal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Kafka cluster and several workers")
	}
	dir := emulatedFDR(t, "30000")
	srv := s3fake.Start(t)
	srv.Upload(t, "fdr-archive", "falcon", dir)
	s3flags := s3Env(t, srv)
	code, local, stderr := runTiercel(t, "", "hunt", "--format", "json", "--quiet", dir)
	if code != ExitOK {
		t.Fatalf("local hunt: exit %d: %s", code, stderr)
	}
	want := strings.Split(strings.TrimSuffix(local, "\n"), "\n")
	slices.Sort(want)
	wantIDs := alertIDs(t, want)

	for _, tc := range []struct {
		name      string
		workers   int
		context   string
		publishes int
		combined  bool // the last worker publishes, then works
	}{
		{"three workers", 3, "archive", 1, false},
		{"published twice", 2, "archive", 2, false},
		{"batch context", 3, "batch", 1, false},
		{"publisher works too", 3, "archive", 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, recs := distributedHunt(t, s3flags, tc.workers, tc.context, tc.publishes, tc.combined)
			ids := alertIDs(t, got)
			if tc.context == "batch" {
				// Nothing appears that the whole-archive hunt lacks; what is
				// lost is measured, not hidden.
				for _, id := range ids {
					if _, found := slices.BinarySearch(wantIDs, id); !found {
						t.Fatalf("--context batch: alert %s that the local hunt does not have", id)
					}
				}
				same := 0
				for _, g := range got {
					if _, found := slices.BinarySearch(want, g); found {
						same++
					}
				}
				t.Logf("--context batch: %d of %d alerts found (%d lost), %d identical to the local hunt's; the others lack fields a process start in another batch adds",
					len(got), len(want), len(want)-len(got), same)
				return
			}
			if !slices.Equal(ids, wantIDs) {
				t.Fatalf("alert ids differ from the local hunt: %d vs %d", len(ids), len(wantIDs))
			}
			if recs != tc.publishes*len(want) {
				t.Errorf("%d alert records, want %d (each alert once per publication)", recs, tc.publishes*len(want))
			}
			if !slices.Equal(got, want) {
				t.Fatalf("distributed alerts differ from the local hunt\ngot:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// alertIDs returns the sorted stable ids of JSON alert lines.
func alertIDs(t *testing.T, lines []string) []string {
	t.Helper()
	var ids []string
	for _, l := range lines {
		id, err := distribute.AlertID([]byte(l))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// distributedHunt runs workers in one group on a fresh kfake cluster,
// publishes s3://fdr-archive/falcon publishes times (combined: the last
// worker publishes once, then joins), and returns the alerts of the alert
// topic deduplicated by key (sorted JSON lines) and the number of alert
// records.
func distributedHunt(t *testing.T, s3flags []string, workers int, context string, publishes int, combined bool) ([]string, int) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(3))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	brokers := cluster.ListenAddrs()
	kafka := []string{"--distribute", "--kafka-brokers", strings.Join(brokers, ","), "--work-topic", "hunt-work", "--work-partitions", "6"}
	var wg sync.WaitGroup
	stderrs := make([]string, workers)
	codes := make([]int, workers)
	published := "hunt: published 6 work item(s) (18 telemetry object(s), 2 lookup object(s) each)"
	start := func(i int, paths ...string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			args := append([]string{"hunt"}, kafka...)
			args = append(args, "--group", "hunters", "--alert-topic", "hunt-alerts", "--idle-exit", "3s", "--context", context)
			codes[i], _, stderrs[i] = runTiercel(t, "", append(append(args, s3flags...), paths...)...)
		}()
	}
	plain := workers
	if combined {
		plain--
	}
	for i := range plain {
		start(i)
	}
	waitGroupMembers(t, brokers, "hunters", plain)
	began := time.Now()
	if combined {
		start(plain, "s3://fdr-archive/falcon")
	} else {
		for range publishes {
			code, _, stderr := runTiercel(t, "", append(append([]string{"hunt"}, kafka...), append(s3flags, "s3://fdr-archive/falcon")...)...)
			if code != ExitOK || !strings.Contains(stderr, published) {
				t.Fatalf("publish: exit %d: %s", code, stderr)
			}
		}
	}
	wg.Wait()
	if combined && !strings.Contains(stderrs[plain], published) {
		t.Fatalf("publishing worker: %s", stderrs[plain])
	}
	took := time.Since(began)
	items, alerts := 0, 0
	for i := range workers {
		m := workerLine.FindStringSubmatch(stderrs[i])
		if codes[i] != ExitOK || m == nil {
			t.Fatalf("worker %d: exit %d: %s", i, codes[i], stderrs[i])
		}
		n, _ := strconv.Atoi(m[1])
		a, _ := strconv.Atoi(m[3])
		if n == 0 && i < plain { // a publisher joins last and may find the work taken
			t.Errorf("worker %d hunted nothing: %s", i, stderrs[i])
		}
		items += n
		alerts += a
		t.Logf("worker %d: %s", i, strings.TrimSpace(m[0]))
	}
	if items != 6*publishes {
		t.Fatalf("%d items hunted, want each of 6 once per publication (%d)", items, publishes)
	}
	recs := readAlertTopic(t, brokers, "hunt-alerts", alerts)
	t.Logf("%d items, %d alert records in %v (3 s idle exit included)", items, alerts, took)
	byID := map[string]string{}
	for _, r := range recs {
		id, err := distribute.AlertID(r.Value)
		if err != nil || id != string(r.Key) {
			t.Fatalf("record key %s, alert id %s (%v)", r.Key, id, err)
		}
		if prev, dup := byID[id]; dup && prev != string(r.Value) {
			t.Fatalf("alert id %s for two different alerts:\n%s\n%s", id, prev, r.Value)
		}
		byID[id] = string(r.Value)
	}
	var got []string
	for _, v := range byID {
		got = append(got, v)
	}
	slices.Sort(got)
	return got, len(recs)
}

func TestHuntDistributeUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--alert-topic", "a"}, "--distribute needs --kafka-brokers"},
		{[]string{"--kafka-brokers", "127.0.0.1:1"}, "--distribute needs PATHs to publish, --alert-topic to hunt, or both"},
		{[]string{"--kafka-brokers", "127.0.0.1:1", "-"}, "--distribute reads an archive, not standard input"},
		{[]string{"--kafka-brokers", "127.0.0.1:1", "--alert-topic", "a", "--group", ""}, "a worker needs --group"},
		{[]string{"--kafka-brokers", "127.0.0.1:1", "--alert-topic", "a", "--context", "host"}, `unknown --context "host" (want archive or batch)`},
	} {
		code, _, stderr := runTiercel(t, "", append([]string{"hunt", "--distribute"}, tc.args...)...)
		if code != ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr, ExitUsage, tc.want)
		}
	}
}
