package validate

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/rules"
	"github.com/tiercel/tiercel/internal/run"
)

// hunted is the rule run in several variants over one input, in one pass:
// index 0 untuned, then each available tuning alone, then all of them.
type hunted struct {
	rule        *rules.Rule
	names       []string
	all         int // index of the all-tunings variant (0 when there is none)
	progs       []*rules.Program
	alerts      [][]rules.Alert
	byID        []map[string]string // per variant: Falcon event id → branch
	unavailable []TuningResult
	enricher    *enrich.Enricher
	stats       *run.Stats
}

// huntVariants compiles the variants and hunts paths once through Falcon
// enrichment (file mode: learn pass, then search).
func huntVariants(ctx context.Context, r *rules.Rule, lookups, path string, workers int) (*hunted, error) {
	// Now is pinned to the emulated data's era only through the data itself:
	// the seed rule reads no clock, and a fixed value keeps runs identical.
	opts := engine.Options{LookupDir: lookups, Now: time.Unix(0, 0).UTC()}
	h := &hunted{rule: r}
	untuned, err := rules.Compile(r, nil, opts)
	if err != nil {
		return nil, err
	}
	h.add("untuned", untuned)
	var ok []string
	for _, t := range r.Tunings {
		if t.Status != rules.TuningReady {
			h.unavailable = append(h.unavailable, TuningResult{Name: t.Name, Reason: "status " + t.Status})
			continue
		}
		p, err := rules.Compile(r, []string{t.Name}, opts)
		if err != nil {
			h.unavailable = append(h.unavailable, TuningResult{Name: t.Name, Reason: firstLine(err.Error())})
			continue
		}
		h.add(t.Name, p)
		ok = append(ok, t.Name)
	}
	if len(ok) > 0 {
		p, err := rules.Compile(r, ok, opts)
		if err != nil {
			return nil, err
		}
		h.all = len(h.progs)
		h.add(AllTunings, p)
	}

	en, _, err := run.PrepareEnricher(ctx, run.EnrichInput{Paths: []string{path}, Workers: workers})
	if err != nil {
		return nil, err
	}
	h.enricher = en
	reader, err := ingest.Open([]string{path}, ingest.Options{})
	if err != nil {
		return nil, err
	}
	defer reader.Close()
	engines := make([]*engine.Program, len(h.progs))
	for i, p := range h.progs {
		engines[i] = p.Engine
	}
	h.stats, err = run.Search(ctx, engines, reader, run.Options{
		Workers:  workers,
		Enricher: en,
		Reopen: func() (run.Source, error) {
			return ingest.Open([]string{path}, ingest.Options{})
		},
		Emit: func(i int, row *event.Event) {
			a := h.progs[i].NewAlert(row)
			h.alerts[i] = append(h.alerts[i], a)
			h.byID[i][a.Get("id")] = a.Branch()
		},
	})
	if err != nil {
		return nil, err
	}
	if errs := reader.Errors(); len(errs) > 0 {
		return nil, errs[0]
	}
	for _, as := range h.alerts {
		sortAlerts(as)
	}
	return h, nil
}

func (h *hunted) add(name string, p *rules.Program) {
	h.names = append(h.names, name)
	h.progs = append(h.progs, p)
	h.alerts = append(h.alerts, nil)
	h.byID = append(h.byID, map[string]string{})
}

// sortAlerts orders alerts by @timestamp, then event id: a total order, so
// output never depends on how the run was scheduled.
func sortAlerts(as []rules.Alert) {
	slices.SortStableFunc(as, func(a, b rules.Alert) int {
		ta, _ := event.ParseNumber(a.Get(event.Timestamp))
		tb, _ := event.ParseNumber(b.Get(event.Timestamp))
		if c := cmp.Compare(ta, tb); c != 0 {
			return c
		}
		return strings.Compare(a.Get("id"), b.Get("id"))
	})
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
