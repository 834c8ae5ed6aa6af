package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

func TestIsJSONDocument(t *testing.T) {
	tests := []struct {
		head string
		want bool
	}{
		{`[{"a":1}]`, true},
		{"[]", true},
		{"[\n]\n", true},
		{"[2026-12-06 10:00:01] [error] client denied\n", false}, // a text log
		{"[1, 2]", false},
		{"[", false},
		{"  \n[\n  {\"a\": 1}\n]", true},
		{"{\n  \"a\": 1\n}\n", true},
		{"{  \r\n  \"a\": 1\r\n}\r\n", true},
		{"{\"a\":1}\n{\"a\":2}\n", false}, // NDJSON
		{"{\"a\":\n", false},              // NDJSON whose first line is cut short
		{"{", false},                      // no whole first line to look at
		{"", false},
		{"\n\n", false},
		{"not json\n", false},
	}
	for _, tt := range tests {
		if got := isJSONDocument([]byte(tt.head)); got != tt.want {
			t.Errorf("isJSONDocument(%q) = %v, want %v", tt.head, got, tt.want)
		}
	}
}

// Each element is one compact line, on the line it starts on in the file
// (blank lines pad the output to it), or after the previous element's.
func TestDocumentLines(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"one-line array", `[{"a":1},{"b":"x y"}]`, "{\"a\":1}\n{\"b\":\"x y\"}\n"},
		{"empty array", `[]`, ""},
		{"pretty array", "[\n  {\n    \"a\": 1,\n    \"b\": \"x\"\n  },\n  {\n    \"c\": [1, 2]\n  }\n]\n",
			"\n{\"a\":1,\"b\":\"x\"}\n\n\n\n{\"c\":[1,2]}\n"},
		{"jq's stream of objects", "{\n  \"a\": 1\n}\n{\n  \"a\": 2\n}\n",
			"{\"a\":1}\n\n\n{\"a\":2}\n"},
		{"strings keep brackets, commas, escapes and spaces",
			`[{"a":"} ] , {","b":"q\"}\\","c":"\\"}]`,
			"{\"a\":\"} ] , {\",\"b\":\"q\\\"}\\\\\",\"c\":\"\\\\\"}\n"},
		{"nested", `[{"a":{"b":[{"c":1}]}},{"d":2}]`, "{\"a\":{\"b\":[{\"c\":1}]}}\n{\"d\":2}\n"},
		{"bare values are lines of their own", `[1, "a,b", null, {"x":1}]`,
			"1\n\"a,b\"\nnull\n{\"x\":1}\n"},
		{"bare values end at a space or a newline", "0 0\n1", "0\n0\n1\n"},
		{"arrays one after another", "[{\"a\":1}]\n[{\"a\":2}]", "{\"a\":1}\n{\"a\":2}\n"},
		{"a stray bracket is a line", "[{\"a\":1}]\n}\n", "{\"a\":1}\n}\n"},
		{"an unterminated string ends with its line", "[\n  {\n    \"a: \"x\",\n    \"b\": 1\n  },\n  {\n    \"c\": 2\n  }\n]",
			"\n{\"a: \"x\",\"b\":1}\n\n\n\n{\"c\":2}\n"},
		{"an escaped newline is a broken string too", "[\n  {\"a\": \"x\\\n  },\n  {\"b\": 1}\n]",
			"\n{\"a\":\"x\\}\n\n{\"b\":1}\n"},
		{"CRLF", "[\r\n  {\"a\": 1},\r\n  {\"a\": 2}\r\n]\r\n", "\n{\"a\":1}\n{\"a\":2}\n"},
		// A block is cut before a '{' that follows "}," and assumed to start
		// an element: inside a string or a nested value it does not.
		{"element boundaries inside strings", `[{"a":"x},{y"},{"b":"},  {"}]`, "{\"a\":\"x},{y\"}\n{\"b\":\"},  {\"}\n"},
		{"element boundaries inside nested values", "[{\"a\":[{\"b\":1},\n{\"c\":2}]},\n{\"d\":3}]", "{\"a\":[{\"b\":1},{\"c\":2}]}\n\n{\"d\":3}\n"},
		{"a stream of objects cut between them", "{\"a\":1}{\"a\":2} {\"a\":3}\n{\"a\":\"}{\"}", "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n{\"a\":\"}{\"}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			readers := map[string]io.Reader{
				"whole":         newDocumentLines(strings.NewReader(tt.in)),
				"a byte a read": newDocumentLines(iotest.OneByteReader(strings.NewReader(tt.in))),
				"serial blocks": newDocumentBlocks(strings.NewReader(tt.in), 8, false),
			}
			// every size, so that some blocks are cut where no element starts
			for size := 1; size <= len(tt.in)+1; size++ {
				readers[fmt.Sprintf("blocks of %d", size)] = newDocumentBlocks(strings.NewReader(tt.in), size, true)
			}
			for name, r := range readers {
				got, err := io.ReadAll(r)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, string(got)); diff != "" {
					t.Errorf("%s: output (-want +got):\n%s", name, diff)
				}
			}
		})
	}
}

