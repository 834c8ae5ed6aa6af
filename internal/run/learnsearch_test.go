package run

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// learnTestLines is raw telemetry with everything enrichment learns from
// mixed in: process starts after some of their context events, aidmaster
// records (two for one host: the newer wins), a userinfo record, an
// identity event and malformed lines.
func learnTestLines() []string {
	lines := shuffleWithin(streamLines(120), 40, 11)
	lines = append(lines,
		`{"aid":"aaaa","ComputerName":"OLD-A","Time":"1600000000"}`,
		`{"aid":"bbbb","ComputerName":"HOST-B","Time":"1700000000","event_platform":"Lin"}`,
		`{"event_simpleName":"UserIdentity","aid":"aaaa","UserSid":"S-1-5-21-9","UserName":"alice","ContextTimeStamp":"1700000001.000"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"aaaa","TargetProcessId":"7777","ImageFileName":"\\Device\\HarddiskVolume3\\Windows\\curl.exe","CommandLine":"curl ipinfo.io","UserSid":"S-1-5-21-9","ContextTimeStamp":"1700000002.000"}`,
		`{"UserSid_readable":"S-1-5-21-8","UserName":"bob"}`,
		// its process is unknown: ContextProcessName comes from the line
		`{"event_simpleName":"NetworkConnectIP4","aid":"bbbb","ContextProcessId":"999999","ContextBaseFileName":"curl","RemotePort":"443"}`,
		// settled while learning: the name is known and decides
		`{"event_simpleName":"ProcessRollup2","aid":"cccc","TargetProcessId":"501","ImageFileName":"C:\\Windows\\svchost.exe","ContextTimeStamp":"1700000003.000"}`,
		`{"event_simpleName":"NetworkConnectIP4","aid":"cccc","ContextProcessId":"501","ContextBaseFileName":"curl","RemotePort":"443"}`,
		// a nameless start, named by a later synthetic one: not settled early
		`{"event_simpleName":"ProcessRollup2","aid":"cccc","TargetProcessId":"502","ContextTimeStamp":"1700000003.000"}`,
		`{"event_simpleName":"NetworkConnectIP4","aid":"cccc","ContextProcessId":"502","ContextBaseFileName":"svchost.exe","RemotePort":"443"}`,
		`{"event_simpleName":"SyntheticProcessRollup2","aid":"cccc","TargetProcessId":"502","ImageFileName":"/usr/bin/curl","ContextTimeStamp":"1700000004.000"}`,
		// the start comes after: settled only once learning is over
		`{"event_simpleName":"NetworkConnectIP4","aid":"cccc","ContextProcessId":"503","RemotePort":"443"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"cccc","TargetProcessId":"503","ImageFileName":"/usr/bin/wget","ContextTimeStamp":"1700000005.000"}`,
		// escapes, a name of its own, a pid that is not plain, a process start
		`{"event_simpleName":"NetworkConnectIP4","aid":"cccc","ContextProcessId":"501","ContextBaseFileName":"\u0063url","RemotePort":"443"}`,
		`{"event_simpleName":"NetworkConnectIP4","aid":"cccc","ContextProcessId":"501","ContextProcessName":"curl","RemotePort":"443"}`,
		`{"event_simpleName":"NetworkConnectIP4","aid":"cccc","ContextProcessId":" 501","ContextBaseFileName":"curl","RemotePort":"443"}`,
		`{"event_simpleName":"NetworkConnectIP4","aid":"dddd","ContextProcessId":"77","ContextBaseFileName":"curl","RemotePort":"443"}`,
		// a parent whose command line its child gets as ParentCommandLine
		`{"event_simpleName":"ProcessRollup2","aid":"cccc","TargetProcessId":"601","ImageFileName":"/usr/bin/python3","CommandLine":"python3 evil-parent.py","ContextTimeStamp":"1700000006.000"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"cccc","TargetProcessId":"602","ParentProcessId":"601","ImageFileName":"/usr/bin/sh","CommandLine":"sh -c id","ContextTimeStamp":"1700000007.000"}`,
		// the aidmaster's event_platform reaches only the event that lacks one
		`{"event_simpleName":"NetworkConnectIP4","aid":"bbbb","ContextProcessId":"31","RemotePort":"80","event_platform":"Win"}`,
		`{"event_simpleName":"NetworkConnectIP4","aid":"bbbb","ContextProcessId":"32","RemotePort":"80"}`,
		// a DNS answer: the connection to its address gets DestinationHostname
		`{"event_simpleName":"DnsRequest","aid":"aaaa","DomainName":"tunnel.localto.net","IP4Records":"198.51.100.7;","ContextTimeStamp":"1700000000.500"}`,
		`{"event_simpleName":"NetworkConnectIP4","aid":"aaaa","ContextProcessId":"424242","RemoteAddressIP4":"198.51.100.7","RemotePort":"443"}`,
		`{"event_simpleName":"DnsRequest", broken`,
		`not json at all`,
	)
	// the newer aidmaster record for aaaa comes before the older one
	lines = append([]string{`{"aid":"aaaa","ComputerName":"HOST-A","Time":"1700000000"}`,
		`{"event_simpleName":"NetworkConnectIP4","aid":"aaaa","ContextProcessId":"7777","RemotePort":"443","UserSid":"S-1-5-21-8","ContextTimeStamp":"1700000001.500"}`}, lines...)
	return lines
}

// countingSource counts the chunks it hands out: one read of the input.
type countingSource struct {
	src Source
	n   int
}

func (c *countingSource) Next() (event.Chunk, error) {
	ch, err := c.src.Next()
	if err == nil {
		c.n++
	}
	return ch, err
}

// A search with a pending file-mode enricher learns in its own read of the
// input and gives, byte for byte, the rows (and the malformed-line report)
// of a learn pass over the whole input followed by a search, whatever the
// workers, with candidate lines kept in memory or spilled to disk, and with
// the process table spilled to disk at every process it learns.
func TestSearchLearnsInOneRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.json")
	if err := os.WriteFile(path, []byte(strings.Join(learnTestLines(), "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	queries := [][]string{
		{`#event_simpleName=DnsRequest DomainName="d42.example" | select([DomainName, ContextProcessName, UserName, ComputerName])`},
		{`#event_simpleName=NetworkConnectIP4 RemotePort=443 ContextProcessName=/curl/i | table([ComputerName, ContextProcessName, UserName, aid, ContextProcessId])`},
		{`ComputerName=HOST-A | count()`}, // host fields only: process starts are not learned
		{`#event_simpleName=NetworkConnectIP4 | table([ComputerName, event_platform, RemotePort])`},
		{`#event_simpleName=NetworkConnectIP4 ContextProcessName=/(curl|svchost)/i | table([aid, ContextProcessId, ContextProcessName], limit=max)`},
		{`ContextProcessName=/curl/i | table([aid, ContextProcessId, ContextProcessName, #event_simpleName], limit=max)`},
		{ // hunt: the settled name decides per program
			`#event_simpleName=NetworkConnectIP4 ContextProcessName=/curl/i | table([aid, ContextProcessId])`,
			`#event_simpleName=NetworkConnectIP4 ContextProcessName=/svchost/i | table([aid, ContextProcessId])`,
		},
		{`#event_simpleName=ProcessRollup2 | table([FileName, FilePath, UserName, ComputerName, event_platform])`},
		{`groupBy([ContextProcessName, UserName])`},
		{`#event_simpleName=DnsRequest | tail(5)`},
		{`d42 | select([DomainName, ContextProcessName])`}, // free text no learned value holds
		{`curl | select([#event_simpleName, aid])`},        // free text learned command lines hold
		{`HOST-A | count()`}, // free text an aidmaster record holds
		{`#event_simpleName=NetworkConnectIP4 DestinationHostname=/localto\.net/i | table([aid, RemoteAddressIP4, DestinationHostname])`},
		{`localto | select([#event_simpleName, aid, DestinationHostname])`}, // free text a DNS answer holds
		{`#event_simpleName=ProcessRollup2 ParentCommandLine=/evil-parent/ | table([aid, TargetProcessId, ParentCommandLine])`},
		{`#event_simpleName=NetworkConnectIP4 ContextProcessName=curl | table([aid, ContextProcessId, ContextProcessName], limit=max)`},
		{`FileName=/^(curl|wget)/i | table([aid, TargetProcessId, FileName, FilePath], limit=max)`},
		{ // hunt: learned values (process, parent, DNS answer) carry each program's literal
			`#event_simpleName=NetworkConnectIP4 ContextProcessName=/curl/i | table([aid, ContextProcessId], limit=max)`,
			`#event_simpleName=NetworkConnectIP4 DestinationHostname=/localto\.net/i | table([aid, RemoteAddressIP4], limit=max)`,
			`#event_simpleName=ProcessRollup2 ParentCommandLine=/evil-parent/ | table([aid, TargetProcessId], limit=max)`,
			`curl | count()`,
		},
		{ // hunt: an aidmaster value carries a literal to the events lacking the field
			`#event_simpleName=NetworkConnectIP4 event_platform=Lin | table([aid, ContextProcessId], limit=max)`,
			`#event_simpleName=NetworkConnectIP4 ContextProcessName=/curl/i | table([aid, ContextProcessId], limit=max)`,
		},
		{ // hunt: filters reading no user, tables reading it (and the process's name) from the events that pass
			`#event_simpleName=NetworkConnectIP4 RemotePort=443 | table([aid, ContextProcessId, UserName, ContextProcessName], limit=max)`,
			`#event_simpleName=NetworkConnectIP4 ContextProcessName=/curl/i | table([aid, UserName, ComputerName], limit=max)`,
			`#event_simpleName=ProcessRollup2 | table([aid, TargetProcessId, UserName, ParentCommandLine], limit=max)`,
		},
		{ // hunt: several programs in one pass
			`#event_simpleName=DnsRequest ContextProcessName=nmap | select([DomainName, UserName])`,
			`#event_simpleName=NetworkConnectIP4 | ComputerName=HOST-B | count()`,
			`UserName=alice | select([#event_simpleName, aid])`,
		},
	}
	open := fileSource(t, path, 2<<10)
	search := func(progs []*engine.Program, src Source, en Enricher, workers int, hold int64, reopen bool, mode learnMode) ([]string, string) {
		var rows []string
		var report bytes.Buffer
		problems := ingest.NewProblems(&report, 0)
		o := Options{
			Workers: workers, Enricher: en, Problems: problems, HoldBytes: hold, learning: mode,
			Emit: func(i int, row *event.Event) { rows = append(rows, fmt.Sprint(i, render([]*event.Event{row}))) },
		}
		if reopen {
			o.Reopen = func() (Source, error) { return open(), nil }
		}
		_, err := Search(context.Background(), progs, src, o)
		if err != nil {
			t.Fatal(err)
		}
		// which lines, not in which order (workers report as they go) nor
		// why: a line a stricter prefilter rejects is only checked for shape
		reported := strings.Split(strings.TrimSpace(report.String()), "\n")
		for i, r := range reported {
			reported[i], _, _ = strings.Cut(r, ": ")
		}
		slices.Sort(reported)
		return rows, fmt.Sprint(problems.Count(), reported)
	}
	for _, srcs := range queries {
		t.Run(srcs[0], func(t *testing.T) {
			var progs []*engine.Program
			for _, s := range srcs {
				progs = append(progs, compile(t, s))
			}
			// Reference: a learn pass over everything, keeping everything
			// (whatever the queries read), then the search.
			ref := enrich.New(enrich.Options{})
			if _, err := Learn(context.Background(), ref, open(), 1); err != nil {
				t.Fatal(err)
			}
			want, wantProblems := search(progs, open(), wholeApply{ref}, 1, 0, false, learnAsRead)
			if len(want) == 0 {
				t.Fatal("the reference found no rows: the test data should hold some")
			}
			for _, workers := range []int{1, 3} {
				// in memory; dropped for a second read; spilled to disk;
				// each with the process table spilled too
				// learning as it reads; and deferring it, as a single
				// query may (the read count is then the cost's to decide)
				for _, v := range []struct {
					hold, procMem int64
					reopen        bool
					mode          learnMode
				}{{0, 0, true, learnAsRead}, {100, 0, true, learnAsRead}, {100, 0, false, learnAsRead}, {0, 1, true, learnAsRead}, {100, 1, true, learnAsRead}, {100, 1, false, learnAsRead},
					{0, 0, true, learnAuto}, {0, 0, true, learnDeferred}, {100, 1, true, learnDeferred}} {
					hold := v.hold
					en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: progs, ProcessMemory: int(v.procMem)})
					if err != nil {
						t.Fatal(err)
					}
					if en == nil || !en.LearnPending() {
						t.Fatalf("want a file-mode enricher with learning left to the search, got %v", en)
					}
					src := &countingSource{src: open()}
					got, gotProblems := search(progs, src, en, workers, hold, v.reopen, v.mode)
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("workers %d, hold %d, process memory %d, learning %d: rows differ from learn-then-search (-want +got):\n%s", workers, hold, v.procMem, v.mode, diff)
					}
					if st := en.Stats(); v.procMem > 0 && (st.LearnedProcesses > 0) != (st.Spilled > 0) {
						t.Errorf("learned %d processes, spilled %d with a budget of %d bytes", st.LearnedProcesses, st.Spilled, v.procMem)
					}
					en.Close()
					if gotProblems != wantProblems {
						t.Errorf("workers %d: problems %q, want %q", workers, gotProblems, wantProblems)
					}
					if en.LearnPending() {
						t.Error("still pending after the search")
					}
					again := v.hold == 100 && v.reopen || strings.Contains(srcs[0], "curl |") || strings.Contains(srcs[0], "HOST-A |") || strings.Contains(srcs[0], "alice |") || strings.Contains(srcs[0], "localto |")
					if chunks := countChunks(t, open()); src.n != chunks && !again && v.mode == learnAsRead {
						t.Errorf("read %d chunks, the input has %d: want one read", src.n, chunks)
					}
				}
			}
		})
	}
}

