package s3store_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tiercel/tiercel/internal/s3store"
	"github.com/tiercel/tiercel/internal/s3store/s3fake"
)

// BenchmarkReadAll reads 32 objects of 1 MiB from the in-test server with
// 1 and 8 requests in flight, on loopback and with 20 ms of first-byte
// latency per request (what parallel reads hide on a real object store);
// it reports objects/s and MB/s.
func BenchmarkReadAll(b *testing.B) {
	for _, lat := range []time.Duration{0, 20 * time.Millisecond} {
		b.Run(fmt.Sprintf("latency=%v", lat), func(b *testing.B) { benchReadAll(b, lat) })
	}
}

func benchReadAll(b *testing.B, latency time.Duration) {
	srv := s3fake.StartWithLatency(b, latency)
	ctx := context.Background()
	st := srv.Store(b)
	if err := st.CreateBucket(ctx, "bench"); err != nil {
		b.Fatal(err)
	}
	body := bytes.Repeat([]byte(`{"event_simpleName":"DnsRequest","aid":"x"}`+"\n"), 1<<20/44)
	var objs []s3store.Object
	for i := range 32 {
		k := fmt.Sprintf("data/u/part-%05d", i)
		if err := st.Put(ctx, "bench", k, bytes.NewReader(body)); err != nil {
			b.Fatal(err)
		}
		objs = append(objs, s3store.Object{Key: k, Size: int64(len(body))})
	}
	for _, conc := range []int{1, 8} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			opts := srv.Options()
			opts.Concurrency = conc
			st, err := s3store.New(ctx, opts)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(body) * len(objs)))
			for b.Loop() {
				if err := st.ReadAll(ctx, "bench", objs, func(s3store.Object, []byte) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(objs))/b.Elapsed().Seconds(), "objects/s")
		})
	}
}
