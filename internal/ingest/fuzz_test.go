package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tiercel/tiercel/internal/event"
)

func addSampleLines(f *testing.F) {
	file, err := os.Open("testdata/falcon-fdr-samples.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f.Add(append([]byte(nil), sc.Bytes()...))
	}
	if err := sc.Err(); err != nil {
		f.Fatal(err)
	}
}

func FuzzDecode(f *testing.F) {
	addSampleLines(f)
	for _, s := range []string{
		``, ` `, `{`, `{"a":`, `{"a":"\u12"}`, `{"a":"\ud800"}`, `{"a":[1,{"b":null}]}`,
		`[]`, `"x"`, `{"a":"b"}}`, `{"@timestamp":"2024-05-01T10:00:00.5+01:00"}`,
		`{"timestamp":1e400}`, `{"ContextTimeStamp":"-1.5"}`, "{\"a\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		d := NewDecoder(event.Needs{All: true})
		var ev event.Event
		err := d.Decode(line, &ev)
		if err != nil {
			return
		}
		if utf8.Valid(line) {
			for _, fl := range ev.Fields() {
				if !utf8.ValidString(fl.Name) || !utf8.ValidString(fl.Value) {
					t.Fatalf("field %q=%q is not valid UTF-8", fl.Name, fl.Value)
				}
			}
		}
		if ts, ok := ev.Get(event.Timestamp); ok {
			if _, ok := event.ParseNumber(ts); !ok {
				t.Fatalf("@timestamp %q is not a number", ts)
			}
		}
		// Top-level strings must come out as encoding/json reads them.
		var ref map[string]any
		if !utf8.Valid(line) || json.Unmarshal(line, &ref) != nil || bytes.Contains(line, []byte(`\u`)) {
			return // lone surrogates are outside this invariant
		}
		for k, v := range ref {
			s, isString := v.(string)
			if !isString || strings.ContainsAny(k, ".[") || k == event.Timestamp || k == event.RawString || k == event.SimpleName {
				continue
			}
			if got, ok := ev.Get(k); !ok || got != s {
				t.Fatalf("field %q = %q (present %v), want %q", k, got, ok, s)
			}
		}
	})
}

func FuzzReadStream(f *testing.F) {
	sample := []byte("{\"a\":1}\n{\"b\":2}\n")
	f.Add(sample)
	f.Add(gzipBytes(f, sample))
	f.Add(zstdBytes(f, sample))
	f.Add(gzipBytes(f, sample)[:20])
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd})
	f.Add([]byte{0x1f, 0x8b})
	f.Add([]byte("\xef\xbb\xbf{\"a\":1}\r{\"a\":2}\r"))
	f.Add([]byte("a\rb\rc\r\nd\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []byte
		var wrong string // the emitter may run on a goroutine of its own: no t.Fatal there
		// a JSON document is reread as lines (FuzzDocumentLines)
		plainInput := sniff(data) == plain && !isJSONDocument(bytes.TrimPrefix(data[:min(16, len(data))], utf8BOM))
		err := readStream(bytes.NewReader(data), 16, func(chunk []byte, firstLine int) bool {
			if want := bytes.Count(got, []byte{'\n'}) + 1; len(chunk) == 0 || firstLine != want {
				wrong = fmt.Sprintf("a chunk of %d bytes at line %d, want one at line %d", len(chunk), firstLine, want)
				return false
			}
			got = append(got, chunk...)
			return true
		})
		if wrong != "" {
			t.Fatal(wrong)
		}
		if plainInput && (err != nil || !bytes.Equal(got, plainRead(data, 16))) {
			t.Fatalf("plain input changed: err=%v", err)
		}
		// a broken stream says how many lines made it out before the damage
		var se *streamError
		if errors.As(err, &se) && se.Line != bytes.Count(got, []byte{'\n'}) {
			t.Fatalf("%v: %d lines delivered", err, bytes.Count(got, []byte{'\n'}))
		}
	})
}

// plainRead is what reading plain data in chunks of chunkSize gives: the
// data without a leading byte-order mark, and with CR read as LF when the
// first buffer ends lines with CR alone.
func plainRead(data []byte, chunkSize int) []byte {
	first := data[:min(chunkSize, len(data))]
	body := data
	if bytes.HasPrefix(first, utf8BOM) {
		first, body = first[len(utf8BOM):], data[len(utf8BOM):]
	}
	if bytes.IndexByte(first, '\n') < 0 && bytes.IndexByte(first, '\r') >= 0 {
		body = bytes.ReplaceAll(body, []byte{'\r'}, []byte{'\n'})
	}
	return body
}

// FuzzParallelGzip: whatever the bytes, decoding a file's gzip members in
// parallel gives the lines and the error that decoding them one at a time
// gives. The input is taken as members to concatenate, cut where the
// fuzzer's byte 0xff falls, each compressed or (after a 0xfe) written raw:
// false member starts, damage and junk between members come from there.
func FuzzParallelGzip(f *testing.F) {
	f.Add([]byte("{\"a\":1}\n\xff{\"b\":2}\n{\"c\"\xff:3}\n"))
	f.Add([]byte("x\n\xff\xfe\x1f\x8b\x08\x00junk\xffy\n"))
	f.Add([]byte("\xff\xff\xff"))
	f.Add([]byte("{\"s\":\"\x1f\x8b\x08\x00\"}\n\xffz\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer func(min, span int64) { parallelGzipMin, gzipTaskSpan = min, span }(parallelGzipMin, gzipTaskSpan)
		parallelGzipMin, gzipTaskSpan = 1, 24
		var file []byte
		for i, part := range bytes.Split(data, []byte{0xff}) {
			if raw, ok := bytes.CutPrefix(part, []byte{0xfe}); ok && i > 0 {
				file = append(file, raw...)
				continue
			}
			file = append(file, gzipLevel(t, part, 1+i%9)...)
		}
		read := func(parallel bool) (string, string) {
			cfg := streamConfig{chunkSize: 64}
			if parallel {
				cfg.file, cfg.size = bytes.NewReader(file), int64(len(file))
			}
			var out bytes.Buffer
			err := readStreamWith(bytes.NewReader(file), cfg, func(d []byte, _ int) bool {
				out.Write(d)
				return true
			})
			return out.String(), fmt.Sprint(err)
		}
		wantOut, wantErr := read(false)
		gotOut, gotErr := read(true)
		if gotOut != wantOut || gotErr != wantErr {
			t.Fatalf("parallel: %q, %s\none member at a time: %q, %s", gotOut, gotErr, wantOut, wantErr)
		}
	})
}
