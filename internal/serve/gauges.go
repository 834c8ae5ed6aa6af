package serve

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// registerGauges exposes store sizes, read when scraped.
func (s *Server) registerGauges() {
	alertStat := func(pick func(a, p, b int64) int64) func() float64 {
		return func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			st, err := s.Alerts.Stats(ctx)
			if err != nil {
				return -1
			}
			return float64(pick(st.Alerts, st.PendingDeliveries, st.Bytes))
		}
	}
	s.Metrics.Registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tiercel_event_store_bytes", Help: "Event store size on disk."},
			func() float64 { return float64(s.Events.Stats().DiskBytes) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tiercel_event_store_segments", Help: "Event store segments."},
			func() float64 { return float64(s.Events.Stats().Segments) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tiercel_alert_store_alerts", Help: "Alerts stored."},
			alertStat(func(a, _, _ int64) int64 { return a })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tiercel_deliveries_pending", Help: "Deliveries queued or awaiting retry."},
			alertStat(func(_, p, _ int64) int64 { return p })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tiercel_late_events_held", Help: "Context events waiting for their process start."},
			func() float64 { return float64(s.Detector.Held()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tiercel_correlation_recheck_events", Help: "Events waiting for the correlation rules' second pass."},
			func() float64 { return float64(s.Detector.Rechecking()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tiercel_alert_store_bytes", Help: "Alert store size on disk."},
			alertStat(func(_, _, b int64) int64 { return b })),
	)
}
