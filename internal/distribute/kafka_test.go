package distribute

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// A worker killed in the middle of an item commits nothing for it: the
// next member of the group hunts it again, and every item's alert reaches
// the alert topic (at least once; one per id after deduplication).
func TestWorkerKilledMidItem(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(3))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	brokers := cluster.ListenAddrs()
	var urls []string
	for i := range 6 {
		urls = append(urls, fmt.Sprintf("s3://b/r/data/u%d/part-00000.gz", i))
	}
	items := Plan("s3://b/r", urls)
	ctx := context.Background()
	if err := Publish(ctx, brokers, nil, "work", 3, items); err != nil {
		t.Fatal(err)
	}
	cfg := WorkerConfig{Brokers: brokers, WorkTopic: "work", Group: "g", AlertTopic: "alerts", Partitions: 3}
	var mu sync.Mutex
	hunted := map[string][]string{}
	hunter := func(name string, block int) HuntFunc {
		return func(ctx context.Context, it Item) ([]Alert, error) {
			mu.Lock()
			hunted[name] = append(hunted[name], it.Batch)
			n := len(hunted[name])
			mu.Unlock()
			if n == block {
				<-ctx.Done() // killed mid-item
				return nil, ctx.Err()
			}
			return []Alert{{ID: it.Batch, JSON: []byte(`{"batch":"` + it.Batch + `"}`)}}, nil
		}
	}
	// Worker a hunts one item, then dies in the middle of its second.
	ctxA, kill := context.WithCancel(ctx)
	doneA := make(chan error)
	var stA WorkerStats
	go func() {
		var err error
		stA, err = Work(ctxA, cfg, hunter("a", 2))
		doneA <- err
	}()
	for {
		mu.Lock()
		n := len(hunted["a"])
		mu.Unlock()
		if n == 2 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	kill()
	if err := <-doneA; err == nil || stA.Items != 1 {
		t.Fatalf("killed worker: err %v, %d items committed", err, stA.Items)
	}
	abandoned := hunted["a"][1]
	cfg.IdleExit = 2 * time.Second
	stB, err := Work(ctx, cfg, hunter("b", -1))
	if err != nil {
		t.Fatal(err)
	}
	if stB.Items != 5 || !slices.Contains(hunted["b"], abandoned) || slices.Contains(hunted["b"], hunted["a"][0]) {
		t.Fatalf("a hunted %v (died in %s), b hunted %v", hunted["a"], abandoned, hunted["b"])
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics("alerts"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	seen := map[string]bool{}
	for len(seen) < 6 && pctx.Err() == nil {
		cl.PollFetches(pctx).EachRecord(func(r *kgo.Record) { seen[string(r.Key)] = true })
	}
	if len(seen) != 6 {
		t.Fatalf("alerts for %d of 6 items: %v", len(seen), seen)
	}
}

// A member joining while another is busy takes a share at the next item
// boundary; since rebalances wait for the item in hand to be committed, no
// item is hunted twice and none is lost.
func TestWorkerJoinsUnderLoad(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(3))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	brokers := cluster.ListenAddrs()
	var urls []string
	for i := range 24 {
		urls = append(urls, fmt.Sprintf("s3://b/r/data/u%02d/part-00000.gz", i))
	}
	ctx := context.Background()
	if err := Publish(ctx, brokers, nil, "work", 6, Plan("s3://b/r", urls)); err != nil {
		t.Fatal(err)
	}
	cfg := WorkerConfig{Brokers: brokers, WorkTopic: "work", Group: "g", AlertTopic: "alerts", Partitions: 6, IdleExit: 2 * time.Second}
	var mu sync.Mutex
	count := map[string]int{}
	by := map[string]int{}
	hunter := func(name string) HuntFunc {
		return func(ctx context.Context, it Item) ([]Alert, error) {
			time.Sleep(100 * time.Millisecond) // a hunt takes a while
			mu.Lock()
			count[it.Batch]++
			by[name]++
			mu.Unlock()
			return []Alert{{ID: it.Batch, JSON: []byte("{}")}}, nil
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	start := func(i int, name string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = Work(ctx, cfg, hunter(name))
		}()
	}
	start(0, "a")
	for {
		mu.Lock()
		n := by["a"]
		mu.Unlock()
		if n >= 3 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	start(1, "b") // joins mid-run
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(count) != 24 {
		t.Fatalf("%d of 24 items hunted", len(count))
	}
	for b, n := range count {
		if n != 1 {
			t.Errorf("%s hunted %d times", b, n)
		}
	}
	if by["b"] == 0 {
		t.Errorf("the member that joined got no share: %v", by)
	}
	t.Logf("shares: %v", by)
}
