package serve

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the server's Prometheus series (GET /metrics).
type Metrics struct {
	Registry       *prometheus.Registry
	EventsIn       *prometheus.CounterVec // by source: events received and accepted
	EventsStored   prometheus.Counter
	EventsDup      prometheus.Counter
	Requests       *prometheus.CounterVec // by source and HTTP status
	Rejected       *prometheus.CounterVec // by source and reason (busy, closed)
	Alerts         *prometheus.CounterVec // by rule: new alerts
	AlertsDup      prometheus.Counter
	AlertsThrottle prometheus.Counter
	Deliveries     *prometheus.CounterVec // by action and outcome
	BatchLatency   prometheus.Histogram   // receipt to durable (events and alerts stored)
	QueueBytes     prometheus.Gauge
	EventLag       *prometheus.GaugeVec // by source: seconds between newest event time and now
}

// NewMetrics registers every series, plus Go and process collectors
// (process_resident_memory_bytes is the RSS).
func NewMetrics() *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{
		Registry:       r,
		EventsIn:       prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tiercel_events_in_total", Help: "Events accepted, by source."}, []string{"source"}),
		EventsStored:   prometheus.NewCounter(prometheus.CounterOpts{Name: "tiercel_events_stored_total", Help: "Events written to the event store."}),
		EventsDup:      prometheus.NewCounter(prometheus.CounterOpts{Name: "tiercel_events_duplicate_total", Help: "Events not stored again: their Falcon id was stored before."}),
		Requests:       prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tiercel_ingest_requests_total", Help: "Ingest requests by source and status."}, []string{"source", "code"}),
		Rejected:       prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tiercel_events_rejected_total", Help: "Events refused (not dropped: the sender was told to retry), by source and reason."}, []string{"source", "reason"}),
		Alerts:         prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tiercel_alerts_total", Help: "New alerts by rule."}, []string{"rule"}),
		AlertsDup:      prometheus.NewCounter(prometheus.CounterOpts{Name: "tiercel_alerts_duplicate_total", Help: "Alerts already stored (same alert id)."}),
		AlertsThrottle: prometheus.NewCounter(prometheus.CounterOpts{Name: "tiercel_alerts_throttled_total", Help: "Alerts folded into an earlier one by throttling."}),
		Deliveries:     prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tiercel_deliveries_total", Help: "Alert deliveries by action and outcome."}, []string{"action", "outcome"}),
		BatchLatency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "tiercel_ingest_to_alert_seconds", Help: "From receipt of a batch to its events and alerts being durable.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}),
		QueueBytes: prometheus.NewGauge(prometheus.GaugeOpts{Name: "tiercel_queue_bytes", Help: "Bytes accepted and not yet durable."}),
		EventLag:   prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "tiercel_source_lag_seconds", Help: "Now minus the newest event time seen, by source."}, []string{"source"}),
	}
	r.MustRegister(m.EventsIn, m.EventsStored, m.EventsDup, m.Requests, m.Rejected, m.Alerts, m.AlertsDup, m.AlertsThrottle,
		m.Deliveries, m.BatchLatency, m.QueueBytes, m.EventLag,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
