package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// chunks is a Source over in-memory NDJSON cut into chunks of n lines.
type chunks struct {
	list []event.Chunk
}

func newChunks(source string, lines []string, perChunk int) *chunks {
	c := &chunks{}
	for i := 0; i < len(lines); i += perChunk {
		end := min(i+perChunk, len(lines))
		data := strings.Join(lines[i:end], "\n") + "\n"
		c.list = append(c.list, event.Chunk{Seq: int64(len(c.list)), Source: source, FirstLine: i + 1, Data: []byte(data)})
	}
	return c
}

func (c *chunks) Next() (event.Chunk, error) {
	if len(c.list) == 0 {
		return event.Chunk{}, io.EOF
	}
	ch := c.list[0]
	c.list = c.list[1:]
	return ch, nil
}

func compile(t testing.TB, src string) *engine.Program {
	t.Helper()
	return compileWith(t, src, engine.Options{})
}

// compileWith is compile with options.
func compileWith(t testing.TB, src string, opts engine.Options) *engine.Program {
	t.Helper()
	q, ds := cql.Parse(src)
	if ds.HasErrors() {
		t.Fatalf("parse: %v", ds[0].Message)
	}
	p, ds := engine.Compile(q, opts)
	if ds.HasErrors() {
		t.Fatalf("compile: %v", ds[0].Message)
	}
	return p
}

// genLines makes a mix of Falcon-like lines, some hitting the test queries.
func genLines(n int) []string {
	names := []string{"ProcessRollup2", "DnsRequest", "NetworkConnectIP4", "EndOfProcess", "SensorHeartbeat"}
	tools := []string{"nmap.exe", "notepad.exe", "masscan", "svchost.exe", "chrome.exe"}
	domains := []string{"api.shodan.io", "www.example.com", "ipinfo.io", "update.microsoft.com"}
	procs := []string{"curl", "chrome.exe", "python3", "svchost.exe"}
	ports := []string{"443", "80", "8443", "53"}
	lines := make([]string, n)
	for i := range lines {
		name := names[i%len(names)]
		ts := 1_700_000_000_000 + int64(i*7919%100_000)
		switch name {
		case "ProcessRollup2":
			lines[i] = fmt.Sprintf(`{"event_simpleName":"ProcessRollup2","timestamp":"%d","aid":"a%d","ComputerName":"H%d","UserName":"u%d","ImageFileName":"C:\\Tools\\%s","CommandLine":"%s -x %d"}`,
				ts, i%13, i%7, i%5, tools[i%len(tools)], tools[i%len(tools)], i)
		case "DnsRequest":
			lines[i] = fmt.Sprintf(`{"event_simpleName":"DnsRequest","timestamp":"%d","ComputerName":"H%d","DomainName":"%s"}`, ts, i%7, domains[i%len(domains)])
		case "NetworkConnectIP4":
			lines[i] = fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","timestamp":"%d","ComputerName":"H%d","RemoteAddressIP4":"10.0.%d.%d","RemotePort":"%s","ContextProcessName":"%s"}`,
				ts, i%7, i%250, i%200, ports[i%len(ports)], procs[i%len(procs)])
		default:
			lines[i] = fmt.Sprintf(`{"event_simpleName":"%s","timestamp":"%d","aid":"a%d"}`, name, ts, i%13)
		}
		if i%997 == 0 {
			lines[i] = `{"broken": ` // malformed, and it survives no prefilter
		}
	}
	return lines
}

const seedLike = `#event_simpleName = /^(ProcessRollup2|DnsRequest|NetworkConnectIP4)$/
| case {
    #event_simpleName = "ProcessRollup2" and ImageFileName = /(?i)(nmap|masscan)((\.exe)?)$/ | DetectionBranch := "tool";
    #event_simpleName = "DnsRequest" and DomainName = /(?i)(shodan\.io|ipinfo\.io)/ | DetectionBranch := "dns";
    #event_simpleName = "NetworkConnectIP4" and in(RemotePort, values=[80, 443]) and ContextProcessName = /(?i)(curl|python[23]?)/ | DetectionBranch := "net";
  }
| table([#event_simpleName, ComputerName, ImageFileName, DomainName, RemotePort, ContextProcessName, DetectionBranch, @timestamp], limit=max)
| sort(@timestamp, order=desc, limit=max)`

