package cli

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unique"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/rules"
)

// alertSummary is the Hayabusa-style digest printed after a hunt: alerts
// by severity, the rules and hosts with the most alerts, and the time span
// they cover.
type alertSummary struct {
	bySeverity  map[string]int
	byRule      map[string]int
	ruleTitle   map[string]string
	byHost      map[string]int
	first, last int64 // epoch ms; 0 when no alert had a @timestamp
	total       int
}

// summaryTop is how many rules and hosts the summary lists.
const summaryTop = 5

func newAlertSummary() *alertSummary {
	return &alertSummary{bySeverity: map[string]int{}, byRule: map[string]int{}, ruleTitle: map[string]string{}, byHost: map[string]int{}}
}

// countKey counts one more of key in m. An alert's values may be its
// row's, reused once the alert is written, and a map assignment stores
// the key it is given even over an equal one: the key counted is the
// canonical copy unique keeps (one lookup, no allocation once seen).
func countKey(m map[string]int, key string) {
	m[unique.Make(key).Value()]++
}

// add counts a, which it does not keep (its strings may be reused).
func (s *alertSummary) add(a rules.Alert) {
	s.total++
	s.bySeverity[strings.ToLower(a.Rule.Severity)]++
	s.byRule[a.Rule.ID]++
	s.ruleTitle[a.Rule.ID] = a.Rule.DisplayName()
	host := a.Get("ComputerName")
	if host == "" {
		host = "(unknown host)"
	}
	countKey(s.byHost, host)
	if ms, ok := event.ParseNumber(a.Get(event.Timestamp)); ok {
		t := int64(ms)
		if s.first == 0 || t < s.first {
			s.first = t
		}
		if t > s.last {
			s.last = t
		}
	}
}

// print writes the digest; colour paints the severities as the table does.
func (s *alertSummary) print(w io.Writer, colour bool) {
	if s.total == 0 {
		fmt.Fprintln(w, "summary: no alerts")
		return
	}
	var sev []string
	for i := len(severities) - 1; i >= 0; i-- {
		name := severities[i]
		sev = append(sev, paint(colour && s.bySeverity[name] > 0, severityColour("severity", name), fmt.Sprintf("%s %d", name, s.bySeverity[name])))
	}
	fmt.Fprintf(w, "summary: %d alert(s) by severity: %s\n", s.total, strings.Join(sev, ", "))
	for _, kv := range top(s.byRule, summaryTop) {
		fmt.Fprintf(w, "summary: rule %s (%s): %d\n", kv.key, s.ruleTitle[kv.key], kv.n)
	}
	var hosts []string
	for _, kv := range top(s.byHost, summaryTop) {
		hosts = append(hosts, fmt.Sprintf("%s %d", kv.key, kv.n))
	}
	more := ""
	if n := len(s.byHost) - summaryTop; n > 0 {
		more = fmt.Sprintf(" (+%d more)", n)
	}
	fmt.Fprintf(w, "summary: %d host(s), most alerts: %s%s\n", len(s.byHost), strings.Join(hosts, ", "), more)
	if s.first != 0 {
		fmt.Fprintf(w, "summary: first seen %s, last seen %s\n", isoMillis(s.first), isoMillis(s.last))
	}
}

type keyCount struct {
	key string
	n   int
}

// top returns the n largest counts, ties by key.
func top(m map[string]int, n int) []keyCount {
	out := make([]keyCount, 0, len(m))
	for k, v := range m {
		out = append(out, keyCount{k, v})
	}
	slices.SortFunc(out, func(a, b keyCount) int {
		if c := cmp.Compare(b.n, a.n); c != 0 {
			return c
		}
		return cmp.Compare(a.key, b.key)
	})
	return out[:min(n, len(out))]
}

func isoMillis(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05Z")
}

// atLeastSeverity keeps the rules whose severity ranks at or above min.
func atLeastSeverity(set []*rules.Rule, min string) []*rules.Rule {
	floor := severityRank(min)
	var out []*rules.Rule
	for _, r := range set {
		if severityRank(r.Severity) >= floor {
			out = append(out, r)
		}
	}
	return out
}
