package validate

import (
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/rules"
)

// Width is the terminal width the text output fits in.
const Width = 80

// WriteHeader writes the one-paragraph description of the run.
func WriteHeader(w io.Writer, title string, r *Report) {
	m := r.Manifest
	fmt.Fprintf(w, "%s: %s\n", title, r.Rule)
	fmt.Fprintf(w, "  seed %d, %d events from %d hosts, %s\n", r.Seed, r.Events, r.Hosts, span(m.Start, m.End))
	fmt.Fprintf(w, "  raw FDR layout, hunted through Falcon enrichment; %d attack runs, %d FP sources\n",
		len(m.Attacks), len(m.FalsePositives))
}

// WriteMatrix writes the detection matrix: each attack test on each
// platform, and under it its signals grouped by outcome.
func WriteMatrix(w io.Writer, r *Report) {
	section(w, "DETECTION MATRIX")
	for _, t := range r.Tests {
		state := "DETECTED"
		if !t.Detected() {
			state = "NOT DETECTED"
		} else if t.Missed() > 0 {
			state = "PARTIAL"
		}
		exp, fired := 0, 0
		for _, s := range t.Signals {
			if s.Expected {
				exp++
				if s.Fired {
					fired++
				}
			}
		}
		head := fmt.Sprintf("  %d %s", t.Test, t.Name)
		tail := fmt.Sprintf("%s %s %-12s %d/%d", t.Platform, col(t.Host, 14), state, fired, exp)
		fmt.Fprintf(w, "%s%s\n", col(head, Width-runes(tail)-1), tail)
		for _, g := range groupSignals(t.Signals) {
			s := g.first
			if !s.Expected && !s.Fired {
				continue // the test's other events, rightly quiet
			}
			mark, what := "fired", s.Branch
			switch {
			case !s.OK() && !s.Expected:
				mark = "NOISE"
			case !s.OK():
				mark = "MISSED"
				if s.Fired {
					mark = "WRONG"
				}
				what = s.Want
			}
			count := ""
			if g.n > 1 {
				count = fmt.Sprintf("x%d", g.n)
			}
			line := fmt.Sprintf("      %-6s %-3s %s %s ", mark, count, col(s.Event, 17), col(what, 19))
			fmt.Fprintf(w, "%s%s\n", line, clip(s.Detail, Width-runes(line)))
			if s.Why != "" {
				wrap(w, "          why: ", s.Why)
			}
		}
	}
	missed := r.Missed()
	detected := 0
	for _, t := range r.Tests {
		if t.Detected() {
			detected++
		}
	}
	fmt.Fprintf(w, "  %d of %d test runs detected; %d expected signal(s) missed\n", detected, len(r.Tests), missed)
}

type signalGroup struct {
	first SignalResult
	n     int
}

// groupSignals folds signals with the same event, outcome and reason.
func groupSignals(ss []SignalResult) []signalGroup {
	var out []signalGroup
	for _, s := range ss {
		found := false
		for i := range out {
			f := out[i].first
			if f.Event == s.Event && f.Expected == s.Expected && f.Fired == s.Fired && f.Branch == s.Branch && f.Want == s.Want && f.Why == s.Why {
				out[i].n++
				found = true
				break
			}
		}
		if !found {
			out = append(out, signalGroup{first: s, n: 1})
		}
	}
	return out
}

