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
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// untaughtLines is telemetry from which enrichment learns nothing: no
// process start, identity or lookup record. ContextProcessName can only
// fall back on ContextBaseFileName. One candidate line is cut off.
func untaughtLines() []string {
	names := []string{"curl", "svchost.exe", "wget"}
	var lines []string
	for i := range 90 {
		lines = append(lines,
			fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":"a%d","ContextProcessId":"%d","ContextBaseFileName":"%s","RemotePort":"%d","RemoteAddressIP4":"198.51.100.%d","UserSid":"S-1-5-21-%d"}`,
				i%3, 100+i, names[i%3], 440+i%5, i, i%2),
			fmt.Sprintf(`{"event_simpleName":"DnsRequest","aid":"a%d","ContextProcessId":"%d","DomainName":"h%d.example","IP4Records":"198.51.100.%d;"}`, i%3, 100+i, i, i),
			fmt.Sprintf(`{"event_simpleName":"EndOfProcess","aid":"a%d","ContextProcessId":"%d"}`, i%3, 100+i))
	}
	return append(lines, `{"event_simpleName":"NetworkConnectIP4","aid":"a1","ContextProcessId":"7","ContextBaseFileName":"curl","RemotePort":"443"`)
}

// A search learning as it reads runs its kept lines as it keeps them; the
// results stand only when nothing in the input taught enrichment. Either
// way rows, malformed-line reports and enrichment counters are those of
// holding the lines until the read is done, and the rows those of
// learning first.
func TestRunAheadStandsOnlyWhenNothingTeaches(t *testing.T) {
	const netByName = `#event_simpleName=NetworkConnectIP4 ContextProcessName=/curl|wget/i | table([aid, ContextProcessName, UserName, RemotePort], limit=max)`
	tests := []struct {
		name      string
		late      []string // lines after the rest
		queries   []string
		wantAhead bool
	}{
		{name: "nothing teaches: a table", queries: []string{netByName}, wantAhead: true},
		{name: "nothing teaches: a count", queries: []string{`ContextProcessName=/curl/i | count()`}, wantAhead: true},
		{name: "nothing teaches: groupBy", queries: []string{`#event_simpleName=NetworkConnectIP4 | groupBy([ContextProcessName, RemotePort])`}, wantAhead: true},
		{name: "nothing teaches: a hunt", queries: []string{netByName, `ContextProcessName=wget RemotePort=443 | count()`}, wantAhead: true},
		{name: "nothing teaches: rows as they come", queries: []string{`#event_simpleName=NetworkConnectIP4 ContextProcessName=curl | select([aid, ContextProcessName, RemotePort])`}, wantAhead: true},
		// whole events read every field: DNS answers teach DestinationHostname
		{name: "whole events", queries: []string{`#event_simpleName=NetworkConnectIP4 ContextProcessName=curl`}},
		{name: "process starts without their ids teach nothing", queries: []string{netByName}, wantAhead: true,
			late: []string{`{"event_simpleName":"ProcessRollup2","aid":"a0","ImageFileName":"C:\\Tools\\wget-evil.exe"}`,
				`{"event_simpleName":"ProcessRollup2","TargetProcessId":"100","ImageFileName":"C:\\Tools\\wget-evil.exe"}`}},
		{name: "a process start at the end", queries: []string{netByName},
			late: []string{`{"event_simpleName":"ProcessRollup2","aid":"a0","TargetProcessId":"100","ImageFileName":"C:\\Tools\\wget-evil.exe","ContextTimeStamp":"1700000000.000"}`}},
		{name: "a host record at the end", queries: []string{`ContextProcessName=curl | table([ComputerName, RemotePort], limit=max)`},
			late: []string{`{"aid":"a1","ComputerName":"HOST-1","Time":"1700000000"}`}},
		{name: "a user record at the end", queries: []string{netByName},
			late: []string{`{"UserSid_readable":"S-1-5-21-1","UserName":"bob"}`}},
		{name: "DNS answers teach DestinationHostname", queries: []string{`#event_simpleName=NetworkConnectIP4 | table([DestinationHostname, ContextProcessName], limit=max)`}},
		{name: "a backtracking regex is not run ahead", queries: []string{`ContextProcessName=/(?=curl)c/ | count()`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path, open := smallChunkFile(t, append(untaughtLines(), tc.late...))
			var progs []*engine.Program
			for _, q := range tc.queries {
				progs = append(progs, compile(t, q))
			}
			type outcome struct {
				Rows     []string
				Problems string
				Enriched enrich.Stats
			}
			search := func(en Enricher, workers int, mode learnMode, noAhead bool) (outcome, *Stats) {
				var o outcome
				var report bytes.Buffer
				stats, err := Search(context.Background(), progs, open(), Options{Workers: workers, Enricher: en,
					learning: mode, noRunAhead: noAhead, Problems: ingest.NewProblems(&report, 0),
					Reopen: func() (Source, error) { return open(), nil },
					Emit:   func(i int, row *event.Event) { o.Rows = append(o.Rows, fmt.Sprint(i, render([]*event.Event{row}))) }})
				if err != nil {
					t.Fatal(err)
				}
				o.Problems = report.String()
				return o, stats
			}
			prepared := func() *enrich.Enricher {
				en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: progs})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { en.Close() })
				return en
			}
			learned, _ := search(learnedAll(t, open()), 1, learnAuto, true)
			for _, workers := range []int{1, 3} {
				en := prepared()
				want, _ := search(en, workers, learnAsRead, true)
				want.Enriched = en.Stats()
				if diff := cmp.Diff(learned.Rows, want.Rows); diff != "" {
					t.Fatalf("%d workers, held until the read is done: rows differ from learning first (-want +got):\n%s", workers, diff)
				}
				en = prepared()
				got, stats := search(en, workers, learnAsRead, false)
				got.Enriched = en.Stats()
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%d workers: run ahead, the search differs from holding the lines (-want +got):\n%s", workers, diff)
				}
				if ran := stats.RanAhead > 0; ran != tc.wantAhead {
					t.Errorf("%d workers: %d lines run ahead stood, want some: %v", workers, stats.RanAhead, tc.wantAhead)
				}
				if tc.wantAhead && stats.RanAhead != stats.Held {
					t.Errorf("%d workers: %d of %d held lines run ahead, want all", workers, stats.RanAhead, stats.Held)
				}
				if !bytes.Contains([]byte(got.Problems), []byte("e.ndjson:271:")) {
					t.Errorf("%d workers: the cut-off line 271 is not reported: %q", workers, got.Problems)
				}
			}
		})
	}
}