// wholeApply is an enricher that adds every field to every event (no
// ApplyWanted, nothing it settles or provides ahead): the reference.
type wholeApply struct{ Enricher }

func countChunks(t *testing.T, src Source) int {
	n := 0
	for {
		if _, err := src.Next(); err != nil {
			return n
		}
		n++
	}
}

// Enrichment is not run when it could change no result: the queries read
// no enriched field (no enricher at all), or every line they may select
// already has the enriched fields they read, or lacks what those come from
// (the search then applies nothing).
func TestEnrichmentSkippedWhenMoot(t *testing.T) {
	seed := `#event_simpleName=NetworkConnectIP4 RemotePort=443 ContextProcessName=/curl/i | table([ComputerName, ContextProcessName])`
	tests := []struct {
		name    string
		query   string
		lines   string
		skip    bool // no enricher at all
		applied bool
	}{
		{"reads no enriched field", `#event_simpleName=NetworkConnectIP4 RemotePort=443 | table([aid, RemotePort])`, `{"event_simpleName":"NetworkConnectIP4","aid":"a","ContextProcessId":"1","RemotePort":"443"}`, true, false},
		{"already enriched", seed, `{"event_simpleName":"NetworkConnectIP4","aid":"a","ContextProcessId":"1","RemotePort":"443","ComputerName":"H","ContextProcessName":"curl.exe"}`, false, false},
		{"raw context event", seed, `{"event_simpleName":"NetworkConnectIP4","aid":"a","ContextProcessId":"1","RemotePort":"443"}`, false, true},
		{"host name missing", seed, `{"event_simpleName":"NetworkConnectIP4","aid":"a","ContextProcessId":"1","RemotePort":"443","ContextProcessName":"curl.exe"}`, false, true},
		{"name as a value is not the key", seed, `{"event_simpleName":"NetworkConnectIP4","aid":"a","ContextProcessId":"1","RemotePort":"443","x":"ComputerName","ContextProcessName":"curl.exe"}`, false, true},
		{"no sources, nothing to add", seed, `{"event_simpleName":"NetworkConnectIP4","RemotePort":"443","ContextBaseFileName":"x","ContextProcessName":"curl"}`, false, false},
		{"whole events read", `#event_simpleName=NetworkConnectIP4`, `{"event_simpleName":"NetworkConnectIP4","RemotePort":"443","ComputerName":"H"}`, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "e.ndjson")
			if err := os.WriteFile(path, []byte(tt.lines+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			prog := compile(t, tt.query)
			en, st, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: []*engine.Program{prog}})
			if err != nil {
				t.Fatal(err)
			}
			if st.Skipped != tt.skip || (en == nil) != tt.skip {
				t.Fatalf("skipped=%v enricher nil=%v, want %v", st.Skipped, en == nil, tt.skip)
			}
			if en == nil {
				return
			}
			r, err := ingest.Open([]string{path}, ingest.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if _, err := Search(context.Background(), []*engine.Program{prog}, r, Options{Enricher: en}); err != nil {
				t.Fatal(err)
			}
			if applied := en.Stats().Applied > 0; applied != tt.applied {
				t.Errorf("enrichment applied: %v, want %v", applied, tt.applied)
			}
		})
	}
}

// Held malformed-line reports keep their count beyond what they store.
func TestProblemListReplaysCount(t *testing.T) {
	var held problemList
	for i := range maxHeldProblems + 10 {
		held.Add("f", i+1, fmt.Errorf("bad"))
	}
	var out bytes.Buffer
	dst := ingest.NewProblems(&out, 0)
	held.replay(dst)
	if dst.Count() != maxHeldProblems+10 {
		t.Errorf("count %d, want %d", dst.Count(), maxHeldProblems+10)
	}
	if !strings.HasPrefix(dst.Summary(), fmt.Sprintf("%d malformed lines skipped (first: f:1)", maxHeldProblems+10)) {
		t.Errorf("summary %q", dst.Summary())
	}
}

