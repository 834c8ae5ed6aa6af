package run

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/event"
)

// recordingLearner remembers the id (or ComputerName) of every event learned.
type recordingLearner struct {
	mu   sync.Mutex
	seen []string
}

func (r *recordingLearner) LearnPrefilter() [][]byte { return [][]byte{[]byte("ProcessRollup2")} }
func (r *recordingLearner) LearnNeeds() event.Needs {
	return event.Needs{Fields: []string{"ComputerName", "id"}}
}
func (r *recordingLearner) Learn(ev *event.Event) {
	v, ok := ev.Get("id")
	if !ok {
		v, _ = ev.Get("ComputerName")
	}
	r.mu.Lock()
	r.seen = append(r.seen, strings.Clone(v))
	r.mu.Unlock()
}

func TestLearnReadsPrefilteredTelemetryAndAllLookups(t *testing.T) {
	kinded := func(kind event.Kind, lines ...string) event.Chunk {
		return event.Chunk{Source: kind.String(), FirstLine: 1, Data: []byte(strings.Join(lines, "\n") + "\n"), Kind: kind}
	}
	for _, workers := range []int{1, 4} {
		src := &chunks{list: []event.Chunk{
			kinded(event.KindTelemetry,
				`{"event_simpleName":"ProcessRollup2","id":"p1"}`,
				`{"event_simpleName":"DnsRequest","id":"d1"}`,
				`{"event_simpleName":"ProcessRollup2", broken`,
				`{"event_simpleName":"SyntheticProcessRollup2","id":"p2"}`),
			kinded(event.KindAidmaster, `{"aid":"a1","ComputerName":"H1"}`, `{"aid":"a2","ComputerName":"H2"}`),
			kinded(event.KindOtherLookup, `{"aid":"a3","ComputerName":"H3"}`),
		}}
		l := &recordingLearner{}
		st, err := Learn(context.Background(), l, src, workers)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(l.seen)
		want := []string{"H1", "H2", "p1", "p2"}
		if !slices.Equal(l.seen, want) {
			t.Errorf("workers %d: learned %v, want %v", workers, l.seen, want)
		}
		if st.Lines != 6 || st.Decoded != 4 {
			t.Errorf("workers %d: stats %+v, want 6 lines, 4 decoded", workers, st)
		}
	}
}

// A stream-mode enricher must learn from process starts that no query
// wants, or context events would never get ContextProcessName.
func TestSearchStreamEnricherLearnsUnwantedLines(t *testing.T) {
	lines := []string{
		`{"event_simpleName":"ProcessRollup2","aid":"a1","TargetProcessId":"10","ImageFileName":"/usr/bin/curl","CommandLine":"curl https://ipinfo.io","timestamp":"1000"}`,
		`{"event_simpleName":"NetworkConnectIP4","aid":"a1","ContextProcessId":"10","RemotePort":"443","timestamp":"2000"}`,
		`{"event_simpleName":"NetworkConnectIP4","aid":"a1","ContextProcessId":"99","RemotePort":"443","timestamp":"3000"}`,
	}
	prog := compile(t, `#event_simpleName=NetworkConnectIP4 | ContextProcessName=curl | select([ContextProcessId])`)
	tests := []struct {
		name string
		enr  Enricher
		want []string
	}{
		{"stream enricher", enrich.NewStream(enrich.Options{}), []string{"10"}},
		{"no enricher", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			_, err := Search(context.Background(), []*engine.Program{prog}, newChunks("in", lines, 10), Options{
				Workers: 1, Enricher: tc.enr,
				Emit: func(_ int, row *event.Event) {
					v, _ := row.Get("ContextProcessId")
					got = append(got, strings.Clone(v))
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("rows %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPrepareEnricherModes(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name   string
		paths  []string
		stream bool
	}{
		{"no paths is stdin", nil, true},
		{"dash is stdin", []string{"-"}, true},
		{"directory", []string{dir}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: tc.paths, Stdin: strings.NewReader("{}\n")})
			if err != nil {
				t.Fatal(err)
			}
			if en.Streaming() != tc.stream {
				t.Errorf("streaming = %v, want %v", en.Streaming(), tc.stream)
			}
		})
	}
	// A missing input is the search pass's to report (it reads the same
	// paths); the learn pass goes on with the others.
	if _, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{dir + "/missing", dir}}); err != nil {
		t.Errorf("a missing input among good ones stopped the learn pass: %v", err)
	}
}

// A hunt's default process budget grows with the details its rules read;
// a search's, and a budget given, do not.
func TestPrepareEnricherProcessMemory(t *testing.T) {
	dir := t.TempDir()
	progs := []*engine.Program{
		compile(t, `ContextCommandLine=*evil* | table([ContextProcessName])`),
		compile(t, `#event_simpleName=DnsRequest | table([UserName])`),
	}
	tests := []struct {
		name   string
		memory int
		scale  bool
		want   int
	}{
		{"search", 0, false, enrich.DefaultProcessMemory},
		{"hunt: names and command lines", 0, true, 2 * enrich.DefaultProcessMemory},
		{"hunt, budget given", 1 << 20, true, 1 << 20},
		{"hunt, never spill", -1, true, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			en, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{dir}, Programs: progs,
				ProcessMemory: tc.memory, ScaleProcessMemory: tc.scale})
			if err != nil {
				t.Fatal(err)
			}
			if got := en.ProcessMemory(); got != tc.want {
				t.Errorf("process memory %d, want %d", got, tc.want)
			}
		})
	}
}

