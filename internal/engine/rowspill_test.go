package engine

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/event"
)

// withRowBudget runs fn with rows spilled as soon as a collector holds
// minimum bytes and its program more than budget.
func withRowBudget(t *testing.T, budget, minimum int64, fn func()) {
	t.Helper()
	oldBudget, oldMin := rowMemory, minRowSpill
	rowMemory, minRowSpill = budget, minimum
	defer func() { rowMemory, minRowSpill = oldBudget, oldMin }()
	fn()
}

// spillEvents: times with many ties, numbers and text mixed in the sort
// field, some without it, in a shuffled order.
func spillEvents(n int) []*event.Event {
	rng := rand.New(rand.NewPCG(3, 4))
	out := make([]*event.Event, n)
	for i := range out {
		e := ev("@timestamp", strconv.Itoa(1_700_000_000_000+rng.IntN(n/4+1)), "i", strconv.Itoa(i))
		switch rng.IntN(5) {
		case 0: // no s
		case 1:
			e.Set("s", "text-"+strconv.Itoa(rng.IntN(50)))
		default:
			e.Set("s", strconv.Itoa(rng.IntN(100)))
		}
		e.Set("pad", strings.Repeat("x", rng.IntN(40)))
		out[i] = e
	}
	return out
}

// Rows written to runs and merged back come out exactly as when all were
// held: same order (ties in input order), same limits, same warnings.
func TestRowsSpillGivesTheSameRows(t *testing.T) {
	tests := []struct {
		query string
		opts  Options
	}{
		{`table([i, s])`, Options{Unlimited: true}},
		{`table([i, s], limit=max)`, Options{}},
		{`table([i], limit=100)`, Options{Unlimited: true}},
		{`table([i], sortby=@timestamp, order=asc, limit=100)`, Options{}}, // rising times: all from the first run
		// runs past twice the limit are compacted, and later rows cut
		// on arrival against the last kept one: ties, absent keys
		{`sort(s, limit=50)`, Options{}},
		{`table([i, s], sortby=s, order=asc, limit=30)`, Options{}},
		{`table([i, s], sortby=s, order=asc)`, Options{Unlimited: true}},
		{`sort(s)`, Options{Unlimited: true}},
		{`sort(s, type=string, order=asc, limit=2500)`, Options{}},
		{`sort([s, @timestamp], order=asc)`, Options{Unlimited: true}},
		{`table([i])`, Options{}}, // the default 200 rows, and its warning
		{`sort(s) | head(7)`, Options{Unlimited: true}},
		{`groupBy(s) | sort(_count, limit=max)`, Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			// shuffled times with ties, and rising ones (the last run
			// holds every row a limit keeps)
			for _, events := range [][]*event.Event{spillEvents(3000), manyEvents(3000)} {
				compareSpilled(t, tt.query, tt.opts, events)
			}
		})
	}
}

// compareSpilled runs query over events with every row held, then spilled
// at several sizes, and compares.
func compareSpilled(t *testing.T, query string, opts Options, events []*event.Event) {
	t.Helper()
	p := compileQuery(t, query, opts)
	wantRows, wantWarns := p.Run(events)
	if p.Err() != nil {
		t.Fatal(p.Err())
	}
	for _, minimum := range []int64{1, 3000, 60_000} {
		withRowBudget(t, 0, minimum, func() {
			p := compileQuery(t, query, opts)
			runs := rowRunsWritten.Load()
			rows, warns := p.Run(events)
			if minimum == 1 && len(wantRows) > 0 && rowRunsWritten.Load() == runs {
				t.Errorf("min %d: no run written", minimum)
			}
			if p.Err() != nil {
				t.Fatal(p.Err())
			}
			if diff := cmp.Diff(render(wantRows), render(rows)); diff != "" {
				t.Errorf("min %d: rows differ from all held (-held +spilled):\n%s", minimum, diff)
			}
			if diff := cmp.Diff(wantWarns, warns); diff != "" {
				t.Errorf("min %d: warnings differ (-held +spilled):\n%s", minimum, diff)
			}
		})
	}
}

func render(rows []*event.Event) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = row(r)
	}
	return out
}

// Past half the program's --max-memory, table() and sort() rows go to a
// temporary file instead of stopping the query.
func TestRowsSpillPastTheBudget(t *testing.T) {
	events := distinctEvents(20_000)
	for _, query := range []string{`sort(k)`, `table([k, pad])`} {
		t.Run(query, func(t *testing.T) {
			want, _ := compileQuery(t, query, Options{Unlimited: true}).Run(events)
			p := compileQuery(t, query, Options{Unlimited: true, Limits: Limits{Memory: 1 << 20}})
			rows, _ := p.Run(events)
			if p.Err() != nil {
				t.Fatalf("Err() = %v, want the rows spilled", p.Err())
			}
			if len(rows) != 20_000 {
				t.Fatalf("%d rows, want 20000", len(rows))
			}
			if diff := cmp.Diff(render(want), render(rows)); diff != "" {
				t.Errorf("rows differ (-in memory +spilled):\n%s", diff)
			}
		})
	}
}