// The kept lines run ahead are bounded: past the budget the rest run after
// the read, and the results are the same.
func TestRunAheadBudget(t *testing.T) {
	path, open := smallChunkFile(t, untaughtLines())
	prog := compile(t, `#event_simpleName=NetworkConnectIP4 RemotePort=441 | table([ContextProcessName, RemotePort], limit=max)`)
	var rows [2][]string
	var ahead [2]int64
	for i, hold := range []int64{1 << 20, 256} { // 256 bytes: run ahead a kilobyte
		en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: []*engine.Program{prog}})
		if err != nil {
			t.Fatal(err)
		}
		stats, err := Search(context.Background(), []*engine.Program{prog}, open(), Options{Workers: 2, Enricher: en,
			learning: learnAsRead, HoldBytes: hold, Reopen: func() (Source, error) { return open(), nil },
			Emit: func(_ int, row *event.Event) { rows[i] = append(rows[i], render([]*event.Event{row})...) }})
		en.Close()
		if err != nil {
			t.Fatal(err)
		}
		ahead[i] = stats.RanAhead
		if i == 0 && ahead[i] != stats.Held {
			t.Errorf("a budget of a MiB: %d of %d held lines run ahead, want all", ahead[i], stats.Held)
		}
	}
	if ahead[1] == 0 || ahead[1] >= ahead[0] {
		t.Errorf("a budget of a kilobyte: %d lines run ahead, want some and fewer than %d", ahead[1], ahead[0])
	}
	if diff := cmp.Diff(rows[0], rows[1]); diff != "" {
		t.Errorf("rows differ with the budget spent (-all ahead +some ahead):\n%s", diff)
	}
}

// An FDR tree's lookup tables teach: nothing is run ahead, and the rows
// are those of learning first.
func TestRunAheadNotWithLookupTables(t *testing.T) {
	root := t.TempDir()
	for name, lines := range map[string][]string{
		"data/part-0.ndjson":          untaughtLines(),
		"fdrv2/aidmaster/part-0.json": {`{"aid":"a1","ComputerName":"HOST-1","Time":"1700000000"}`},
	} {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	open := fileSource(t, root, 1<<10)
	prog := compile(t, `ContextProcessName=curl | table([ComputerName, RemotePort], limit=max)`)
	want, _ := sortedRows(t, prog, open(), Options{Workers: 1, Enricher: learnedAll(t, open())})
	en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{root}, Programs: []*engine.Program{prog}})
	if err != nil {
		t.Fatal(err)
	}
	defer en.Close()
	got, stats := sortedRows(t, prog, open(), Options{Workers: 2, Enricher: en, learning: learnAsRead,
		Reopen: func() (Source, error) { return open(), nil }})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows differ from learning first (-want +got):\n%s", diff)
	}
	if stats.RanAhead != 0 {
		t.Errorf("%d lines run ahead stood, want none: the aidmaster record taught", stats.RanAhead)
	}
}
