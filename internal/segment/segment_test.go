package segment

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"github.com/tiercel/tiercel/internal/ingest"
)

func ev(id string, ms int64, typ string) Line {
	return Line(fmt.Sprintf(`{"id":"%s","timestamp":"%d","event_simpleName":"%s","aid":"a1"}`, id, t0+ms, typ))
}

// readAll reads a directory back through ingest, as `tiercel search` does.
func readAll(t *testing.T, dir string) []string {
	t.Helper()
	r, err := ingest.Open([]string{dir}, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var lines []string
	for {
		c, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ingest.Lines(c, func(line []byte, _ int) bool {
			if len(bytes.TrimSpace(line)) > 0 {
				lines = append(lines, string(line))
			}
			return true
		})
	}
	if errs := r.Errors(); len(errs) > 0 {
		t.Fatalf("read errors: %v", errs)
	}
	return lines
}

// t0 puts test times in epoch milliseconds of 2023.
const t0 = 1_700_000_000_000

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestAppendCommitSearchable(t *testing.T) {
	dir := t.TempDir()
	clk := &clock{time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)}
	s, err := Open(dir, Options{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	kept, dups := s.Append([]Line{ev("e1", 1000, "DnsRequest"), ev("e2", 3000, "ProcessRollup2"), ev("e1", 1000, "DnsRequest")})
	if kept != 2 || dups != 1 {
		t.Fatalf("kept %d dups %d", kept, dups)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	// readable while open: two frames, one per commit
	s.Append([]Line{ev("e3", 2000, "DnsRequest")})
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, dir); len(got) != 0 {
		t.Fatalf("the open segment is hidden from directory reads, got %d lines", len(got))
	}
	if got := readAll(t, s.Segments()[0].Path); len(got) != 3 {
		t.Fatalf("open segment read back %d lines: %v", len(got), got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	segs, err := List(dir)
	if err != nil || len(segs) != 1 || segs[0].Open {
		t.Fatalf("segments %+v %v", segs, err)
	}
	ix := segs[0].Index
	if ix.MinTime != t0+1000 || ix.MaxTime != t0+3000 || ix.Lines != 3 || ix.Types["DnsRequest"] != 2 {
		t.Errorf("index %+v", ix)
	}
	// the hidden index is not read as telemetry
	if got := readAll(t, dir); len(got) != 3 {
		t.Errorf("sealed: %d lines", len(got))
	}
	// dedup survives a restart
	s2, err := Open(dir, Options{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	if kept, dups := s2.Append([]Line{ev("e2", 3000, "ProcessRollup2"), ev("e4", 4000, "DnsRequest")}); kept != 1 || dups != 1 {
		t.Errorf("after restart kept %d dups %d", kept, dups)
	}
	s2.Close()
}

func TestRecoverTornFrame(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Append([]Line{ev("e1", 1000, "DnsRequest")})
	s.Commit()
	s.Append([]Line{ev("e2", 2000, "DnsRequest"), ev("e3", 2500, "DnsRequest")})
	s.Commit()
	path := s.Segments()[0].Path
	// a crash: no seal, and the last frame half written
	s.cur.f.Close()
	fi, _ := os.Stat(path)
	if err := os.Truncate(path, fi.Size()-7); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	segs := s2.Segments()
	if len(segs) != 1 || segs[0].Open || segs[0].Index.Lines != 1 {
		t.Fatalf("recovered %+v", segs)
	}
	if got := readAll(t, dir); len(got) != 1 {
		t.Errorf("after recovery %d lines", len(got))
	}
	// the lost events can be sent again and are stored once
	if kept, _ := s2.Append([]Line{ev("e2", 2000, "DnsRequest"), ev("e1", 1000, "DnsRequest")}); kept != 1 {
		t.Errorf("resend kept %d, want 1", kept)
	}
	s2.Commit()
	s2.Close()
	if got := readAll(t, dir); len(got) != 2 {
		t.Errorf("final %d lines", len(got))
	}
}

func TestFrameLen(t *testing.T) {
	s, _ := Open(t.TempDir(), Options{})
	defer s.Close()
	for _, n := range []int{0, 1, 100, 200_000} {
		frame := s.enc.EncodeAll(bytes.Repeat([]byte("x{\"a\":1}\n"), n), nil)
		two := append(append([]byte{}, frame...), frame...)
		if got := frameLen(two); got != len(frame) {
			t.Errorf("%d lines: frameLen %d, want %d", n, got, len(frame))
		}
		for cut := 1; cut < len(frame); cut += max(1, len(frame)/7) {
			if got := frameLen(frame[:len(frame)-cut]); got != 0 {
				t.Errorf("%d lines cut %d: frameLen %d, want 0", n, cut, got)
			}
		}
	}
}

func TestSealPruneRetain(t *testing.T) {
	dir := t.TempDir()
	clk := &clock{time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)}
	s, err := Open(dir, Options{Now: clk.now, MaxSegmentAge: time.Minute, RetainAge: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	// three segments, one per two minutes, each with its own event times
	for i := range 3 {
		base := int64(i+1) * 1_000_000
		s.Append([]Line{ev(fmt.Sprint("a", i), base, "DnsRequest"), ev(fmt.Sprint("b", i), base+500, "DnsRequest")})
		if err := s.Commit(); err != nil {
			t.Fatal(err)
		}
		clk.t = clk.t.Add(2 * time.Minute)
		s.Commit() // ages out and seals
	}
	if segs := s.Segments(); len(segs) != 3 || segs[2].Open {
		t.Fatalf("segments %+v", segs)
	}
	s.Append([]Line{ev("open", 9_000_000, "DnsRequest")})
	s.Commit() // an open segment: never in Paths
	if got := s.Paths(0, 0); len(got) != 3 {
		t.Errorf("no range: %d segments", len(got))
	}
	tests := []struct {
		start, end int64
		want       int
	}{
		{2_000_000, 0, 2},
		{1, 2_000_000, 1},
		{2_000_000, 2_000_501, 1},
		{5_000_000, 0, 0},
	}
	for _, tt := range tests {
		end := tt.end
		if end != 0 {
			end += t0
		}
		if got := s.Paths(t0+tt.start, end); len(got) != tt.want {
			t.Errorf("Paths(%d, %d) = %d, want %d", tt.start, tt.end, len(got), tt.want)
		}
	}
	clk.t = clk.t.Add(57 * time.Minute) // the first sealed 61 min ago
	n, err := s.Retain()
	if err != nil || n != 1 {
		t.Fatalf("retain removed %d (%v)", n, err)
	}
	if got := readAll(t, dir); len(got) != 4 {
		t.Errorf("after retention %d lines", len(got))
	}
	s.opts.RetainBytes = 1
	if n, _ := s.Retain(); n != 2 {
		t.Errorf("size retention removed %d, want 2", n)
	}
	s.Close()
}