// With a limit, runs past twice it are compacted to the first limit rows
// and later rows that cannot beat the last of them are not kept at all:
// what is written stays near the limit, not the input.
func TestRowsPastTheLimitAreNotWritten(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	events := distinctEvents(20_000)
	rng.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
	want, _ := compileQuery(t, `sort(k, limit=100)`, Options{}).Run(events)
	withRowBudget(t, 0, 1, func() {
		before := rowsWritten.Load()
		rows, _ := compileQuery(t, `sort(k, limit=100)`, Options{}).Run(events)
		if diff := cmp.Diff(render(want), render(rows)); diff != "" {
			t.Errorf("rows differ (-in memory +spilled):\n%s", diff)
		}
		n := rowsWritten.Load() - before
		if n > 4000 {
			t.Errorf("%d rows written for a limit of 100 over 20000, want a few hundred", n)
		}
		t.Logf("%d rows written", n)
	})
}

// With nowhere to write, rows stay in memory: the same rows, and a warning
// saying why.
func TestRowsStayWhenTheyCannotSpill(t *testing.T) {
	events := spillEvents(2000)
	want, _ := compileQuery(t, `sort(s)`, Options{Unlimited: true}).Run(events)
	t.Setenv("TMPDIR", t.TempDir()+"/missing")
	withRowBudget(t, 0, 1, func() {
		p := compileQuery(t, `sort(s)`, Options{Unlimited: true})
		rows, warns := p.Run(events)
		if diff := cmp.Diff(render(want), render(rows)); diff != "" {
			t.Errorf("rows differ (-want +got):\n%s", diff)
		}
		if len(warns) != 1 || !strings.Contains(warns[0], "rows stay in memory") || !strings.Contains(warns[0], "TMPDIR") {
			t.Errorf("warnings %q, want one saying rows stay in memory", warns)
		}
	})
}

// A record reads back as the event written; a cut or corrupt one is an
// error, never a panic.
func TestRowRecords(t *testing.T) {
	events := []*event.Event{
		ev(),
		ev("a", "1"),
		ev("@timestamp", "1700000000000", "msg", "é \x00 \"quoted\"", "empty", ""),
		ev("big", strings.Repeat("v", 70_000)),
	}
	var b []byte
	for _, e := range events {
		b = appendRowRecord(b, e)
	}
	r := bufio.NewReader(bytes.NewReader(b))
	for _, want := range events {
		got, err := readRowRecord(r)
		if err != nil {
			t.Fatal(err)
		}
		if row(got) != row(want) {
			t.Errorf("read %q, wrote %q", row(got), row(want))
		}
	}
	if _, err := readRowRecord(r); err != io.EOF {
		t.Errorf("after the last record: %v, want io.EOF", err)
	}
	// one reader, its event and buffer reused: each row is whole until the
	// next is read, longer or shorter, with more fields or fewer
	rr := rowReader{r: bufio.NewReader(bytes.NewReader(slices.Concat(b, b)))}
	for _, want := range slices.Concat(events, events) {
		got, err := rr.next()
		if err != nil {
			t.Fatal(err)
		}
		if row(got) != row(want) {
			t.Errorf("reused reader read %q, wrote %q", row(got), row(want))
		}
	}
	for cut := 1; cut < len(b)-70_000; cut++ {
		r := bufio.NewReader(bytes.NewReader(b[:cut]))
		for {
			_, err := readRowRecord(r)
			if err == io.EOF {
				break // cut between records
			}
			if err != nil {
				if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, errRowRecord) {
					t.Fatalf("cut at %d: %v", cut, err)
				}
				break
			}
		}
	}
}

// A damaged length claiming gigabytes costs what the file holds, not what
// it claims (a step of a MiB at most beyond it: 8 MiB allowed here, for
// the race detector's own): the fuzzer's workers died of such allocations.
func TestRowRecordDamagedLengthAllocatesWhatArrives(t *testing.T) {
	for _, tc := range []struct {
		name  string
		claim uint64
		has   int
	}{
		{"a small string cut short", 100, 10},
		{"a 2 GiB string with 3 bytes", 1 << 31, 3},
		{"a 1 GiB string with 3 MiB", 1 << 30, 3 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := binary.AppendUvarint(nil, 1) // one field
			rec = binary.AppendUvarint(rec, tc.claim)
			rec = append(rec, bytes.Repeat([]byte("x"), tc.has)...)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := readRowRecord(bufio.NewReader(bytes.NewReader(rec)))
			runtime.ReadMemStats(&after)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("err = %v, want io.ErrUnexpectedEOF", err)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > uint64(4*tc.has+8<<20) {
				t.Errorf("allocated %d bytes for %d bytes of record", got, tc.has)
			}
		})
	}
}

