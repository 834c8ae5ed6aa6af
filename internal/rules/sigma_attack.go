package rules

import (
	"regexp"
	"strings"
)

// attackTactics are ATT&CK's enterprise tactics by the short names Sigma
// tags use (attack.defense-evasion).
var attackTactics = map[string]Ref{
	"reconnaissance":       {"TA0043", "Reconnaissance"},
	"resource-development": {"TA0042", "Resource Development"},
	"initial-access":       {"TA0001", "Initial Access"},
	"execution":            {"TA0002", "Execution"},
	"persistence":          {"TA0003", "Persistence"},
	"privilege-escalation": {"TA0004", "Privilege Escalation"},
	"defense-evasion":      {"TA0005", "Defense Evasion"},
	"credential-access":    {"TA0006", "Credential Access"},
	"discovery":            {"TA0007", "Discovery"},
	"lateral-movement":     {"TA0008", "Lateral Movement"},
	"collection":           {"TA0009", "Collection"},
	"exfiltration":         {"TA0010", "Exfiltration"},
	"command-and-control":  {"TA0011", "Command and Control"},
	"impact":               {"TA0040", "Impact"},
}

var techniqueTag = regexp.MustCompile(`^attack\.t(\d{4})(?:\.(\d{3}))?$`)

// AttackFromTags places a rule in ATT&CK from Sigma tags: the first tactic
// tag and the first technique tag (attack.t1059.001 → T1059, T1059.001).
// Technique names are not in the tags and stay empty.
func AttackFromTags(tags []string) Attack {
	var a Attack
	for _, t := range tags {
		t = strings.ToLower(t)
		if ref, ok := attackTactics[strings.TrimPrefix(t, "attack.")]; ok && a.Tactic.ID == "" {
			a.Tactic = ref
		}
		if m := techniqueTag.FindStringSubmatch(t); m != nil && a.Technique.ID == "" {
			a.Technique.ID = "T" + m[1]
			a.URL = "https://attack.mitre.org/techniques/T" + m[1] + "/"
			if m[2] != "" {
				a.Subtechnique.ID = "T" + m[1] + "." + m[2]
				a.URL += m[2] + "/"
			}
		}
	}
	return a
}
