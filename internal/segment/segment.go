// Package segment is tiercel's event store: the raw NDJSON lines a server
// received, kept in time-partitioned zstd segments that `tiercel search`
// reads like any other file.
//
// Layout under the store directory:
//
//	YYYY-MM-DD/HH/0000000042.ndjson.zst   a segment (partitioned by arrival hour)
//	YYYY-MM-DD/HH/.0000000042.idx         its index, written when it is sealed
//
// A segment is a sequence of complete zstd frames, one per Commit, each
// fsynced before Commit returns; concatenated frames are one valid zstd
// stream. While it grows a segment is hidden (.0000000042.ndjson.zst.open),
// so a search of the directory never meets a frame half written; Seal
// renames it into view (the server seals at least once a minute and before
// its own searches). After a crash, Open cuts a torn last frame off and
// seals what is left. The index (hidden, so directory walks skip
// it) holds the event-time range, line count and event types; searches
// with a time range skip segments whose range misses it (Prune).
//
// Append also drops lines the store has already kept, byte for byte
// (within a bounded window of recent lines, remembered as hashes), so an
// event re-sent after a crash or a retry is stored once. The whole line is
// the key, not the Falcon id alone: distinct FDR events of one host have
// been seen sharing an id (spec/falcon-telemetry.md §1.4).
package segment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/tiercel/tiercel/internal/ingest"
)

// Suffix names segment files.
const Suffix = ".ndjson.zst"

// openSuffix marks the hidden segment being written.
const openSuffix = ".open"

// Options bound segments and the store.
type Options struct {
	MaxSegmentBytes int64         // uncompressed bytes before a segment is sealed (default 64 MiB)
	MaxSegmentAge   time.Duration // age before a segment is sealed (default 1 min)
	RetainAge       time.Duration // sealed segments older than this are deleted (0: keep)
	RetainBytes     int64         // delete the oldest sealed segments beyond this total (0: no cap)
	DedupWindow     int           // recent lines remembered for dedup (default 1,000,000)
	Now             func() time.Time
}

// Index is a segment's summary, stored beside it.
type Index struct {
	MinTime int64            `json:"min_time"` // event time range, epoch ms (0 when no line had a time)
	MaxTime int64            `json:"max_time"`
	Lines   int64            `json:"lines"`
	Bytes   int64            `json:"bytes"` // uncompressed
	Created int64            `json:"created"`
	Sealed  int64            `json:"sealed"`
	Types   map[string]int64 `json:"types"` // event_simpleName counts
}

func (ix *Index) add(info *ingest.LineInfo, n int) {
	ix.Lines++
	ix.Bytes += int64(n) + 1
	if t := info.Time; t != 0 {
		if ix.MinTime == 0 || t < ix.MinTime {
			ix.MinTime = t
		}
		if t > ix.MaxTime {
			ix.MaxTime = t
		}
	}
	if len(info.Simple) > 0 {
		if ix.Types == nil {
			ix.Types = map[string]int64{}
		}
		ix.Types[string(info.Simple)]++
	}
}

// Overlaps reports whether the segment may hold events in [start, end)
// (epoch ms; 0 leaves that side open). A segment with lines but no times
// always may.
func (ix *Index) Overlaps(start, end int64) bool {
	if ix.Lines > 0 && ix.MinTime == 0 {
		return true
	}
	if start != 0 && ix.MaxTime < start {
		return false
	}
	if end != 0 && ix.MinTime >= end {
		return false
	}
	return true
}

// Segment is one file of the store.
type Segment struct {
	Path  string
	Seq   int64
	Index Index
	Open  bool // still being written
}

// Store is an open event store. Methods are safe for concurrent use;
// Append and Commit are meant for one writer (the server's commit loop).
type Store struct {
	dir  string
	opts Options
	enc  *zstd.Encoder

	mu      sync.Mutex
	sealed  []Segment
	cur     *openSeg
	nextSeq int64
	pending []byte // lines appended since the last Commit
	pendIx  Index  // what they add to cur's index
	seen    idWindow
}

