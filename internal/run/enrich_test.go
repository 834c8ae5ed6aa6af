package run

import (
	"context"
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
	if _, _, err := PrepareEnricher(context.Background(), EnrichInput{Paths: []string{dir + "/missing"}}); err == nil {
		t.Error("a missing input should be an error")
	}
}