// Read as a file, a document's events come out with the file's line
// numbers, however the chunks fall and whether it is compressed.
func TestReaderJSONDocuments(t *testing.T) {
	pretty := "\xef\xbb\xbf[\n  {\n    \"event_simpleName\": \"DnsRequest\",\n    \"DomainName\": \"shodan.io\"\n  },\n  {\n    \"event_simpleName\": \"ProcessRollup2\"\n  }\n]\n"
	dir := writeTree(t, map[string][]byte{
		"export.json":    []byte(pretty),
		"export.json.gz": gzipBytes(t, []byte(pretty)),
		"jq.json":        []byte("{\n  \"a\": 1\n}\n{\n  \"a\": 2\n}\n"),
		"api.json":       []byte(`[{"a":1},{"a":2},{"a":3}]`),
	})
	for _, chunk := range []int{16, 1 << 20} {
		r, err := Open([]string{dir}, Options{ChunkSize: chunk})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range readAll(t, r) { // the blank lines between elements skipped
			got = append(got, strings.TrimPrefix(l, dir+"/"))
		}
		want := []string{
			`api.json:1:telemetry:{"a":1}`, `api.json:2:telemetry:{"a":2}`, `api.json:3:telemetry:{"a":3}`,
			`export.json:2:telemetry:{"event_simpleName":"DnsRequest","DomainName":"shodan.io"}`,
			`export.json:6:telemetry:{"event_simpleName":"ProcessRollup2"}`,
			`export.json.gz:2:telemetry:{"event_simpleName":"DnsRequest","DomainName":"shodan.io"}`,
			`export.json.gz:6:telemetry:{"event_simpleName":"ProcessRollup2"}`,
			`jq.json:1:telemetry:{"a":1}`, `jq.json:4:telemetry:{"a":2}`,
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("chunk %d: lines (-want +got):\n%s", chunk, diff)
		}
	}
}

