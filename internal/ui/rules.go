package ui

import (
	"archive/zip"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/rules"
)

// ruleSummary is one row of the detections list.
type ruleSummary struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	Technique  string `json:"technique"`
	Severity   string `json:"severity"`
	Confidence string `json:"confidence"`
	Branches   int    `json:"branches"`
	Tunings    int    `json:"tunings"`
	Origin     string `json:"origin"`
}

// branchInfo is a DetectionBranch with the case condition that sets it.
type branchInfo struct {
	Name        string `json:"name"`
	EventType   string `json:"eventType"`
	Description string `json:"description"`
	Condition   string `json:"condition,omitempty"`
}

type tuningInfo struct {
	Name        string   `json:"name"`
	Status      string   `json:"status"`
	Description string   `json:"description"`
	Branches    []string `json:"branches"`
	Lookups     []string `json:"lookups"`
	CQL         string   `json:"cql,omitempty"`
}

type attackTestInfo struct {
	Name           string         `json:"name"`
	ExpectedSignal string         `json:"expectedSignal"`
	Test           string         `json:"test,omitempty"`
	Signals        []rules.Signal `json:"signals"`
}

type ruleDetail struct {
	ruleSummary
	Description    string                `json:"description"`
	Summary        string                `json:"summary"`
	Attack         rules.Attack          `json:"attack"`
	DataSources    []string              `json:"dataSources"`
	EventTypes     []string              `json:"eventTypes"`
	Query          string                `json:"query"`
	Branches       []branchInfo          `json:"branchList"`
	FalsePositives []rules.FalsePositive `json:"falsePositives"`
	Tunings        []tuningInfo          `json:"tuningList"`
	AttackTests    []attackTestInfo      `json:"attackTests"`
	References     []string              `json:"references"`
	Exports        []string              `json:"exports"`
	LastTests      *testRun              `json:"lastTests,omitempty"`
}

func summarize(r *rules.Rule) ruleSummary {
	tech := r.Attack.Technique.ID
	if r.Attack.Subtechnique.ID != "" {
		tech = r.Attack.Subtechnique.ID
	}
	return ruleSummary{ID: r.ID, Title: r.DisplayName(), Technique: tech, Severity: r.Severity, Confidence: r.Confidence,
		Branches: len(r.Branches), Tunings: len(r.Tunings), Origin: r.Origin}
}

func (s *Server) findRule(w http.ResponseWriter, id string) *rules.Rule {
	set, err := s.opts.Rules()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return nil
	}
	for _, r := range set {
		if r.ID == id {
			return r
		}
	}
	writeError(w, http.StatusNotFound, "no rule "+id)
	return nil
}

func (s *Server) ruleList(w http.ResponseWriter, _ *http.Request) {
	set, err := s.opts.Rules()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	out := make([]ruleSummary, 0, len(set))
	for _, r := range set {
		out = append(out, summarize(r))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) ruleDetail(w http.ResponseWriter, r *http.Request) {
	rule := s.findRule(w, r.PathValue("id"))
	if rule == nil {
		return
	}
	d := ruleDetail{
		ruleSummary: summarize(rule), Description: rule.Description, Summary: rule.Summary, Attack: rule.Attack,
		DataSources: rule.DataSources, EventTypes: rule.EventTypes, Query: rule.Query,
		FalsePositives: rule.FalsePos, References: rule.References, Exports: []string{},
		LastTests: s.tests.get(rule.ID),
	}
	conds := branchConditions(rule.Query)
	for _, b := range rule.Branches {
		d.Branches = append(d.Branches, branchInfo{Name: b.Name, EventType: b.EventType, Description: b.Description, Condition: conds[b.Name]})
	}
	for _, t := range rule.Tunings {
		d.Tunings = append(d.Tunings, tuningInfo{Name: t.Name, Status: t.Status, Description: t.Description, Branches: t.Branches, Lookups: t.Lookups, CQL: t.CQL})
	}
	for _, a := range rule.Testing.Attacks {
		d.AttackTests = append(d.AttackTests, attackTestInfo{Name: a.Name, ExpectedSignal: a.ExpectedSignal, Test: a.Test, Signals: a.Signals})
	}
	if s.opts.Exports != nil {
		for f := range s.opts.Exports(rule) {
			d.Exports = append(d.Exports, f)
		}
		sort.Strings(d.Exports)
	}
	writeJSON(w, http.StatusOK, d)
}

// branchConditions maps each DetectionBranch value the query assigns in a
// case clause to the clause's condition, as written.
func branchConditions(src string) map[string]string {
	out := map[string]string{}
	q, _ := cql.Parse(src)
	if q == nil || q.Pipeline == nil {
		return out
	}
	for _, st := range q.Pipeline.Steps {
		cs, ok := st.(*cql.CaseStep)
		if !ok {
			continue
		}
		for _, cl := range cs.Clauses {
			for _, inner := range cl.Pipeline.Steps {
				as, ok := inner.(*cql.AssignStep)
				if !ok || as.Field == nil || as.Field.String() != "DetectionBranch" {
					continue
				}
				name := strings.Trim(as.Value.String(), `"`)
				start, end := int(cl.Span().Start), int(as.Sp.Start)
				if start < 0 || end > len(src) || start >= end {
					continue
				}
				cond := strings.TrimSpace(src[start:end])
				cond = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(cond, "=>"), "|"))
				out[name] = cond
			}
		}
	}
	return out
}

