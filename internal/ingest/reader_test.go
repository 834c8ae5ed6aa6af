package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/tiercel/tiercel/internal/event"
)

func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zstdBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	w, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	return w.EncodeAll(data, nil)
}

// writeTree creates files under a temp dir and returns the dir.
func writeTree(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// readAll drains a reader and returns one "source:line:kind:text" per line.
func readAll(t *testing.T, r *Reader) []string {
	t.Helper()
	var out []string
	wantSeq := int64(0)
	for {
		c, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if c.Seq != wantSeq {
			t.Fatalf("Seq = %d, want %d", c.Seq, wantSeq)
		}
		wantSeq++
		if len(c.Data) == 0 {
			t.Fatalf("empty chunk from %s", c.Source)
		}
		Lines(c, func(line []byte, n int) bool {
			out = append(out, fmt.Sprintf("%s:%d:%s:%s", c.Source, n, c.Kind, line))
			return true
		})
	}
}

func TestReaderDirectoryFDRLayout(t *testing.T) {
	dir := writeTree(t, map[string][]byte{
		"data/b1/part-00001.gz":        gzipBytes(t, []byte("{\"n\":3}\n")),
		"data/b1/part-00000":           []byte("{\"n\":1}\n{\"n\":2}"),
		"data/b1/_SUCCESS":             nil,
		"data/.hidden":                 []byte("nope\n"),
		".git/x":                       []byte("nope\n"),
		"fdrv2/aidmaster/u/part-0.zst": zstdBytes(t, []byte("{\"aid\":\"a\"}\r\n")),
		"fdrv2/userinfo/u/part-0":      []byte("{\"u\":1}\n"),
		"fdrv2/managedassets/u/part-0": []byte("{\"m\":1}\n"),
		"data/b2/empty":                nil,
	})
	r, err := Open([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, r)
	for i := range got {
		got[i] = strings.TrimPrefix(filepath.ToSlash(got[i]), filepath.ToSlash(dir)+"/")
	}
	// host and user lookups first, then the rest in lexical order
	want := []string{
		`fdrv2/aidmaster/u/part-0.zst:1:aidmaster:{"aid":"a"}`,
		`fdrv2/userinfo/u/part-0:1:userinfo:{"u":1}`,
		`data/b1/part-00000:1:telemetry:{"n":1}`,
		`data/b1/part-00000:2:telemetry:{"n":2}`,
		`data/b1/part-00001.gz:1:telemetry:{"n":3}`,
		`fdrv2/managedassets/u/part-0:1:lookup:{"m":1}`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if len(r.Errors()) != 0 {
		t.Errorf("errors: %v", r.Errors())
	}
}

func TestReaderKindsAndAidmaster(t *testing.T) {
	dir := writeTree(t, map[string][]byte{
		"hosts.json":  []byte("{\"aid\":\"a\"}\n"),
		"events.json": []byte("{\"e\":1}\n"),
	})
	r, err := Open([]string{filepath.Join(dir, "events.json")}, Options{
		Aidmaster: []string{filepath.Join(dir, "hosts.json")},
		Kinds:     []event.Kind{event.KindAidmaster},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, r)
	want := []string{filepath.Join(dir, "hosts.json") + `:1:aidmaster:{"aid":"a"}`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestReaderStdin(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"plain", []byte("{\"a\":1}\n{\"a\":2}\n")},
		{"gzip", gzipBytes(t, []byte("{\"a\":1}\n{\"a\":2}\n"))},
		{"zstd", zstdBytes(t, []byte("{\"a\":1}\n{\"a\":2}\n"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Open(nil, Options{Stdin: bytes.NewReader(tc.data)})
			if err != nil {
				t.Fatal(err)
			}
			want := []string{`-:1:telemetry:{"a":1}`, `-:2:telemetry:{"a":2}`}
			if diff := cmp.Diff(want, readAll(t, r)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// One bad path never costs the others: a missing file, a device, an
// empty directory and an unreadable subdirectory are each reported as a
// *FileError naming the path, and every good file is still read.
func TestReaderBadPathsSkipped(t *testing.T) {
	dir := writeTree(t, map[string][]byte{
		"good/a.json":        []byte("{\"a\":1}\n"),
		"good/locked/b.json": []byte("{\"b\":1}\n"),
		"empty/.hidden":      []byte("{}\n"),
	})
	locked := filepath.Join(dir, "good", "locked")
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(locked, 0o755)
	unreadable := true
	if _, err := os.ReadDir(locked); err == nil {
		unreadable = false // running as root: permissions do not bite
	}
	var reported []string
	paths := []string{"/no/such/file.json", filepath.Join(dir, "good"), "/dev/zero", filepath.Join(dir, "empty")}
	r, err := Open(paths, Options{OnError: func(err error) {
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Errorf("error %T is not a *FileError", err)
		}
		reported = append(reported, err.Error())
	}})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, r)
	if len(got) == 0 || !strings.HasSuffix(got[0], `a.json:1:telemetry:{"a":1}`) {
		t.Fatalf("good file not read: %q", got)
	}
	want := []string{
		"/no/such/file.json: no such file or directory",
		"/dev/zero: a device, not a file",
		filepath.Join(dir, "empty") + ": no input files in this directory",
	}
	if unreadable {
		want = append(want, locked+": permission denied")
	}
	for _, w := range want {
		found := false
		for _, r := range reported {
			found = found || strings.HasPrefix(r, w)
		}
		if !found {
			t.Errorf("no error %q among %q", w, reported)
		}
	}
	if len(reported) != len(want) || len(r.Errors()) != len(want) {
		t.Errorf("reported %d errors (%q), want %d", len(reported), reported, len(want))
	}
}

// A tiercel serve data directory before its first ingest (state in
// .tiercel/, no segments yet) is empty input, not a mistaken path.
func TestReaderEmptyEventStore(t *testing.T) {
	dir := writeTree(t, map[string][]byte{".tiercel/alerts.db": []byte("x")})
	if err := os.Mkdir(filepath.Join(dir, "events"), 0o755); err != nil {
		t.Fatal(err)
	}
	var reported []string
	r, err := Open([]string{dir}, Options{OnError: func(err error) { reported = append(reported, err.Error()) }})
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, r); len(got) != 0 || len(reported) != 0 || len(r.Errors()) != 0 {
		t.Errorf("empty event store: lines %q, errors %q", got, reported)
	}
}

// Over-long lines are skipped and reported with file:line, whatever the
// codec; the lines around them and the line numbering survive. A gzip bomb
// of zeros is one such line, read in bounded memory.
func TestReaderLineTooLong(t *testing.T) {
	long := bytes.Repeat([]byte("x"), 5000)
	body := []byte("{\"a\":1}\n" + string(long) + "\n{\"a\":3}\n" + string(long))
	bomb := gzipBytes(t, make([]byte, 8<<20))
	dir := writeTree(t, map[string][]byte{
		"a.json":    body,
		"b.json.gz": gzipBytes(t, body),
		"c.gz":      bomb,
	})
	var skipped []string
	r, err := Open([]string{dir}, Options{ChunkSize: 512, MaxLine: 1000, OnSkip: func(e *LineError) {
		if !errors.Is(e, ErrLineTooLong) {
			t.Errorf("%v is not ErrLineTooLong", e)
		}
		skipped = append(skipped, e.Error())
	}})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, r)
	want := []string{
		filepath.Join(dir, "a.json") + `:1:telemetry:{"a":1}`,
		filepath.Join(dir, "a.json") + `:3:telemetry:{"a":3}`,
		filepath.Join(dir, "b.json.gz") + `:1:telemetry:{"a":1}`,
		filepath.Join(dir, "b.json.gz") + `:3:telemetry:{"a":3}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantSkips := []string{
		filepath.Join(dir, "a.json") + ":2: line too long: 5000 B, over the 1000 B limit (--max-line); skipped",
		filepath.Join(dir, "a.json") + ":4: line too long: 5000 B",
		filepath.Join(dir, "b.json.gz") + ":2: line too long",
		filepath.Join(dir, "b.json.gz") + ":4: line too long",
		filepath.Join(dir, "c.gz") + ":1: line too long: 8 MiB",
	}
	if len(skipped) != len(wantSkips) {
		t.Fatalf("skipped %q, want %d", skipped, len(wantSkips))
	}
	for i, w := range wantSkips {
		if !strings.HasPrefix(skipped[i], w) {
			t.Errorf("skip %d = %q, want prefix %q", i, skipped[i], w)
		}
	}
}

// No line over the limit gets through, whatever its length against the
// chunk size and the limit (lines of 1 to 3 times the limit, after partial
// lines of every length).
func TestReaderLineLimitExact(t *testing.T) {
	const limit = 100
	var b strings.Builder
	want := 0
	for i := range 400 {
		n := 1 + (i*37)%(3*limit)
		b.WriteString(strings.Repeat("x", n) + "\n")
		if n <= limit {
			want++
		}
	}
	dir := writeTree(t, map[string][]byte{"a.json": []byte(b.String())})
	for _, chunk := range []int{16, 64, 100, 256} {
		skipped := 0
		r, err := Open([]string{dir}, Options{ChunkSize: chunk, MaxLine: limit, OnSkip: func(*LineError) { skipped++ }})
		if err != nil {
			t.Fatal(err)
		}
		got := readAll(t, r)
		for _, l := range got {
			if i := strings.LastIndex(l, ":"); len(l)-i-1 > limit {
				t.Fatalf("chunk %d: a line of %d bytes got through", chunk, len(l)-i-1)
			}
		}
		if len(got) != want || skipped != 400-want {
			t.Errorf("chunk %d: %d lines, %d skipped; want %d, %d", chunk, len(got), skipped, want, 400-want)
		}
	}
}

// A UTF-8 byte-order mark is dropped; CR-only line endings split lines;
// CRLF still works.
func TestReaderBOMAndLineEndings(t *testing.T) {
	dir := writeTree(t, map[string][]byte{
		"bom.json":  []byte("\xef\xbb\xbf{\"a\":1}\n{\"a\":2}\n"),
		"cr.json":   []byte("{\"b\":1}\r{\"b\":2}\r{\"b\":3}"),
		"crlf.json": []byte("{\"c\":1}\r\n{\"c\":2}\r\n"),
		"tiny.json": []byte("\xef\xbb\xbf{}"),
	})
	r, err := Open([]string{dir}, Options{ChunkSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range readAll(t, r) {
		got = append(got, strings.TrimPrefix(l, dir+"/"))
	}
	want := []string{
		`bom.json:1:telemetry:{"a":1}`, `bom.json:2:telemetry:{"a":2}`,
		`cr.json:1:telemetry:{"b":1}`, `cr.json:2:telemetry:{"b":2}`, `cr.json:3:telemetry:{"b":3}`,
		`crlf.json:1:telemetry:{"c":1}`, `crlf.json:2:telemetry:{"c":2}`,
		`tiny.json:1:telemetry:{}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A gzip member that fails its checksum yields no rows; the members before
// it, verified, keep theirs. A member too long to hold is passed on, and the
// error says from which line its rows came.
func TestGzipMemberChecksum(t *testing.T) {
	good := gzipBytes(t, []byte("{\"m\":1}\n{\"m\":1}\n"))
	bad := gzipBytes(t, []byte("{\"m\":2}\n{\"m\":2}\n{\"m\":2}\n"))
	bad[len(bad)-6] ^= 0xff // CRC-32 in the trailer
	read := func(data []byte) ([]string, error) {
		var lines []string
		err := readStream(bytes.NewReader(data), 64, func(d []byte, _ int) bool {
			for l := range strings.SplitSeq(strings.TrimSuffix(string(d), "\n"), "\n") {
				lines = append(lines, l)
			}
			return true
		})
		return lines, err
	}
	lines, err := read(append(append([]byte(nil), good...), bad...))
	if strings.Join(lines, ",") != `{"m":1},{"m":1}` {
		t.Errorf("rows %q, want only the first member's", lines)
	}
	if err == nil || err.Error() != "gzip data broken after line 2: invalid checksum (3 line(s) of the damaged member dropped)" {
		t.Errorf("error %v", err)
	}

	defer func(n int) { gzipHold = n }(gzipHold)
	gzipHold = 8
	lines, err = read(append(append([]byte(nil), good...), bad...))
	if len(lines) != 5 {
		t.Errorf("rows %q, want all 5 passed on", lines)
	}
	if err == nil || !strings.Contains(err.Error(), "lines 3 onwards came from the damaged member") {
		t.Errorf("error %v does not say which rows came from the damaged member", err)
	}
}

// A truncated compressed file keeps the lines before the damage, reports
// an error naming the file, and the next file is still read.
func TestReaderCorruptFiles(t *testing.T) {
	var body strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&body, "{\"i\":%d,\"pad\":\"%x\"}\n", i, i*7919)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"broken.gz", gzipBytes(t, []byte(body.String()))},
		{"broken.zst", zstdBytes(t, []byte(body.String()))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, map[string][]byte{
				"a-" + tc.name: tc.data[:len(tc.data)*2/3],
				"b-ok.json":    []byte("{\"ok\":1}\n"),
			})
			var reported []error
			r, err := Open([]string{dir}, Options{ChunkSize: 4096, OnError: func(err error) { reported = append(reported, err) }})
			if err != nil {
				t.Fatal(err)
			}
			got := readAll(t, r)
			if len(reported) != 1 || !strings.Contains(reported[0].Error(), "a-"+tc.name) {
				t.Fatalf("reported %v, want one error naming a-%s", reported, tc.name)
			}
			if len(got) < 100 || len(got) >= 20001 {
				t.Fatalf("kept %d lines, want some but not all", len(got))
			}
			for i, line := range got[:len(got)-1] {
				if !strings.HasSuffix(line, fmt.Sprintf(":%d:telemetry:{\"i\":%d,\"pad\":\"%x\"}", i+1, i, i*7919)) {
					t.Fatalf("line %d = %q", i, line)
				}
			}
			if last := got[len(got)-1]; !strings.HasSuffix(last, `b-ok.json:1:telemetry:{"ok":1}`) {
				t.Fatalf("last line %q, want the next file's line", last)
			}
			var fe *FileError
			if !errors.As(reported[0], &fe) {
				t.Fatalf("error %T is not a *FileError", reported[0])
			}
		})
	}
}

// Chunks hold whole lines; a line longer than the chunk size grows the chunk;
// line numbers carry across chunks; a missing final newline is fine; an
// empty line is skipped.
func TestReaderChunking(t *testing.T) {
	long := strings.Repeat("x", 10000)
	data := "{\"a\":1}\n{\"b\":\"" + long + "\"}\n\n{\"c\":3}"
	for _, codec := range []string{"plain", "gzip", "zstd"} {
		t.Run(codec, func(t *testing.T) {
			raw := []byte(data)
			switch codec {
			case "gzip":
				raw = gzipBytes(t, raw)
			case "zstd":
				raw = zstdBytes(t, raw)
			}
			dir := writeTree(t, map[string][]byte{"f": raw})
			r, err := Open([]string{filepath.Join(dir, "f")}, Options{ChunkSize: 64})
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for {
				c, err := r.Next()
				if err == io.EOF {
					break
				}
				if n := len(c.Data); c.Data[n-1] != '\n' && !bytes.HasSuffix(c.Data, []byte(`{"c":3}`)) {
					t.Fatalf("chunk does not end at a line end: %q", c.Data[max(0, n-20):])
				}
				Lines(c, func(line []byte, n int) bool {
					lines = append(lines, fmt.Sprintf("%d:%d", n, len(line)))
					return true
				})
			}
			// the empty line 3 is no event: skipped, and counted
			want := []string{"1:7", fmt.Sprintf("2:%d", len(long)+8), "4:7"}
			if diff := cmp.Diff(want, lines); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// Many files read in parallel still come out in order.
func TestReaderOrderWithReadAhead(t *testing.T) {
	files := map[string][]byte{}
	var want []string
	for i := range 30 {
		name := fmt.Sprintf("f%02d.gz", i)
		files[name] = gzipBytes(t, []byte(fmt.Sprintf("{\"f\":%d}\n{\"g\":%d}\n", i, i)))
		want = append(want, fmt.Sprintf(`%s:1:telemetry:{"f":%d}`, name, i), fmt.Sprintf(`%s:2:telemetry:{"g":%d}`, name, i))
	}
	dir := writeTree(t, files)
	r, err := Open([]string{dir}, Options{ReadAhead: 4})
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, r)
	for i := range got {
		got[i] = strings.TrimPrefix(got[i], dir+string(filepath.Separator))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestReaderCloseEarly(t *testing.T) {
	for _, codec := range []string{"plain", "gzip", "zstd"} {
		t.Run(codec, func(t *testing.T) {
			files := map[string][]byte{}
			for i := range 10 {
				data := bytes.Repeat([]byte("{\"a\":1}\n"), 2000)
				switch codec {
				case "gzip":
					data = gzipBytes(t, data)
				case "zstd":
					data = zstdBytes(t, data) // numbered on a goroutine of its own
				}
				files[fmt.Sprintf("f%d", i)] = data
			}
			r, err := Open([]string{writeTree(t, files)}, Options{ChunkSize: 256})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Next(); err != nil {
				t.Fatal(err)
			}
			r.Close()
			if _, err := r.Next(); err != io.EOF {
				t.Fatalf("Next after Close = %v, want io.EOF", err)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		path string
		want event.Kind
	}{
		{"data/31c7/part-00000.gz", event.KindTelemetry},
		{"tenant/fdrv2/aidmaster/u/part-00000.gz", event.KindAidmaster},
		{"fdrv2/userinfo/u/part-00000.gz", event.KindUserinfo},
		{"fdrv2/appinfo/u/part-00000.gz", event.KindOtherLookup},
		{"fdrv2/notmanaged/u/part-00000.gz", event.KindOtherLookup},
		{`C:\fdr\fdrv2\aidmaster\part.gz`, event.KindAidmaster},
		{"dumps/aidmaster.json", event.KindTelemetry},
	}
	for _, tt := range tests {
		if got := Classify(tt.path); got != tt.want {
			t.Errorf("Classify(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

func TestProblems(t *testing.T) {
	var out bytes.Buffer
	p := NewProblems(&out, 2)
	if p.Summary() != "" {
		t.Fatalf("empty summary = %q", p.Summary())
	}
	p.Add("data.json", 17, errors.New("invalid JSON: x"))
	if got := p.Summary(); got != "1 malformed line skipped (data.json:17)" {
		t.Errorf("summary = %q", got)
	}
	p.Add("data.json", 18, errors.New("y"))
	p.Add("data.json", 19, errors.New("z"))
	if got := p.Summary(); got != "3 malformed lines skipped (first: data.json:17)" {
		t.Errorf("summary = %q", got)
	}
	if want := "data.json:17: invalid JSON: x\ndata.json:18: y\n"; out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
	// found out of order (workers over stdin): the first is the first line
	q := NewProblems(nil, 0)
	for _, line := range []int{40, 9, 23} {
		q.Add("-", line, errors.New("x"))
	}
	if got := q.Summary(); got != "3 malformed lines skipped (first: -:9)" {
		t.Errorf("summary = %q", got)
	}
}

// Given the inputs' order, Problems names the first lines of the input,
// whatever order workers found them in: the summary's first, and the
// lines printed (at Flush, not before).
func TestProblemsInInputOrder(t *testing.T) {
	found := []struct {
		source string
		line   int
		long   bool
	}{
		{"b.json.gz", 3, false}, {"a.json", 90, false}, {"b.json.gz", 1, true},
		{"other", 1, false}, {"a.json", 7, false}, {"a.json", 200, true}, {"a.json", 12, false},
	}
	var out bytes.Buffer
	p := NewProblems(&out, 3)
	p.Order([]string{"a.json", "b.json.gz"})
	for _, f := range found {
		err := errors.New("invalid JSON")
		if f.long {
			err = ErrLineTooLong
		}
		p.Add(f.source, f.line, err)
	}
	if out.Len() != 0 {
		t.Fatalf("printed before Flush: %q", out.String())
	}
	want := "5 malformed lines skipped (first: a.json:7); 2 lines over the length limit skipped (first: a.json:200)"
	if got := p.Summary(); got != want {
		t.Errorf("summary = %q\nwant      %q", got, want)
	}
	p.Flush()
	printed := "a.json:7: invalid JSON\na.json:12: invalid JSON\na.json:90: invalid JSON\n"
	if out.String() != printed {
		t.Errorf("printed %q, want %q", out.String(), printed)
	}
}

func TestStreamErrorMessages(t *testing.T) {
	sample := []byte("{\"a\":1}\n{\"a\":2}\n")
	gz := gzipBytes(t, sample)
	badCRC := bytes.Clone(gz)
	badCRC[len(badCRC)-6] ^= 0xff
	tests := []struct {
		name  string
		data  []byte
		lines int
		want  string
	}{
		{"truncated gzip", gz[:20], 0, "gzip data broken at the start: unexpected EOF"},
		{"gzip checksum", badCRC, 0, "gzip data broken at the start: invalid checksum (2 line(s) of the damaged member dropped)"},
		{"zstd header", []byte("\x28\xb5\x2f\xfdjunkjunk"), 0, "zstd data broken at the start: reserved bit set on frame header"},
		{"gzip header only", gz[:2], 0, "gzip data broken at the start: unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := 0
			err := readStream(bytes.NewReader(tt.data), 64, func(data []byte, _ int) bool {
				lines += bytes.Count(data, []byte{'\n'})
				return true
			})
			if err == nil || err.Error() != tt.want || lines != tt.lines {
				t.Fatalf("got %d lines, error %v; want %d lines, %q", lines, err, tt.lines, tt.want)
			}
		})
	}
}

// endless is a stream of zeros that never ends (cat /dev/zero | tiercel).
type endless struct{}

func (endless) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// Closing a reader that is skipping an endless line returns: the skip
// stops with its consumer.
func TestReaderCloseWhileSkipping(t *testing.T) {
	r, err := Open([]string{Stdin}, Options{Stdin: endless{}, MaxLine: 4096, ChunkSize: 1024})
	if err != nil {
		t.Fatal(err)
	}
	r.startJobs() // start reading without a consumer
	time.Sleep(50 * time.Millisecond)
	done := make(chan struct{})
	go func() { r.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hung while a line was being skipped")
	}
}

// While an endless line is skipped, Next still returns now and then (empty
// chunks), so a search can notice an interrupt (tiercel search < /dev/zero).
func TestReaderHeartbeatWhileSkipping(t *testing.T) {
	r, err := Open([]string{Stdin}, Options{Stdin: endless{}, MaxLine: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := make(chan event.Chunk, 1)
	go func() {
		c, _ := r.Next()
		got <- c
	}()
	select {
	case c := <-got:
		if len(c.Data) != 0 {
			t.Errorf("chunk of %d bytes from zeros", len(c.Data))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Next did not return while skipping")
	}
}

// A compressed file decodes further ahead of the consumer than a plain one
// is read when there are other cores to decode on: its chunks queue up to
// compressedQueueDepth, a plain file's (and any file's on one core, or
// while memory is short) to plainQueueDepth.
func TestCompressedFilesReadFurtherAhead(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	body := paddedLines(20000)
	for _, c := range []struct {
		name  string
		data  []byte
		depth int
		procs int
		short bool // Options.MemoryShort says so
		most  int  // ReadAheadAtMost's bound, if not 0
	}{
		{"plain.json", body, plainQueueDepth, 2, false, 0},
		{"packed.json.gz", gzipBytes(t, body), compressedQueueDepth, 2, false, 0},
		{"packed.json.gz", gzipBytes(t, body), plainQueueDepth, 1, false, 0},
		{"packed.json.gz", gzipBytes(t, body), plainQueueDepth, 2, true, 0},
		{"packed.json.gz", gzipBytes(t, body), 3, 2, false, 3},
		{"plain.json", body, plainQueueDepth, 2, false, 9}, // a bound above the depth changes nothing
	} {
		t.Run(fmt.Sprintf("%s/GOMAXPROCS=%d/short=%v/most=%d", c.name, c.procs, c.short, c.most), func(t *testing.T) {
			runtime.GOMAXPROCS(c.procs)
			dir := writeTree(t, map[string][]byte{c.name: c.data})
			r, err := Open([]string{dir}, Options{ChunkSize: 4096, MemoryShort: func() bool { return c.short }})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if c.most > 0 {
				r.ReadAheadAtMost(c.most)
			}
			if _, err := r.Next(); err != nil {
				t.Fatal(err)
			}
			out := r.queue[0].out
			deadline := time.Now().Add(10 * time.Second)
			for len(out) < c.depth && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			time.Sleep(20 * time.Millisecond) // room to go past the depth, if it could
			if got := len(out); got != c.depth {
				t.Fatalf("%d chunks queued ahead, want %d", got, c.depth)
			}
		})
	}
}

// A chunk's line count is taken before it is handed over: the consumer
// may recycle its buffer at once, and the buffer be filled again (here,
// overwritten with newlines) before the reader would have counted it.
// Counted after, the next chunks' first lines drifted, so a second read
// of the same input numbered its lines otherwise.
func TestChunkFirstLinesWhenTheConsumerReusesTheBuffer(t *testing.T) {
	var b strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&b, `{"n":%d,"pad":"%s"}`+"\n", i+1, strings.Repeat("x", i%97))
	}
	// on one core a compressed stream is counted where it is decoded, on
	// more on a goroutine of its own
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		for _, codec := range []string{"plain", "gzip", "zstd"} {
			chunkFirstLines(t, []byte(b.String()), codec, procs)
		}
	}
}

// chunkFirstLines reads data (compressed as codec says) in small chunks,
// overwriting each as soon as it is handed out, and checks their first
// lines.
func chunkFirstLines(t *testing.T, data []byte, codec string, procs int) {
	switch codec {
	case "gzip":
		data = gzipBytes(t, data)
	case "zstd":
		data = zstdBytes(t, data)
	}
	want := 1
	err := readStream(bytes.NewReader(data), 4<<10, func(chunk []byte, firstLine int) bool {
		if firstLine != want {
			// Errorf, not Fatalf: a compressed stream's chunks may be
			// emitted on a goroutine of their own
			t.Errorf("%s, GOMAXPROCS=%d: a chunk starts at line %d, want %d", codec, procs, firstLine, want)
			return false
		}
		want += bytes.Count(chunk, []byte{'\n'})
		for i := range chunk {
			chunk[i] = '\n' // the buffer reused at once
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if want != 5001 {
		t.Errorf("%s, GOMAXPROCS=%d: %d lines, want 5000", codec, procs, want-1)
	}
}

// ByteSize writes the sizes in limit and spill messages: whole units
// where they are whole, MiB to a tenth, bytes below a whole KiB.
func TestByteSize(t *testing.T) {
	for n, want := range map[int]string{
		12: "12 B", 5008: "5008 B", 300 << 10: "300 KiB", 16 << 20: "16 MiB",
		3 << 19: "1.5 MiB", 2 << 30: "2 GiB", 1<<30 + 1<<20: "1025 MiB",
	} {
		if got := ByteSize(n); got != want {
			t.Errorf("ByteSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// The next file is read while the one before it is decoded on another
// core; after a plain file it waits for that file's end, since the plain
// one is read faster than searched and the next one's chunks would only
// wait in memory.
func TestNextFileReadMeanwhileOnlyWhileTheLastDecodes(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	body := paddedLines(20000)
	var audit strings.Builder
	for range 2000 {
		audit.WriteString(auditLog)
	}
	for _, c := range []struct {
		name  string
		first []byte
		procs int
		want  int // files being read once the first has been sniffed
	}{
		{"a.json", body, 2, 1},
		{"a.json.gz", gzipBytes(t, body), 2, 2},
		{"a.json.gz", gzipBytes(t, body), 1, 1},
		{"a.audit", []byte(audit.String()), 2, 2}, // converted to Falcon events
	} {
		t.Run(fmt.Sprintf("%s/GOMAXPROCS=%d", c.name, c.procs), func(t *testing.T) {
			runtime.GOMAXPROCS(c.procs)
			dir := writeTree(t, map[string][]byte{c.name: c.first, "b.json": body})
			r, err := Open([]string{dir}, Options{ChunkSize: 4096})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			// The first file is sniffed before its first chunk is handed
			// out; Next starts the files after it.
			for range 3 {
				if _, err := r.Next(); err != nil {
					t.Fatal(err)
				}
			}
			if got := len(r.queue); got != c.want || r.queue[0].file.Path != filepath.Join(dir, c.name) {
				t.Fatalf("%d files being read (first %s), want %d", got, r.queue[0].file.Path, c.want)
			}
		})
	}
}

// paddedLines is n NDJSON lines of about 120 bytes, numbered.
func paddedLines(n int) []byte {
	var text strings.Builder
	for i := range n {
		fmt.Fprintf(&text, "{\"i\":%d,\"pad\":\"%0100d\"}\n", i, i)
	}
	return []byte(text.String())
}