// A candidate whose acting process is learned before it (the usual order)
// is decided by the name enrichment will give it, and not kept: only the
// events the query may select are decoded and enriched.
func TestSettledCandidatesAreNotKept(t *testing.T) {
	var lines []string
	for i := range 200 {
		img := "svchost.exe"
		if i%50 == 0 {
			img = "curl.exe"
		}
		lines = append(lines,
			fmt.Sprintf(`{"event_simpleName":"ProcessRollup2","aid":"aaaa","TargetProcessId":"%d","ImageFileName":"C:\\Windows\\%s"}`, 100+i, img),
			fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":"aaaa","ContextProcessId":"%d","RemotePort":"443"}`, 100+i))
	}
	path := filepath.Join(t.TempDir(), "e.ndjson")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	prog := compile(t, `#event_simpleName=NetworkConnectIP4 ContextProcessName=/curl/i | count()`)
	en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: []*engine.Program{prog}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := ingest.Open([]string{path}, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var count string
	if _, err := Search(context.Background(), []*engine.Program{prog}, r, Options{Workers: 1, Enricher: en,
		Emit: func(_ int, row *event.Event) { count, _ = row.Get("_count") }}); err != nil {
		t.Fatal(err)
	}
	if count != "4" {
		t.Errorf("count %q, want 4", count)
	}
	if got := en.Stats().Applied; got != 4 {
		t.Errorf("%d events enriched, want the 4 the query selects", got)
	}
}

// Input exported from LogScale already holds what enrichment adds: once
// enough kept lines showed it, learning stops. When a line needing
// enrichment comes after all, what was skipped is learned in a read of its
// own, and the rows are those of a learn pass followed by the search.
func TestLearningStopsOnEnrichedInput(t *testing.T) {
	const n = 3 * confirmAfter
	var enriched []string
	pr2 := func(i int) string {
		return fmt.Sprintf(`{"event_simpleName":"ProcessRollup2","aid":"aaaa","TargetProcessId":"%d","ImageFileName":"C:\\Tools\\%s.exe"}`, 100+i, []string{"curl", "svchost"}[i%2])
	}
	for i := range n {
		enriched = append(enriched, pr2(i), fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":"aaaa","ContextProcessId":"%d","RemotePort":"443","ContextProcessName":"%s.exe","ComputerName":"H","UserName":"u"}`, 100+i, []string{"curl", "svchost"}[i%2]))
	}
	// then process starts learning skips, and raw events of those processes
	mixed := slices.Clone(enriched)
	for i := n; i < n+100; i++ {
		mixed = append(mixed, pr2(i))
	}
	for i := n; i < n+100; i++ {
		mixed = append(mixed, fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":"aaaa","ContextProcessId":"%d","RemotePort":"443"}`, 100+i))
	}
	// the same with a sensor's file name a bet on the unknown processes
	// would reject them on: the bet must not hide that they lack
	// enrichment
	mixedBase := slices.Clone(enriched)
	for i := n; i < n+100; i++ {
		mixedBase = append(mixedBase, pr2(i))
	}
	for i := n; i < n+100; i++ {
		mixedBase = append(mixedBase, fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":"aaaa","ContextProcessId":"%d","RemotePort":"443","ContextBaseFileName":"svchost.exe"}`, 100+i))
	}
	query := `#event_simpleName=NetworkConnectIP4 ContextProcessName=/curl/i | table([aid, ContextProcessId, ContextProcessName, ComputerName], limit=max)`
	for _, tc := range []struct {
		name     string
		lines    []string
		learnAll bool // the bet lost: every process start was learned
	}{
		{"enriched throughout", enriched, false},
		{"raw after a while", mixed, true},
		{"raw after a while, with a base rejected", mixedBase, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "e.ndjson")
			if err := os.WriteFile(path, []byte(strings.Join(tc.lines, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			prog := compile(t, query)
			open := fileSource(t, path, 4<<10)
			rows := func(en Enricher, workers int) []string {
				var out []string
				_, err := Search(context.Background(), []*engine.Program{prog}, open(), Options{Workers: workers, Enricher: en, learning: learnAsRead,
					Reopen: func() (Source, error) { return open(), nil },
					Emit:   func(_ int, row *event.Event) { out = append(out, render([]*event.Event{row})...) }})
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			ref := enrich.New(enrich.Options{})
			if _, err := Learn(context.Background(), ref, open(), 1); err != nil {
				t.Fatal(err)
			}
			want := rows(ref, 1)
			if len(want) == 0 {
				t.Fatal("the reference found no rows")
			}
			for _, workers := range []int{1, 3} {
				en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: []*engine.Program{prog}})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, rows(en, workers)); diff != "" {
					t.Errorf("workers %d: rows differ from learn-then-search (-want +got):\n%s", workers, diff)
				}
				learned := en.Stats().LearnedProcesses
				if tc.learnAll && learned != n+100 || !tc.learnAll && learned >= n {
					t.Errorf("workers %d: %d of %d process starts learned", workers, learned, n)
				}
			}
		})
	}
}

// A free-text search (which also searches what enrichment adds) filters
// its learning read strictly on the raw text and keeps, as it reads, the
// events of processes whose details hold the text (they get
// ContextProcessName and the like) and the starts of their children (they
// get ParentCommandLine): when every such process starts before its
// events, one read is enough; an event read before its process start
// makes it read again. A search of fields enrichment adds keeps what its
// prefilter cannot rule out, in one read. The rows are those of a learn
// pass followed by a search either way.
func TestStrictReadKeepsCarrierEventsInOneRead(t *testing.T) {
	noise := func(i int) string {
		return fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":"a%d","ContextProcessId":"%d","RemotePort":"443","RemoteAddressIP4":"10.0.0.%d"}`, i%3, 100+i%7, i%250)
	}
	start := `{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"900","ImageFileName":"\\Device\\HarddiskVolume2\\Python\\python.exe","CommandLine":"python -m shodan search net:10.0.0.0/8","ContextTimeStamp":"1700000000.000"}`
	ofProcess := func(i int) string {
		return fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":"a1","ContextProcessId":"900","RemotePort":"%d"}`, 1000+i)
	}
	child := `{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"901","ParentProcessId":"900","ImageFileName":"\\Device\\HarddiskVolume2\\Windows\\notepad.exe","CommandLine":"notepad","ContextTimeStamp":"1700000001.000"}`
	inOrder := []string{}
	for i := range 300 {
		switch {
		case i == 40:
			inOrder = append(inOrder, start)
		case i == 150:
			inOrder = append(inOrder, child)
		case i > 40 && i%20 == 0:
			inOrder = append(inOrder, ofProcess(i))
		default:
			inOrder = append(inOrder, noise(i))
		}
	}
	early := slices.Clone(inOrder)
	early[10] = ofProcess(10) // before its process starts

	const columns = ` | table([aid, ContextProcessId, TargetProcessId, RemotePort, ContextProcessName, ParentCommandLine], limit=max)`
	queries := []struct {
		name, query string
		want        map[string]int // substrings of the rows, and how often they must occur at least
		earlyReads  int            // reads when an event comes before its process starts
	}{
		{"free text", `shodan` + columns, map[string]int{"ContextProcessName=python.exe": 12, "TargetProcessId=901": 1}, 2},
		{"parent command line", `ParentCommandLine=/shodan/i` + columns, map[string]int{"TargetProcessId=901": 1}, 1},
		{"context image", `#event_simpleName=NetworkConnectIP4 ContextImageFileName=/\\python\\/i` + columns, map[string]int{"ContextProcessName=python.exe": 12}, 1},
	}
	for _, q := range queries {
		for _, tc := range []struct {
			name  string
			lines []string
			reads int
		}{{"process first", inOrder, 1}, {"an event first", early, q.earlyReads}} {
			t.Run(q.name+"/"+tc.name, func(t *testing.T) {
				testStrictRead(t, compile(t, q.query), q.want, tc.lines, tc.reads)
			})
		}
	}
}

func testStrictRead(t *testing.T, prog *engine.Program, wantRows map[string]int, lines []string, wantReads int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "events.json")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	reads := 0
	opened := fileSource(t, path, 1<<10)
	open := func() Source {
		reads++
		return opened()
	}
	search := func(en Enricher, workers int, reopen bool) []string {
		var rows []string
		// the learning read itself: not deferred (learnTargeted)
		o := Options{Workers: workers, Enricher: en, learning: learnAsRead,
			Emit: func(i int, row *event.Event) { rows = append(rows, render([]*event.Event{row})...) }}
		if reopen {
			o.Reopen = func() (Source, error) { return open(), nil }
		}
		if _, err := Search(context.Background(), []*engine.Program{prog}, open(), o); err != nil {
			t.Fatal(err)
		}
		return rows
	}
	ref := enrich.New(enrich.Options{})
	if _, err := Learn(context.Background(), ref, open(), 1); err != nil {
		t.Fatal(err)
	}
	want := search(ref, 1, false)
	for sub, n := range wantRows {
		if got := strings.Count(strings.Join(want, ""), sub); got < n {
			t.Fatalf("the reference found %d rows with %s, want %d or more: %v", got, sub, n, want)
		}
	}
	for _, workers := range []int{1, 3} {
		en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: []*engine.Program{prog}})
		if err != nil {
			t.Fatal(err)
		}
		reads = 0
		got := search(en, workers, true)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("workers %d: rows differ from learn-then-search (-want +got):\n%s", workers, diff)
		}
		// With several workers a later chunk may be learned before
		// the early event is looked at: it is kept then, and one
		// read is enough.
		if reads != wantReads && (workers == 1 || reads > wantReads) {
			t.Errorf("workers %d: read the input %d times, want %d", workers, reads, wantReads)
		}
	}
}

// Candidates past their budget are dropped for a second read once they are
// more than 1/dropShare of what was read (a hunt's share is smaller: its
// kept lines are matched again by every rule). Past a quarter of the
// budget, a share half as large again is dropped at once.
func TestCandStoreDropsPastItsShare(t *testing.T) {
	tests := []struct {
		budget, dropShare, read int64
		dropped                 bool
	}{
		{100, 4, 1000, false}, // 200 kept of 1000 read: a fifth
		{100, 8, 1000, true},
		{100, 4, 700, true},
		{400, 4, 700, false}, // within the budget, at 2/7
		{400, 4, 533, true},  // at a quarter of it, past 3/8
		{400, 4, 534, false}, // just under 3/8
		{400, 8, 1066, true}, // a hunt: past 3/16
		{800, 4, 300, false}, // at a quarter of the budget, not past it
	}
	for _, tc := range tests {
		s := &candStore{budget: tc.budget, canDrop: true, dropShare: tc.dropShare}
		s.put(&candChunk{seq: 0, data: make([]byte, 200), lineNos: []int{1}}, tc.read)
		if got := s.dropped.Load(); got != tc.dropped {
			t.Errorf("budget %d, share 1/%d, 200 of %d read: dropped %v, want %v", tc.budget, tc.dropShare, tc.read, got, tc.dropped)
		}
		s.close()
	}
}

// A learning read rejects a network event whose acting process is not
// known yet when the name it gets should the process never start, its
// ContextBaseFileName (none without one), fails the prefilter; the rows
// are still those of a learn pass followed by the search. Should the
// process start after its event with a name the query may want, the bet
// is lost and the input is read again; without a second read to fall
// back on, nothing is bet. A hunt, whose prefilters cannot test a field
// as absent, bets only on a ContextBaseFileName.
func TestSearchBetsOnUnknownProcesses(t *testing.T) {
	netEvent := func(pid int, base string) string {
		if base == "" {
			return fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":"aaaa","ContextProcessId":"%d","RemotePort":"443"}`, pid)
		}
		return fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":"aaaa","ContextProcessId":"%d","ContextBaseFileName":%q,"RemotePort":"443"}`, pid, base)
	}
	start := func(pid int, image string) string {
		return fmt.Sprintf(`{"event_simpleName":"ProcessRollup2","aid":"aaaa","TargetProcessId":"%d","ImageFileName":%q}`, pid, image)
	}
	var never []string
	for i := range 100 {
		never = append(never, netEvent(100+i, "svchost.exe"))
	}
	never = append(never, netEvent(300, "curl.exe"))
	var baseless []string // no ContextBaseFileName: none should the process never start
	for i := range 100 {
		baseless = append(baseless, netEvent(100+i, ""))
	}
	baseless = append(baseless, netEvent(300, "curl.exe"))
	tests := []struct {
		name      string
		lines     []string
		reopen    bool
		wantReads int
		wantHeld  int64 // candidate lines held until learning was done
		// with two programs, when not as alone (-1): nothing bet, all held
		wantHeldHunt int64
		noStarts     bool // the deferred read's probe saw no process start
	}{
		{"processes never started", never, true, 1, 1, -1, false},
		{"started later under a name the query rejects", append(slices.Clone(never), start(150, `C:\Windows\svchost.exe`)), true, 1, 1, -1, false},
		{"started later under a name the query may want", append(slices.Clone(never), start(150, `C:\Tools\curl.exe`)), true, 2, 0, -1, false},
		{"no second read to fall back on", append(slices.Clone(never), start(150, `C:\Tools\curl.exe`)), false, 1, 101, -1, false},
		// settled by the name of its start, which a later start of the same
		// process replaces (they disagree: the smaller name is kept)
		{"renamed after settling", append(slices.Clone(never), start(400, `C:\Windows\svchost.exe`), netEvent(400, "svchost.exe"), start(400, `C:\Tools\curl.exe`)), true, 2, 0, -1, false},
		{"no ContextBaseFileName, processes never started", baseless, true, 1, 1, 101, true},
		{"no ContextBaseFileName, started later under a name the query rejects", append(slices.Clone(baseless), start(150, `C:\Windows\svchost.exe`)), true, 1, 1, 101, true},
		{"no ContextBaseFileName, started later under a name the query may want", append(slices.Clone(baseless), start(150, `C:\Tools\curl.exe`)), true, 2, 0, 101, true},
		{"no ContextBaseFileName, starts seen: nothing bet", baseless, true, 1, 101, -1, false},
	}
	query := `#event_simpleName=NetworkConnectIP4 RemotePort=443 ContextProcessName=/curl/i | table([aid, ContextProcessId, ContextProcessName], limit=max)`
	for _, tt := range tests {
		// alone, and in a hunt, where a copy of the line is given the value
		for _, progs := range [][]*engine.Program{
			{compile(t, query)},
			{compile(t, query), compile(t, `#event_simpleName=DnsRequest ContextProcessName=/nslookup/i | count()`)},
		} {
			t.Run(fmt.Sprintf("%s/%d programs", tt.name, len(progs)), func(t *testing.T) {
				path, open := smallChunkFile(t, tt.lines)
				reads, held := 0, int64(0)
				search := func(en Enricher, reopen bool) []string {
					var rows []string
					// one worker: with more, a process start may be learned before
					// an earlier chunk's event is looked at, and nothing bet on;
					// bets are the learning read's: learning is not deferred
					o := Options{Workers: 1, Enricher: en, learning: learnAsRead, noStarts: tt.noStarts, Emit: func(_ int, row *event.Event) { rows = append(rows, render([]*event.Event{row})...) }}
					if reopen {
						o.Reopen = func() (Source, error) { reads++; return open(), nil }
					}
					reads = 1
					st, err := Search(context.Background(), progs, open(), o)
					if err != nil {
						t.Fatal(err)
					}
					held = st.Held
					return rows
				}
				want := search(learnedAll(t, open()), false)
				if len(want) == 0 {
					t.Fatal("the reference found no rows")
				}

				en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: progs})
				if err != nil {
					t.Fatal(err)
				}
				defer en.Close()
				got := search(en, tt.reopen)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("rows differ from learn-then-search (-want +got):\n%s", diff)
				}
				wantReads, wantHeld := tt.wantReads, tt.wantHeld
				if len(progs) > 1 && tt.wantHeldHunt >= 0 {
					wantReads, wantHeld = 1, tt.wantHeldHunt
				}
				if reads != wantReads {
					t.Errorf("read the input %d times, want %d", reads, wantReads)
				}
				if reads == 1 && held != wantHeld {
					t.Errorf("held %d candidate lines, want %d", held, wantHeld)
				}
			})
		}
	}
}

