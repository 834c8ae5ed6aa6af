package rules

import (
	"fmt"
	"strings"
)

// Markdown renders the package as a page that reads like its source: title,
// description, ATT&CK placement, query, severity and confidence, data
// sources, required tables, false positives with their tunings, and the
// testing methodology with the expected signals.
func (r *Rule) Markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	p("# %s\n\n", r.DisplayName())
	p("`%s`", r.ID)
	if r.Source.PageTitle != "" {
		p(" · source: %s", r.Source.PageTitle)
	}
	p("\n\n%s\n\n", r.Description)

	if r.Attack.Technique.ID != "" {
		p("## MITRE ATT&CK\n\n")
		p("| | |\n|---|---|\n")
		p("| Tactic | %s %s |\n", r.Attack.Tactic.ID, r.Attack.Tactic.Name)
		p("| Technique | %s %s |\n", r.Attack.Technique.ID, r.Attack.Technique.Name)
		if r.Attack.Subtechnique.ID != "" {
			p("| Sub-technique | %s %s |\n", r.Attack.Subtechnique.ID, r.Attack.Subtechnique.Name)
		}
		p("| Canonical reference | %s |\n\n", r.Attack.URL)
	}
	if s := r.Sigma; s != nil {
		p("## Sigma origin\n\n| | |\n|---|---|\n| Sigma id | %s |\n| Author | %s |\n| License | %s |\n| Tags | %s |\n\n",
			s.ID, s.Author, s.License, strings.Join(s.Tags, ", "))
	}

	p("## LogScale Detection Query\n\n")
	if r.QueryLabel != "" {
		p("%s\n\n", r.QueryLabel)
	}
	p("```cql\n%s", r.Query)
	if !strings.HasSuffix(r.Query, "\n") {
		p("\n")
	}
	p("```\n\n")
	p("**Severity:** %s · **Confidence:** %s\n\n", r.Severity, r.Confidence)
	if r.Summary != "" {
		p("%s\n\n", r.Summary)
	}
	if len(r.Branches) > 0 {
		p("### Detection branches\n\n| DetectionBranch | Event type | Fires on |\n|---|---|---|\n")
		for _, br := range r.Branches {
			p("| %s | %s | %s |\n", br.Name, br.EventType, br.Description)
		}
		p("\n")
	}

	p("## Data Sources\n\n")
	for _, s := range r.DataSources {
		p("- %s\n", s)
	}
	p("\n## Required Tables\n\n")
	for _, s := range r.EventTypes {
		p("- %s\n", s)
	}

	p("\n## False Positives & Tuning\n\n")
	for _, fp := range r.FalsePos {
		p("- %s — %s", fp.Text, fp.Advice)
		if len(fp.Tunings) > 0 {
			p(" *Tuning:* `%s`", strings.Join(fp.Tunings, "`, `"))
		}
		p("\n")
	}
	if len(r.Tunings) > 0 {
		p("\n### Tunings\n\nSwitch one on with `tiercel hunt --tuning NAME --lookups DIR`; it is spliced into the query right before `table()`.\n\n")
		for _, t := range r.Tunings {
			p("#### %s (%s)\n\n", t.Name, t.Status)
			p("Branches: %s. %s\n\n", strings.Join(t.Branches, ", "), t.Description)
			if len(t.Lookups) > 0 {
				p("Lookup files: `%s`\n\n", strings.Join(t.Lookups, "`, `"))
			}
			if t.CQL != "" {
				p("```cql\n%s\n```\n\n", strings.TrimRight(t.CQL, "\n"))
			}
		}
	}

	if len(r.Testing.Attacks) > 0 || r.Testing.Intro != "" {
		p("## Testing Methodology\n\n")
		if r.Testing.Intro != "" {
			p("%s", r.Testing.Intro)
			if r.Testing.Note != "" {
				p(" %s", r.Testing.Note)
			}
			p("\n\n")
		}
		for i, a := range r.Testing.Attacks {
			p("%d. **Test %d — %s**\n\n", i+1, i+1, a.Name)
			p("   Expected signal: %s\n\n", a.ExpectedSignal)
			if len(a.Signals) > 0 {
				p("   Alerts this rule raises:\n")
				for _, s := range a.Signals {
					p("   - %s → `%s` (%s)\n", s.EventType, s.Branch, s.What)
				}
				p("\n")
			}
			if a.Test != "" {
				p("   Replayed by `%s`.\n\n", a.Test)
			}
		}
	}

	if len(r.References) > 0 {
		p("## References\n\n")
		for _, ref := range r.References {
			p("- %s\n", ref)
		}
		p("\n")
	}
	var offered []string // links whose content the package does not hold
	for _, l := range r.Source.Links {
		if len(r.Source.LinkFiles[l]) == 0 {
			offered = append(offered, l)
		}
	}
	if len(offered) > 0 || len(r.Source.ProContent) > 0 {
		p("## Not in this package\n\n")
		if len(offered) > 0 {
			p("The source page also offered: %s.\n\n", strings.Join(offered, "; "))
		}
		// The page's sales footnote is provenance, not documentation: the
		// listing of what it withheld says enough.
		if len(r.Source.ProContent) > 0 {
			p("Sections the source page kept back: %s.\n", strings.Join(r.Source.ProContent, ", "))
		}
	}
	return b.String()
}
