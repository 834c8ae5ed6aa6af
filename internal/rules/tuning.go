package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tiercel/tiercel/internal/cql"
)

// QueryWith returns the rule's query with the named tunings spliced in, in
// the rule's declaration order, each as one more pipeline step right before
// the top-level table() step (after the case that labels the branch, so a
// tuning can test DetectionBranch). With no tunings it returns the query
// unchanged.
func (r *Rule) QueryWith(tunings []string) (string, error) {
	src, _, err := r.splice(tunings)
	return src, err
}

// splicedPart maps a tuning's body inside a spliced query back to its file.
type splicedPart struct {
	start, end int // byte range in the spliced query
	tuning     *Tuning
	fileStart  int // offset of the same bytes in the tuning file
}

func (r *Rule) splice(tunings []string) (string, []splicedPart, error) {
	if len(tunings) == 0 {
		return r.Query, nil, nil
	}
	for _, name := range tunings {
		t := r.Tuning(name)
		if t == nil {
			return "", nil, r.unknownTuning(name)
		}
		if t.Status != TuningReady {
			return "", nil, fmt.Errorf("rule %s: tuning %q is %s: it is documented but not implemented yet", r.ID, name, t.Status)
		}
	}
	q, diags := cql.Parse(r.Query)
	if diags.HasErrors() {
		return "", nil, fmt.Errorf("rule %s: query does not parse", r.ID)
	}
	step := tableStep(q)
	if step == nil {
		return "", nil, fmt.Errorf("rule %s: query has no top-level table() step to splice tunings before", r.ID)
	}
	at := spliceOffset(r.Query, int(step.Span().Start))
	var b strings.Builder
	b.WriteString(r.Query[:at])
	if at > 0 && r.Query[at-1] != '\n' {
		b.WriteByte('\n')
	}
	var parts []splicedPart
	for _, t := range r.Tunings {
		if slices.Contains(tunings, t.Name) {
			start, fileStart, n := writeTuningStep(&b, t.CQL)
			parts = append(parts, splicedPart{start: start, end: start + n, tuning: t, fileStart: fileStart})
		}
	}
	b.WriteString(r.Query[at:])
	return b.String(), parts, nil
}

// spliceOffset is where tuning steps go for a step starting at stepStart:
// the `|` that introduces it, or the start of its line when the pipe
// begins the line.
func spliceOffset(src string, stepStart int) int {
	i := stepStart - 1
	for i >= 0 && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
		i--
	}
	if i < 0 || src[i] != '|' {
		return stepStart
	}
	lineStart := strings.LastIndexByte(src[:i], '\n') + 1
	if strings.TrimSpace(src[lineStart:i]) == "" {
		return lineStart
	}
	return i
}

// writeTuningStep writes a tuning file as pipeline steps: its leading
// comment lines as they are, then the pipeline introduced by `| `. It
// returns where the body starts in b and in src, and its length.
func writeTuningStep(b *strings.Builder, src string) (start, fileStart, n int) {
	body := strings.TrimRight(src, "\n")
	for body != "" {
		line, rest, _ := strings.Cut(body, "\n")
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "//") {
			break
		}
		if strings.TrimSpace(line) != "" {
			b.WriteString(line)
			b.WriteByte('\n')
		}
		body = rest
	}
	if body == "" {
		return b.Len(), 0, 0
	}
	b.WriteString("| ")
	start, fileStart = b.Len(), strings.Index(src, body)
	b.WriteString(body)
	b.WriteByte('\n')
	return start, fileStart, len(body)
}

func (r *Rule) unknownTuning(name string) error {
	hint := ""
	if c := closest(name, r.TuningNames()); c != "" {
		hint = fmt.Sprintf(" (did you mean %q?)", c)
	}
	return fmt.Errorf("rule %s has no tuning %q%s; its tunings: %s", r.ID, name, hint, strings.Join(r.TuningNames(), ", "))
}