// A read deferring learning that counts its probe's lines and finds no
// process start among them starts again learning as it reads, betting on
// network events without ContextBaseFileName too (they then get no
// ContextProcessName): only the line the query may want is held. A start
// in the probe leaves such lines held, as the bet would likely be lost.
func TestSearchWithoutStartsBetsOnBaselessEvents(t *testing.T) {
	query := `#event_simpleName=NetworkConnectIP4 RemotePort=443 ContextProcessName=/curl/i | table([aid, ContextProcessId, ContextProcessName], limit=max)`
	lines := func(withStart bool) []string {
		var out []string
		for i := range 9000 {
			if withStart && i == 50 { // the probe counts from the first kept line
				out = append(out, `{"event_simpleName":"ProcessRollup2","aid":"aaaa","TargetProcessId":"7","ImageFileName":"C:\\Windows\\svchost.exe"}`)
			}
			if i%10 == 0 {
				out = append(out, fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":"aaaa","ContextProcessId":"%d","RemotePort":"443"}`, 1000+i))
			} else {
				out = append(out, fmt.Sprintf(`{"event_simpleName":"DnsRequest","aid":"aaaa","ContextProcessId":"%d","DomainName":"h%d.example"}`, 1000+i, i))
			}
		}
		return append(out, `{"event_simpleName":"NetworkConnectIP4","aid":"aaaa","ContextProcessId":"3","ContextBaseFileName":"curl.exe","RemotePort":"443"}`)
	}
	for _, tc := range []struct {
		name      string
		withStart bool
		wantHeld  int64
	}{
		{"no process start", false, 1},
		{"a process start in the probe", true, 901},
	} {
		t.Run(tc.name, func(t *testing.T) {
			progs := []*engine.Program{compile(t, query)}
			path, open := smallChunkFile(t, lines(tc.withStart))
			run := func(en Enricher, reopen bool) ([]string, *Stats) {
				var rows []string
				o := Options{Workers: 1, Enricher: en, Emit: func(_ int, row *event.Event) { rows = append(rows, render([]*event.Event{row})...) }}
				if reopen {
					o.Reopen = func() (Source, error) { return open(), nil }
				}
				st, err := Search(context.Background(), progs, open(), o)
				if err != nil {
					t.Fatal(err)
				}
				return rows, st
			}
			want, _ := run(learnedAll(t, open()), false)
			en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: progs})
			if err != nil {
				t.Fatal(err)
			}
			defer en.Close()
			got, st := run(en, true)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("rows differ from learn-then-search (-want +got):\n%s", diff)
			}
			if !slices.Equal(st.ReadsAgain, []ReadAgain{AgainLearningAsRead}) {
				t.Fatalf("read again for %q, want only for learning as it reads", st.ReadsAgain)
			}
			if st.Held != tc.wantHeld {
				t.Errorf("held %d candidate lines, want %d", st.Held, tc.wantHeld)
			}
		})
	}
}

// A read deferring learning that starts again learning as it reads
// closes the read it gave up before opening the next: left to the caller,
// it held what it had read ahead (a compressed file's chunks and its
// decoder) through the whole search, and the heap's limit grew for it.
func TestSearchStartingAgainClosesTheReadGivenUp(t *testing.T) {
	query := `#event_simpleName=NetworkConnectIP4 RemotePort=443 ContextProcessName=/curl/i | count()`
	var lines []string
	for i := range 9000 {
		lines = append(lines, fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":"aaaa","ContextProcessId":"%d","RemotePort":"443"}`, 1000+i))
	}
	progs := []*engine.Program{compile(t, query)}
	path, open := smallChunkFile(t, lines)
	en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: progs})
	if err != nil {
		t.Fatal(err)
	}
	defer en.Close()
	first := &closeRecorder{Source: open()}
	var closedBeforeReopen []bool
	o := Options{Workers: 1, Enricher: en, Emit: func(int, *event.Event) {}, Reopen: func() (Source, error) {
		closedBeforeReopen = append(closedBeforeReopen, first.closed)
		return open(), nil
	}}
	st, err := Search(context.Background(), progs, first, o)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(st.ReadsAgain, []ReadAgain{AgainLearningAsRead}) {
		t.Fatalf("read again for %q, want only for learning as it reads", st.ReadsAgain)
	}
	if !slices.Equal(closedBeforeReopen, []bool{true}) {
		t.Errorf("the read given up was closed before each reopening: %v, want [true]", closedBeforeReopen)
	}
}

// A read deferring learning that keeps lines at a rate that will pass
// maxDeferredLines over the input's size (Options.InputBytes) gives up
// within its first chunks, not once it has kept that many; the rows are
// those of the read that did not know the size.
func TestSearchGivesUpDeferringOnProjection(t *testing.T) {
	query := `#event_simpleName=NetworkConnectIP4 RemotePort=443 ContextProcessName=/curl/i | count()`
	var lines []string
	// Two process starts for each connection: learning them costs more
	// than two targeted reads, so only the kept lines' count gives up.
	for i := range 5 * maxDeferredLines / 2 {
		image := []string{"curl.exe", "svchost.exe"}[i%2]
		for _, pid := range []int{2 * i, 2*i + 1} {
			lines = append(lines, fmt.Sprintf(`{"event_simpleName":"ProcessRollup2","aid":"aaaa","TargetProcessId":"%d","ImageFileName":"\\Windows\\%s"}`, pid, image))
		}
		lines = append(lines, fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":"aaaa","ContextProcessId":"%d","RemotePort":"443"}`, 2*i))
	}
	progs := []*engine.Program{compile(t, query)}
	path, open := smallChunkFile(t, lines)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	search := func(size int64) (rows []string, firstRead int64) {
		en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: progs})
		if err != nil {
			t.Fatal(err)
		}
		defer en.Close()
		first := &lineCounter{Source: open()}
		o := Options{Workers: 1, Enricher: en, InputBytes: size,
			Emit:   func(_ int, row *event.Event) { rows = append(rows, render([]*event.Event{row})...) },
			Reopen: func() (Source, error) { return open(), nil }}
		st, err := Search(context.Background(), progs, first, o)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.ReadsAgain) == 0 || st.ReadsAgain[0] != AgainLearningAsRead {
			t.Fatalf("read again for %q, want first for learning as it reads", st.ReadsAgain)
		}
		return rows, first.lines
	}
	want, unsized := search(0)
	got, sized := search(info.Size())
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows differ with the input's size known (-without +with):\n%s", diff)
	}
	if unsized < maxDeferredLines {
		t.Errorf("without the size, the first read took %d lines, want past %d kept", unsized, maxDeferredLines)
	}
	if sized > int64(len(lines))/8 {
		t.Errorf("with the size, the first read took %d of %d lines, want an eighth at most", sized, len(lines))
	}
}

// lineCounter is a source that counts the lines of the chunks taken.
type lineCounter struct {
	Source
	lines int64
}

func (c *lineCounter) Next() (event.Chunk, error) {
	ch, err := c.Source.Next()
	c.lines += int64(bytes.Count(ch.Data, []byte{'\n'}))
	return ch, err
}

func (c *lineCounter) Close() error { return c.Source.(io.Closer).Close() }

// closeRecorder is a source that records being closed.
type closeRecorder struct {
	Source
	closed bool
}

func (c *closeRecorder) Close() error {
	c.closed = true
	return c.Source.(io.Closer).Close()
}

// In a hunt a bet on a line is lost only by a name that the tests its
// event name reaches may accept: a DNS request bet on is not lost because
// another rule wants that name on network connections.
func TestHuntBetsLostOnlyByTheirEventName(t *testing.T) {
	dns := func(pid int) string {
		return fmt.Sprintf(`{"event_simpleName":"DnsRequest","aid":"aaaa","ContextProcessId":"%d","ContextBaseFileName":"svchost.exe","DomainName":"x.example"}`, pid)
	}
	start := func(pid int, image string) string {
		return fmt.Sprintf(`{"event_simpleName":"ProcessRollup2","aid":"aaaa","TargetProcessId":"%d","ImageFileName":%q}`, pid, image)
	}
	progs := []*engine.Program{
		compile(t, `#event_simpleName=NetworkConnectIP4 ContextProcessName=/curl/i | table([aid, ContextProcessName], limit=max)`),
		compile(t, `#event_simpleName=DnsRequest ContextProcessName=/nslookup/i | table([aid, ContextProcessId, ContextProcessName], limit=max)`),
	}
	var lines []string
	for i := range 50 {
		lines = append(lines, dns(100+i))
	}
	for _, tt := range []struct {
		name      string
		late      string // the image a process bet on starts with after its request
		wantReads int
	}{
		{"a name only the network rule wants", `C:\Tools\curl.exe`, 1},
		{"a name the DNS rule wants", `C:\Windows\nslookup.exe`, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path, open := smallChunkFile(t, append(slices.Clone(lines), start(120, tt.late)))
			_, rereads := learningAgainstLearnedAll(t, progs, path, open)
			if reads := 1 + rereads; reads != tt.wantReads {
				t.Errorf("read the input %d times, want %d", reads, tt.wantReads)
			}
		})
	}
}

