package run

import (
	"strconv"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/enrich"
	"github.com/valyala/fastjson"
)

// TestKeySetHeldBy: a process id is held when a whole JSON value spells it
// as the enricher reads pids (leading zeros, spaces, a number); digits
// inside a hex id, a SID, a time or a longer number are not it. Words are
// held as written.
func TestKeySetHeldBy(t *testing.T) {
	tests := []struct {
		name string
		keys []string
		line string
		want bool
	}{
		{"a string value", []string{"7001"}, `{"TargetProcessId":"7001"}`, true},
		{"leading zeros", []string{"7001"}, `{"TargetProcessId":"0007001"}`, true},
		{"a number", []string{"6000"}, `{"ParentProcessId":6000}`, true},
		{"a number before the end", []string{"6000"}, `{"ParentProcessId":6000,"x":1}`, true},
		{"spaces around", []string{"42"}, `{"p":" 42 "}`, true},
		{"an escaped tab before", []string{"42"}, `{"p":"\t42"}`, true},
		{"an escaped newline after", []string{"42"}, `{"p":"42\n"}`, true},
		{"a no-break space before", []string{"42"}, "{\"p\":\"\u00a042\"}", true},
		{"in an array", []string{"42"}, `{"p":[1,42]}`, true},
		{"a short pid among digits elsewhere", []string{"1"}, `{"aid":"3908f227c1","UserSid":"S-1-5-21","t":1733000000001,"p":"1"}`, true},
		{"inside a hex id", []string{"9165"}, `{"aid":"59db9165b0ee"}`, false},
		{"inside a SID", []string{"1001"}, `{"UserSid":"S-1-5-21-77-1001"}`, false},
		{"a prefix of a longer number", []string{"123"}, `{"p":"1234"}`, false},
		{"a decimal", []string{"123"}, `{"p":123.5}`, false},
		{"a time", []string{"1700000000"}, `{"ContextTimeStamp":"1700000000.000"}`, false},
		{"signed", []string{"5"}, `{"p":"-5"}`, false},
		{"the largest pid", []string{"18446744073709551615"}, `{"p":"18446744073709551615"}`, true},
		{"past the largest", []string{"18446744073709551615"}, `{"p":"18446744073709551616"}`, false},
		{"a word", []string{"UserName"}, `{"UserName":"bob"}`, true},
		{"no word", []string{"UserName"}, `{"User":"bob"}`, false},
		{"one of many words", []string{"alpha", "bravo", "charlie", "delta", "UserName"}, `{"UserName":"bob"}`, true},
		{"none of many words", []string{"alpha", "bravo", "charlie", "delta", "UserName"}, `{"User":"bob"}`, false},
		{"a word or a pid", []string{"UserName", "77"}, `{"p":"77"}`, true},
		// only pids as the enricher notes them are numbers: others are words
		{"digits not a pid are a word", []string{"0042"}, `{"p":"10042"}`, true},
		{"a word is not read as a number", []string{"0042"}, `{"p":"42"}`, false},
	}
	for _, tt := range tests {
		ks, ok := newKeySet(tt.keys)
		if !ok {
			t.Fatalf("%s: keys %q refused", tt.name, tt.keys)
		}
		if got := ks.heldBy([]byte(tt.line)); got != tt.want {
			t.Errorf("%s: heldBy(%s) with %q = %v, want %v", tt.name, tt.line, tt.keys, got, tt.want)
		}
	}
	for _, keys := range [][]string{{"abc"}, {`a"bcd`}, {"C:\\x"}} {
		if _, ok := newKeySet(keys); ok {
			t.Errorf("keys %q accepted: lines may spell them otherwise, or they are everywhere", keys)
		}
	}
}

// FuzzKeySetFindsEveryPID: every process id a decoded line holds (any
// value the enricher would read as one) is found in the raw line, its \u
// escapes resolved, by a set holding only it.
func FuzzKeySetFindsEveryPID(f *testing.F) {
	for _, s := range []string{
		`{"TargetProcessId":"0007001","ParentProcessId":6000}`,
		`{"p":"\u0038\u0031","q":" \t12 ","r":[3,{"s":"\u00a04"}]}`,
		`{"a":"\\u0031","b":"1\u000b"}`,
		"{\"p\":\"\u2003 99\"}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		v, err := fastjson.Parse(line)
		if err != nil {
			return
		}
		var buf []byte
		eachScalar(v, func(text string) {
			// as enrich.parsePID reads a field
			n, err := strconv.ParseUint(strings.TrimSpace(text), 10, 64)
			if err != nil || n == 0 {
				return
			}
			ks, ok := newKeySet([]string{strconv.FormatUint(n, 10)})
			if !ok {
				t.Fatalf("pid %d refused", n)
			}
			if !holdsKey([]byte(line), ks.heldBy, &buf) {
				t.Fatalf("pid %d (from %q) not found in %s", n, text, line)
			}
		})
	})
}

// eachScalar calls fn with the text of every string (unescaped) and
// number in v, as the decoder reads them.
func eachScalar(v *fastjson.Value, fn func(string)) {
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		o.Visit(func(_ []byte, x *fastjson.Value) { eachScalar(x, fn) })
	case fastjson.TypeArray:
		a, _ := v.Array()
		for _, x := range a {
			eachScalar(x, fn)
		}
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		fn(string(b))
	case fastjson.TypeNumber:
		fn(string(v.MarshalTo(nil)))
	}
}

func BenchmarkKeySetHeldBy(b *testing.B) {
	line := []byte(`{"event_simpleName":"ProcessRollup2","aid":"3908f227c59db9165b0ee76f2ac34446","timestamp":1733000000001,"TargetProcessId":"8781735794","ParentProcessId":"0","ImageFileName":"\\Device\\HarddiskVolume3\\Windows\\System32\\wgat.exe","CommandLine":"wgat.exe --help","UserSid":"S-1-5-21-3711"}`)
	var keys []string
	for i := range 5000 {
		keys = append(keys, strconv.Itoa(1000003+i*7919))
	}
	for _, tc := range []struct {
		name string
		keys []string
	}{{"pids", keys}, {"pids and a word", append(keys, "UserName")}} {
		ks, _ := newKeySet(tc.keys)
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(line)))
			for b.Loop() {
				if ks.heldBy(line) {
					b.Fatal("held")
				}
			}
		})
	}
}

// TestTextTeacherHolds: a line that teaches holds a free-text literal
// ignoring case, the Kelvin sign and the long s folding to ASCII letters,
// whether the literals are all ASCII (looked for in place) or not.
func TestTextTeacherHolds(t *testing.T) {
	for _, lits := range [][]string{{"mimikatz", "Shodan"}, {"mimikatz", "Shodan", "café"}} {
		tt := newTextTeacher(enrich.NewLiteralMatcher(lits), lits)
		for _, tc := range []struct {
			text string
			want bool
		}{
			{`{"CommandLine":"MIMIKATZ.exe"}`, true},
			{"{\"CommandLine\":\"mimi\u212aatz\"}", true}, // the Kelvin sign
			{"{\"CommandLine\":\"\u017fhodan\"}", true},   // the long s
			{`{"CommandLine":"api.sHoDaN.io"}`, true},
			{`{"CommandLine":"mimi katz"}`, false},
			{"{\"CommandLine\":\"caf\u00e9 x\"}", len(lits) == 3},
		} {
			if got := tt.holds([]byte(tc.text)); got != tc.want {
				t.Errorf("literals %q: holds(%s) = %v, want %v", lits, tc.text, got, tc.want)
			}
		}
	}
}
