// Package validate checks a detection end to end: it emulates the seed's
// atomic tests over a benign estate as a raw FDR tree, hunts it through
// Falcon enrichment with the rule and each of its tunings, and compares the
// alerts with the emulation's ground truth (the manifest): which expected
// signals fired on which branch, why the others did not, and how many
// false-positive alerts each tuning removes.
package validate

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"time"

	"github.com/tiercel/tiercel/internal/emulate"
	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/rules"
)

// SeedRule selects the detection the emulation's manifest describes.
const SeedRule = "T1590.005"

// Config says what to emulate and which rules and lookups to hunt with.
type Config struct {
	Seed     int64
	Events   int64         // telemetry events (default 100000)
	Hosts    int           // estate size (default 40)
	Duration time.Duration // default 1h
	// RuleDirs are loaded over the shipped rules (overriding by id).
	RuleDirs []string
	// LookupDir holds the tunings' lookup files; "" uses the lookups shipped
	// with the rule (example data for the emulated estate).
	LookupDir string
	Workers   int    // 0: one per core
	TempDir   string // parent of the FDR tree; "" is the system default
	// Progress, when set, is told how many events have been emulated (for
	// a progress bar); the hunts that follow read files through ingest,
	// whose byte counter tracks them.
	Progress func(events int64)
}

// Report is the outcome of a validation run. Everything in it depends only
// on the Config, never on timing or worker count.
type Report struct {
	Seed     int64
	Events   int64
	Hosts    int
	Rule     string // rule id
	Manifest *emulate.Manifest
	// Alerts are the untuned rule's alerts, by time then event id.
	Alerts []rules.Alert
	// Tuned are the alerts with every available tuning on, same order.
	Tuned []rules.Alert
	// Tests has one entry per attack test and platform, in manifest order.
	Tests []TestResult
	// Tunings lists the rule's tunings (available or not) in rule order.
	Tunings []TuningResult
	// FalsePositives has one row per background false-positive source.
	FalsePositives []FPResult
	Enrich         enrich.Stats
}

// TestResult is one atomic test on one platform.
type TestResult struct {
	Test     int            `json:"test"`
	Name     string         `json:"name"`
	Platform string         `json:"platform"`
	Host     string         `json:"host"`
	User     string         `json:"user"`
	Signals  []SignalResult `json:"signals"`
}

// Detected reports whether at least one expected signal fired.
func (t TestResult) Detected() bool {
	for _, s := range t.Signals {
		if s.Expected && s.Fired {
			return true
		}
	}
	return false
}

// Missed counts expected signals that did not fire.
func (t TestResult) Missed() int {
	n := 0
	for _, s := range t.Signals {
		if s.Expected && !s.Fired {
			n++
		}
	}
	return n
}

// SignalResult is one telemetry event of a test and what the rule made of it.
type SignalResult struct {
	Event    string `json:"event_simpleName"`          // event_simpleName
	ID       string `json:"id"`                        // Falcon event id
	Detail   string `json:"detail"`                    // command line, domain or remote address
	Expected bool   `json:"expected"`                  // the rule should alert on it
	Want     string `json:"expected_branch,omitempty"` // expected branch
	Fired    bool   `json:"fired"`
	Branch   string `json:"branch,omitempty"` // branch it fired on
	Why      string `json:"why,omitempty"`    // for a miss (or an unexpected alert): the reason found
}

// OK reports whether the signal behaved as the manifest says.
func (s SignalResult) OK() bool {
	return s.Fired == s.Expected && (!s.Fired || s.Want == "" || s.Branch == s.Want)
}

// TuningResult is one tuning of the rule.
type TuningResult struct {
	Name      string `json:"name"`
	Available bool   `json:"available"`
	Reason    string `json:"reason,omitempty"` // why not available
	Removed   int    `json:"removed"`          // alerts it removes from the untuned set
	// AttackLost counts expected attack signals the tuning suppresses (a
	// tuning should remove noise only).
	AttackLost int `json:"attack_signals_lost"`
}

// FPResult is one false-positive source on the background.
type FPResult struct {
	Source    string `json:"source"`
	Scenarios int    `json:"scenarios"`
	Tuning    string `json:"tuning"`  // the manifest's advice
	Untuned   int    `json:"untuned"` // alerts from this source with no tuning
	// With maps a tuning name to the alerts left with only it on; "all" is
	// every available tuning together. Unavailable tunings are absent.
	With map[string]int `json:"with"`
	// Expect is set when the manifest says per scenario what the source's
	// tuning does (browser-prefetch), and checks that against the hunt.
	Expect *FPExpectation `json:"expectation,omitempty"`
}

// AllTunings is the With key for every available tuning at once.
const AllTunings = "all"

