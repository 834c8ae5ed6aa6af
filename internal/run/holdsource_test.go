package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tiercel/tiercel/internal/engine"
	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/tiercel/tiercel/internal/event"
)

// Stream enrichment behind the Holder finds every acting process on input
// shuffled within the hold bound, as file mode does, whatever the workers.
func TestHoldForEnrichmentMatchesFileMode(t *testing.T) {
	prog := compile(t, `#event_simpleName=DnsRequest | ContextProcessName=nmap | select([DomainName, ContextProcessName, UserName])`)
	ordered := streamLines(300)
	shuffled := shuffleWithin(ordered, 50, 7)

	file := enrich.New(enrich.Options{})
	if _, err := Learn(context.Background(), file, newChunks("f", shuffled, 64), 1); err != nil {
		t.Fatal(err)
	}
	want := enrichedRows(t, prog, newChunks("f", shuffled, 64), file, 2)
	if len(want) != 100 {
		t.Fatalf("file mode found %d rows, want 100", len(want))
	}
	tests := []struct {
		name    string
		lines   []string
		hold    bool
		workers int
		want    int
	}{
		{"ordered, held", ordered, true, 1, 100},
		{"shuffled, held, 1 worker", shuffled, true, 1, 100},
		{"shuffled, held, 4 workers", shuffled, true, 4, 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			en := enrich.NewStream(enrich.Options{})
			var src Source = newChunks("-", tc.lines, 64)
			if tc.hold {
				src = HoldForEnrichment(src, en, enrich.HoldOptions{})
			}
			got := enrichedRows(t, prog, src, en, tc.workers)
			if !slices.Equal(got, want) {
				t.Errorf("got %d rows, want %d like file mode\ngot  %v\nwant %v", len(got), len(want), head(got), head(want))
			}
		})
	}
	// Without the Holder some early events miss their process: the test
	// input really is out of order.
	en := enrich.NewStream(enrich.Options{})
	if got := enrichedRows(t, prog, newChunks("-", shuffled, 64), en, 1); len(got) >= len(want) {
		t.Errorf("unheld shuffled stream found %d rows; the input should lose some", len(got))
	}
}

// Held lines are blanked in place (line numbers of the others stay) and come
// back in a later chunk, made to their size.
func TestHoldSourceChunks(t *testing.T) {
	lines := []string{
		`{"event_simpleName":"DnsRequest","aid":"a","ContextProcessId":"5","ContextTimeStamp":"10.000"}`,
		`not json`,
		`{"event_simpleName":"ProcessRollup2","aid":"a","TargetProcessId":"5","ImageFileName":"/bin/sh","ContextTimeStamp":"9.000"}`,
	}
	en := enrich.NewStream(enrich.Options{})
	src := HoldForEnrichment(newChunks("-", lines, 10), en, enrich.HoldOptions{})
	var got []string
	for {
		c, err := src.Next()
		if err != nil {
			break
		}
		got = append(got, fmt.Sprintf("%d:%q", c.FirstLine, strings.TrimRight(string(c.Data), "\n")))
		if c.Replayed && cap(c.Data) != len(c.Data) {
			t.Errorf("released lines' chunk: %d bytes in a buffer of %d", len(c.Data), cap(c.Data))
		}
	}
	want := []string{
		fmt.Sprintf("1:%q", strings.Repeat(" ", len(lines[0]))+"\n"+lines[1]+"\n"+lines[2]),
		fmt.Sprintf("1:%q", lines[0]),
	}
	if !slices.Equal(got, want) {
		t.Errorf("chunks\n%v\nwant\n%v", got, want)
	}
}

// Lines held for enrichment and released later are searched once and
// counted once: Stats.Lines is the number of input lines and Stats.Bytes
// the input's size (hunt - counted held events twice, then their bytes).
func TestHeldLinesCountedOnce(t *testing.T) {
	lines := shuffleWithin(streamLines(300), 50, 7)
	prog := compile(t, `#event_simpleName=DnsRequest | count()`)
	en := enrich.NewStream(enrich.Options{})
	src := HoldForEnrichment(newChunks("-", lines, 64), en, enrich.HoldOptions{})
	var count string
	st, err := Search(context.Background(), []*engine.Program{prog}, src, Options{
		Workers: 2, Enricher: en,
		Emit: func(_ int, row *event.Event) { count = fieldValue(row, "_count") },
	})
	if err != nil {
		t.Fatal(err)
	}
	size := 0
	for _, l := range lines {
		size += len(l) + 1
	}
	if st.Lines != int64(len(lines)) || st.Bytes != int64(size) || count != "300" {
		t.Errorf("%d lines, %d bytes read, count %s; want %d lines, %d bytes, 300", st.Lines, st.Bytes, count, len(lines), size)
	}
}