type openSeg struct {
	Segment
	f *os.File
}

// Open opens (creating) the store in dir, recovering segments a crash
// left open: a torn last frame is cut off and the segment is sealed.
func Open(dir string, opts Options) (*Store, error) {
	if opts.MaxSegmentBytes <= 0 {
		opts.MaxSegmentBytes = 64 << 20
	}
	if opts.MaxSegmentAge <= 0 {
		opts.MaxSegmentAge = time.Minute
	}
	if opts.DedupWindow <= 0 {
		opts.DedupWindow = 1_000_000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	s := &Store{dir: dir, opts: opts, enc: enc, seen: newIDWindow(opts.DedupWindow)}
	segs, err := List(dir)
	if err != nil {
		return nil, err
	}
	for _, sg := range segs {
		s.nextSeq = max(s.nextSeq, sg.Seq+1)
		if sg.Open {
			if sg, err = recoverSegment(sg, opts.Now()); err != nil {
				return nil, err
			}
			if sg.Index.Lines == 0 {
				continue // nothing had been committed to it
			}
		}
		s.sealed = append(s.sealed, sg)
	}
	if err := s.rememberRecent(); err != nil {
		return nil, err
	}
	return s, nil
}

// Dir is the store's directory (what `tiercel search` is pointed at).
func (s *Store) Dir() string { return s.dir }

// List returns the segments under dir in order, with their indexes;
// segments without an index are Open.
func List(dir string) ([]Segment, error) {
	var out []Segment
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		name := d.Name()
		if d.IsDir() {
			return nil
		}
		if hidden, ok := strings.CutSuffix(name, openSuffix); ok && strings.HasPrefix(hidden, ".") && strings.HasSuffix(hidden, Suffix) {
			seq, err := strconv.ParseInt(strings.TrimSuffix(hidden[1:], Suffix), 10, 64)
			if err == nil {
				out = append(out, Segment{Path: p, Seq: seq, Open: true})
			}
			return nil
		}
		if !strings.HasSuffix(name, Suffix) || strings.HasPrefix(name, ".") {
			return nil
		}
		seq, err := strconv.ParseInt(strings.TrimSuffix(name, Suffix), 10, 64)
		if err != nil {
			return nil // not ours
		}
		sg := Segment{Path: p, Seq: seq}
		data, err := os.ReadFile(indexPath(p))
		switch {
		case err == nil:
			if jerr := json.Unmarshal(data, &sg.Index); jerr != nil {
				return fmt.Errorf("%s: %w", indexPath(p), jerr)
			}
		case errors.Is(err, fs.ErrNotExist):
			sg.Open = true
		default:
			return err
		}
		out = append(out, sg)
		return nil
	})
	slices.SortFunc(out, func(a, b Segment) int { return int(a.Seq - b.Seq) })
	return out, err
}

func indexPath(seg string) string {
	return filepath.Join(filepath.Dir(seg), "."+strings.TrimSuffix(filepath.Base(seg), Suffix)+".idx")
}

// visiblePath is where a segment lives once sealed.
func visiblePath(seg string) string {
	base := filepath.Base(seg)
	if b, ok := strings.CutSuffix(base, openSuffix); ok {
		base = strings.TrimPrefix(b, ".")
	}
	return filepath.Join(filepath.Dir(seg), base)
}

// Line is one event to store.
type Line = []byte

// Append adds lines (one JSON event each, no newline) to the next Commit.
// Lines stored before are dropped; kept and dropped counts are returned. Lines that are not JSON objects are kept as they
// are (a search reports them) but have no time or type.
func (s *Store) Append(lines []Line) (kept, dups int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var info ingest.LineInfo
	for _, l := range lines {
		ingest.ReadLineInfo(l, &info)
		if !s.seen.add(l) {
			dups++
			continue
		}
		s.pending = append(s.pending, l...)
		s.pending = append(s.pending, '\n')
		s.pendIx.add(&info, len(l))
		kept++
	}
	return kept, dups
}