func FuzzRowRecord(f *testing.F) {
	f.Add(appendRowRecord(nil, ev("a", "1", "b", "")))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bufio.NewReader(bytes.NewReader(b))
		for {
			e, err := readRowRecord(r)
			if err != nil {
				return
			}
			// what reads back writes back the same
			if got := appendRowRecord(nil, e); !bytes.Equal(got, appendRowRecord(nil, e.Clone())) {
				t.Fatalf("record not stable: %q", got)
			}
		}
	})
}

// Programs sharing a RowBudget count each other's rows; a tail finished or
// discarded gives its rows back, and so does one whose query a later
// function stopped.
func TestRowBudgetIsGivenBack(t *testing.T) {
	events := spillEvents(500)
	shared := &RowBudget{}
	a := compileQuery(t, `sort(s)`, Options{Unlimited: true, Rows: shared})
	b := compileQuery(t, `table([i])`, Options{Unlimited: true, Rows: shared})
	ta, tb := a.NewTail(func(*event.Event) {}), b.NewTail(func(*event.Event) {})
	wa, wb := a.NewWorker(), b.NewWorker()
	for _, e := range events {
		wa.Process(e.Clone(), ta.Add)
		wb.Process(e.Clone(), tb.Add)
	}
	held := shared.held.Load()
	if held == 0 {
		t.Fatal("no rows counted in the shared budget")
	}
	ta.Finish()
	if n := shared.held.Load(); n <= 0 || n >= held {
		t.Errorf("after one finished: %d held, want less than %d and more than 0", n, held)
	}
	tb.Discard()
	if n := shared.held.Load(); n != 0 {
		t.Errorf("after the other was discarded: %d held, want 0", n)
	}

	// the groupBy after the table goes over the memory limit
	c := compileQuery(t, `table([k, pad]) | groupBy(k)`, Options{Unlimited: true, Rows: shared, Limits: Limits{Memory: 1 << 20}})
	tc := c.NewTail(func(*event.Event) {})
	wc := c.NewWorker()
	for _, e := range distinctEvents(20_000) {
		wc.Process(e.Clone(), tc.Add)
	}
	tc.Finish()
	if c.Err() == nil {
		t.Fatal("the groupBy after the table did not go over its limit")
	}
	if n := shared.held.Load(); n != 0 {
		t.Errorf("after a stopped query finished: %d held, want 0", n)
	}
}

// A run that cannot be read back in full gives the rows before the damage
// and an error; nothing panics.
func TestRowSpillReadFailure(t *testing.T) {
	keys := []sortKey{{field: "i", typ: "number"}}
	s := &rowSpill{}
	defer s.close()
	var first, second []*event.Event
	for i := range 100 {
		first = append(first, ev("i", strconv.Itoa(2*i)))
		second = append(second, ev("i", strconv.Itoa(2*i+1)))
	}
	for _, run := range [][]*event.Event{first, second} {
		if err := s.write(run); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.f.Truncate(s.runs[1].off + s.runs[1].size/2); err != nil {
		t.Fatal(err)
	}
	var got int
	n, err := s.merge(keys, []*event.Event{ev("i", "1000")}, 0, func(*event.Event) { got++ })
	if err == nil || !strings.Contains(err.Error(), "reading rows back") {
		t.Errorf("merge error %v, want one saying rows could not be read back", err)
	}
	if n != got || n < 100 || n >= 201 {
		t.Errorf("%d rows emitted (%d counted), want the first run's 100 and the rows before the damage", n, got)
	}
}

// BenchmarkRowSpillMerge: four runs of alert-like rows merged back, as a
// hunt's rule ends with its alerts spilled.
func BenchmarkRowSpillMerge(b *testing.B) {
	const perRun = 5000
	s := &rowSpill{}
	defer s.close()
	keys := []sortKey{{field: event.Timestamp, typ: "number"}}
	for r := range 4 {
		rows := make([]*event.Event, perRun)
		for i := range rows {
			rows[i] = ev("@timestamp", strconv.Itoa(1_700_000_000_000+i*4+r), "#event_simpleName", "ProcessRollup2",
				"ComputerName", "WS-"+strconv.Itoa(i%50), "UserName", "user"+strconv.Itoa(i%30),
				"ImageFileName", `\Device\HarddiskVolume3\Windows\System32\cmd.exe`,
				"CommandLine", "cmd.exe /c whoami /all "+strconv.Itoa(i), "aid", "5bce5c6f6d473ef7b473b9fcc0132542")
		}
		if err := s.write(rows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		n, err := s.merge(keys, nil, 0, func(*event.Event) {})
		if err != nil || n != 4*perRun {
			b.Fatal(n, err)
		}
	}
}