// Random process starts and network events, in random order, some starts
// after their events, some nameless, some never: however the bets on
// unknown processes fall, a search that learns in its own read gives the
// rows of a learn pass followed by the search, alone and in a hunt, on one
// worker and on several.
func TestBetsMatchLearnThenSearch(t *testing.T) {
	images := []string{`C:\\Tools\\curl.exe`, `C:\\Windows\\svchost.exe`, `/usr/bin/nmap`, ""}
	bases := []string{"curl.exe", "svchost.exe", "nmap", ""}
	queries := [][]string{
		{`#event_simpleName=NetworkConnectIP4 ContextProcessName=/curl/i | table([aid, ContextProcessId, ContextProcessName], limit=max)`},
		{
			`#event_simpleName=NetworkConnectIP4 ContextProcessName=/curl/i | table([aid, ContextProcessId, ContextProcessName], limit=max)`,
			`#event_simpleName=NetworkConnectIP4 ContextProcessName=/nmap/i | count()`,
		},
		// the image path a process lends its events and its children
		{`#event_simpleName=NetworkConnectIP4 ContextImageFileName=/tools/i | table([aid, ContextProcessId, ContextImageFileName], limit=max)`},
		{`#event_simpleName=ProcessRollup2 ParentImageFileName=/nmap/i | table([aid, TargetProcessId, ParentImageFileName], limit=max)`},
	}
	assertRandomLearnThenSearch(t, 12, 7, queries, func(rng *rand.Rand, seed uint64) (lines []string) {
		for range 300 {
			aid, pid := fmt.Sprintf("a%d", rng.IntN(2)), 100+rng.IntN(60)
			if rng.IntN(3) == 0 {
				img := images[rng.IntN(len(images))]
				parent := fmt.Sprintf(`,"ParentProcessId":"%d"`, 100+rng.IntN(60))
				if rng.IntN(2) == 0 {
					parent = ""
				}
				if img == "" {
					lines = append(lines, fmt.Sprintf(`{"event_simpleName":"ProcessRollup2","aid":%q,"TargetProcessId":"%d"%s}`, aid, pid, parent))
				} else {
					lines = append(lines, fmt.Sprintf(`{"event_simpleName":"ProcessRollup2","aid":%q,"TargetProcessId":"%d","ImageFileName":"%s"%s}`, aid, pid, img, parent))
				}
				continue
			}
			base := bases[rng.IntN(len(bases))]
			if base == "" {
				lines = append(lines, fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":%q,"ContextProcessId":"%d","RemotePort":"443"}`, aid, pid))
			} else {
				lines = append(lines, fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":%q,"ContextProcessId":"%d","ContextBaseFileName":%q,"RemotePort":"443"}`, aid, pid, base))
			}
		}
		return lines
	})
}

// A process id that names two processes (some generators draw small
// random pids) makes the settler's earlier rejections suspect only when
// the value the process holds at the end may pass the query's tests on the
// field it gives: then the input is read again, else the rejections stand.
func TestRenamedProcessReadsAgainOnlyWhenItsValueMayPass(t *testing.T) {
	start := func(pid int, image string) string {
		return fmt.Sprintf(`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"%d","ImageFileName":"%s","CommandLine":"%[2]s -x"}`, pid, image)
	}
	child := `{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"9","ParentProcessId":"7","ImageFileName":"C:\\x\\child.exe"}`
	net := `{"event_simpleName":"NetworkConnectIP4","aid":"a1","ContextProcessId":"7","RemotePort":"443"}`
	for _, tc := range []struct {
		query   string
		renamed string // the second start's image
		rereads int
	}{
		{`#event_simpleName=NetworkConnectIP4 ContextProcessName=/curl/i | table([ContextProcessName], limit=max)`, `C:\\Windows\\chrome.exe`, 0},
		{`#event_simpleName=NetworkConnectIP4 ContextProcessName=/curl/i | table([ContextProcessName], limit=max)`, `C:\\Tools\\curl.exe`, 1},
		{`#event_simpleName=NetworkConnectIP4 ContextImageFileName=/tools/i | table([ContextImageFileName], limit=max)`, `C:\\Windows\\chrome.exe`, 0},
		{`#event_simpleName=NetworkConnectIP4 ContextImageFileName=/tools/i | table([ContextImageFileName], limit=max)`, `C:\\Tools\\chrome.exe`, 1},
		{`#event_simpleName=ProcessRollup2 ParentImageFileName=/tools/i | table([TargetProcessId, ParentImageFileName], limit=max)`, `C:\\Windows\\chrome.exe`, 0},
		{`#event_simpleName=ProcessRollup2 ParentImageFileName=/tools/i | table([TargetProcessId, ParentImageFileName], limit=max)`, `C:\\Tools\\chrome.exe`, 1},
		{`#event_simpleName=NetworkConnectIP4 ContextCommandLine=/tools/i | table([ContextCommandLine], limit=max)`, `C:\\Windows\\chrome.exe`, 0},
		{`#event_simpleName=NetworkConnectIP4 ContextCommandLine=/tools/i | table([ContextCommandLine], limit=max)`, `C:\\Tools\\chrome.exe`, 1},
		{`#event_simpleName=ProcessRollup2 ParentCommandLine=/tools/i | table([TargetProcessId, ParentCommandLine], limit=max)`, `C:\\Tools\\chrome.exe`, 1},
	} {
		t.Run(tc.query+" "+tc.renamed, func(t *testing.T) {
			lines := []string{start(7, `C:\\Windows\\svchost.exe`), net, child, start(7, tc.renamed)}
			path, open := smallChunkFile(t, lines)
			stats, rereads := learningAgainstLearnedAll(t, []*engine.Program{compile(t, tc.query)}, path, open)
			var why []ReadAgain
			if tc.rereads > 0 {
				why = []ReadAgain{AgainSettledChanged}
			}
			if rereads != tc.rereads || !slices.Equal(stats.ReadsAgain, why) {
				t.Errorf("the input was read again %d times %q, want %d %q", rereads, stats.ReadsAgain, tc.rereads, why)
			}
		})
	}
}

// learningAgainstLearnedAll runs progs over the file at path learning as
// it reads (one worker, the input readable again) and fails when its rows,
// each with the program that made it, differ from a learn pass followed
// by the search. It returns the search's stats and how many times it read
// the input again.
func learningAgainstLearnedAll(t *testing.T, progs []*engine.Program, path string, open func() Source) (*Stats, int) {
	t.Helper()
	var want, got []string
	emit := func(rows *[]string) func(int, *event.Event) {
		return func(i int, row *event.Event) { *rows = append(*rows, fmt.Sprint(i, render([]*event.Event{row}))) }
	}
	if _, err := Search(context.Background(), progs, open(), Options{Workers: 1, Enricher: learnedAll(t, open()), Emit: emit(&want)}); err != nil {
		t.Fatal(err)
	}
	en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: progs})
	if err != nil {
		t.Fatal(err)
	}
	defer en.Close()
	rereads := 0
	o := Options{Workers: 1, Enricher: en, Emit: emit(&got), learning: learnAsRead,
		Reopen: func() (Source, error) { rereads++; return open(), nil }}
	stats, err := Search(context.Background(), progs, open(), o)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows differ from learn-then-search (-want +got):\n%s", diff)
	}
	return stats, rereads
}

// assertLearnThenSearch runs the programs of srcs over the file at path
// with a learning search (1 and 3 workers, the input readable again;
// learning deferred as by default, and as it reads, where the settler
// rejects lines on learned values) and fails when the rows differ from a
// learn pass followed by a search.
func assertLearnThenSearch(t *testing.T, path string, open func() Source, srcs []string, what string) {
	t.Helper()
	var progs []*engine.Program
	for _, q := range srcs {
		progs = append(progs, compile(t, q))
	}
	mode := learnAuto
	search := func(en Enricher, workers int, reopen bool) []string {
		var rows []string
		o := Options{Workers: workers, Enricher: en, learning: mode, Emit: func(i int, row *event.Event) { rows = append(rows, fmt.Sprint(i, render([]*event.Event{row}))) }}
		if reopen {
			o.Reopen = func() (Source, error) { return open(), nil }
		}
		if _, err := Search(context.Background(), progs, open(), o); err != nil {
			t.Fatal(err)
		}
		return rows
	}
	want := search(learnedAll(t, open()), 1, false)
	for _, mode = range []learnMode{learnAuto, learnAsRead} {
		for _, workers := range []int{1, 3} {
			en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: progs})
			if err != nil {
				t.Fatal(err)
			}
			got := search(en, workers, true)
			en.Close()
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("%s, %v, %d workers, learning mode %d: rows differ from learn-then-search (-want +got):\n%s", what, srcs, workers, mode, diff)
			}
		}
	}
}

// assertRandomLearnThenSearch checks queries against learn-then-search on
// seeds inputs, each the lines made from a random stream of its own.
func assertRandomLearnThenSearch(t *testing.T, seeds, stream uint64, queries [][]string, lines func(rng *rand.Rand, seed uint64) []string) {
	t.Helper()
	for seed := range seeds {
		rng := rand.New(rand.NewPCG(seed, stream))
		assertQueriesLearnThenSearch(t, lines(rng, seed), queries, fmt.Sprintf("seed %d", seed))
	}
}

// assertQueriesLearnThenSearch is assertLearnThenSearch for each set of
// queries over lines (a file read in small chunks).
func assertQueriesLearnThenSearch(t *testing.T, lines []string, queries [][]string, what string) {
	t.Helper()
	path, open := smallChunkFile(t, lines)
	for _, srcs := range queries {
		assertLearnThenSearch(t, path, open, srcs, what)
	}
}

// smallChunkFile writes lines to a file read in 1 KiB chunks (many chunks
// for few lines) and returns its path and an opener.
func smallChunkFile(t *testing.T, lines []string) (string, func() Source) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "e.ndjson")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, fileSource(t, path, 1<<10)
}

// fileSource returns a function opening path (a file or an FDR tree) in
// chunks of chunkSize, closed when the test ends.
func fileSource(t *testing.T, path string, chunkSize int) func() Source {
	return func() Source {
		r, err := ingest.Open([]string{path}, ingest.Options{ChunkSize: chunkSize})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return r
	}
}

// learnedAll is the reference enricher: a learn pass over all of src,
// keeping everything, on one worker.
func learnedAll(t *testing.T, src Source) *enrich.Enricher {
	t.Helper()
	ref := enrich.New(enrich.Options{})
	if _, err := Learn(context.Background(), ref, src, 1); err != nil {
		t.Fatal(err)
	}
	return ref
}