// Commit writes the appended lines as one zstd frame and fsyncs it; when
// it returns nil they are durable. It seals the segment when it is full
// or old enough.
func (s *Store) Commit() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	if len(s.pending) > 0 {
		if s.cur == nil {
			if err := s.startSegment(now); err != nil {
				return err
			}
		}
		frame := s.enc.EncodeAll(s.pending, nil)
		if _, err := s.cur.f.Write(frame); err != nil {
			return fmt.Errorf("event store: %w", err)
		}
		if err := s.cur.f.Sync(); err != nil {
			return fmt.Errorf("event store: fsync: %w", err)
		}
		merge(&s.cur.Index, &s.pendIx)
		s.pending, s.pendIx = s.pending[:0], Index{}
	}
	if s.cur != nil && (s.cur.Index.Bytes >= s.opts.MaxSegmentBytes || now.Sub(time.UnixMilli(s.cur.Index.Created)) >= s.opts.MaxSegmentAge) {
		return s.sealLocked(now)
	}
	return nil
}

func merge(dst, src *Index) {
	if src.MinTime != 0 && (dst.MinTime == 0 || src.MinTime < dst.MinTime) {
		dst.MinTime = src.MinTime
	}
	dst.MaxTime = max(dst.MaxTime, src.MaxTime)
	dst.Lines += src.Lines
	dst.Bytes += src.Bytes
	for k, v := range src.Types {
		if dst.Types == nil {
			dst.Types = map[string]int64{}
		}
		dst.Types[k] += v
	}
}

func (s *Store) startSegment(now time.Time) error {
	dir := filepath.Join(s.dir, now.UTC().Format("2006-01-02"), now.UTC().Format("15"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	p := filepath.Join(dir, fmt.Sprintf(".%010d%s%s", s.nextSeq, Suffix, openSuffix))
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("event store: %w", err)
	}
	// The new name must survive a crash as well as the data.
	if err := syncDir(dir); err != nil {
		f.Close()
		return err
	}
	s.cur = &openSeg{Segment: Segment{Path: p, Seq: s.nextSeq, Open: true, Index: Index{Created: now.UnixMilli()}}, f: f}
	s.nextSeq++
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Seal closes the current segment and writes its index.
func (s *Store) Seal() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sealLocked(s.opts.Now())
}

func (s *Store) sealLocked(now time.Time) error {
	if s.cur == nil {
		return nil
	}
	if err := s.cur.f.Close(); err != nil {
		return err
	}
	sg := s.cur.Segment
	s.cur = nil
	sg.Open = false
	sg.Index.Sealed = now.UnixMilli()
	if err := publish(&sg); err != nil {
		return err
	}
	s.sealed = append(s.sealed, sg)
	return nil
}

// publish writes a segment's index and renames it into view. A crash
// between the two leaves a visible segment without an index, which Open
// recovers like an open one.
func publish(sg *Segment) error {
	vis := visiblePath(sg.Path)
	sg.Path = vis
	if err := writeIndex(*sg); err != nil {
		return err
	}
	if old := filepath.Join(filepath.Dir(vis), "."+filepath.Base(vis)+openSuffix); old != vis {
		if err := os.Rename(old, vis); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return syncDir(filepath.Dir(vis))
}

func writeIndex(sg Segment) error {
	data, err := json.Marshal(sg.Index)
	if err != nil {
		return err
	}
	p := indexPath(sg.Path)
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	f, err := os.Open(tmp)
	if err == nil {
		err = f.Sync()
		f.Close()
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, p); err != nil {
		return err
	}
	return syncDir(filepath.Dir(p))
}

// Segments lists the store's segments, oldest first, the open one last.
func (s *Store) Segments() []Segment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.sealed)
	if s.cur != nil {
		out = append(out, s.cur.Segment)
	}
	return out
}

// Paths returns the sealed segments a search over [start, end) (epoch
// ms, 0 open) must read; Seal first to include what was just committed.
func (s *Store) Paths(start, end int64) []string {
	var out []string
	for _, sg := range s.Segments() {
		if !sg.Open && sg.Index.Overlaps(start, end) {
			out = append(out, sg.Path)
		}
	}
	return out
}

