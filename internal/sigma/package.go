package sigma

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tiercel/tiercel/internal/rules"
)

// RuleID is the package id of a Sigma rule: its file name without .yml
// (SigmaHQ file names are unique and stable), plus the document number for
// multi-document files.
func RuleID(r *Rule, doc int) string {
	base := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(r.File), ".yml"), ".yaml")
	base = regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(base, "_")
	if doc > 0 {
		base = fmt.Sprintf("%s-%d", base, doc+1)
	}
	return "sigma-" + base
}

// Severity maps a Sigma level to a rule severity (same scale; medium when
// the rule has none).
func severity(level string) string {
	if level == "" {
		return "medium"
	}
	return level
}

// confidence maps a Sigma status: stable rules are high confidence, test
// rules medium, the rest low.
func confidence(status string) string {
	switch status {
	case "stable":
		return "high"
	case "test":
		return "medium"
	}
	return "low"
}

func (r *Rule) sigmaInfo() *rules.SigmaInfo {
	return &rules.SigmaInfo{ID: r.ID, File: filepath.Base(r.File), Author: r.Author, License: license(r),
		Level: r.Level, Status: r.Status, Tags: r.Tags, Date: r.Date, Modified: r.Modified}
}

// license is the rule's licence, DRL 1.1 (SigmaHQ's) when it names none.
func license(r *Rule) string {
	if r.License != "" {
		return r.License
	}
	return "DRL-1.1"
}

// ToRule wraps a converted query as an in-memory rule package, ready for
// rules.Compile (hunt --sigma) or tests.
func ToRule(id string, r *Rule, cqlText string, eventTypes []string) *rules.Rule {
	desc := r.Description
	if desc == "" {
		desc = r.Title
	}
	return &rules.Rule{
		ID: id, Title: r.Title, Description: desc, Severity: severity(r.Level), Confidence: confidence(r.Status),
		QueryLabel:  "CrowdStrike LogScale (converted from Sigma by tiercel)",
		DataSources: []string{"CrowdStrike Falcon sensor telemetry"}, EventTypes: eventTypes,
		References: r.References, Sigma: r.sigmaInfo(), Query: cqlText, Attack: rules.AttackFromTags(r.Tags),
		FS: os.DirFS("."), Dir: ".", Origin: r.File,
	}
}

// TestArchive writes examples as a `tiercel test` case: events with ids
// pos-N/neg-N, and the ids that must alert.
func TestArchive(title string, pos, neg []Example) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s: events derived from the Sigma detection logic.\n", title)
	fmt.Fprintf(&b, "# pos-*: must alert; neg-*: near misses that must not.\n")
	b.WriteString("-- input.ndjson --\n")
	var want []string
	write := func(prefix string, i int, ex Example) {
		ev := clone(ex.Fields)
		id := fmt.Sprintf("%s-%d", prefix, i+1)
		ev["id"] = id
		ev["aid"] = "0123456789abcdef0123456789abcdef"
		ev["timestamp"] = fmt.Sprint(1767225600000 + i*1000)
		line, _ := json.Marshal(ev)
		b.Write(line)
		b.WriteByte('\n')
		if ex.Match {
			want = append(want, id)
		}
	}
	for i, ex := range pos {
		write("pos", i, ex)
	}
	for i, ex := range neg {
		write("neg", i, ex)
	}
	sort.Strings(want)
	b.WriteString("-- want --\n")
	for _, w := range want {
		b.WriteString(w + "\n")
	}
	return b.Bytes()
}

// WritePackage writes a rule package for a converted rule under dir/id:
// rule.yaml, query.cql, the original Sigma file (its author line intact,
// as the DRL requires) and a test of derived events.
func WritePackage(dir, id string, r *Rule, src []byte, cqlText string, eventTypes []string, test []byte, warnings []*Error) error {
	pdir := filepath.Join(dir, id)
	if err := os.MkdirAll(filepath.Join(pdir, "tests"), 0o755); err != nil {
		return err
	}
	desc := r.Description
	if desc == "" {
		desc = r.Title
	}
	desc = strings.TrimSpace(desc)
	for _, w := range warnings {
		desc += "\n\nConversion note: " + w.Msg + "."
	}
	meta := map[string]any{
		"id": id, "title": r.Title, "description": desc,
		"query_language": "CrowdStrike LogScale (converted from Sigma by tiercel)",
		"query":          "query.cql", "severity": severity(r.Level), "confidence": confidence(r.Status),
		"data_sources":         []string{"CrowdStrike Falcon sensor telemetry"},
		"required_event_types": eventTypes,
	}
	if len(r.References) > 0 {
		meta["references"] = r.References
	}
	si := r.sigmaInfo()
	sm := map[string]any{"file": "sigma.yml", "license": si.License}
	for k, v := range map[string]string{"id": si.ID, "author": si.Author, "status": si.Status, "date": si.Date, "modified": si.Modified, "level": si.Level} {
		if v != "" {
			sm[k] = v
		}
	}
	if len(si.Tags) > 0 {
		sm["tags"] = si.Tags
	}
	meta["sigma"] = sm
	y, err := yaml.Marshal(meta)
	if err != nil {
		return err
	}
	head := fmt.Sprintf("# Converted from the Sigma rule %s by `tiercel import sigma`.\n# Author: %s. License: %s.\n", filepath.Base(r.File), si.Author, si.License)
	note := ""
	for _, w := range warnings {
		note += "// Note: " + w.Msg + "\n"
	}
	files := map[string][]byte{
		"rule.yaml":                 append([]byte(head), y...),
		"query.cql":                 []byte(Header(r) + note + cqlText + "\n"),
		"sigma.yml":                 src,
		"tests/sigma-derived.txtar": test,
	}
	for name, data := range files {
		if data == nil {
			continue
		}
		if err := os.WriteFile(filepath.Join(pdir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Header is the comment block printed above converted CQL: where the rule
// comes from and its author (DRL 1.1 attribution).
func Header(r *Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "// %s\n", r.Title)
	if r.ID != "" {
		fmt.Fprintf(&b, "// Sigma id: %s (%s)\n", r.ID, filepath.Base(r.File))
	} else {
		fmt.Fprintf(&b, "// Sigma file: %s\n", filepath.Base(r.File))
	}
	author := r.Author
	if author == "" {
		author = "(not given)"
	}
	fmt.Fprintf(&b, "// Author: %s. License: %s.\n", author, license(r))
	return b.String()
}
