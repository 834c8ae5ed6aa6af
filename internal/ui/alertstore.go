package ui

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/tiercel/tiercel/internal/alert"
)

// Alerts adapts tiercel's alert store to the page: each alert is its
// `hunt --format json` body plus alert_id, status and the triage trail.
func Alerts(s alert.Store) AlertStore { return storeAdapter{s} }

type storeAdapter struct{ s alert.Store }

// scanLimit bounds how many stored alerts one page request reads.
const scanLimit = 20000

func (a storeAdapter) ListAlerts(ctx context.Context, f AlertFilter) ([]Alert, int, error) {
	stored, err := a.s.List(ctx, alert.Filter{Rule: f.Rule, Branch: f.Branch, Status: f.Status, Since: f.Since, Until: f.Until, Limit: scanLimit})
	if err != nil {
		return nil, 0, err
	}
	// Newest event first, as an analyst reads them.
	sort.SliceStable(stored, func(i, j int) bool {
		if stored[i].EventTime != stored[j].EventTime {
			return stored[i].EventTime > stored[j].EventTime
		}
		return stored[i].Seq > stored[j].Seq
	})
	var out []Alert
	for _, al := range stored {
		m := Alert{}
		if err := json.Unmarshal(al.JSON, &m); err != nil {
			m = Alert{"rule": al.Rule, "title": al.Title, "severity": al.Severity, "DetectionBranch": al.Branch}
		}
		if !matches(m, "ComputerName", f.Host) || !matches(m, "UserName", f.User) || (f.Severity != "" && al.Severity != f.Severity) {
			continue
		}
		m["alert_id"] = al.ID
		m["status"] = al.Status
		m["count"] = al.Count
		m["first_seen"] = al.FirstSeen.UnixMilli()
		m["last_seen"] = al.LastSeen.UnixMilli()
		if al.StatusBy != "" {
			m["status_by"] = al.StatusBy
			m["status_at"] = al.StatusAt.UnixMilli()
			m["status_note"] = al.StatusNote
		}
		out = append(out, m)
	}
	total := len(out)
	if f.Offset > 0 {
		out = out[min(f.Offset, len(out)):]
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, total, nil
}

// matches compares a host or user filter case-insensitively, as a substring.
func matches(m Alert, field, want string) bool {
	if want == "" {
		return true
	}
	v, _ := m[field].(string)
	return strings.Contains(strings.ToLower(v), strings.ToLower(want))
}

func (a storeAdapter) SetAlertStatus(ctx context.Context, ids []string, status, note, who string) error {
	now := time.Now()
	for _, id := range ids {
		if _, err := a.s.SetStatus(ctx, id, status, who, note, now); err != nil {
			return err
		}
	}
	return nil
}