// Stats are store totals for metrics.
type Stats struct {
	Segments  int
	Lines     int64
	DiskBytes int64
}

// Stats sums the store's segments.
func (s *Store) Stats() Stats {
	var st Stats
	for _, sg := range s.Segments() {
		st.Segments++
		st.Lines += sg.Index.Lines
		if fi, err := os.Stat(sg.Path); err == nil {
			st.DiskBytes += fi.Size()
		}
	}
	return st
}

// Retain deletes sealed segments older than RetainAge and, oldest first,
// those beyond RetainBytes on disk. It returns how many it deleted.
func (s *Store) Retain() (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	var total int64
	sizes := make([]int64, len(s.sealed))
	for i, sg := range s.sealed {
		if fi, err := os.Stat(sg.Path); err == nil {
			sizes[i] = fi.Size()
			total += sizes[i]
		}
	}
	if s.cur != nil {
		if fi, err := s.cur.f.Stat(); err == nil {
			total += fi.Size()
		}
	}
	n := 0
	for len(s.sealed) > 0 {
		sg := s.sealed[0]
		old := s.opts.RetainAge > 0 && now.Sub(time.UnixMilli(sg.Index.Sealed)) > s.opts.RetainAge
		big := s.opts.RetainBytes > 0 && total > s.opts.RetainBytes
		if !old && !big {
			break
		}
		if err := os.Remove(sg.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, err
		}
		if err := os.Remove(indexPath(sg.Path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, err
		}
		total -= sizes[0]
		s.sealed, sizes = s.sealed[1:], sizes[1:]
		n++
	}
	return n, nil
}

// Close seals the open segment.
func (s *Store) Close() error {
	err := s.Seal()
	s.enc.Close()
	return err
}

// rememberRecent fills the dedup window from the newest segments.
func (s *Store) rememberRecent() error {
	var budget int64
	start := len(s.sealed)
	for start > 0 && budget < int64(s.opts.DedupWindow) {
		start--
		budget += s.sealed[start].Index.Lines
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
	if err != nil {
		return err
	}
	defer dec.Close()
	for _, sg := range s.sealed[start:] {
		data, err := os.ReadFile(sg.Path)
		if err != nil {
			return err
		}
		raw, err := dec.DecodeAll(data, nil)
		if err != nil {
			return fmt.Errorf("%s: %w", sg.Path, err)
		}
		for line := range bytes.Lines(raw) {
			s.seen.add(bytes.TrimSuffix(line, []byte("\n")))
		}
	}
	return nil
}

// idWindow remembers the last n lines as 64-bit hashes (a collision drops
// an event with odds near n²/2⁶⁵).
type idWindow struct {
	seed maphash.Seed
	set  map[uint64]struct{}
	ring []uint64
	next int
}

func newIDWindow(n int) idWindow {
	return idWindow{seed: maphash.MakeSeed(), set: make(map[uint64]struct{}, min(n, 1<<16)), ring: make([]uint64, 0, n)}
}

// add reports whether id is new, remembering it.
func (w *idWindow) add(id []byte) bool {
	h := maphash.Bytes(w.seed, id)
	if _, ok := w.set[h]; ok {
		return false
	}
	if len(w.ring) < cap(w.ring) {
		w.ring = append(w.ring, h)
	} else {
		delete(w.set, w.ring[w.next])
		w.ring[w.next] = h
		w.next = (w.next + 1) % len(w.ring)
	}
	w.set[h] = struct{}{}
	return true
}

// ReadIndex returns the index of the segment file at path, if it is a
// sealed segment of a store.
func ReadIndex(path string) (Index, bool) {
	var ix Index
	if !strings.HasSuffix(path, Suffix) {
		return ix, false
	}
	data, err := os.ReadFile(indexPath(path))
	if err != nil || json.Unmarshal(data, &ix) != nil {
		return ix, false
	}
	return ix, true
}