// A candidate kept while its acting process was known is settled for good
// (the second stage does not settle it again); one whose process was not
// known yet is left open. Lines the settler rejects say nothing.
func TestSettlerLeavesUnknownProcessesOpen(t *testing.T) {
	net := func(pid int, base string) []byte {
		return fmt.Appendf(nil, `{"event_simpleName":"NetworkConnectIP4","aid":"aaaa","ContextProcessId":"%d","ContextBaseFileName":%q,"RemotePort":"443"}`, pid, base)
	}
	path := filepath.Join(t.TempDir(), "e.ndjson")
	if err := os.WriteFile(path, []byte(`{"event_simpleName":"ProcessRollup2","aid":"aaaa","TargetProcessId":"100","ImageFileName":"C:\\Tools\\curl.exe"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	prog := compile(t, `#event_simpleName=NetworkConnectIP4 ContextProcessName=/curl/i | count()`)
	en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: []*engine.Program{prog}})
	if err != nil {
		t.Fatal(err)
	}
	defer en.Close()
	var ev event.Event
	if err := ingest.NewDecoder(event.Needs{All: true}).Decode([]byte(`{"event_simpleName":"ProcessRollup2","aid":"aaaa","TargetProcessId":"100","ImageFileName":"C:\\Tools\\curl.exe"}`), &ev); err != nil {
		t.Fatal(err)
	}
	en.Learn(&ev)
	p := newPlan([]*engine.Program{prog}, en)
	st := newSettler(en, p, false)
	if st == nil {
		t.Fatal("no settler for a query testing ContextProcessName")
	}
	for _, tc := range []struct {
		name       string
		line       []byte
		kept, open bool
	}{
		{"known process, a name the query wants", net(100, "curl.exe"), true, false},
		{"unknown process, its base name wanted", net(200, "curl.exe"), true, true},
		{"unknown process, no base name", []byte(`{"event_simpleName":"NetworkConnectIP4","aid":"aaaa","ContextProcessId":"300","RemotePort":"443"}`), true, true},
		{"has the field itself", []byte(`{"event_simpleName":"NetworkConnectIP4","aid":"aaaa","ContextProcessId":"200","ContextProcessName":"curl.exe"}`), true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := engine.FindEventName(tc.line)
			kept := st.match(tc.line, name) && !st.rejects(tc.line, name)
			if kept != tc.kept || kept && st.open != tc.open {
				t.Errorf("kept %v, open %v; want kept %v, open %v", kept, st.open, tc.kept, tc.open)
			}
		})
	}
}

// Some lines get a ContextProcessName that nothing learned changes: a
// process start gets none, an event without ContextProcessId its
// ContextBaseFileName. The settler decides them while learning (a query on
// ContextProcessName without an event type kept every process start to
// the end); what it cannot read plainly stays a candidate.
func TestSettlerDecidesWhatLearningCannotChange(t *testing.T) {
	prog := compile(t, `ContextProcessName=/curl/i | count()`)
	path := filepath.Join(t.TempDir(), "e.ndjson")
	lines := []string{
		`{"event_simpleName":"ProcessRollup2","aid":"aaaa","TargetProcessId":"100","ImageFileName":"C:\\Tools\\curl.exe"}`,
		`{"event_simpleName":"DnsRequest","aid":"aaaa","ContextBaseFileName":"curl.exe","DomainName":"a.example"}`,
		`{"event_simpleName":"DnsRequest","aid":"aaaa","ContextBaseFileName":"svchost.exe","DomainName":"b.example"}`,
		`{"event_simpleName":"DnsRequest","aid":"aaaa","ContextProcessId":"100","DomainName":"c.example"}`,
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st := settlerOver(t, prog, path)
	if st == nil {
		t.Fatal("no settler for a query testing ContextProcessName")
	}
	for _, tc := range []struct {
		name       string
		line       string
		kept, open bool
	}{
		{"process start: gets none", `{"event_simpleName":"ProcessRollup2","aid":"aaaa","TargetProcessId":"7","ContextProcessId":"100","ContextBaseFileName":"curl.exe"}`, false, false},
		{"no process id, a base the query wants", `{"event_simpleName":"DnsRequest","aid":"aaaa","ContextBaseFileName":"curl.exe"}`, true, false},
		{"no process id, another base", `{"event_simpleName":"DnsRequest","aid":"aaaa","ContextBaseFileName":"svchost.exe"}`, false, false},
		{"no process id, no base", `{"event_simpleName":"DnsRequest","aid":"aaaa","DomainName":"curl.example"}`, false, false},
		{"no process id, the base twice (the last counts)", `{"event_simpleName":"DnsRequest","aid":"aaaa","ContextBaseFileName":"svchost.exe","ContextBaseFileName":"curl.exe"}`, true, false},
		{"no process id, an escaped base", `{"event_simpleName":"DnsRequest","aid":"aaaa","ContextBaseFileName":"c\\\\url.exe"}`, true, false},
		{"a \\u escape may spell a key", `{"event_simpleName":"ProcessRollup2","aid":"aaaa","Context\u0050rocessName":"curl.exe"}`, true, false},
		{"process id of a process not started yet", `{"event_simpleName":"DnsRequest","aid":"aaaa","ContextProcessId":"200"}`, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := engine.FindEventName([]byte(tc.line))
			kept := st.match([]byte(tc.line), name) && !st.rejects([]byte(tc.line), name)
			if kept != tc.kept || kept && st.open != tc.open {
				t.Errorf("kept %v, open %v; want kept %v, open %v", kept, st.open, tc.kept, tc.open)
			}
		})
	}

	// The search agrees: the process start and the other base are not
	// kept, and the count is what enrichment gives.
	r, err := ingest.Open([]string{path}, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	en2, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: []*engine.Program{prog}})
	if err != nil {
		t.Fatal(err)
	}
	defer en2.Close()
	var count string
	stats, err := Search(context.Background(), []*engine.Program{prog}, r, Options{Workers: 1, Enricher: en2,
		Reopen: func() (Source, error) { return ingest.Open([]string{path}, ingest.Options{}) },
		Emit:   func(_ int, row *event.Event) { count, _ = row.Get("_count") }})
	if err != nil {
		t.Fatal(err)
	}
	if count != "2" {
		t.Errorf("count %q, want 2 (the base curl.exe, and process 100 named curl.exe)", count)
	}
	if stats.Held != 2 {
		t.Errorf("held %d candidate lines, want 2", stats.Held)
	}
}

// A query on UserName without an event type makes every line a candidate
// while learning (a user may come from any event's process or its own
// SID). Once learning is over, the name each line gets is read from its
// raw fields and given to the prefilter: only the lines the query selects
// are decoded and enriched, whether the kept lines are run or the input
// is read again.
func TestUserNameSettledBeforeDecoding(t *testing.T) {
	var lines []string
	for u := range 5 {
		lines = append(lines, fmt.Sprintf(`{"event_simpleName":"UserLogon","aid":"aaaa","UserSid":"S-1-5-21-1-%d","UserName":"user%d","ContextTimeStamp":"1.0"}`, 1000+u, u))
	}
	want := 1 // user3's logon names the user itself
	for i := range 50 {
		lines = append(lines, fmt.Sprintf(`{"event_simpleName":"ProcessRollup2","aid":"aaaa","TargetProcessId":"%d","ImageFileName":"C:\\p%d.exe","UserSid":"S-1-5-21-1-%d"}`, 100+i, i, 1000+i%5))
		if i%5 == 3 {
			want++ // the start itself, by its own SID
		}
	}
	for k := range 400 {
		i := k % 50
		lines = append(lines, fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":"aaaa","ContextProcessId":"%d","RemotePort":"443"}`, 100+i))
		if i%5 == 3 {
			want++
		}
	}
	path := filepath.Join(t.TempDir(), "e.ndjson")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		query string
		want  int
	}{
		{`UserName=user3 | count()`, want},
		// either field alone leaves the line open: both are given at once
		{`UserName=user3 or ContextProcessName=p7.exe | count()`, want + 400/50},
	} {
		for _, reread := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/reread=%v", tc.query, reread), func(t *testing.T) {
				testUserNameSettled(t, path, compile(t, tc.query), reread, tc.want)
			})
		}
	}
}

func testUserNameSettled(t *testing.T, path string, prog *engine.Program, reread bool, want int) {
	{
		{
			en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: []*engine.Program{prog}})
			if err != nil {
				t.Fatal(err)
			}
			defer en.Close()
			r, err := ingest.Open([]string{path}, ingest.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			opts := Options{Workers: 2, Enricher: en}
			if reread {
				opts.Reopen = func() (Source, error) { return ingest.Open([]string{path}, ingest.Options{}) }
			}
			var count string
			opts.Emit = func(_ int, row *event.Event) { count, _ = row.Get("_count") }
			if _, err := Search(context.Background(), []*engine.Program{prog}, r, opts); err != nil {
				t.Fatal(err)
			}
			if count != strconv.Itoa(want) {
				t.Errorf("count %q, want %d", count, want)
			}
			if got := en.Stats().Applied; got != int64(want) {
				t.Errorf("%d events enriched, want the %d the query selects", got, want)
			}
		}
	}
}

// Queries on UserName and ContextProcessName without an event type, alone
// and together, over random process starts, logons and context events
// (with and without a process id, a base name, their own SIDs): the
// settlers decide lines before decoding, and the rows are those of a learn
// pass followed by the search.
func TestSettledUsersMatchLearnThenSearch(t *testing.T) {
	images := []string{`C:\\Tools\\curl.exe`, `C:\\Windows\\svchost.exe`, `/usr/bin/nmap`}
	names := []string{"alice", "bob", "SYSTEM"}
	queries := [][]string{
		{`UserName=alice | table([#event_simpleName, aid, ContextProcessId, UserName], limit=max)`},
		{`UserName=alice or ContextProcessName=/curl/i | table([#event_simpleName, aid, ContextProcessId, UserName, ContextProcessName], limit=max)`},
		{`UserName=/bob/i ContextProcessName=/nmap/i | count()`},
		{`ContextProcessName=/curl/i | table([#event_simpleName, ContextProcessName], limit=max)`},
	}
	assertRandomLearnThenSearch(t, 8, 11, queries, func(rng *rand.Rand, seed uint64) (lines []string) {
		sid := func() string { return fmt.Sprintf("S-1-5-21-9-%d", 1000+rng.IntN(4)) }
		for range 300 {
			aid, pid := fmt.Sprintf("a%d", rng.IntN(2)), 100+rng.IntN(40)
			switch r := rng.IntN(10); {
			case r < 2:
				line := fmt.Sprintf(`{"event_simpleName":"ProcessRollup2","aid":%q,"TargetProcessId":"%d","ImageFileName":"%s"`, aid, pid, images[rng.IntN(len(images))])
				switch rng.IntN(3) {
				case 0:
					line += fmt.Sprintf(`,"UserSid":%q`, sid())
				case 1:
					line += fmt.Sprintf(`,"AuthenticationId":"%d"`, 7+rng.IntN(3))
				}
				lines = append(lines, line+"}")
			case r < 3:
				lines = append(lines, fmt.Sprintf(`{"event_simpleName":"UserLogon","aid":%q,"UserSid":%q,"AuthenticationId":"%d","UserName":%q,"ContextTimeStamp":"%d.0"}`,
					aid, sid(), 7+rng.IntN(3), names[rng.IntN(len(names))], rng.IntN(50)))
			default:
				line := fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":%q`, aid)
				if rng.IntN(4) > 0 {
					line += fmt.Sprintf(`,"ContextProcessId":"%d"`, pid)
				}
				if rng.IntN(2) == 0 {
					line += fmt.Sprintf(`,"ContextBaseFileName":%q`, []string{"curl.exe", "nmap", "svchost.exe"}[rng.IntN(3)])
				}
				if rng.IntN(4) == 0 {
					line += fmt.Sprintf(`,"UserSid":%q`, sid())
				}
				lines = append(lines, line+`,"RemotePort":"443"}`)
			}
		}
		return lines
	})
}

