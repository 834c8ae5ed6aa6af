package validate

import (
	"slices"

	"github.com/tiercel/tiercel/internal/emulate"
)

// FPExpectation checks the manifest's per-scenario verdicts for a source
// whose tuning depends on the telemetry around each alert (browser-prefetch:
// is there a non-browser process start within 60 s?) against the hunt with
// only that tuning on.
type FPExpectation struct {
	Tuning    string `json:"tuning"`
	Available bool   `json:"available"`
	Left      int    `json:"expected_left"` // alerts the manifest expects the tuning to keep
	Got       int    `json:"left"`          // alerts the hunt kept with only that tuning on
	// Disagree counts scenarios whose lookup the hunt kept although the
	// manifest expects it removed, or the reverse.
	Disagree int           `json:"disagreements"`
	Groups   []ExpectGroup `json:"groups"`
}

// OK reports whether the hunt did what the manifest expects.
func (e *FPExpectation) OK() bool { return e.Available && e.Disagree == 0 && e.Got == e.Left }

// ExpectGroup gathers the scenarios with the same verdict on one kind of host.
type ExpectGroup struct {
	Role      string   `json:"role"`
	Removed   bool     `json:"removed"`
	Scenarios int      `json:"scenarios"`
	Hosts     []string `json:"hosts"`
	Reason    string   `json:"reason"` // the first scenario's
}

// expectation builds the check for fp, or nil when the manifest judges its
// scenarios by no context-dependent tuning.
func expectation(fp emulate.FalsePositive, h *hunted) *FPExpectation {
	if fp.TuningName == "" {
		return nil
	}
	e := &FPExpectation{Tuning: fp.TuningName}
	e.Left, _ = fp.ExpectedLeft()
	ti := slices.Index(h.names, fp.TuningName)
	e.Available = ti > 0
	for _, x := range fp.Expectations {
		if e.Available {
			for _, id := range x.Signals {
				if _, kept := h.byID[ti][id]; kept == x.Removed {
					e.Disagree++
					break
				}
			}
		}
		g := slices.IndexFunc(e.Groups, func(g ExpectGroup) bool { return g.Role == string(x.Role) && g.Removed == x.Removed })
		if g < 0 {
			e.Groups = append(e.Groups, ExpectGroup{Role: string(x.Role), Removed: x.Removed, Reason: x.Reason})
			g = len(e.Groups) - 1
		}
		e.Groups[g].Scenarios++
		if !slices.Contains(e.Groups[g].Hosts, x.Host) {
			e.Groups[g].Hosts = append(e.Groups[g].Hosts, x.Host)
		}
	}
	// Removed first, then by role: stable output for any scenario order.
	slices.SortStableFunc(e.Groups, func(a, b ExpectGroup) int {
		if a.Removed != b.Removed {
			if a.Removed {
				return -1
			}
			return 1
		}
		switch {
		case a.Role < b.Role:
			return -1
		case a.Role > b.Role:
			return 1
		}
		return 0
	})
	return e
}