// A stream is enriched block by block: a user named in a later block
// reaches no event of an earlier one, however the workers keep up with
// the Holder (the first chunk's many connections took long enough to
// apply that the Holder had learned the second chunk's name for some),
// and reaches every event of its own block.
func TestHoldBlocksDecideWhatStreamsLearn(t *testing.T) {
	start := `{"event_simpleName":"ProcessRollup2","aid":"aaaa","TargetProcessId":"7","ImageFileName":"/usr/bin/curl","UserSid":"S-1-5-21-9","ContextTimeStamp":"1700000000.000"}`
	var first []string
	first = append(first, start)
	for i := range 4000 {
		first = append(first, fmt.Sprintf(`{"event_simpleName":"NetworkConnectIP4","aid":"aaaa","ContextProcessId":"7","RemotePort":"%d","ContextTimeStamp":"1700000001.000"}`, 1000+i))
	}
	second := []string{`{"event_simpleName":"UserIdentity","aid":"aaaa","UserSid":"S-1-5-21-9","UserName":"alice","ContextTimeStamp":"1700000002.000"}`}
	prog := compile(t, `#event_simpleName=NetworkConnectIP4 UserName=alice | count()`)
	for _, tc := range []struct {
		block int
		want  string // connections named alice
	}{{1, "0"}, {2, "4000"}} {
		for round := range 10 {
			en := enrich.NewStream(enrich.Options{Reads: programReads([]*engine.Program{prog})})
			chunks := &chunks{list: []event.Chunk{
				{Seq: 0, Source: "-", FirstLine: 1, Data: []byte(strings.Join(first, "\n") + "\n")},
				{Seq: 1, Source: "-", FirstLine: len(first) + 1, Data: []byte(strings.Join(second, "\n") + "\n")},
			}}
			src := HoldForEnrichment(chunks, en, enrich.HoldOptions{})
			src.(*holdSource).block = tc.block
			var count string
			if _, err := Search(context.Background(), []*engine.Program{prog}, src, Options{
				Workers: 4, Enricher: en,
				Emit: func(_ int, row *event.Event) { count = fieldValue(row, "_count") },
			}); err != nil {
				t.Fatal(err)
			}
			if count != tc.want {
				t.Fatalf("blocks of %d chunks, round %d: %s connections named alice, want %s", tc.block, round, count, tc.want)
			}
		}
	}
}

// gatedSource hands out its chunks, but the one at gateAt only once gate
// is closed; asked tells when that chunk was asked for.
type gatedSource struct {
	list   []event.Chunk
	err    error // after the last chunk; unless io.EOF, given with it
	gateAt int
	gate   chan struct{}
	asked  chan struct{}
	next   int
}

func (g *gatedSource) Next() (event.Chunk, error) {
	i := g.next
	if i == g.gateAt {
		close(g.asked)
		<-g.gate
	}
	if i >= len(g.list) {
		return event.Chunk{}, g.err
	}
	g.next++
	if i == len(g.list)-1 && !errors.Is(g.err, io.EOF) {
		return g.list[i], g.err // the last chunk came with the damage
	}
	return g.list[i], nil
}

// A block goes on without waiting for the next to be read, and the next is
// asked for while this one is out: a live stream's events wait for no
// later input, and the search does not wait for the reading.
func TestHoldSourceReadsTheNextBlockAhead(t *testing.T) {
	lines := streamLines(3)
	g := &gatedSource{list: newChunks("-", lines, 3).list, err: io.EOF, gateAt: 1,
		gate: make(chan struct{}), asked: make(chan struct{})}
	src := HoldForEnrichment(g, enrich.NewStream(enrich.Options{}), enrich.HoldOptions{})
	src.(*holdSource).block = 1
	first := make(chan event.Chunk)
	go func() {
		c, _ := src.Next()
		first <- c
	}()
	select {
	case c := <-first:
		if c.FirstLine != 1 || !c.Barrier {
			t.Fatalf("first chunk from line %d, barrier %v; want line 1, the block's barrier", c.FirstLine, c.Barrier)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the first block waited for the second to be read")
	}
	select {
	case <-g.asked:
	case <-time.After(10 * time.Second):
		t.Fatal("the second block was not asked for while the first was out")
	}
	close(g.gate)
	var got []int
	for {
		c, err := src.Next()
		if err != nil {
			if err != io.EOF {
				t.Fatal(err)
			}
			break
		}
		got = append(got, c.FirstLine)
	}
	if want := []int{4, 7}; !slices.Equal(got, want) {
		t.Errorf("then chunks from lines %v, want %v", got, want)
	}
}

// A stream broken mid-way gives what came before the damage, a chunk
// of events its last lines released among them, then the error.
func TestHoldSourceDamagedStream(t *testing.T) {
	held := `{"event_simpleName":"DnsRequest","aid":"a","ContextProcessId":"5","ContextTimeStamp":"10.000"}`
	start := `{"event_simpleName":"ProcessRollup2","aid":"a","TargetProcessId":"5","ImageFileName":"/bin/sh","ContextTimeStamp":"9.000"}`
	broken := errors.New("gzip data broken")
	for _, block := range []int{1, 8} {
		g := &gatedSource{list: newChunks("-", []string{held, start}, 1).list, err: broken, gateAt: -1}
		src := HoldForEnrichment(g, enrich.NewStream(enrich.Options{}), enrich.HoldOptions{})
		src.(*holdSource).block = block
		var got []string
		var err error
		for {
			var c event.Chunk
			if c, err = src.Next(); err != nil {
				break
			}
			got = append(got, strings.TrimRight(string(c.Data), "\n"))
		}
		want := []string{strings.Repeat(" ", len(held)), start, held}
		if !slices.Equal(got, want) || !errors.Is(err, broken) {
			t.Errorf("blocks of %d: chunks %q, then %v; want %q, then %v", block, got, err, want, broken)
		}
	}
}
