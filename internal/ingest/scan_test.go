package ingest

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tiercel/tiercel/internal/event"
	"github.com/valyala/fastjson"
)

type scanned struct {
	Key  string
	Kind ValueKind
	Raw  string
}

func scanAll(line string) ([]scanned, error) {
	var sc ObjectScanner
	if !sc.Reset([]byte(line)) {
		return nil, sc.Err()
	}
	var out []scanned
	var m Member
	for sc.Next(&m) {
		out = append(out, scanned{string(m.Key), m.Kind, string(m.Raw)})
	}
	return out, sc.Err()
}

func TestObjectScanner(t *testing.T) {
	tests := []struct {
		line string
		want []scanned // nil with ok false: a syntax error
		ok   bool
	}{
		{`{}`, nil, true},
		{` { } `, nil, true},
		{`{"a":"x","b":12,"c":true,"d":false,"e":null}`, []scanned{
			{"a", KindString, "x"}, {"b", KindNumber, "12"}, {"c", KindTrue, "true"},
			{"d", KindFalse, "false"}, {"e", KindNull, "null"}}, true},
		{`{ "a" : "q\"x\\" , "b":-1.5e3 }`, []scanned{{"a", KindString, `q\"x\\`}, {"b", KindNumber, "-1.5e3"}}, true},
		{`{"o":{"x":[1,{"y":"}"}]},"arr":[],"n":NaN}`, []scanned{
			{"o", KindObject, `{"x":[1,{"y":"}"}]}`}, {"arr", KindArray, "[]"}, {"n", KindNumber, "NaN"}}, true},
		{`{"k\"ey":1}`, []scanned{{`k\"ey`, KindNumber, "1"}}, true},
		// `"key":"value",` members, read without the general path
		{`{"a":"x","b":"y\"z","c":"","d":1,"e":"w"}`, []scanned{
			{"a", KindString, "x"}, {"b", KindString, `y\"z`}, {"c", KindString, ""},
			{"d", KindNumber, "1"}, {"e", KindString, "w"}}, true},
		{`{"a":"x" ,"b":"y"}`, []scanned{{"a", KindString, "x"}, {"b", KindString, "y"}}, true},
		{`{"a":"x",}`, nil, false},
		{`{"a":"x","b"}`, nil, false},
		{`{"a":"x",,"b":"y"}`, nil, false},
		{`{"a":"x`, nil, false},
		{`{"a":1,}`, nil, false},
		{`{"a":1`, nil, false},
		{`{"a":[1,]}`, nil, false},
		{`{"a":{"b"}}`, nil, false},
		{`{"a":"x"} x`, nil, false},
		{`{"a":tru}`, nil, false},
		{`{"a":"unterminated}`, nil, false},
		{`[1]`, nil, false},
		{``, nil, false},
	}
	for _, tt := range tests {
		got, err := scanAll(tt.line)
		if (err == nil) != tt.ok {
			t.Errorf("%s: error %v, want ok=%v", tt.line, err, tt.ok)
			continue
		}
		if tt.ok {
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s: members (-want +got):\n%s", tt.line, diff)
			}
		}
	}
}