// Free text reads every field, but a command line or image path only free
// text reads is kept just for the processes whose details hold one of its
// filters' literals (negated ones too): results must be those of learning
// everything first.
func TestFreeTextDetailsMatchLearnThenSearch(t *testing.T) {
	images := []string{`C:\\Tools\\python.exe`, `C:\\censys\\agent.exe`, `C:\\Windows\\notepad.exe`}
	cmdlines := []string{"python -m shodan search net", "agent --Censys", "notepad a.txt", `run \"x\" shodan`}
	queries := [][]string{
		{`shodan | count()`},
		{`shodan | groupBy([ContextProcessName], limit=max)`},
		{`#event_simpleName=NetworkConnectIP4 443 not censys | count()`},
		{`/shod[a]n/i or agent | table([aid, ContextProcessId, TargetProcessId], limit=max)`},
		{`not shodan | count()`},
		{`shodan | table([ContextProcessId, ContextCommandLine], limit=max)`},
		{`shodan | count()`, `#event_simpleName=NetworkConnectIP4 notepad | count()`},
	}
	assertRandomLearnThenSearch(t, 8, 13, queries, func(rng *rand.Rand, seed uint64) (lines []string) {
		for range 300 {
			aid, pid := fmt.Sprintf("a%d", rng.IntN(2)), 100+rng.IntN(40)
			switch r := rng.IntN(10); {
			case r < 2:
				lines = append(lines, fmt.Sprintf(`{"event_simpleName":"ProcessRollup2","aid":%q,"TargetProcessId":"%d","ParentProcessId":"%d","ImageFileName":"%s","CommandLine":"%s"}`,
					aid, pid, 100+rng.IntN(40), images[rng.IntN(len(images))], cmdlines[rng.IntN(len(cmdlines))]))
			case r < 3:
				lines = append(lines, fmt.Sprintf(`{"event_simpleName":"DnsRequest","aid":%q,"ContextProcessId":"%d","DomainName":"%s"}`,
					aid, pid, []string{"api.shodan.io", "example.com"}[rng.IntN(2)]))
			default:
				lines = append(lines, fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":%q,"ContextProcessId":"%d","RemotePort":"%d"}`,
					aid, pid, []int{443, 80}[rng.IntN(2)]))
			}
		}
		return lines
	})
}

// FileName and FilePath are cut from a process start's own image path:
// the settler gives them to the prefilter as each line is read, so only
// the starts a query selects are kept (with other settled fields:
// ContextProcessName, UserName), and results are those of learning first.
func TestFilePathSettledAsRead(t *testing.T) {
	images := []string{`C:\\Tools\\curl.exe`, `/usr/bin/nmap`, `C:\\Windows\\svchost.exe`, `/`, ``}
	queries := [][]string{
		{`#event_simpleName=ProcessRollup2 FileName=/curl/i | table([aid, TargetProcessId, FileName, FilePath], limit=max)`},
		{`FileName=/^nmap$/i or ContextProcessName=/curl/i | table([#event_simpleName, aid, FileName, ContextProcessName], limit=max)`},
		{`FilePath=/\\Tools\\/i UserName=alice | count()`},
		{`FileName=* | count()`},
		{`#event_simpleName=ProcessRollup2 not FileName=/svchost/i | count()`},
		{`FilePath="/usr/bin/" | table([TargetProcessId, FileName], limit=max)`},
	}
	assertRandomLearnThenSearch(t, 8, 17, queries, func(rng *rand.Rand, seed uint64) (lines []string) {
		for range 300 {
			aid, pid := fmt.Sprintf("a%d", rng.IntN(2)), 100+rng.IntN(40)
			switch r := rng.IntN(10); {
			case r < 3:
				line := fmt.Sprintf(`{"event_simpleName":"ProcessRollup2","aid":%q,"TargetProcessId":"%d"`, aid, pid)
				if img := images[rng.IntN(len(images))]; img != "" {
					line += fmt.Sprintf(`,"ImageFileName":"%s"`, img)
				}
				if rng.IntN(2) == 0 {
					line += `,"CommandLine":"\"/opt/curl/run\" -x"`
				}
				if rng.IntN(3) == 0 {
					line += `,"UserSid":"S-1-5-21-9-1001"`
				}
				lines = append(lines, line+"}")
			case r < 4:
				lines = append(lines, fmt.Sprintf(`{"event_simpleName":"UserLogon","aid":%q,"UserSid":"S-1-5-21-9-1001","UserName":"alice","ContextTimeStamp":"%d.0"}`, aid, rng.IntN(50)))
			case r < 5:
				lines = append(lines, fmt.Sprintf(`{"event_simpleName":"FileOpenInfo","aid":%q,"ContextProcessId":"%d","FileName":"curl.txt","FilePath":"C:\\Tools\\"}`, aid, pid))
			default:
				lines = append(lines, fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":%q,"ContextProcessId":"%d","RemotePort":"443"}`, aid, pid))
			}
		}
		return lines
	})

	// Only the starts the query selects are held.
	lines := []string{
		`{"event_simpleName":"ProcessRollup2","aid":"a","TargetProcessId":"1","ImageFileName":"C:\\Tools\\curl.exe"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"a","TargetProcessId":"2","ImageFileName":"C:\\Windows\\svchost.exe"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"a","TargetProcessId":"3","ImageFileName":"/","CommandLine":"/usr/bin/curl -s"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"a","TargetProcessId":"4"}`,
		`{"event_simpleName":"DnsRequest","aid":"a","ContextProcessId":"1","DomainName":"curl.example"}`,
	}
	if count, held := countHeld(t, `FileName=/curl/i | count()`, lines); count != "2" || held != 2 {
		t.Errorf("count %q, held %d candidate lines; want 2 and 2 (curl.exe, and curl as argv0 of a \"/\" image)", count, held)
	}
}

// countHeld runs a count() query over lines with a learning search (the
// input readable again, learning as it reads: not deferred) and returns
// the count and the candidate lines held until learning was done.
func countHeld(t *testing.T, query string, lines []string) (count string, held int64) {
	t.Helper()
	path, open := smallChunkFile(t, lines)
	prog := compile(t, query)
	en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: []*engine.Program{prog}})
	if err != nil {
		t.Fatal(err)
	}
	defer en.Close()
	stats, err := Search(context.Background(), []*engine.Program{prog}, open(), Options{Workers: 1, Enricher: en, learning: learnAsRead,
		Reopen: func() (Source, error) { return open(), nil },
		Emit:   func(_ int, row *event.Event) { count, _ = row.Get("_count") }})
	if err != nil {
		t.Fatal(err)
	}
	return count, stats.Held
}

// ContextImageFileName and ContextCommandLine come from the acting
// process: once its start is learned they are given to the prefilter, and
// once learning is over a process never started gives none. Events before
// their start, records of one process that disagree and escaped values
// keep the results those of learning first; only the lines the query
// selects are held.
func TestProcessDetailsSettledAsRead(t *testing.T) {
	images := []string{`C:\\Temp\\dropper.exe`, `C:\\Windows\\svchost.exe`, `/tmp/x`, ``}
	cmdlines := []string{`dropper.exe --run`, `svchost -k netsvcs`, `\"/tmp/x\" shodan`, ``}
	queries := [][]string{
		{`#event_simpleName=NetworkConnectIP4 ContextImageFileName=/\\Temp\\/i | table([aid, ContextProcessId, ContextImageFileName], limit=max)`},
		{`ContextCommandLine=/shodan|netsvcs/ | count()`},
		{`#event_simpleName=NetworkConnectIP4 ContextImageFileName=/tmp/ or ContextProcessName=/svchost/i | table([aid, ContextProcessId, ContextProcessName, ContextImageFileName], limit=max)`},
		{`ContextImageFileName=* ContextCommandLine=/run/ | count()`},
		{`#event_simpleName=DnsRequest ContextCommandLine=/dropper/ UserName=alice | count()`},
		{`#event_simpleName=ProcessRollup2 ParentImageFileName=/\\Temp\\/i | table([aid, TargetProcessId, ParentImageFileName], limit=max)`},
		{`ParentCommandLine=/netsvcs/ or ContextCommandLine=/shodan/ | table([#event_simpleName, aid, ParentCommandLine, ContextCommandLine], limit=max)`},
	}
	assertRandomLearnThenSearch(t, 10, 19, queries, func(rng *rand.Rand, seed uint64) (lines []string) {
		started := 0 // starts have ids of their own (records that disagree make the search read twice), but in every third seed
		for range 300 {
			aid, pid := fmt.Sprintf("a%d", rng.IntN(2)), 100+rng.IntN(70)
			switch r := rng.IntN(10); {
			case r < 2:
				if seed%3 != 0 {
					aid, pid = "a0", 100+started
					started++
				}
				line := fmt.Sprintf(`{"event_simpleName":"ProcessRollup2","aid":%q,"TargetProcessId":"%d"`, aid, pid)
				if rng.IntN(4) > 0 { // a parent started before, later or never
					line += fmt.Sprintf(`,"ParentProcessId":"%d"`, 100+rng.IntN(70))
				}
				if img := images[rng.IntN(len(images))]; img != "" {
					line += fmt.Sprintf(`,"ImageFileName":"%s"`, img)
				}
				if c := cmdlines[rng.IntN(len(cmdlines))]; c != "" {
					line += fmt.Sprintf(`,"CommandLine":"%s"`, c)
				}
				if rng.IntN(3) == 0 {
					line += `,"UserSid":"S-1-5-21-9-1001"`
				}
				if rng.IntN(10) == 0 {
					line += `,"ParentImageFileName":"C:\\Temp\\own.exe"` // the event's own
				}
				lines = append(lines, line+"}")
			case r < 3:
				lines = append(lines, fmt.Sprintf(`{"event_simpleName":"UserLogon","aid":%q,"UserSid":"S-1-5-21-9-1001","UserName":"alice","ContextTimeStamp":"%d.0"}`, aid, rng.IntN(50)))
			case r < 5:
				lines = append(lines, fmt.Sprintf(`{"event_simpleName":"DnsRequest","aid":%q,"ContextProcessId":"%d","DomainName":"x.example","ParentProcessId":"%d"}`, aid, pid, pid))
			default:
				line := fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":%q`, aid)
				if rng.IntN(5) > 0 {
					line += fmt.Sprintf(`,"ContextProcessId":"%d"`, pid)
				}
				if rng.IntN(8) == 0 {
					line += `,"ContextImageFileName":"C:\\Temp\\own.exe"` // the event's own
				}
				lines = append(lines, line+`,"RemotePort":"443"}`)
			}
		}
		return lines
	})

	// Only the lines the query selects are held.
	lines := []string{
		`{"event_simpleName":"ProcessRollup2","aid":"a","TargetProcessId":"1","ImageFileName":"C:\\Temp\\dropper.exe"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"a","TargetProcessId":"2","ImageFileName":"C:\\Windows\\svchost.exe"}`,
		`{"event_simpleName":"NetworkConnectIP4","aid":"a","ContextProcessId":"1"}`,
		`{"event_simpleName":"NetworkConnectIP4","aid":"a","ContextProcessId":"2"}`,
		`{"event_simpleName":"NetworkConnectIP4","aid":"a","ContextProcessId":"2"}`,
		`{"event_simpleName":"NetworkConnectIP4","aid":"a"}`,
	}
	if count, held := countHeld(t, `#event_simpleName=NetworkConnectIP4 ContextImageFileName=/\\Temp\\/i | count()`, lines); count != "1" || held != 1 {
		t.Errorf("count %q, held %d candidate lines; want 1 and 1", count, held)
	}

	// A record without an image path does not settle one: a later record
	// may give it (a SyntheticProcessRollup2, then the ProcessRollup2).
	late := []string{
		`{"event_simpleName":"SyntheticProcessRollup2","aid":"a","TargetProcessId":"7"}`,
		`{"event_simpleName":"NetworkConnectIP4","aid":"a","ContextProcessId":"7"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"a","TargetProcessId":"7","ImageFileName":"C:\\Temp\\late.exe"}`,
	}
	if count, _ := countHeld(t, `#event_simpleName=NetworkConnectIP4 ContextImageFileName=/\\Temp\\/i | count()`, late); count != "1" {
		t.Errorf("an image given by a later record: count %q, want 1", count)
	}

	// A start's parent gives ParentImageFileName: only the child of the
	// process in Temp is held.
	lines = append(lines,
		`{"event_simpleName":"ProcessRollup2","aid":"a","TargetProcessId":"3","ParentProcessId":"1","ImageFileName":"C:\\x\\child.exe"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"a","TargetProcessId":"4","ParentProcessId":"2","ImageFileName":"C:\\x\\other.exe"}`)
	if count, held := countHeld(t, `ParentImageFileName=/\\Temp\\/i | count()`, lines); count != "1" || held != 1 {
		t.Errorf("parent: count %q, held %d candidate lines; want 1 and 1", count, held)
	}
}

