package enrich

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tiercel/tiercel/internal/event"
)

// hostFields are the aidmaster columns copied onto events, named as in
// LogScale's aid_master_main.csv.
var hostFields = [...]string{
	"ComputerName", "AgentVersion", "Version", "ProductType", "MachineDomain",
	"OU", "SiteName", "SystemManufacturer", "SystemProductName", "event_platform",
}

// HostFields lists the aidmaster columns Apply copies onto events.
func HostFields() []string { return slices.Clone(hostFields[:]) }

type hostRecord struct {
	time float64
	vals [len(hostFields)]string
}

// hostDir holds the newest aidmaster record per aid.
type hostDir struct {
	mu    sync.RWMutex
	m     map[string]*hostRecord
	limit int
	// replaced: a record was replaced by one with other values, so a value
	// read from the first may not be the last (Enricher.Rehosted)
	replaced atomic.Bool
}

// missing reports whether an aidmaster value means "unknown".
func missing(v string) bool {
	v = strings.TrimSpace(v)
	return v == "" || v == "-" || strings.EqualFold(v, "none")
}

// recordTime reads a lookup record's snapshot time ("sec[.frac]"); records
// without one sort as oldest.
func recordTime(ev *event.Event) float64 {
	for _, name := range [...]string{"Time", "_time"} {
		if v, ok := ev.Get(name); ok {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				return f
			}
		}
	}
	return 0
}

// learn keeps rec if it is the newest seen for its aid. Of two records of
// one time the one whose values sort first wins, so workers learning
// aidmaster in any order keep the same one.
func (d *hostDir) learn(aid string, ev *event.Event) bool {
	t := recordTime(ev)
	d.mu.RLock()
	old := d.m[aid]
	d.mu.RUnlock()
	if old != nil && old.time > t {
		return false
	}
	rec := &hostRecord{time: t}
	for i, name := range hostFields {
		if v, ok := ev.Get(name); ok && !missing(v) {
			rec.vals[i] = strings.Clone(v)
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if old := d.m[aid]; old != nil && (old.time > t || old.time == t && slices.Compare(old.vals[:], rec.vals[:]) <= 0) {
		return false
	}
	if old := d.m[aid]; old != nil && old.vals != rec.vals {
		d.replaced.Store(true)
	}
	if _, ok := d.m[aid]; !ok && d.limit > 0 && len(d.m) >= d.limit {
		dropOne(d.m)
	}
	d.m[strings.Clone(aid)] = rec
	return true
}

func (d *hostDir) get(aid string) *hostRecord {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.m[aid]
}

// SettledHostField tells the value Apply gives the aidmaster column field
// (HostFields) of a raw event of sensor aid that lacks it ("": none):
// the newest record's for the sensor, none without a sensor. While the
// input is still being learned (final false) it is certain once a record
// of the sensor was learned (a newer one that differs is reported by
// Rehosted); once learning is over a sensor without one gives none. aid is
// raw JSON string contents without escapes (nil: the event has none).
func (e *Enricher) SettledHostField(field string, aid []byte, final bool) (string, bool) {
	i := slices.Index(hostFields[:], field)
	switch {
	case e.stream || i < 0:
		return "", false
	case len(aid) == 0:
		return "", true
	}
	e.hosts.mu.RLock()
	rec := e.hosts.m[string(aid)]
	e.hosts.mu.RUnlock()
	if rec == nil {
		return "", final
	}
	return rec.vals[i], true
}

func (d *hostDir) len() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.m)
}

// dropOne removes an arbitrary entry (Go randomises map iteration) to keep a
// map under its bound.
func dropOne[K comparable, V any](m map[K]V) {
	for k := range m {
		delete(m, k)
		return
	}
}
