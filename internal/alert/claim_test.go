package alert

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Of instances sharing one queue, exactly one claims each due delivery;
// an unfinished claim is due again after its lease.
func TestClaimOneWinner(t *testing.T) {
	if testDSN == "" {
		t.Skip("the embedded store has one dispatcher: claims are for a shared PostgreSQL store (TestStoreOnPostgres)")
	}
	ctx := context.Background()
	s, _ := openTest(t)
	now := time.UnixMilli(1_700_000_000_000)
	if _, err := s.Record(ctx, []Candidate{cand("r", "A", "e1", "h")}, []string{"topic"}, now); err != nil {
		t.Fatal(err)
	}
	due, err := s.Due(ctx, now, 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due %v %v", due, err)
	}
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, err := s.Claim(ctx, due[0], now.Add(time.Minute)); err != nil {
				t.Error(err)
			} else if ok {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Errorf("%d claims won, want 1", wins.Load())
	}
	if again, _ := s.Due(ctx, now.Add(30*time.Second), 10); len(again) != 0 {
		t.Errorf("claimed delivery due again within its lease: %v", again)
	}
	if again, _ := s.Due(ctx, now.Add(2*time.Minute), 10); len(again) != 1 {
		t.Errorf("after the lease: %d due, want 1", len(again))
	}
}