func searchRows(t *testing.T, progs []*engine.Program, lines []string, workers, perChunk int, problems *ingest.Problems) ([][]string, *Stats) {
	t.Helper()
	rows := make([][]string, len(progs))
	stats, err := Search(context.Background(), progs, newChunks("gen.jsonl", lines, perChunk), Options{
		Workers:  workers,
		Problems: problems,
		Emit: func(i int, ev *event.Event) {
			var parts []string
			for _, f := range ev.Fields() {
				parts = append(parts, f.Name+"="+f.Value)
			}
			rows[i] = append(rows[i], strings.Join(parts, " "))
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows, stats
}

// TestSameResultsOnAnyWorkerCount: ordered input to the tail makes results
// independent of parallelism, for streaming and aggregating queries alike.
func TestSameResultsOnAnyWorkerCount(t *testing.T) {
	lines := genLines(5000)
	queries := []string{
		seedLike,
		`#event_simpleName=DnsRequest | DomainName=*shodan*`, // streaming: input order
		`groupBy([#event_simpleName, ComputerName], function=[count(), collect(UserName)])`,
		`#event_simpleName=ProcessRollup2 | head(50)`,
		`ImageFileName=*nmap* | regex("-x (?<n>\\d+)", field=CommandLine) | tail(20)`,
	}
	for _, q := range queries {
		t.Run(q[:min(len(q), 40)], func(t *testing.T) {
			progs := []*engine.Program{compile(t, q)}
			one, _ := searchRows(t, progs, lines, 1, 100, nil)
			four, _ := searchRows(t, progs, lines, 4, 37, nil)
			if len(one[0]) == 0 {
				t.Fatal("no rows: the query or the generator is broken")
			}
			if diff := cmp.Diff(one, four); diff != "" {
				t.Errorf("1 vs 4 workers differ:\n%s", diff)
			}
		})
	}
}

// TestSeveralProgramsOnePass: each program gets its own copy of every event
// and the same rows as when run alone.
func TestSeveralProgramsOnePass(t *testing.T) {
	lines := genLines(2000)
	qs := []string{seedLike, `#event_simpleName=DnsRequest | tag := "changed" | count()`, `DomainName=*ipinfo* | select([DomainName, tag])`}
	var progs []*engine.Program
	var alone [][]string
	for _, q := range qs {
		p := compile(t, q)
		progs = append(progs, p)
		rows, _ := searchRows(t, []*engine.Program{p}, lines, 2, 64, nil)
		alone = append(alone, rows[0])
	}
	together, stats := searchRows(t, progs, lines, 3, 64, nil)
	if diff := cmp.Diff(alone, together); diff != "" {
		t.Errorf("programs run together differ from alone:\n%s", diff)
	}
	if stats.Lines != 2000 {
		t.Errorf("read %d lines, want 2000", stats.Lines)
	}
}

func TestMalformedLinesReported(t *testing.T) {
	lines := []string{
		`{"event_simpleName":"DnsRequest","DomainName":"a.example"}`,
		`{"event_simpleName":"DnsRequest", broken`,
		``,
		`{"event_simpleName":"DnsRequest","DomainName":"b.example"}`,
	}
	var out strings.Builder
	problems := ingest.NewProblems(&out, 0)
	rows, _ := searchRows(t, []*engine.Program{compile(t, `#event_simpleName=DnsRequest | select([DomainName])`)}, lines, 2, 1, problems)
	if diff := cmp.Diff([]string{"DomainName=a.example", "DomainName=b.example"}, rows[0]); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if problems.Count() != 1 || !strings.HasPrefix(out.String(), "gen.jsonl:2: ") {
		t.Errorf("problems: count %d, output %q", problems.Count(), out.String())
	}
}

// fakeEnricher adds ContextProcessName from a table, like process context.
type fakeEnricher struct{ provides bool }

func (fakeEnricher) Needs() event.Needs {
	var n event.Needs
	n.Add("ContextProcessId")
	return n
}

func (fakeEnricher) Apply(ev *event.Event) {
	if id, ok := ev.Get("ContextProcessId"); ok && id == "7" {
		ev.SetIfMissing("ContextProcessName", "curl")
	}
}

type providingEnricher struct{ fakeEnricher }

func (providingEnricher) Provides() []string { return []string{"ContextProcessName"} }

// TestPrefilterRespectsEnrichment: a literal about an enriched field must not
// reject the raw line, which lacks the field.
func TestPrefilterRespectsEnrichment(t *testing.T) {
	lines := []string{
		`{"event_simpleName":"NetworkConnectIP4","RemotePort":"443","ContextProcessId":"7"}`,
		`{"event_simpleName":"NetworkConnectIP4","RemotePort":"443","ContextProcessId":"8"}`,
	}
	q := `#event_simpleName=NetworkConnectIP4 ContextProcessName=/curl/ | select([ContextProcessId])`
	for _, enr := range []Enricher{fakeEnricher{}, providingEnricher{}} {
		var got []string
		_, err := Search(context.Background(), []*engine.Program{compile(t, q)}, newChunks("x", lines, 1), Options{
			Enricher: enr,
			Emit:     func(_ int, ev *event.Event) { v, _ := ev.Get("ContextProcessId"); got = append(got, v) },
		})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"7"}, got); diff != "" {
			t.Errorf("%T: rows (-want +got):\n%s", enr, diff)
		}
	}
}

// TestFreeTextSeesEnrichedFields: free text also searches fields enrichment
// adds, so its literal must not reject raw lines when an enricher runs.
func TestFreeTextSeesEnrichedFields(t *testing.T) {
	lines := []string{`{"event_simpleName":"NetworkConnectIP4","ContextProcessId":"7"}`}
	q := `#event_simpleName=NetworkConnectIP4 curl | select([ContextProcessName])`
	rows, _ := searchRows(t, []*engine.Program{compile(t, q)}, lines, 1, 1, nil)
	if len(rows[0]) != 0 {
		t.Errorf("without enrichment the raw line has no curl: %v", rows[0])
	}
	var got []string
	_, err := Search(context.Background(), []*engine.Program{compile(t, q)}, newChunks("x", lines, 1), Options{
		Enricher: providingEnricher{},
		Emit:     func(_ int, ev *event.Event) { v, _ := ev.Get("ContextProcessName"); got = append(got, v) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"curl"}, got); diff != "" {
		t.Errorf("free text over an enriched field (-want +got):\n%s", diff)
	}
}

// Many programs in one pass (dispatched by event name and shared literal
// sets) give each program the rows it gives alone.
func TestSearchManyProgramsMatchesEachAlone(t *testing.T) {
	lines := realisticLines(3000)
	queries := []string{
		`#event_simpleName=ProcessRollup2 ImageFileName=/(?i)\\(nmap|masscan)\.exe$/ | select([ImageFileName])`,
		`#event_simpleName=DnsRequest DomainName=/shodan/i | select([DomainName, @timestamp])`,
		`#event_simpleName=DnsRequest DomainName=*microsoft* | count()`,
		`ContextProcessName=curl | select([ContextProcessId])`,
		`#event_simpleName=/^(EndOfProcess|UserLogon)$/ | groupBy(#event_simpleName)`,
		`ComputerName=WS-1 | tail(3)`,
		`nmap | count()`,
	}
	var progs []*engine.Program
	for _, q := range queries {
		progs = append(progs, compile(t, q))
	}
	together := make([][]string, len(progs))
	if _, err := Search(context.Background(), progs, newChunks("in", lines, 500), Options{
		Workers: 2,
		Emit:    func(i int, row *event.Event) { together[i] = append(together[i], render([]*event.Event{row})...) },
	}); err != nil {
		t.Fatal(err)
	}
	for i, q := range queries {
		var alone []string
		if _, err := Search(context.Background(), []*engine.Program{compile(t, q)}, newChunks("in", lines, 500), Options{
			Workers: 2,
			Emit:    func(_ int, row *event.Event) { alone = append(alone, render([]*event.Event{row})...) },
		}); err != nil {
			t.Fatal(err)
		}
		if len(alone) == 0 {
			t.Errorf("%s: no rows alone; the test data should hold some", q)
		}
		if diff := cmp.Diff(alone, together[i]); diff != "" {
			t.Errorf("%s: rows in a many-program pass differ (-alone +together):\n%s", q, diff)
		}
	}
}

// A limit hit on a worker (a value too big) or in the tail (memory) stops
// the search with that error, whatever the worker count; nothing is
// emitted after it.
func TestSearchStopsAtLimit(t *testing.T) {
	var lines []string
	for i := range 5000 {
		lines = append(lines, fmt.Sprintf(`{"k":"key-%d","y":"ab"}`, i))
	}
	concat := "y := concat([y, y])"
	for range 30 {
		concat += " | y := concat([y, y])"
	}
	tests := []struct{ query, fn string }{
		{concat, "concat"},
		{"groupBy(k)", "groupBy"},
	}
	for _, tt := range tests {
		for _, workers := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/%d", tt.fn, workers), func(t *testing.T) {
				q, _ := cql.Parse(tt.query)
				p, ds := engine.Compile(q, engine.Options{Limits: engine.Limits{Memory: 256 << 10, MaxValue: 1 << 20}})
				if ds.HasErrors() {
					t.Fatal(ds[0].Message)
				}
				rows := 0
				_, err := Search(context.Background(), []*engine.Program{p}, newChunks("f", lines, 100), Options{
					Workers: workers, Emit: func(int, *event.Event) { rows++ },
				})
				var le *engine.LimitError
				if !errors.As(err, &le) || le.Func != tt.fn {
					t.Fatalf("err %v, want %s() over its limit", err, tt.fn)
				}
				if tt.fn == "groupBy" && rows != 0 {
					t.Errorf("%d rows emitted", rows)
				}
			})
		}
	}
}