// Missed counts the expected signals that did not fire, over all tests.
func (r *Report) Missed() int {
	n := 0
	for _, t := range r.Tests {
		n += t.Missed()
	}
	return n
}

// Run emulates, hunts and compares. The FDR tree is removed afterwards.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	rule, err := loadRule(cfg.RuleDirs)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(cfg.TempDir, "tiercel-validate-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	lookups := cfg.LookupDir
	if lookups == "" {
		lookups = filepath.Join(dir, "lookups")
		if err := copyShippedLookups(rule, lookups); err != nil {
			return nil, err
		}
	}
	gen, err := emulate.New(emulate.Options{
		Seed: cfg.Seed, Events: cfg.Events, Hosts: cfg.Hosts, Duration: cfg.Duration, View: emulate.ViewRaw,
		Progress: cfg.Progress,
	})
	if err != nil {
		return nil, err
	}
	fdr := filepath.Join(dir, "fdr")
	m, err := emulate.WriteFDR(fdr, gen)
	if err != nil {
		return nil, fmt.Errorf("emulate: %w", err)
	}
	h, err := huntVariants(ctx, rule, lookups, fdr, cfg.Workers)
	if err != nil {
		return nil, err
	}
	o := gen.Options()
	rep := &Report{
		Seed: cfg.Seed, Events: m.Events, Hosts: o.Hosts, Rule: rule.ID, Manifest: m,
		Alerts: h.alerts[0], Tuned: h.alerts[h.all], Enrich: h.enricher.Stats(),
	}
	rep.compare(h)
	if err := explainMisses(ctx, rep, h, fdr, cfg.Workers); err != nil {
		return nil, err
	}
	return rep, nil
}

// loadRule finds the seed detection among the shipped and extra rules.
func loadRule(dirs []string) (*rules.Rule, error) {
	set, errs := rules.LoadSet(dirs)
	sel := rules.Select(set, SeedRule)
	if len(sel) == 0 {
		if len(errs) > 0 {
			return nil, fmt.Errorf("no %s rule loaded: %w", SeedRule, errs)
		}
		return nil, fmt.Errorf("no %s rule among the loaded rules", SeedRule)
	}
	return sel[0], nil
}

// copyShippedLookups writes the rule's lookups/ directory (embedded in the
// binary for shipped rules) to dir.
func copyShippedLookups(r *rules.Rule, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	src := path.Join(r.Dir, "lookups")
	entries, err := fs.ReadDir(r.FS, src)
	if err != nil {
		return nil // a rule without lookups: tunings needing them fail to compile and show as unavailable
	}
	return rules.CopyLookupFiles(r.FS, src, entries, dir)
}

// compare fills Tests, Tunings and FalsePositives from the hunt.
func (r *Report) compare(h *hunted) {
	fired := h.byID[0]
	for _, a := range r.Manifest.Attacks {
		t := TestResult{Test: a.Test, Name: a.Name, Platform: a.Platform, Host: a.ComputerName, User: a.UserName}
		for _, s := range a.Signals {
			br, ok := fired[s.ID]
			t.Signals = append(t.Signals, SignalResult{
				Event: s.Event, ID: s.ID, Detail: s.Detail, Expected: s.Expected, Want: s.Branch,
				Fired: ok, Branch: br,
			})
		}
		r.Tests = append(r.Tests, t)
	}
	for i, name := range h.names {
		if i == 0 || i == h.all {
			continue
		}
		tr := TuningResult{Name: name, Available: true, Removed: len(h.alerts[0]) - len(h.alerts[i])}
		for _, a := range r.Manifest.Attacks {
			for _, s := range a.Signals {
				if _, was := fired[s.ID]; was && s.Expected {
					if _, still := h.byID[i][s.ID]; !still {
						tr.AttackLost++
					}
				}
			}
		}
		r.Tunings = append(r.Tunings, tr)
	}
	for _, u := range h.unavailable {
		r.Tunings = append(r.Tunings, u)
	}
	order := map[string]int{}
	for i, t := range h.rule.Tunings {
		order[t.Name] = i
	}
	slices.SortStableFunc(r.Tunings, func(a, b TuningResult) int { return order[a.Name] - order[b.Name] })
	for _, fp := range r.Manifest.FalsePositives {
		row := FPResult{Source: fp.Source, Scenarios: fp.Scenarios, Tuning: fp.Tuning, With: map[string]int{}}
		for i, name := range h.names {
			n := 0
			for _, s := range fp.Signals {
				if _, ok := h.byID[i][s.ID]; ok {
					n++
				}
			}
			if i == 0 {
				row.Untuned = n
			} else {
				row.With[name] = n
			}
		}
		if row.Expect = expectation(fp, h); row.Expect != nil && row.Expect.Available {
			row.Expect.Got = row.With[row.Expect.Tuning]
		}
		r.FalsePositives = append(r.FalsePositives, row)
	}
}