// rulePackage sends the rule's directory as a zip archive.
func (s *Server) rulePackage(w http.ResponseWriter, r *http.Request) {
	rule := s.findRule(w, r.PathValue("id"))
	if rule == nil {
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+rule.ID+`.zip"`)
	zw := zip.NewWriter(w)
	_ = fs.WalkDir(rule.FS, rule.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(rule.FS, p)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, rule.Dir), "/")
		f, err := zw.Create(path.Join(rule.ID, rel))
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		return err
	})
	_ = zw.Close()
}

// ruleExport sends one of the rule's conversions (Sigma, SPL, KQL, ES|QL).
func (s *Server) ruleExport(w http.ResponseWriter, r *http.Request) {
	rule := s.findRule(w, r.PathValue("id"))
	if rule == nil {
		return
	}
	if s.opts.Exports == nil {
		writeError(w, http.StatusNotFound, "no conversions available")
		return
	}
	text, ok := s.opts.Exports(rule)[r.PathValue("format")]
	if !ok {
		writeError(w, http.StatusNotFound, "no "+r.PathValue("format")+" conversion of "+rule.ID)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+rule.ID+"."+r.PathValue("format")+`"`)
	_, _ = w.Write([]byte(text))
}

// testRun is the outcome of the last "test this rule" on the page.
type testRun struct {
	At     time.Time    `json:"at"`
	Passed int          `json:"passed"`
	Failed int          `json:"failed"`
	Cases  []testOutput `json:"cases"`
}

type testOutput struct {
	Name   string `json:"name"`
	Passed bool   `json:"passed"`
	Diff   string `json:"diff,omitempty"`
}

type testResults struct {
	mu   sync.Mutex
	last map[string]*testRun
}

func newTestResults() *testResults { return &testResults{last: map[string]*testRun{}} }

func (t *testResults) get(id string) *testRun {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last[id]
}

// ruleTest runs the rule's tests (tests/*.txtar) as `tiercel test` does.
func (s *Server) ruleTest(w http.ResponseWriter, r *http.Request) {
	rule := s.findRule(w, r.PathValue("id"))
	if rule == nil {
		return
	}
	cases, err := rule.TestCases()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	run := &testRun{At: time.Now().UTC(), Cases: []testOutput{}}
	for _, tc := range cases {
		res := rules.RunTest(rule, tc)
		run.Cases = append(run.Cases, testOutput{Name: tc.Name, Passed: res.Passed, Diff: res.Diff})
		if res.Passed {
			run.Passed++
		} else {
			run.Failed++
		}
	}
	s.tests.mu.Lock()
	s.tests.last[rule.ID] = run
	s.tests.mu.Unlock()
	writeJSON(w, http.StatusOK, run)
}