// FuzzDocumentLines: whatever the bytes, reading them as a document ends,
// writes at most a newline more than a byte a byte read, gives the same
// output however the input and the reads are cut and however it is
// compacted in blocks in parallel (guessing where they start), and a valid JSON array
// comes out as its elements, one a line.
func FuzzDocumentLines(f *testing.F) {
	f.Add([]byte(`[{"a":1},{"b":[1,{"c":"]"}]}]`))
	f.Add([]byte("[\n {\n  \"a\": \"x\\\"y\"\n },\n 2\n]"))
	f.Add([]byte("{\n \"a\": 1\n}\n{\n \"b\": 2\n}"))
	f.Add([]byte("[\"\n\"]}]]{{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := io.ReadAll(newDocumentLines(bytes.NewReader(data)))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) > 2*len(data)+1 {
			t.Fatalf("%d bytes out of %d in", len(got), len(data))
		}
		for _, cut := range []int{1, 3, 7} {
			d := newDocumentLines(iotest.OneByteReader(bytes.NewReader(data)))
			var again []byte
			buf := make([]byte, cut)
			for {
				n, err := d.Read(buf)
				again = append(again, buf[:n]...)
				if err != nil {
					break
				}
			}
			if !bytes.Equal(again, got) {
				t.Fatalf("read a byte at a time into %d-byte reads:\n%q\nwhole:\n%q", cut, again, got)
			}
		}
		for _, size := range []int{1, 7, 64, len(data)/3 + 1} {
			blocks, err := io.ReadAll(newDocumentBlocks(bytes.NewReader(data), size, true))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(blocks, got) {
				t.Fatalf("compacted in blocks of %d:\n%q\nwhole:\n%q", size, blocks, got)
			}
		}
		var elems []json.RawMessage
		if !bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("[")) || json.Unmarshal(data, &elems) != nil {
			return
		}
		var lines []string
		for _, l := range strings.Split(string(got), "\n") {
			if l != "" {
				lines = append(lines, l)
			}
		}
		if len(lines) != len(elems) {
			t.Fatalf("%d lines for %d elements:\n%s", len(lines), len(elems), got)
		}
		for i, e := range elems {
			var want, have any
			json.Unmarshal(e, &want)
			if err := json.Unmarshal([]byte(lines[i]), &have); err != nil {
				t.Fatalf("line %d %q: %v", i+1, lines[i], err)
			}
			if diff := cmp.Diff(want, have); diff != "" {
				t.Fatalf("element %d (-want +got):\n%s", i, diff)
			}
		}
	})
}

func BenchmarkDocumentLines(b *testing.B) {
	var arr, pretty bytes.Buffer
	arr.WriteByte('[')
	pretty.WriteString("[\n")
	for i := range 2000 {
		ev := map[string]string{"event_simpleName": "ProcessRollup2", "aid": "5bce5c6f6d473ef7b473b9fcc0132542",
			"CommandLine": `"C:\\Windows\\system32\\svchost.exe" -k netsvcs -p -s Schedule`, "ImageFileName": `\Device\HarddiskVolume3\Windows\System32\svchost.exe`,
			"TargetProcessId": "4000013689", "ParentProcessId": "4000000123", "timestamp": "1730000000429", "UserSid": "S-1-5-18"}
		one, _ := json.Marshal(ev)
		ind, _ := json.MarshalIndent(ev, "  ", "  ")
		if i > 0 {
			arr.WriteByte(',')
			pretty.WriteString(",\n")
		}
		arr.Write(one)
		pretty.WriteString("  ")
		pretty.Write(ind)
	}
	arr.WriteByte(']')
	pretty.WriteString("\n]\n")
	for _, bc := range []struct {
		name string
		data []byte
	}{{"one-line", arr.Bytes()}, {"pretty", pretty.Bytes()}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.data)))
			buf := make([]byte, 1<<20)
			for b.Loop() {
				d := newDocumentLines(bytes.NewReader(bc.data))
				for {
					if _, err := d.Read(buf); err != nil {
						break
					}
				}
			}
		})
		b.Run(bc.name+"/one-core", func(b *testing.B) {
			b.SetBytes(int64(len(bc.data)))
			blk := &docBlock{in: bc.data}
			for b.Loop() {
				blk.compact()
			}
		})
	}
}

// plainStringRun stops at the first quote, backslash or newline wherever
// it falls in a word, as a byte-at-a-time scan does.
func TestPlainStringRun(t *testing.T) {
	for size := range 20 {
		for at := range size + 1 {
			for _, c := range []byte{'"', '\\', '\n', 'x', 0x80, 0xff, 0} {
				b := bytes.Repeat([]byte{'a'}, size)
				if at < size {
					b[at] = c
				}
				want := size
				if i := bytes.IndexAny(b, "\"\\\n"); i >= 0 {
					want = i
				}
				if got := plainStringRun(b); got != want {
					t.Errorf("plainStringRun(%q) = %d, want %d", b, got, want)
				}
			}
		}
	}
}