// WriteFalsePositives writes background false-positive alerts per source,
// untuned and with each tuning alone (T1, T2... as listed below the table),
// then what each tuning removed.
func WriteFalsePositives(w io.Writer, r *Report) {
	section(w, "FALSE POSITIVES ON THE BACKGROUND (alerts per source)")
	head := fmt.Sprintf("  %-22s %4s %7s", "source", "runs", "untuned")
	for i := range r.Tunings {
		head += fmt.Sprintf(" %4s", fmt.Sprintf("T%d", i+1))
	}
	head += fmt.Sprintf(" %5s", "all")
	fmt.Fprintln(w, head)
	var sumU int
	sums := map[string]int{}
	for _, fp := range r.FalsePositives {
		line := fmt.Sprintf("  %s %4d %7d", col(fp.Source, 22), fp.Scenarios, fp.Untuned)
		sumU += fp.Untuned
		for _, t := range r.Tunings {
			line += " " + cell(fp.With, t.Name, t.Available)
			sums[t.Name] += fp.With[t.Name]
		}
		n, ok := fp.With[AllTunings]
		if !ok {
			n = fp.Untuned
		}
		sums[AllTunings] += n
		line += fmt.Sprintf(" %5d", n)
		fmt.Fprintln(w, line)
	}
	total := fmt.Sprintf("  %-22s %4s %7d", "total", "", sumU)
	for _, t := range r.Tunings {
		total += " " + cell(sums, t.Name, t.Available)
	}
	fmt.Fprintf(w, "%s %5d\n", total, sums[AllTunings])
	for _, fp := range r.FalsePositives {
		writeExpectation(w, fp)
	}

	section(w, "TUNINGS")
	for i, t := range r.Tunings {
		label := fmt.Sprintf("  T%-2d %s ", i+1, col(t.Name, 20))
		switch {
		case !t.Available:
			fmt.Fprintf(w, "%snot available (%s)\n", label, clip(t.Reason, Width-runes(label)-17))
		case t.AttackLost > 0:
			fmt.Fprintf(w, "%sremoves %3d alert(s); LOSES %d attack signal(s)\n", label, t.Removed, t.AttackLost)
		default:
			fmt.Fprintf(w, "%sremoves %3d alert(s); keeps every attack signal\n", label, t.Removed)
		}
	}
	if len(r.Tuned) != len(r.Alerts) {
		fmt.Fprintf(w, "  all available tunings on: %d alert(s) -> %d\n", len(r.Alerts), len(r.Tuned))
	}
}

// writeExpectation writes what the manifest expects the source's
// context-dependent tuning to do, whether the hunt agreed, and why each
// group of scenarios goes or stays.
func writeExpectation(w io.Writer, fp FPResult) {
	e := fp.Expect
	if e == nil {
		return
	}
	head := fmt.Sprintf("  %s with %s: %d -> ", fp.Source, e.Tuning, fp.Untuned)
	switch {
	case !e.Available:
		fmt.Fprintf(w, "%s? (tuning not available; expected %d)\n", head, e.Left)
	case e.OK():
		fmt.Fprintf(w, "%s%d alert(s), as expected\n", head, e.Got)
	default:
		fmt.Fprintf(w, "%s%d, EXPECTED %d (%d disagree)\n", head, e.Got, e.Left, e.Disagree)
	}
	for _, g := range e.Groups {
		verb := "kept"
		if g.Removed {
			verb = "removed"
		}
		why := g.Reason
		if !g.Removed && g.Scenarios > 1 {
			why = "e.g. " + why // each kept one has its own process
		}
		wrap(w, fmt.Sprintf("    %-7s %d on %s ", verb, g.Scenarios, g.Role), strings.Join(g.Hosts, ", ")+": "+why)
	}
}

func cell(m map[string]int, name string, available bool) string {
	if !available {
		return fmt.Sprintf("%4s", "n/a")
	}
	return fmt.Sprintf("%4d", m[name])
}

// WriteAlerts writes one line per alert: time, host, user, branch and what
// matched.
func WriteAlerts(w io.Writer, title string, alerts []rules.Alert) {
	section(w, fmt.Sprintf("%s (%d)", title, len(alerts)))
	if len(alerts) == 0 {
		fmt.Fprintln(w, "  none")
		return
	}
	fmt.Fprintf(w, "  %-8s %-14s %-12s %-19s %s\n", "time", "host", "user", "branch", "matched")
	for _, a := range alerts {
		line := fmt.Sprintf("  %-8s %s %s %s ", alertTime(a), col(a.Get("ComputerName"), 14),
			col(orDash(a.Get("UserName")), 12), col(a.Branch(), 19))
		fmt.Fprintf(w, "%s%s\n", line, clip(matched(a), Width-runes(line)))
	}
}

