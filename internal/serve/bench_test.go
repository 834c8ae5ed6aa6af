package serve_test

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/source"
)

// BenchmarkPipeline measures the commit loop alone (store, detect, alert)
// on 5,000-event batches of emulated telemetry with fresh ids.
func BenchmarkPipeline(b *testing.B) {
	t := &testing.T{}
	_, lines := emulated(t, 50_000, 1)
	cfg := baseConfig(t)
	cfg.Data = b.TempDir()
	ts := start(t, cfg, nil)
	defer ts.stop()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		prefix := []byte(`"id":"b` + strconv.Itoa(i) + `-`)
		for j := 0; j < len(lines); j += 5000 {
			var batch [][]byte
			for _, l := range lines[j:min(j+5000, len(lines))] {
				batch = append(batch, bytes.Replace(l, []byte(`"id":"`), prefix, 1))
			}
			bt := source.NewBatch("bench", event.KindTelemetry, batch, "")
			if err := source.OfferWait(b.Context(), ts.Pipeline, bt); err != nil {
				b.Fatal(err)
			}
			if err := bt.Wait(b.Context()); err != nil {
				b.Fatal(err)
			}
			n += len(batch)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