// streamLines is a small telemetry stream: n processes on two sensors, each
// with a DNS request and a connect, in time order.
func streamLines(n int) []string {
	var out []string
	for i := range n {
		aid := []string{"aaaa", "bbbb"}[i%2]
		pid := 1000 + i
		img := []string{"curl", "nmap", "bash"}[i%3]
		ts := 1_700_000_000 + i
		out = append(out,
			fmt.Sprintf(`{"event_simpleName":"ProcessRollup2","aid":"%s","TargetProcessId":"%d","ImageFileName":"/usr/bin/%s","CommandLine":"%s -x","UID":"0","ContextTimeStamp":"%d.000"}`, aid, pid, img, img, ts),
			fmt.Sprintf(`{"event_simpleName":"DnsRequest","aid":"%s","ContextProcessId":"%d","DomainName":"d%d.example","ContextTimeStamp":"%d.500"}`, aid, pid, i, ts),
			fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":"%s","ContextProcessId":"%d","RemotePort":"443","ContextTimeStamp":"%d.700"}`, aid, pid, ts))
	}
	return out
}

// shuffleWithin moves each line at most window places, as FDR delivery and
// the emulator do.
func shuffleWithin(lines []string, window int, seed uint64) []string {
	out := slices.Clone(lines)
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range out {
		j := min(len(out)-1, i+r.IntN(window))
		out[i], out[j] = out[j], out[i]
	}
	return out
}

func enrichedRows(t *testing.T, prog *engine.Program, src Source, en Enricher, workers int) []string {
	t.Helper()
	var rows []string
	_, err := Search(context.Background(), []*engine.Program{prog}, src, Options{
		Workers: workers, Enricher: en,
		Emit: func(_ int, row *event.Event) {
			rows = append(rows, fmt.Sprintf("%s/%s/%s", fieldValue(row, "DomainName"), fieldValue(row, "ContextProcessName"), fieldValue(row, "UserName")))
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(rows)
	return rows
}

func fieldValue(ev *event.Event, name string) string {
	v, _ := ev.Get(name)
	return v
}

func head(s []string) []string { return s[:min(3, len(s))] }

func TestStringField(t *testing.T) {
	tests := []struct {
		line, key, want string
		ok              bool
	}{
		{`{"aid":"abc","x":"1"}`, "aid", "abc", true},
		{`{"aid" : "abc"}`, "aid", "abc", true},
		{`{"x":"say \"aid\":\"no\"","aid":"yes"}`, "aid", "yes", true},
		{`{"aid":"a\"b"}`, "aid", "", false},
		{`{"aid":12}`, "aid", "", false},
		{`{"aid":"unterminated`, "aid", "", false},
		{`{"said":"x"}`, "aid", "", false},
		{`{"ContextProcessId":"7","x":"ContextProcessIdentity"}`, "ContextProcessId", "7", true},
		{`{"ContextProcessIdentity":"7"}`, "ContextProcessId", "", false},
	}
	for _, tc := range tests {
		got, ok := stringField([]byte(tc.line), newRawKey(tc.key))
		if ok != tc.ok || string(got) != tc.want {
			t.Errorf("stringField(%s, %s) = %q, %v; want %q, %v", tc.line, tc.key, got, ok, tc.want, tc.ok)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestIndexKey(t *testing.T) {
	tests := []struct {
		line, key string
		want      int
	}{
		{`{"aid":"x","event_simpleName":"A"}`, "event_simpleName", 11},
		{`{"x_event_simpleName":1,"event_simpleName":"A"}`, "event_simpleName", 24},
		{`{"ContextProcessId":"1"}`, "ContextProcessId", 1},
		{`{"ContextTimeStamp":"1","ContextProcessId":"1"}`, "ContextProcessId", 24},
		{`{"aid":"1"}`, "aid", 1},
		{`{"said":"1","aid":"2"}`, "aid", 12},
		{`{"aid":"1"}`, "event_simpleName", -1},
		{`_"event_simpleName`, "event_simpleName", -1},
	}
	for _, tc := range tests {
		if got := indexKey([]byte(tc.line), newRawKey(tc.key)); got != tc.want {
			t.Errorf("indexKey(%s, %s) = %d, want %d", tc.line, tc.key, got, tc.want)
		}
	}
}

// TestTeachCacheVerdicts: the name cache answers as the literals do, for
// names that share a recent slot, after the map is full, and for lines
// whose name could not be read.
func TestTeachCacheVerdicts(t *testing.T) {
	lits := [][]byte{[]byte("ProcessRollup2"), []byte("UserLogon")}
	tc := newTeachCache(lits)
	names := []string{"ProcessRollup2", "DnsRequest", "SyntheticProcessRollup2", "UserLogonFailed2", "NetworkConnectIP4", "x", "ab", "ba"}
	for i := range 5000 { // more names than a NameMemo remembers
		names = append(names, fmt.Sprintf("Event%dProcessRollup2", i), fmt.Sprintf("Other%d", i))
	}
	for round := range 2 {
		for _, n := range names {
			want := strings.Contains(n, "ProcessRollup2") || strings.Contains(n, "UserLogon")
			if got := tc.teaches(nil, []byte(n), true); got != want {
				t.Fatalf("round %d: teaches(%q) = %v, want %v", round, n, got, want)
			}
		}
	}
	if tc.teaches([]byte(`{"event_simpleName":"\u0055serLogon"}`), nil, false) {
		t.Error("a line without a readable name and without a literal teaches")
	}
	if !tc.teaches([]byte(`{"x":"UserLogon"}`), nil, false) {
		t.Error("a line without a readable name holding a literal does not teach")
	}
}