func TestAppendUnescaped(t *testing.T) {
	tests := []struct{ raw, want string }{
		{`plain`, "plain"},
		{`a\"b\\c\/d`, `a"b\c/d`},
		{`\n\t\r\b\f`, "\n\t\r\b\f"},
		{`\u00e6\u20AC`, "æ€"},
		{`\ud83d\ude00`, "😀"},
		{`\ud83dx`, `\ud83dx`},     // lone high surrogate stays as written
		{`\u12`, `\u12`},           // short escape stays
		{`\uzzzz`, `\uzzzz`},       // bad hex stays
		{`\q`, `\q`},               // unknown escape stays
		{`\ud83d\u0041`, "\uFFFD"}, // bad pair: replacement character, as fastjson
	}
	for _, tt := range tests {
		if got := string(appendUnescaped(nil, []byte(tt.raw))); got != tt.want {
			t.Errorf("appendUnescaped(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

// TestDecodeFlatMatchesTree: the flat scan and the fastjson tree give the
// same event for flat lines, and lines with wanted nested values go to the
// tree.
func TestDecodeFlatMatchesTree(t *testing.T) {
	lines := []string{
		`{"CommandLine":"cmd /c \"x\"","aid":"a1","timestamp":"1625677521162","event_simpleName":"ProcessRollup2"}`,
		`{"@timestamp":"2024-05-01T10:00:00Z","timestamp":"x","n":1e3,"b":true,"z":null}`,
		`{"ContextTimeStamp":"1625677521.137","k\u0065y":"v","o":{"a":1}}`,
		`{"a":{"b":{"c":"x"}},"arr":["p",2,{"q":true}]}`,
	}
	for _, needs := range []event.Needs{
		{All: true},
		needsOf("CommandLine", "aid", "key", "n", "b", "z", "#event_simpleName", "@timestamp"),
		{Prefixes: []string{"arr["}},
	} {
		for _, line := range lines {
			compareDecoders(t, needs, []byte(line))
		}
	}
}

// compareDecoders decodes line through Decode (flat scan first) and
// through the tree alone, and fails when they differ.
func compareDecoders(t *testing.T, needs event.Needs, line []byte) {
	t.Helper()
	fast, tree := NewDecoder(needs), NewDecoder(needs)
	var a, b event.Event
	errA := fast.Decode(line, &a)
	for n := len(line); n > 0 && (line[n-1] == '\n' || line[n-1] == '\r'); n = len(line) {
		line = line[:n-1]
	}
	b.Reset()
	errB := tree.decodeTree(line, &b)
	if errB == nil && tree.wantRaw {
		b.SetBytes(event.RawString, line)
	}
	if len(trimSpace(line)) == 0 {
		return // Decode reports ErrBlank before parsing
	}
	if (errA == nil) != (errB == nil) {
		t.Fatalf("%q: Decode error %v, tree error %v", line, errA, errB)
	}
	if errA != nil {
		if errA.Error() != errB.Error() {
			t.Fatalf("%q: errors differ: %v vs %v", line, errA, errB)
		}
		return
	}
	if diff := cmp.Diff(b.Fields(), a.Fields()); diff != "" {
		t.Fatalf("%q: fields (-tree +Decode):\n%s", line, diff)
	}
}

// FuzzScanMatchesFastjson: the scanner accepts exactly the object lines
// fastjson accepts, and Decode (flat scan) equals the fastjson tree walk.
func FuzzScanMatchesFastjson(f *testing.F) {
	addSampleLines(f)
	for _, s := range []string{
		`{}`, `{"a":1,}`, `{"a":"\u12"}`, `{"a":"\ud800\udc00"}`, `{"a":[1,{"b":null}]}`,
		`{"a":nan}`, `{"a":-Inf}`, `{"a":1-2}`, `{"a\\"  :  "b\\\""}`, "{\"a\":\"\x01\"}",
		`{"timestamp":"1700000000000","event_simpleName":"X","x":{"y":[]}}`, ` {"a":"b"} `,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var p fastjson.Parser
		v, perr := p.ParseBytes(line)
		treeOK := perr == nil && v.Type() == fastjson.TypeObject
		var sc ObjectScanner
		var m Member
		if sc.Reset(line) {
			for sc.Next(&m) {
			}
		}
		if scanOK := sc.Err() == nil; scanOK != treeOK {
			t.Fatalf("%q: scanner ok=%v, fastjson ok=%v (%v)", line, scanOK, treeOK, perr)
		}
		compareDecoders(t, event.Needs{All: true}, line)
		compareDecoders(t, needsOf("a", "timestamp", "event_simpleName", "#event_simpleName", "x.y"), line)
	})
}

// stringEndByteWise is stringEnd one byte at a time, a backslash escaping
// the byte after it: the reference.
func stringEndByteWise(s []byte, i int) (end int, esc bool, ok bool) {
	escaping := false
	for j := i; j < len(s); j++ {
		switch {
		case escaping:
			escaping = false
		case s[j] == '\\':
			esc, escaping = true, true
		case s[j] == '"':
			return j, esc, true
		}
	}
	return 0, false, false
}

// stringEnd agrees with the byte-wise reference on strings of every length
// around its sixteen-byte steps (eight without amd64), with quotes and
// backslashes anywhere, and strings that never end.
func TestStringEndMatchesByteWise(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for n := range 50000 {
		size := rng.IntN(120)
		s := make([]byte, size)
		rare := 2 + rng.IntN(60) // one quote or backslash in about rare bytes
		for k := range s {
			switch r := rng.IntN(rare); {
			case r == 0:
				s[k] = '"'
			case r == 1:
				s[k] = '\\'
			default:
				s[k] = "abx"[rng.IntN(3)]
			}
		}
		i := 0
		if size > 0 {
			i = rng.IntN(size)
		}
		we, wesc, wok := stringEndByteWise(s, i)
		ge, gesc, gok := stringEnd(s, i)
		if we != ge || wesc != gesc || wok != gok {
			t.Fatalf("case %d, %q from %d: got (%d, %v, %v), want (%d, %v, %v)", n, s, i, ge, gesc, gok, we, wesc, wok)
		}
	}
}

// BenchmarkStringEnd: the values of a process start, short and long, one
// with escapes.
func BenchmarkStringEnd(b *testing.B) {
	values := [][]byte{
		[]byte(`79e10109193e5367f29be62ba984e53ee7ba81d9ceb2cb0e8c9a9b1fb156ee28","MD5HashData":"4703bc3ccf240bbca8ba5e1f29711d1d",`),
		[]byte(`4000004455","ParentProcessId":"4000009331",`),
		[]byte(`\\Device\\HarddiskVolume2\\Program Files\\Google\\Chrome\\Application\\chrome.exe","CommandLine":"x"`),
		[]byte(`explorer.exe","UserSid":"S-1-5-21-1004-1002",`),
		[]byte(`4703bc3ccf240bbca8ba5e1f29711d1d","ParentBaseFileName":"explorer.exe",`),
		[]byte(`chrome.exe --type=renderer --field-trial-handle=5048,8334e32aa8dc6205 --lang=en-US /prefetch:5","x":1`),
	}
	for b.Loop() {
		for _, v := range values {
			stringEnd(v, 0)
		}
	}
}
