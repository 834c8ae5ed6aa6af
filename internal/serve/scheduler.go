package serve

import (
	"context"
	"log/slog"
	"time"

	"github.com/tiercel/tiercel/internal/alert"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/rules"
	"github.com/tiercel/tiercel/internal/segment"
	"github.com/tiercel/tiercel/internal/timerange"
)

// Job is a LogScale aggregate alert or scheduled search: Prog runs over
// the stored events of the last Interval, on Cron when set, else every
// Interval. Each result row is an alert; its id hashes the row, so the
// same result in a later window is the same alert.
type Job struct {
	Prog     *rules.Program
	Interval time.Duration
	Cron     *Cron
	Loc      *time.Location
	Actions  []string
}

// Scheduler runs jobs until its context ends.
type Scheduler struct {
	Jobs    []Job
	Events  *segment.Store
	Alerts  alert.Store
	Detect  *Detector // for alert candidates (ids, throttling)
	Metrics *Metrics
	Log     *slog.Logger
	Wake    func()
}

// Run starts one goroutine per job and waits for ctx.
func (s *Scheduler) Run(ctx context.Context) {
	done := make(chan struct{})
	for _, j := range s.Jobs {
		go func() {
			s.loop(ctx, j)
			done <- struct{}{}
		}()
	}
	for range s.Jobs {
		<-done
	}
}

func (s *Scheduler) loop(ctx context.Context, j Job) {
	loc := j.Loc
	if loc == nil {
		loc = time.UTC
	}
	for {
		now := time.Now().In(loc)
		next := now.Add(j.Interval)
		if j.Cron != nil {
			next = j.Cron.Next(now)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(next)):
		}
		if err := s.RunJob(ctx, j, time.Now()); err != nil && ctx.Err() == nil {
			s.Log.Error("scheduled search failed", "rule", j.Prog.Rule.ID, "err", err)
		}
	}
}

// RunJob runs one job over [now-Interval, now) and stores its alerts.
func (s *Scheduler) RunJob(ctx context.Context, j Job, now time.Time) error {
	if err := s.Events.Seal(); err != nil {
		return err
	}
	tr := timerange.Range{Start: now.Add(-j.Interval).UnixMilli(), End: now.UnixMilli()}
	paths := s.Events.Paths(tr.Start, tr.End)
	if len(paths) == 0 {
		return nil
	}
	var cands []alert.Candidate
	err := runStoreSearch(ctx, j.Prog.Engine, paths, tr, func(row *event.Event) error {
		cands = append(cands, s.Detect.Candidate(j.Prog, j.Prog.NewAlert(row)))
		return nil
	})
	if err != nil {
		return err
	}
	res, err := s.Alerts.Record(ctx, cands, j.Actions, now)
	if err != nil {
		return err
	}
	if s.Metrics != nil {
		for _, a := range res.New {
			s.Metrics.Alerts.WithLabelValues(a.Rule).Inc()
		}
	}
	if len(res.New) > 0 && s.Wake != nil {
		s.Wake()
	}
	s.Log.Info("scheduled search", "rule", j.Prog.Rule.ID, "rows", len(cands), "new_alerts", len(res.New))
	return nil
}
