package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/go-cmp/cmp"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// TestResult is the outcome of one rule test.
type TestResult struct {
	Case   *TestCase
	Rule   *Rule
	Got    []string // alerts as want lines, or one `error: ...` line
	Passed bool
	Diff   string // want → got, when it failed
}

// TestCases reads the rule's tests/*.txtar, in name order.
func (r *Rule) TestCases() ([]*TestCase, error) {
	dir := path.Join(r.Dir, "tests")
	entries, err := fs.ReadDir(r.FS, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*TestCase
	var errs Errors
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".txtar") {
			continue
		}
		tc, err := r.ReadTestCase(path.Join(dir, e.Name()))
		if err != nil {
			errs = append(errs, asErrors(err)...)
			continue
		}
		out = append(out, tc)
	}
	return out, errs.Err()
}

// ReadTestCase reads one test archive of the rule (file is inside r.FS).
func (r *Rule) ReadTestCase(file string) (*TestCase, error) {
	name := joinOrigin(r.Origin, strings.TrimPrefix(strings.TrimPrefix(file, r.Dir), "/"))
	data, err := fs.ReadFile(r.FS, file)
	if err != nil {
		return nil, Errors{{File: name, Msg: "cannot read: " + unwrapPathErr(err)}}
	}
	return ParseTestCase(file, name, data)
}

// RunTest runs one test case against its rule: lookups materialised in a
// temporary directory, events decoded, enriched (two passes, as for files)
// and run through the compiled rule with the case's tunings.
func RunTest(r *Rule, tc *TestCase) TestResult {
	res := TestResult{Case: tc, Rule: r}
	alerts, err := evaluate(r, tc)
	wantErr, expectErr := tc.WantError()
	switch {
	case err != nil:
		msg := firstLine(err.Error())
		res.Got = []string{testErrorPrefix + msg}
		res.Passed = expectErr && strings.Contains(err.Error(), wantErr)
		if !res.Passed && !expectErr {
			res.Diff = "unexpected error:\n" + err.Error()
		}
	default:
		for _, a := range alerts {
			id := a.Get("id")
			if id == "" {
				id = "(no-id)"
			}
			res.Got = append(res.Got, strings.TrimSpace(id+" "+a.Branch()))
		}
		slices.Sort(res.Got)
		res.Passed = !expectErr && slices.Equal(res.Got, sortedCopy(tc.Want))
	}
	if !res.Passed && res.Diff == "" {
		res.Diff = "alerts (-want +got):\n" + cmp.Diff(sortedCopy(tc.Want), res.Got)
	}
	return res
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func evaluate(r *Rule, tc *TestCase) ([]Alert, error) {
	dir, err := os.MkdirTemp("", "tiercel-test-lookups-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := writeLookups(r, tc, dir); err != nil {
		return nil, err
	}
	prog, err := Compile(r, tc.Tunings, engine.Options{LookupDir: dir})
	if err != nil {
		return nil, err
	}
	return evaluateProgram(prog, tc)
}

// evaluateProgram decodes the case's input, enriches it in two passes (as
// hunt does for files) and returns the alerts prog raises.
func evaluateProgram(prog *Program, tc *TestCase) ([]Alert, error) {
	en := enrich.New(enrich.Options{})
	needs := prog.Engine.Needs()
	needs.Merge(en.Needs())
	needs.Merge(en.LearnNeeds())
	dec := ingest.NewDecoder(needs)
	var events []*event.Event
	for i, line := range bytes.SplitAfter(tc.Input, []byte("\n")) {
		ev := &event.Event{}
		if err := dec.Decode(line, ev); err != nil {
			if errors.Is(err, ingest.ErrBlank) {
				continue
			}
			return nil, fmt.Errorf("%s:%d: %v", tc.Name, tc.InputLine+i, err)
		}
		ev.Detach()
		events = append(events, ev)
	}
	for _, ev := range events {
		en.Learn(ev)
	}
	for _, ev := range events {
		en.Apply(ev)
	}
	rows, _ := prog.Engine.Run(events)
	alerts := make([]Alert, len(rows))
	for i, row := range rows {
		alerts[i] = prog.NewAlert(row)
	}
	return alerts, nil
}

// writeLookups copies the referenced lookup directory, then the inline
// lookup files (which win), into dir.
func writeLookups(r *Rule, tc *TestCase, dir string) error {
	if tc.LookupsRef != "" {
		ref := path.Clean(path.Join(path.Dir(tc.File), tc.LookupsRef))
		entries, err := fs.ReadDir(r.FS, ref)
		if err != nil {
			return fmt.Errorf("%s: lookups: %s: %s", tc.Name, tc.LookupsRef, unwrapPathErr(err))
		}
		if err := CopyLookupFiles(r.FS, ref, entries, dir); err != nil {
			return err
		}
	}
	for name, data := range tc.Lookups {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
