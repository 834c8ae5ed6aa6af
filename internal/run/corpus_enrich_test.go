package run

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
	"github.com/tiercel/tiercel/internal/sigma"
)

// lateStarts is context events of tools corpus queries look for, each
// named by its ContextBaseFileName as something harmless, then, after all
// of them, the tools' process starts: a read learning as it goes bets
// that those processes never start, and loses.
func lateStarts() []string {
	tools := []string{"powershell.exe", "cmd.exe", "curl.exe", "rundll32.exe", "certutil.exe", "mshta.exe",
		"regsvr32.exe", "wmic.exe", "nmap.exe", "python.exe", "psexec.exe", "bitsadmin.exe"}
	var events, starts []string
	for i, tool := range tools {
		pid := 8000 + i
		events = append(events,
			fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":"eeee","ContextProcessId":"%d","ContextBaseFileName":"benign.exe","RemoteAddressIP4":"203.0.113.%d","RemotePort":"443","ContextTimeStamp":"1700000100.000"}`, pid, i),
			fmt.Sprintf(`{"event_simpleName":"DnsRequest","aid":"eeee","ContextProcessId":"%d","ContextBaseFileName":"benign.exe","DomainName":"c2-%d.example.net","ContextTimeStamp":"1700000100.500"}`, pid, i))
		starts = append(starts, fmt.Sprintf(`{"event_simpleName":"ProcessRollup2","aid":"eeee","TargetProcessId":"%d","ParentProcessId":"7999","ImageFileName":"\\Device\\HarddiskVolume3\\Windows\\System32\\%s","CommandLine":"%s -enc aQBlAHgA","UserSid":"S-1-5-21-9","ContextTimeStamp":"1700000101.000"}`, pid, tool, tool))
	}
	return append(events, starts...)
}

// sigmaVisible is the shared corpus's SigmaHQ rules.
const sigmaVisible = "../../../shared/corpus/sigma-visible"

// sigmaQueries converts the SigmaHQ rules of the shared corpus: unlike
// the LogScale queries, they read ContextProcessName and the other fields
// of the acting and parent processes.
func sigmaQueries(t *testing.T) []corpusQuery {
	t.Helper()
	srcs, _ := sigma.ReadPath(sigmaVisible)
	if len(srcs) == 0 {
		t.Skipf("no Sigma rules at %s (../shared is absent)", sigmaVisible)
	}
	converted, _ := sigma.NewConverter().ConvertSet(srcs)
	var out []corpusQuery
	for _, c := range converted {
		q, ds := cql.Parse(c.CQL)
		if ds.HasErrors() {
			t.Fatalf("%s: the converted query does not parse: %s", c.ID, ds[0].Message)
		}
		if cq := (corpusQuery{c.CQL, q}); cq.program() != nil {
			out = append(out, cq)
		}
	}
	if len(out) < 100 {
		t.Fatalf("only %d Sigma rules convert and compile", len(out))
	}
	return out
}

// enrichVariant is one way a learning search under test runs: its
// workers, candidate budget (0: the default), when it learns, and its
// process memory (1: processes and users spill at once).
type enrichVariant struct {
	workers int
	hold    int64
	mode    learnMode
	procMem int
}

// enricher prepares the enricher of progs over the file at path with v's
// process memory: nil when they read nothing it adds. done closes it.
func (v enrichVariant) enricher(t *testing.T, path string, progs ...*engine.Program) (e Enricher, done func()) {
	t.Helper()
	en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: progs, ProcessMemory: v.procMem})
	if err != nil {
		t.Fatal(err)
	}
	if en == nil {
		return nil, func() {} // no typed nil in the interface
	}
	return en, func() { en.Close() }
}

// enrichTestInput writes the real FDR samples beside telemetry made to
// teach everything enrichment learns (context events before and after
// their process starts) to a file read in small chunks.
func enrichTestInput(t *testing.T, samples []byte) (string, func() Source) {
	t.Helper()
	lines := append(learnTestLines(), strings.Split(strings.TrimSpace(string(samples)), "\n")...)
	lines = append(lines, lateStarts()...)
	path := filepath.Join(t.TempDir(), "events.ndjson")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, fileSource(t, path, 2<<10)
}

