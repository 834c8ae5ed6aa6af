package run

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/cql"
	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/ingest"
)

// The runner decodes only the fields a query needs and skips lines its
// prefilter rejects. Neither may change a result: for each query, the rows
// from Search must equal the rows the engine gives on fully decoded events.
func TestSearchMatchesFullDecoding(t *testing.T) {
	samples, err := os.ReadFile("../ingest/testdata/falcon-fdr-samples.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	extra := []string{
		`{"a":"foo","b":"bar","n":"5","s":"Hello World","nested":{"x":"1","arr":["p","q"]},"timestamp":"1700000000001"}`,
		`{"a":"baz","n":"12","s":"hello","nested":{"x":"2"},"timestamp":"1700000000002"}`,
		`{"b":"foo","n":"abc","list":[1,2,3],"timestamp":"1700000000003"}`,
		`not json`,
	}
	input := append(append([]byte(nil), samples...), []byte(strings.Join(extra, "\n")+"\n")...)
	queries := []string{
		`*`, `a=foo`, `a=foo or b=foo`, `head(3)`, `tail(2)`, `sort(n, limit=3)`, `foo`, `/hello/i`,
		`#event_simpleName=ProcessRollup2 | table([ImageFileName, CommandLine])`,
		`#event_simpleName=/^(DnsRequest|NetworkConnectIP4)$/ | select([DomainName, RemotePort])`,
		`groupBy(#event_simpleName)`, `groupBy([event_platform, #event_simpleName], function=[count(), max(timestamp)])`,
		`nested.x=* | table([nested.x, "nested.arr[1]"])`, `list[0]=1 | select(["list[2]"])`,
		`k := lower(s) | k=hello* | select([k])`, `ComputerName=* | count(ComputerName, distinct=true)`,
		`case { a=foo | k := "1"; b=foo | k := "2"; * } | select([a, b, k])`,
		`regex("(?<vol>HarddiskVolume\\d+)", field=ImageFileName) | groupBy(vol)`,
		`in(event_platform, values=[Win, Lin]) | top(event_platform)`,
		`RemotePort=443 | table([RemoteAddressIP4, RemotePort])`, `UserName=* | head(2)`,
		`aid=* | tail(1) | select([aid])`, `test(n > 4)`, `!a=* | sort(timestamp, limit=2)`,
		// aggregates whose rows are input events: every field is output
		`groupBy([aid], function=tail(1))`, `groupBy([event_platform], function=[head(1), count()])`,
		`groupBy([aid], function={ sort(timestamp, limit=1) })`, `neighbor(aid, prefix=prev)`,
		`selfJoinFilter(field=aid, where=[{event_platform=Win}, {#event_simpleName=ProcessRollup2}])`,
		`bucket(span=1d, function=tail(1))`, `session(maxpause=1d, function=tail(1))`,
		`partition(condition={#event_simpleName=ProcessRollup2}, function=tail(1))`,
	}
	for _, src := range queries {
		t.Run(src, func(t *testing.T) {
			q, diags := cql.Parse(src)
			if diags.HasErrors() {
				t.Fatalf("parse: %s", diags[0].Message)
			}
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			compile := func() *engine.Program {
				p, diags := engine.Compile(q, engine.Options{Now: now})
				if diags.HasErrors() {
					t.Fatalf("compile: %s", diags[0].Message)
				}
				return p
			}
			// Reference: every line fully decoded, run in memory.
			rows, _ := compile().Run(decodeAll(input))
			want := render(rows)

			var got []string
			_, err := Search(context.Background(), []*engine.Program{compile()}, &oneChunk{data: input}, Options{
				Workers: 2,
				Emit:    func(_ int, row *event.Event) { got = append(got, render([]*event.Event{row})...) },
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("rows differ from full decoding (-want +got):\n%s", diff)
			}
		})
	}
}

// decodeAll decodes every well-formed line of data whole (@rawstring too).
func decodeAll(data []byte) []*event.Event {
	dec := ingest.NewDecoder(event.Needs{All: true, Raw: true})
	var events []*event.Event
	for _, line := range bytes.Split(data, []byte("\n")) {
		var ev event.Event
		if dec.Decode(line, &ev) == nil {
			events = append(events, ev.Clone())
		}
	}
	return events
}

func render(rows []*event.Event) []string {
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		var b strings.Builder
		for _, f := range r.Fields() {
			b.WriteString(f.Name + "=" + f.Value + " ")
		}
		out = append(out, b.String())
	}
	return out
}

// oneChunk is a Source of one chunk.
type oneChunk struct {
	data []byte
	done bool
}

func (s *oneChunk) Next() (event.Chunk, error) {
	if s.done {
		return event.Chunk{}, io.EOF
	}
	s.done = true
	return event.Chunk{Source: "input", FirstLine: 1, Data: s.data}, nil
}
