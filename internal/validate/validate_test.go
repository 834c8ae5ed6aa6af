package validate

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	shipped "github.com/tiercel/tiercel/rules"
)

// small is a quick estate: all five tests on both platforms plus every
// false-positive source.
var small = Config{Seed: 1, Events: 20000, Hosts: 20, Workers: 2}

func TestAllTestsDetectedOnBothPlatforms(t *testing.T) {
	rep, err := Run(context.Background(), small)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, tr := range rep.Tests {
		seen[tr.Platform+string(rune('0'+tr.Test))] = true
		if !tr.Detected() || tr.Missed() > 0 {
			for _, s := range tr.Signals {
				if !s.OK() {
					t.Errorf("test %d %s: %s %s: fired=%v branch=%q want=%q why=%s", tr.Test, tr.Platform, s.Event, s.Detail, s.Fired, s.Branch, s.Want, s.Why)
				}
			}
		}
	}
	for _, p := range []string{"Win", "Lin"} {
		for n := 1; n <= 5; n++ {
			if !seen[p+string(rune('0'+n))] {
				t.Errorf("no result for test %d on %s", n, p)
			}
		}
	}
	if rep.Missed() != 0 {
		t.Errorf("Missed() = %d, want 0", rep.Missed())
	}
	if len(rep.Alerts) == 0 || len(rep.Tuned) >= len(rep.Alerts) {
		t.Errorf("alerts untuned %d, tuned %d: tunings should remove some", len(rep.Alerts), len(rep.Tuned))
	}
}

func TestFalsePositivesPerTuning(t *testing.T) {
	rep, err := Run(context.Background(), small)
	if err != nil {
		t.Fatal(err)
	}
	// Each lookup-driven tuning must remove its own source's alerts with the
	// shipped example lookups, without losing an attack signal.
	cases := []struct{ source, tuning string }{
		{"SOCAnalystLookups", "soc-analyst-hosts"},
		{"VulnerabilityScanner", "scanner-hosts"},
		{"SOAREnrichment", "soar-enrichment"},
	}
	rows := map[string]FPResult{}
	for _, fp := range rep.FalsePositives {
		rows[fp.Source] = fp
	}
	for _, c := range cases {
		fp, ok := rows[c.source]
		if !ok {
			t.Errorf("no false-positive row for %s", c.source)
			continue
		}
		if fp.Untuned == 0 {
			t.Errorf("%s: no untuned alerts; the emulation should produce some", c.source)
		}
		if got, ok := fp.With[c.tuning]; !ok || got >= fp.Untuned {
			t.Errorf("%s with %s: %d alerts (present %v), want fewer than %d", c.source, c.tuning, got, ok, fp.Untuned)
		}
	}
	for _, tr := range rep.Tunings {
		if tr.Available && tr.Name != "browser-prefetch" && tr.AttackLost > 0 {
			t.Errorf("tuning %s loses %d attack signals", tr.Name, tr.AttackLost)
		}
	}
}

func TestDeterministic(t *testing.T) {
	var out [2]bytes.Buffer
	for i := range out {
		cfg := small
		cfg.Workers = i + 1 // the worker count must not show
		rep, err := Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		WriteText(&out[i], rep)
		WriteAlerts(&out[i], "ALERTS", rep.Alerts)
	}
	if out[0].String() != out[1].String() {
		t.Errorf("two runs differ:\n%s\n---\n%s", out[0].String(), out[1].String())
	}
}

// A rule whose network branch no longer matches curl/python must be
// reported as missing those signals, with the reason.
func TestMissExplained(t *testing.T) {
	dir := t.TempDir()
	err := fs.WalkDir(shipped.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(shipped.FS, p)
		if err != nil {
			return err
		}
		if path.Base(p) == "query.cql" {
			data = bytes.Replace(data, []byte("curl|wget|python[23]?|powershell"), []byte("wget"), 1)
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := small
	cfg.RuleDirs = []string{dir}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Missed() == 0 {
		t.Fatal("a broken network branch missed nothing")
	}
	for _, tr := range rep.Tests {
		for _, s := range tr.Signals {
			if s.Expected && !s.Fired {
				if s.Event != "NetworkConnectIP4" {
					t.Errorf("unexpected miss: %s %s", s.Event, s.Detail)
				}
				if !strings.Contains(s.Why, "rule did not match") || !strings.Contains(s.Why, "ContextProcessName=") {
					t.Errorf("why = %q, want the non-matching field values", s.Why)
				}
			}
		}
	}
	var b bytes.Buffer
	WriteMatrix(&b, rep)
	if !strings.Contains(b.String(), "MISSED") || !strings.Contains(b.String(), "why: ") {
		t.Errorf("matrix does not show the miss:\n%s", b.String())
	}
}

func TestTextFitsTerminal(t *testing.T) {
	rep, err := Run(context.Background(), small)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	WriteText(&b, rep)
	WriteAlerts(&b, "ALERTS", rep.Alerts)
	for i, l := range strings.Split(b.String(), "\n") {
		if n := len([]rune(l)); n > Width {
			t.Errorf("line %d is %d wide: %q", i+1, n, l)
		}
	}
	for _, h := range []string{"DETECTION MATRIX", "FALSE POSITIVES", "TUNINGS", "ENRICHMENT", "ALERTS (", "10 of 10 test runs detected"} {
		if !strings.Contains(b.String(), h) {
			t.Errorf("output lacks %q", h)
		}
	}
}

// browser-prefetch removes the kiosk lookups and keeps those on busy
// workstations, exactly as the manifest's per-scenario verdicts say.
func TestBrowserPrefetchAsExpected(t *testing.T) {
	rep, err := Run(context.Background(), small)
	if err != nil {
		t.Fatal(err)
	}
	var row *FPResult
	for i := range rep.FalsePositives {
		if rep.FalsePositives[i].Source == "BrowserPrefetch" {
			row = &rep.FalsePositives[i]
		}
	}
	if row == nil || row.Expect == nil {
		t.Fatalf("no BrowserPrefetch row with an expectation: %+v", row)
	}
	e := row.Expect
	if !e.OK() || e.Got != row.With["browser-prefetch"] {
		t.Errorf("expectation %+v, row %+v: the hunt disagrees with the manifest", e, row)
	}
	if e.Left == 0 || e.Left >= row.Untuned {
		t.Errorf("untuned %d, expected left %d: want some removed and some kept", row.Untuned, e.Left)
	}
	// Kiosks run nothing but the browser; a quiet minute on a workstation
	// may happen, but some of theirs must be kept.
	keptOn := map[string]bool{}
	for _, g := range e.Groups {
		if !g.Removed {
			keptOn[g.Role] = true
		}
	}
	if keptOn["kiosk"] || !keptOn["workstation"] {
		t.Errorf("groups %+v: want every kiosk lookup removed and some workstation lookup kept", e.Groups)
	}
	var b bytes.Buffer
	WriteFalsePositives(&b, rep)
	if !strings.Contains(b.String(), "BrowserPrefetch with browser-prefetch: ") || !strings.Contains(b.String(), ", as expected") {
		t.Errorf("false-positive section does not show the expectation:\n%s", b.String())
	}
}