// matched is the part of the event the branch matched on.
func matched(a rules.Alert) string {
	switch a.Get("#event_simpleName") {
	case "DnsRequest":
		return a.Get("DomainName")
	case "NetworkConnectIP4":
		return a.Get("ContextProcessName") + " " + a.Get("RemoteAddressIP4") + ":" + a.Get("RemotePort")
	}
	if c := a.Get("CommandLine"); c != "" {
		return c
	}
	return path.Base(strings.ReplaceAll(a.Get("ImageFileName"), `\`, "/"))
}

func alertTime(a rules.Alert) string {
	ms, ok := event.ParseNumber(a.Get(event.Timestamp))
	if !ok {
		return "-"
	}
	return time.UnixMilli(int64(ms)).UTC().Format("15:04:05")
}

// WriteEnrichment writes what enrichment learned and added, in two lines.
func WriteEnrichment(w io.Writer, r *Report) {
	s := r.Enrich
	section(w, "ENRICHMENT")
	fmt.Fprintf(w, "  learned %d processes, %d hosts, %d user mappings\n", s.LearnedProcesses, s.LearnedHosts, s.LearnedUsers)
	fmt.Fprintf(w, "  added ComputerName to %d, UserName to %d, ContextProcessName to %d\n",
		s.Added["ComputerName"], s.Added["UserName"], s.Added["ContextProcessName"])
}

// WriteText writes the whole validation report as text.
func WriteText(w io.Writer, r *Report) {
	WriteHeader(w, "tiercel validate", r)
	WriteMatrix(w, r)
	WriteFalsePositives(w, r)
	WriteEnrichment(w, r)
}

// jsonReport is the --format json shape.
type jsonReport struct {
	Rule           string         `json:"rule"`
	Seed           int64          `json:"seed"`
	Events         int64          `json:"events"`
	Hosts          int            `json:"hosts"`
	Start          string         `json:"start"`
	End            string         `json:"end"`
	Alerts         int            `json:"alerts"`
	AlertsTuned    int            `json:"alerts_with_all_tunings"`
	Missed         int            `json:"missed_signals"`
	Tests          []TestResult   `json:"tests"`
	Tunings        []TuningResult `json:"tunings"`
	FalsePositives []FPResult     `json:"false_positives"`
}

// WriteJSON writes the report as one indented JSON document.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jsonReport{
		Rule: r.Rule, Seed: r.Seed, Events: r.Events, Hosts: r.Hosts,
		Start: r.Manifest.Start, End: r.Manifest.End,
		Alerts: len(r.Alerts), AlertsTuned: len(r.Tuned), Missed: r.Missed(),
		Tests: r.Tests, Tunings: r.Tunings, FalsePositives: r.FalsePositives,
	})
}

// span renders two RFC 3339 times as "2006-01-02 15:04 to 16:04 UTC".
func span(start, end string) string {
	a, err1 := time.Parse(time.RFC3339, start)
	b, err2 := time.Parse(time.RFC3339, end)
	if err1 != nil || err2 != nil {
		return start + " to " + end
	}
	a, b = a.UTC(), b.UTC()
	layout := "2006-01-02 15:04"
	if a.YearDay() == b.YearDay() && a.Year() == b.Year() {
		layout = "15:04"
	}
	return a.Format("2006-01-02 15:04") + " to " + b.Format(layout) + " UTC"
}

func section(w io.Writer, title string) {
	fmt.Fprintf(w, "\n%s\n", title)
}

// clip shortens s to n runes, marking the cut with an ellipsis.
func clip(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// col is s clipped and padded to exactly n runes: one table column.
func col(s string, n int) string { return pad(clip(s, n), n) }

func runes(s string) int { return utf8.RuneCountInString(s) }

// pad right-pads s with spaces to n runes.
func pad(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// wrap writes text after prefix, continuing on indented lines at Width.
func wrap(w io.Writer, prefix, text string) {
	indent := strings.Repeat(" ", utf8.RuneCountInString(prefix))
	line := prefix
	for _, word := range strings.Fields(text) {
		if utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) > Width && line != prefix && line != indent {
			fmt.Fprintln(w, line)
			line = indent
		}
		if line != prefix && line != indent {
			line += " "
		}
		line += word
	}
	fmt.Fprintln(w, line)
}
