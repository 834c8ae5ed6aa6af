package rules

import (
	"strings"
	"testing"
	"testing/fstest"
)

const sigmaPackageYAML = `id: sigma-whoami
title: Whoami
description: Whoami run.
severity: high
confidence: medium
data_sources: [Falcon]
required_event_types: [ProcessRollup2]
sigma:
  id: 22222222-2222-4222-8222-222222222222
  file: sigma.yml
  author: Jane Doe
  license: DRL-1.1
  level: high
  tags: [attack.discovery, attack.t1033]
`

// A package converted from Sigma needs no attack section (ATT&CK is in the
// Sigma tags) and its alerts name the author, level and tags (DRL 1.1).
func TestSigmaPackage(t *testing.T) {
	fsys := fstest.MapFS{
		"r/rule.yaml": {Data: []byte(sigmaPackageYAML)},
		"r/query.cql": {Data: []byte(`#event_simpleName=ProcessRollup2 ImageFileName=/whoami/i | table([ImageFileName])`)},
	}
	r, err := Load(fsys, "r")
	if err != nil {
		t.Fatal(err)
	}
	if r.Sigma == nil || r.Sigma.Author != "Jane Doe" || len(r.Sigma.Tags) != 2 || r.Sigma.Level != "high" {
		t.Fatalf("Sigma = %+v", r.Sigma)
	}
	p, err := Compile(r, nil, engineOptions())
	if err != nil {
		t.Fatal(err)
	}
	alerts := runEvents(t, p, `{"event_simpleName":"ProcessRollup2","id":"e1","ImageFileName":"C:\\whoami.exe"}`)
	if len(alerts) != 1 {
		t.Fatalf("%d alerts", len(alerts))
	}
	got := string(alerts[0].AppendJSON(nil))
	if bare := string(Alert{Rule: alerts[0].Rule, Fields: alerts[0].Fields}.AppendJSON(nil)); bare != got {
		t.Errorf("alert JSON without the program's head:\n%s\nwith it:\n%s", bare, got)
	}
	for _, want := range []string{`"author":"Jane Doe"`, `"level":"high"`, `"tags":["attack.discovery","attack.t1033"]`, `"sigma_id":"22222222-2222-4222-8222-222222222222"`, `"license":"DRL-1.1"`} {
		if !strings.Contains(got, want) {
			t.Errorf("alert lacks %s: %s", want, got)
		}
	}
	if !strings.Contains(got, `"tactic":"TA0007","technique":"T1033"`) {
		t.Errorf("the ATT&CK placement from the tags is missing: %s", got)
	}
	if md := r.Markdown(); !strings.Contains(md, "| Author | Jane Doe |") || !strings.Contains(md, "| Tactic | TA0007 Discovery |") {
		t.Errorf("Markdown:\n%s", md)
	}
	if sel := Select([]*Rule{r}, "T1033"); len(sel) != 1 {
		t.Errorf("Select by technique: %v", sel)
	}

	fsys["r/rule.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(sigmaPackageYAML, "level: high", "level: severe", 1))}
	if _, err := Load(fsys, "r"); err == nil || !strings.Contains(err.Error(), "rule.yaml:13:10") {
		t.Errorf("bad sigma level: %v", err)
	}
}

func TestAttackFromTags(t *testing.T) {
	a := AttackFromTags([]string{"attack.command-and-control", "attack.t1071.004", "attack.t1090", "cve.2021-44228"})
	want := Attack{Tactic: Ref{"TA0011", "Command and Control"}, Technique: Ref{ID: "T1071"}, Subtechnique: Ref{ID: "T1071.004"},
		URL: "https://attack.mitre.org/techniques/T1071/004/"}
	if a != want {
		t.Errorf("got %+v, want %+v", a, want)
	}
	if a := AttackFromTags([]string{"detection.threat-hunting"}); a != (Attack{}) {
		t.Errorf("no ATT&CK tags: %+v", a)
	}
}