// TestCorpusEnrichedMatchesLearnThenSearch runs every corpus query and
// SigmaHQ rule as the command line does with default flags: enrichment
// learned in the search's own read (deferred or as read, candidates
// settled and bet on, kept lines run ahead), with one worker and two,
// candidates kept in memory and spilled, and with the process table and
// user directory spilled at every record. Each gives, row for row and in order, what a learn
// pass over the whole input followed by the search gives, and reports the
// same malformed lines. The input is the real FDR samples beside
// telemetry made to teach everything enrichment learns, with context
// events before and after their process starts.
func TestCorpusEnrichedMatchesLearnThenSearch(t *testing.T) {
	queries, samples := corpusQueries(t)
	queries = append(queries, sigmaQueries(t)...)
	path, open := enrichTestInput(t, samples)
	search := func(prog *engine.Program, en Enricher, workers int, hold int64, mode learnMode) (rows []string, problems string, err error) {
		var report bytes.Buffer
		p := ingest.NewProblems(&report, 0)
		_, err = Search(context.Background(), []*engine.Program{prog}, open(), Options{
			Workers: workers, Enricher: en, Problems: p, HoldBytes: hold, learning: mode,
			Emit:   func(_ int, row *event.Event) { rows = append(rows, render([]*event.Event{row})...) },
			Reopen: func() (Source, error) { return open(), nil },
		})
		return rows, fmt.Sprint(p.Count()), err
	}
	ref := learnedAll(t, open()) // after learning, searches only read it
	compared, learned := 0, 0
	for i, c := range queries {
		if raceDetector && i%8 != 0 {
			continue // the race detector needs the paths run, not every query
		}
		label, _, _ := strings.Cut(c.src, "\n")
		want, wantProblems, err := search(c.program(), ref, 1, 0, learnAsRead)
		if err != nil {
			continue // stopped by a limit: so is the search under test
		}
		compared++
		// Small inputs defer learning (learnAuto); large ones learn as
		// they are read, which here is forced.
		for _, v := range []enrichVariant{{1, 0, learnAuto, 0}, {2, 0, learnAuto, 0}, {1, 0, learnAsRead, 0}, {2, 0, learnAsRead, 0}, {2, 300, learnAsRead, 1}} {
			prog := c.program()
			e, done := v.enricher(t, path, prog)
			if e != nil && v.workers == 1 && v.mode == learnAuto {
				learned++
			}
			got, gotProblems, err := search(prog, e, v.workers, v.hold, v.mode)
			done()
			if err != nil {
				t.Errorf("%s (%+v): %v", label, v, err)
				continue
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s (%+v): rows differ from learn-then-search (-want +got):\n%s", label, v, diff)
			}
			if gotProblems != wantProblems {
				t.Errorf("%s (%+v): %s malformed lines, want %s", label, v, gotProblems, wantProblems)
			}
		}
	}
	if learned < 100 && !raceDetector {
		t.Errorf("only %d corpus queries read enriched fields: the comparison says little", learned)
	}
	t.Logf("%d corpus queries compared with learn-then-search, %d of them learning in the search's read", compared, learned)
}

// TestCorpusHuntMatchesLearnThenSearch runs the SigmaHQ rules as one hunt,
// and the corpus queries in hunts of fifty, as TestCorpusEnriched... runs
// each alone: a hunt's plan dispatches lines to its rules, settles and bets
// on them against every rule's tests at once, and finds the processes that
// carry its rules' literals. Each hunt gives, row for row with the rule
// that made it, what a learn pass followed by the hunt gives.
func TestCorpusHuntMatchesLearnThenSearch(t *testing.T) {
	queries, samples := corpusQueries(t)
	sigmaSet := sigmaQueries(t)
	path, open := enrichTestInput(t, samples)
	hunts := [][]corpusQuery{sigmaSet}
	for i := 0; i < len(queries); i += 50 {
		hunts = append(hunts, queries[i:min(i+50, len(queries))])
	}
	hunt := func(progs []*engine.Program, en Enricher, workers int, hold int64, mode learnMode) (rows []string, err error) {
		_, err = Search(context.Background(), progs, open(), Options{
			Workers: workers, Enricher: en, HoldBytes: hold, learning: mode,
			Emit:   func(i int, row *event.Event) { rows = append(rows, fmt.Sprint(i, render([]*event.Event{row}))) },
			Reopen: func() (Source, error) { return open(), nil },
		})
		return rows, err
	}
	ref := learnedAll(t, open())
	compared := 0
	for h, set := range hunts {
		if raceDetector && h%4 != 0 {
			continue
		}
		var progs []*engine.Program
		for _, c := range set {
			progs = append(progs, c.program())
		}
		want, err := hunt(progs, ref, 1, 0, learnAsRead)
		if err != nil {
			continue // stopped by a limit: so is the hunt under test
		}
		compared++
		for _, v := range []enrichVariant{{1, 0, learnAsRead, 0}, {2, 0, learnAsRead, 0}, {2, 300, learnAsRead, 1}} {
			var progs []*engine.Program
			for _, c := range set {
				progs = append(progs, c.program())
			}
			e, done := v.enricher(t, path, progs...)
			got, err := hunt(progs, e, v.workers, v.hold, v.mode)
			done()
			if err != nil {
				t.Errorf("hunt %d (%+v): %v", h, v, err)
				continue
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("hunt %d of %d rules (%+v): rows differ from learn-then-search (-want +got):\n%s", h, len(set), v, diff)
			}
		}
	}
	if compared == 0 {
		t.Fatal("no hunt compared")
	}
	t.Logf("%d hunts compared with learn-then-search", compared)
}