// A kept line the settler rejects once learning is over is not decoded,
// yet reported when it cannot be JSON, whichever field settled it.
func TestSettledLinesReportedMalformed(t *testing.T) {
	lines := []string{
		`{"event_simpleName":"NetworkConnectIP4","aid":"a","ContextProcessId":"5","RemotePort":"1"`, // truncated, of a process never started
		`{"event_simpleName":"ProcessRollup2","aid":"a","TargetProcessId":"6","ImageFileName":"C:\\Temp\\x.exe","UserSid":"S-1"}`,
		`{"event_simpleName":"UserLogon","aid":"a","UserSid":"S-1","UserName":"alice","ContextTimeStamp":"1.0"}`,
		`{"event_simpleName":"NetworkConnectIP4","aid":"a","ContextProcessId":"6","RemotePort":"2"}`,
	}
	path, open := smallChunkFile(t, lines)
	for _, q := range []string{
		`#event_simpleName=NetworkConnectIP4 ContextImageFileName=/Temp/i | count()`,
		`#event_simpleName=NetworkConnectIP4 ContextCommandLine=* | count()`,
		`#event_simpleName=NetworkConnectIP4 ContextProcessName=/x\.exe/i | count()`,
		`#event_simpleName=NetworkConnectIP4 UserName=alice | count()`,
		`FileName=/x/ | count()`,
	} {
		prog := compile(t, q)
		en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: []*engine.Program{prog}})
		if err != nil {
			t.Fatal(err)
		}
		var report bytes.Buffer
		_, err = Search(context.Background(), []*engine.Program{prog}, open(), Options{Workers: 1, Enricher: en,
			Problems: ingest.NewProblems(&report, 0),
			Reopen:   func() (Source, error) { return open(), nil },
			Emit:     func(int, *event.Event) {}})
		en.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(report.String(), "e.ndjson:1:") {
			t.Errorf("%s: the truncated line 1 is not reported: %q", q, report.String())
		}
	}
}

// Aidmaster columns (ComputerName, MachineDomain, ...) come from the
// sensor's record: once it is learned they are given to the prefilter, and
// once learning is over a sensor without one gives none. Records after
// the events, newer snapshots that differ and events with their own
// ComputerName keep the results those of learning first; only the lines
// the query selects are held.
func TestHostFieldsSettledAsRead(t *testing.T) {
	queries := [][]string{
		{`ComputerName=HOST-A | count()`},
		{`#event_simpleName=NetworkConnectIP4 ComputerName=/HOST-[AB]/ | table([aid, ComputerName], limit=max)`},
		{`ComputerName=HOST-A or ContextProcessName=/curl/i | table([#event_simpleName, aid, ComputerName, ContextProcessName], limit=max)`},
		{`MachineDomain=corp.example SiteName=HQ | count()`},
		{`ComputerName=* | count()`},
	}
	names := []string{"HOST-A", "HOST-B", "HOST-C"}
	assertRandomLearnThenSearch(t, 9, 23, queries, func(rng *rand.Rand, seed uint64) (lines []string) {
		recorded := map[int]bool{}
		for range 200 {
			a := rng.IntN(4) // sensor a3 never has a record
			switch r := rng.IntN(12); {
			case r == 0 && a < 3 && (!recorded[a] || seed%3 == 0): // newer snapshots that differ: every third seed
				recorded[a] = true
				site := []string{"HQ", "Lab"}[rng.IntN(2)]
				lines = append(lines, fmt.Sprintf(`{"aid":"a%d","ComputerName":%q,"MachineDomain":"corp.example","SiteName":%q,"Time":"%d.0"}`,
					a, names[rng.IntN(len(names))], site, rng.IntN(9)))
			case r == 1:
				lines = append(lines, fmt.Sprintf(`{"event_simpleName":"ProcessRollup2","aid":"a%d","TargetProcessId":"%d","ImageFileName":"C:\\Tools\\curl.exe"}`, a, 100+rng.IntN(20)))
			case r == 2:
				lines = append(lines, fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":"a%d","ComputerName":"HOST-A","ContextProcessId":"%d"}`, a, 100+rng.IntN(20))) // its own
			default:
				line := `{"event_simpleName":"NetworkConnectIP4"`
				if rng.IntN(10) > 0 {
					line += fmt.Sprintf(`,"aid":"a%d"`, a)
				}
				lines = append(lines, line+fmt.Sprintf(`,"ContextProcessId":"%d","RemotePort":"443"}`, 100+rng.IntN(20)))
			}
		}
		return lines
	})

	lines := []string{
		`{"aid":"a0","ComputerName":"HOST-A","Time":"1.0"}`,
		`{"aid":"a1","ComputerName":"HOST-B","Time":"1.0"}`,
		`{"event_simpleName":"NetworkConnectIP4","aid":"a0"}`,
		`{"event_simpleName":"NetworkConnectIP4","aid":"a1"}`,
		`{"event_simpleName":"NetworkConnectIP4","aid":"a1"}`,
		`{"event_simpleName":"NetworkConnectIP4"}`,
	}
	if count, held := countHeld(t, `#event_simpleName=NetworkConnectIP4 ComputerName=HOST-A | count()`, lines); count != "1" || held != 1 {
		t.Errorf("count %q, held %d candidate lines; want 1 and 1", count, held)
	}
}

// Input that cannot be read again (stdin) is not filtered by a learned
// value a later record replaces: a sensor's aidmaster record, a process's
// name. The rows are a learn pass's, and nothing is read twice (it
// panicked when the replaced value asked for a second read).
func TestSettlingWithoutASecondRead(t *testing.T) {
	lines := []string{
		`{"aid":"aaaa","ComputerName":"OLD-A","Time":"1600000000"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"aaaa","TargetProcessId":"100","ImageFileName":"C:\\Windows\\svchost.exe","timestamp":"1600000000000"}`,
	}
	for i := range 50 {
		lines = append(lines, fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":"aaaa","ContextProcessId":"100","RemotePort":"%d"}`, 400+i))
	}
	lines = append(lines,
		`{"aid":"aaaa","ComputerName":"HOST-A","Time":"1700000000"}`,
		`{"event_simpleName":"ProcessRollup2","aid":"aaaa","TargetProcessId":"100","ImageFileName":"C:\\Tools\\curl.exe","timestamp":"1700000000000"}`,
	)
	path := filepath.Join(t.TempDir(), "e.ndjson")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	open := fileSource(t, path, 1<<10)
	for _, query := range []string{
		`ComputerName=HOST-A | count()`,
		`#event_simpleName=NetworkConnectIP4 ContextProcessName=curl.exe | count()`,
		`#event_simpleName=NetworkConnectIP4 ContextImageFileName=/curl/ | count()`,
	} {
		prog := compile(t, query)
		want, _ := sortedRows(t, prog, open(), Options{Workers: 1, Enricher: learnedAll(t, open())})
		for _, workers := range []int{1, 3} {
			en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: []*engine.Program{prog}})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := sortedRows(t, prog, open(), Options{Workers: workers, Enricher: en}) // no Reopen
			en.Close()
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s, %d workers: rows (-learn first +one read):\n%s", query, workers, diff)
			}
		}
	}
}

// A second read of free text (a process carrying the text was learned
// after lines it gives the text to were rejected) finds the lines the
// first read kept by source and line number, however its chunks are cut:
// compressed input decoded ahead may cut them elsewhere than the first
// read did (lines were lost when they were known by chunk).
func TestSecondReadCutElsewhere(t *testing.T) {
	dir := emulatedTree(t)
	open, reopen := fileSource(t, dir, 64<<10), fileSource(t, dir, 16<<10)
	prog := compile(t, `WmiPrvSE | table([aid, #event_simpleName, ContextProcessName, TargetProcessId, ParentProcessId], limit=max)`)
	want, _ := sortedRows(t, prog, open(), Options{Workers: 2, Enricher: learnedAll(t, open())})
	for _, workers := range []int{1, 3} {
		en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{dir}, Programs: []*engine.Program{prog}})
		if err != nil {
			t.Fatal(err)
		}
		reads := 0
		got, _ := sortedRows(t, prog, open(), Options{Workers: workers, Enricher: en, learning: learnAsRead,
			Reopen: func() (Source, error) { reads++; return reopen(), nil }})
		en.Close()
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%d workers: rows (-learn first +search):\n%s", workers, diff)
		}
		if reads == 0 {
			t.Errorf("%d workers: no second read: the test shows nothing", workers)
		}
	}
}

// settlerOver is a settler for prog whose enricher learned the file at
// path, closed when the test ends.
func settlerOver(t testing.TB, prog *engine.Program, path string) *settler {
	t.Helper()
	en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{path}, Programs: []*engine.Program{prog}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { en.Close() })
	return newSettler(en, newPlan([]*engine.Program{prog}, en), false)
}
